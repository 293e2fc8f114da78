package enterprise

import (
	"encoding/json"
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

// EncryptData encrypts the `encrypted_data` of a node, role or user: the
// JSON {"displayname": name} ({} for an empty name), AES-CBC under the tree
// key, base64url, as Commander's enterprise commands write it (key type
// encrypted_by_data_key).
func EncryptData(treeKey []byte, displayName string) (string, error) {
	plain := []byte("{}")
	if displayName != "" {
		b, err := json.Marshal(map[string]string{"displayname": displayName})
		if err != nil {
			return "", err
		}
		plain = b
	}
	enc, err := crypto.EncryptAESv1(plain, treeKey)
	if err != nil {
		return "", fmt.Errorf("encrypt display name: %w", err)
	}
	return crypto.Base64URLEncode(enc), nil
}
