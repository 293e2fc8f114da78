package seed

import (
	"encoding/json"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

// TestEncryptDisplayNamePlaintext: the display data EncryptDisplayName
// encrypts is byte for byte what json.Marshal makes of
// {"displayname": name}, escapes included.
func TestEncryptDisplayNamePlaintext(t *testing.T) {
	key := crypto.GenerateAESKey()
	for _, name := range []string{"", "Bulk User 000100", `Q "quoted" \ back`, "<b>&amp;</b>", "Zoë 東京", "tab\tnl\n", "\u2028"} {
		enc, err := EncryptDisplayName(key, name)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := crypto.Base64URLDecode(enc)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := crypto.DecryptAESv1(raw, key)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(map[string]string{"displayname": name})
		if string(plain) != string(want) {
			t.Errorf("%q: plaintext %s, want %s", name, plain, want)
		}
	}
}
