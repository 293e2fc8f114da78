package seed

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

var regenDemoKeys = flag.Bool("regen-demo-keys", false, "rewrite demo_keys.txt with fresh key pairs")

// TestDemoKeys: demo_keys.txt holds a distinct, loadable RSA and EC public
// key for every active demo user (with -regen-demo-keys it is rewritten first).
func TestDemoKeys(t *testing.T) {
	if *regenDemoKeys {
		var b strings.Builder
		for range demoActiveUsers() {
			k, err := newPublicKeys()
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(crypto.Base64URLEncode(k.RSA) + " " + crypto.Base64URLEncode(k.ECC) + "\n")
		}
		if err := os.WriteFile("demo_keys.txt", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		demoKeysFile = b.String()
	}
	keys, err := parseDemoKeys(demoKeysFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < demoActiveUsers() {
		t.Fatalf("%d demo key pairs for %d active demo users", len(keys), demoActiveUsers())
	}
	for i := range keys {
		for j := range i {
			if bytes.Equal(keys[i].RSA, keys[j].RSA) || bytes.Equal(keys[i].ECC, keys[j].ECC) {
				t.Fatalf("demo key pairs %d and %d share a key", j, i)
			}
		}
	}
}
