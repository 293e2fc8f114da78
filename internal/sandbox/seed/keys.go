package seed

import (
	_ "embed" // demo_keys.txt
	"fmt"
	"strings"
	"sync"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// demoKeysFile holds the public halves of RSA-2048 and P-256 key pairs for
// the demo tenant's active users, one pair a line: base64url RSA public key
// (DER PKCS#1), a space, base64url EC point. With them vault/get_public_keys
// answers for demo users and an admin can encrypt team and tree keys to
// them, as Commander does (api.py load_user_public_keys). Demo users have no
// login, so their private halves were dropped when the file was made
// (`go test ./internal/sandbox/seed -run TestDemoKeys -regen-demo-keys`).
// They are fixed because making 55 RSA pairs costs seconds and every test
// sandbox seeds a demo tenant; within a tenant each user has its own pair.
//
//go:embed demo_keys.txt
var demoKeysFile string

var demoKeys = sync.OnceValues(func() ([]store.PublicKeys, error) { return parseDemoKeys(demoKeysFile) })

func parseDemoKeys(file string) ([]store.PublicKeys, error) {
	var out []store.PublicKeys
	for i, line := range strings.Split(strings.TrimSpace(file), "\n") {
		rsaPub, ecPub, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			return nil, fmt.Errorf("demo_keys.txt line %d: want two keys", i+1)
		}
		var k store.PublicKeys
		var err error
		if k.RSA, err = crypto.Base64URLDecode(rsaPub); err == nil {
			_, err = crypto.LoadRSAPublicKey(k.RSA)
		}
		if err == nil {
			if k.ECC, err = crypto.Base64URLDecode(ecPub); err == nil {
				_, err = crypto.LoadECPublicKey(k.ECC)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("demo_keys.txt line %d: %w", i+1, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// newPublicKeys makes an RSA-2048 and a P-256 pair and keeps the public halves.
func newPublicKeys() (store.PublicKeys, error) {
	rsaKey, err := crypto.GenerateRSAKey()
	if err != nil {
		return store.PublicKeys{}, err
	}
	ec, err := crypto.GenerateECKey()
	if err != nil {
		return store.PublicKeys{}, err
	}
	return store.PublicKeys{RSA: crypto.RSAPublicKeyBytes(&rsaKey.PublicKey), ECC: crypto.ECPublicKeyBytes(ec.PublicKey())}, nil
}

// demoActiveUsers is how many active users (besides the admin) the demo
// tenant has: 34 in the MSP (30 active, 2 locked, 2 disabled) and all but
// the last user of each managed company.
func demoActiveUsers() int {
	n := 0
	for _, u := range demoUsers() {
		if u.status == "active" {
			n++
		}
	}
	for _, s := range demoMCs {
		n += s.users - 1
	}
	return n
}
