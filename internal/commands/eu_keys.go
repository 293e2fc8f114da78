package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
)

// Key types of keys encrypted to a user's public key (role_user_add
// tree_key_type, team_enterprise_user_add team_key_type).
const (
	keyTypeRSA = "encrypted_by_public_key"
	keyTypeEC  = "encrypted_by_public_key_ecc"
)

// userKeys are a user's public keys from vault/get_public_keys.
type userKeys struct {
	rsa, ec []byte
}

// publicKeys fetches the public keys of users in one vault/get_public_keys
// call (Commander's api.py load_user_public_keys), keyed by lower-cased
// username. Users the server has no keys for are absent.
func publicKeys(ctx context.Context, c restCaller, usernames []string) (map[string]userKeys, error) {
	out := map[string]userKeys{}
	if len(usernames) == 0 {
		return out, nil
	}
	rq := &authpb.GetPublicKeysRequest{}
	seen := map[string]bool{}
	for _, u := range usernames {
		if k := strings.ToLower(u); !seen[k] {
			seen[k] = true
			rq.Usernames = append(rq.Usernames, k)
		}
	}
	var rs authpb.GetPublicKeysResponse
	if err := c.Call(ctx, "vault/get_public_keys", rq, &rs); err != nil {
		return nil, fmt.Errorf("get the users' public keys: %w", err)
	}
	for _, k := range rs.KeyResponses {
		if k.ErrorCode != "" && k.ErrorCode != "success" {
			continue
		}
		if len(k.PublicKey) > 0 || len(k.PublicEccKey) > 0 {
			out[strings.ToLower(k.Username)] = userKeys{rsa: k.PublicKey, ec: k.PublicEccKey}
		}
	}
	return out, nil
}

// encryptTo encrypts a key (tree key, team key) to a user: with the RSA
// public key when the user has one, else with the EC key. It returns the
// b64url ciphertext and its key type.
func encryptTo(key []byte, k userKeys) (string, string, error) {
	if len(k.rsa) > 0 {
		pub, err := crypto.LoadRSAPublicKey(k.rsa)
		if err != nil {
			return "", "", err
		}
		enc, err := crypto.EncryptRSA(key, pub)
		if err != nil {
			return "", "", err
		}
		return crypto.Base64URLEncode(enc), keyTypeRSA, nil
	}
	if len(k.ec) > 0 {
		pub, err := crypto.LoadECPublicKey(k.ec)
		if err != nil {
			return "", "", err
		}
		enc, err := crypto.EncryptEC(key, pub)
		if err != nil {
			return "", "", err
		}
		return crypto.Base64URLEncode(enc), keyTypeEC, nil
	}
	return "", "", errNoPublicKey
}

var errNoPublicKey = errors.New("the user has no public key")

// teamKey decrypts a team's key: Team.encryptedTeamKey is b64url AES-GCM
// under the tree key (Commander's api.py load_team_keys).
func teamKey(e *enterprise.Enterprise, t *enterprise.Team) ([]byte, error) {
	if t.EncryptedTeamKey == "" {
		return nil, fmt.Errorf("the key of team %q is not available", t.Name)
	}
	b, err := crypto.Base64URLDecode(t.EncryptedTeamKey)
	if err != nil {
		return nil, fmt.Errorf("the key of team %q is malformed: %w", t.Name, err)
	}
	k, err := crypto.DecryptAESv2(b, e.TreeKey)
	if err != nil {
		return nil, fmt.Errorf("the key of team %q cannot be decrypted: %w", t.Name, err)
	}
	return k, nil
}
