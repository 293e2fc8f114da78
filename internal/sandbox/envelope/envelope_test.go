package envelope

import (
	"bytes"
	"crypto/ecdh"
	"errors"
	"net/http/httptest"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
)

func seal(t testing.TB, pub *ecdh.PublicKey, keyID int32, tk []byte, p *authpb.ApiRequestPayload) []byte {
	t.Helper()
	wrapped, err := crypto.EncryptEC(tk, pub)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := proto.Marshal(p)
	enc, err := crypto.EncryptAESv2(plain, tk)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := proto.Marshal(&authpb.ApiRequest{EncryptedTransmissionKey: wrapped, PublicKeyId: keyID, Locale: "en_US", EncryptedPayload: enc})
	return b
}

func TestOpenAndReply(t *testing.T) {
	priv, _ := crypto.GenerateECKey()
	keys := map[int32]*ecdh.PrivateKey{7: priv}
	tk := crypto.GenerateAESKey()
	body := seal(t, priv.PublicKey(), 7, tk, &authpb.ApiRequestPayload{Payload: []byte("hi"), EncryptedSessionToken: []byte{9}, ApiVersion: 2})
	rq, err := Open(httptest.NewRequest("POST", "/api/rest/x", bytes.NewReader(body)), keys)
	if err != nil {
		t.Fatal(err)
	}
	if string(rq.Payload) != "hi" || !bytes.Equal(rq.SessionToken, []byte{9}) || rq.APIVersion != 2 || rq.Locale != "en_US" {
		t.Fatalf("unexpected request %+v", rq)
	}
	w := httptest.NewRecorder()
	if err := rq.Reply(w, &authpb.Device{EncryptedDeviceToken: []byte("tok")}); err != nil {
		t.Fatal(err)
	}
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("status %d type %q", w.Code, w.Header().Get("Content-Type"))
	}
	plain, err := crypto.DecryptAESv2(w.Body.Bytes(), tk)
	if err != nil {
		t.Fatal(err)
	}
	var d authpb.Device
	if err := proto.Unmarshal(plain, &d); err != nil || string(d.EncryptedDeviceToken) != "tok" {
		t.Fatalf("reply %v %v", &d, err)
	}
}

func TestOpenErrors(t *testing.T) {
	priv, _ := crypto.GenerateECKey()
	other, _ := crypto.GenerateECKey()
	keys := map[int32]*ecdh.PrivateKey{7: priv}
	tk := crypto.GenerateAESKey()
	var uk *UnknownKeyError
	if _, err := OpenBytes(seal(t, priv.PublicKey(), 8, tk, &authpb.ApiRequestPayload{}), keys); !errors.As(err, &uk) || uk.KeyID != 8 {
		t.Fatalf("want unknown key 8, got %v", err)
	}
	if _, err := OpenBytes(seal(t, other.PublicKey(), 7, tk, &authpb.ApiRequestPayload{}), keys); !errors.Is(err, ErrMalformed) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := OpenBytes([]byte{0xff, 0xff}, keys); !errors.Is(err, ErrMalformed) {
		t.Fatalf("garbage: %v", err)
	}
}

func TestWriteErrors(t *testing.T) {
	w := httptest.NewRecorder()
	WriteKeyError(w, 7)
	if w.Code != 401 || w.Header().Get("Content-Type") != "application/json" || !bytes.Contains(w.Body.Bytes(), []byte(`"key_id":7`)) {
		t.Fatalf("key error: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	WriteThrottled(w, 30)
	if w.Code != 403 || !bytes.Contains(w.Body.Bytes(), []byte(`"error":"throttled"`)) || !bytes.Contains(w.Body.Bytes(), []byte("30 seconds")) {
		t.Fatalf("throttle: %d %s", w.Code, w.Body)
	}
}

func FuzzOpen(f *testing.F) {
	priv, _ := crypto.GenerateECKey()
	keys := map[int32]*ecdh.PrivateKey{7: priv}
	f.Add(seal(f, priv.PublicKey(), 7, crypto.GenerateAESKey(), &authpb.ApiRequestPayload{Payload: []byte("x")}))
	f.Add([]byte{})
	f.Add([]byte{0x10, 0x07})
	f.Fuzz(func(t *testing.T, body []byte) {
		rq, err := OpenBytes(body, keys)
		if err == nil && rq == nil {
			t.Fatal("nil request without error")
		}
	})
}
