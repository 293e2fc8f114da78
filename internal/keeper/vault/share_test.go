package vault

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

func seqKey() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

// TestClientIDVector: client key 0x00..0x1f gives this HMAC-SHA512 client
// id and link fragment.
func TestClientIDVector(t *testing.T) {
	want := "1c35ad63bfbf716a49f3a0b528187a0e0598e28bc3241ae396251e63b7efcce1152126131cd964aa4a32cf420742ba8ed062c5bc13e715be89bcf3b37a6b1912"
	if got := hex.EncodeToString(ClientID(seqKey())); got != want {
		t.Fatalf("client id %s", got)
	}
	if crypto.Base64URLEncode(seqKey()) != "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" {
		t.Fatal("fragment")
	}
}

func TestShareURL(t *testing.T) {
	frag := "#AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	for server, want := range map[string]string{
		"keepersecurity.com":            "https://keepersecurity.com/vault/share/" + frag,
		"https://keepersecurity.eu/x/y": "https://keepersecurity.eu/vault/share/" + frag,
		"http://127.0.0.1:8080":         "https://127.0.0.1:8080/vault/share/" + frag,
		"localhost:8443":                "https://localhost:8443/vault/share/" + frag,
	} {
		if got, err := ShareURL(server, seqKey(), false); err != nil || got != want {
			t.Errorf("%s: %s %v", server, got, err)
		}
	}
	if got, _ := ShareURL("keepersecurity.com", seqKey(), true); got != "https://keepersecurity.com/vault/share/?editable=true"+frag {
		t.Error(got)
	}
	if _, err := ShareURL("", seqKey(), false); err == nil {
		t.Error("empty server accepted")
	}
	if h, _ := ServerHost("https://127.0.0.1:8443"); h != "127.0.0.1:8443" {
		t.Error(h)
	}
}

func TestNewExternalShare(t *testing.T) {
	r := &Record{UID: "PxqcDlt9KkyObwsdPFp-kA", Key: crypto.GenerateAESKey()}
	now := time.UnixMilli(1_700_000_000_000)
	rq, err := NewExternalShare(r, seqKey(), "jane@example.com: Master Password", 7*24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(rq.RecordUid) != "3f1a9c0e5b7d2a4c8e6f0b1d3c5a7e90" {
		t.Fatalf("record uid %x", rq.RecordUid)
	}
	if k, err := crypto.DecryptAESv2(rq.EncryptedRecordKey, seqKey()); err != nil || !bytes.Equal(k, r.Key) || len(rq.EncryptedRecordKey) != 60 {
		t.Fatalf("encrypted record key: %v", err)
	}
	if !bytes.Equal(rq.ClientId, ClientID(seqKey())) || rq.AccessExpireOn != 1_700_000_000_000+604_800_000 ||
		rq.Id != "jane@example.com: Master Password" || rq.IsSelfDestruct || rq.IsEditable {
		t.Fatalf("%v", rq)
	}
	for _, bad := range []struct {
		r      *Record
		key    []byte
		expire time.Duration
		want   string
	}{
		{&Record{UID: r.UID}, seqKey(), time.Hour, "record key"},
		{r, []byte{1}, time.Hour, "client key"},
		{r, seqKey(), 0, "positive"},
		{r, seqKey(), 183 * 24 * time.Hour, "6 months"},
	} {
		if _, err := NewExternalShare(bad.r, bad.key, "", bad.expire, now); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("want %q, got %v", bad.want, err)
		}
	}
}
