package enterprise

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/envelope"
)

// vectorECKey is the P-256 key of the ECIES vectors in
// testdata/keeper-crypto-vectors.json (produced with Commander's crypto.py);
// the tests use it as the enterprise EC key pair.
func vectorECKey(t *testing.T) *ecdh.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("../../../testdata/keeper-crypto-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		ECIES struct {
			PrivateKey string `json:"private_key"`
			PublicKey  string `json:"public_key"`
			Cases      []struct {
				Plaintext  string `json:"plaintext"`
				Ciphertext string `json:"ciphertext"`
			} `json:"cases"`
		} `json:"ecies_p256"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	dec := base64.RawURLEncoding.DecodeString
	raw, _ := dec(v.ECIES.PrivateKey)
	k, err := crypto.LoadECPrivateKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := dec(v.ECIES.PublicKey)
	if !bytes.Equal(crypto.ECPublicKeyBytes(k.PublicKey()), pub) {
		t.Fatal("vector public key does not match its private key")
	}
	// The key really is the one Commander encrypted to.
	c := v.ECIES.Cases[0]
	ct, _ := dec(c.Ciphertext)
	pt, _ := dec(c.Plaintext)
	if got, err := crypto.DecryptEC(ct, k); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("vector case does not decrypt: %v", err)
	}
	return k
}

func newUser(t *testing.T, ent *ecdh.PrivateKey) NewUser {
	return NewUser{ID: 77<<32 + 1000, Email: "Jane.Doe@Example.com", NodeID: 77<<32 + 2, Password: "Tr0ub4dor&3",
		TreeKey: bytes.Repeat([]byte{7}, 32), EnterpriseECKey: ent.PublicKey(), DeviceToken: []byte("admin-device-token"),
		Iterations: 1000}
}

// TestBuildProvisionRoundTrip decrypts every field BuildProvision made with
// the password, the enterprise key, the tree key and the new data key.
func TestBuildProvisionRoundTrip(t *testing.T) {
	ent := vectorECKey(t)
	u := newUser(t, ent)
	u.DisplayName = "Jane Doe"
	p, keys, err := BuildProvision(u)
	if err != nil {
		t.Fatal(err)
	}
	if p.EnterpriseUserId != u.ID || p.Username != "Jane.Doe@Example.com" || p.NodeId != u.NodeID ||
		p.KeyType != pb.EncryptedKeyType_KT_ENCRYPTED_BY_DATA_KEY || p.FullName != "" || p.JobTitle != "" ||
		!bytes.Equal(p.EncryptedDeviceToken, u.DeviceToken) {
		t.Fatalf("plain fields: %v", p)
	}
	if len(keys.DataKey) != 32 || len(keys.ClientKey) != 32 || bytes.Equal(keys.DataKey, keys.ClientKey) {
		t.Fatal("keys")
	}
	// Display name: AES-CBC under the tree key.
	enc, _ := crypto.Base64URLDecode(p.EncryptedData)
	plain, err := crypto.DecryptAESv1(enc, u.TreeKey)
	if err != nil || parseDisplayName(plain) != "Jane Doe" {
		t.Fatalf("encrypted data %q %v", plain, err)
	}
	// The escrowed data key opens with the enterprise EC private key.
	if dk, err := crypto.DecryptEC(p.EnterpriseUsersDataKey, ent); err != nil || !bytes.Equal(dk, keys.DataKey) {
		t.Fatalf("enterprise data key: %v", err)
	}
	// Auth verifier: 52 bytes, version 1, 1000 iterations, PBKDF2 of the password.
	it, salt, derived, err := crypto.ParseAuthVerifier(p.AuthVerifier)
	if err != nil || it != 1000 || !bytes.Equal(derived, crypto.DeriveKeyV1(u.Password, salt, 1000)) {
		t.Fatalf("auth verifier: %d %v", it, err)
	}
	if again, _ := crypto.CreateAuthVerifier(u.Password, salt, it); !bytes.Equal(again, p.AuthVerifier) {
		t.Fatal("auth verifier is not CreateAuthVerifier of its own salt")
	}
	// Encryption params: 100 bytes, the data key under the password, a salt
	// of its own.
	if len(p.EncryptionParams) != crypto.EncryptionParamsSize || bytes.Equal(p.EncryptionParams[4:20], salt) {
		t.Fatal("encryption params size or salt reuse")
	}
	if dk, err := crypto.DecryptEncryptionParams(p.EncryptionParams, u.Password); err != nil || !bytes.Equal(dk, keys.DataKey) {
		t.Fatalf("encryption params: %v", err)
	}
	if _, err := crypto.DecryptEncryptionParams(p.EncryptionParams, "wrong"); err == nil {
		t.Fatal("encryption params open with a wrong password")
	}
	// RSA-2048: private key AES-CBC under the data key, matching the public key.
	der, err := crypto.DecryptAESv1(p.RsaEncryptedPrivateKey, keys.DataKey)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := crypto.LoadRSAPrivateKey(der)
	if err != nil || rk.N.BitLen() != 2048 || !bytes.Equal(crypto.RSAPublicKeyBytes(&rk.PublicKey), p.RsaPublicKey) {
		t.Fatalf("rsa pair: %v", err)
	}
	// P-256: private scalar AES-GCM under the data key.
	raw, err := crypto.DecryptAESv2(p.EccEncryptedPrivateKey, keys.DataKey)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := crypto.LoadECPrivateKey(raw)
	if err != nil || !bytes.Equal(crypto.ECPublicKeyBytes(ek.PublicKey()), p.EccPublicKey) || len(p.EccPublicKey) != 65 {
		t.Fatalf("ec pair: %v", err)
	}
	// Client key: AES-CBC under the data key.
	if ck, err := crypto.DecryptAESv1(p.EncryptedClientKey, keys.DataKey); err != nil || !bytes.Equal(ck, keys.ClientKey) {
		t.Fatalf("client key: %v", err)
	}
	rq := ProvisionRequest("c18.0.0", p)
	if len(rq.Users) != 1 || rq.ClientVersion != "c18.0.0" {
		t.Fatalf("request %v", rq)
	}
}

// TestBuildProvisionDefaults: without a name the email is the display
// name; RSA is skipped when forbidden; iterations default to 1,000,000.
func TestBuildProvisionDefaults(t *testing.T) {
	u := newUser(t, vectorECKey(t))
	u.ForbidRSA, u.Iterations = true, 0
	p, keys, err := BuildProvision(u)
	if err != nil {
		t.Fatal(err)
	}
	if p.RsaPublicKey != nil || p.RsaEncryptedPrivateKey != nil {
		t.Fatal("RSA pair built although forbidden")
	}
	enc, _ := crypto.Base64URLDecode(p.EncryptedData)
	plain, _ := crypto.DecryptAESv1(enc, u.TreeKey)
	if parseDisplayName(plain) != u.Email {
		t.Fatalf("display name %q", plain)
	}
	it, _, _, _ := crypto.ParseAuthVerifier(p.AuthVerifier)
	if it != 1_000_000 || DefaultIterations != 1_000_000 || int(p.EncryptionParams[1])<<16|int(p.EncryptionParams[2])<<8|int(p.EncryptionParams[3]) != it {
		t.Fatalf("iterations %d", it)
	}
	if dk, err := crypto.DecryptEncryptionParams(p.EncryptionParams, u.Password); err != nil || !bytes.Equal(dk, keys.DataKey) {
		t.Fatal(err)
	}
}

func TestBuildProvisionRefusesMissingInputs(t *testing.T) {
	ent := vectorECKey(t)
	for name, edit := range map[string]func(*NewUser){
		"no email":    func(u *NewUser) { u.Email = "" },
		"no password": func(u *NewUser) { u.Password = "" },
		"tree key":    func(u *NewUser) { u.TreeKey = nil },
		"EC public":   func(u *NewUser) { u.EnterpriseECKey = nil },
		"device":      func(u *NewUser) { u.DeviceToken = nil },
	} {
		u := newUser(t, ent)
		edit(&u)
		if _, _, err := BuildProvision(u); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCheckProvision(t *testing.T) {
	for _, code := range []string{"", "success", "ok", "OK"} {
		rs := &pb.EnterpriseUsersProvisionResponse{Results: []*pb.EnterpriseUsersProvisionResult{{EnterpriseUserId: 5, Code: code}}}
		if err := CheckProvision("a@b.c", rs); err != nil {
			t.Errorf("code %q: %v", code, err)
		}
	}
	if err := CheckProvision("a@b.c", &pb.EnterpriseUsersProvisionResponse{}); err != nil {
		t.Errorf("empty reply: %v", err)
	}
	rs := &pb.EnterpriseUsersProvisionResponse{Results: []*pb.EnterpriseUsersProvisionResult{
		{EnterpriseUserId: 5, Code: "domain_not_reserved", Message: "example.com is not reserved"}}}
	err := CheckProvision("jane@example.com", rs)
	var pe *ProvisionError
	var api *rest.APIError
	if !errors.As(err, &pe) || !errors.As(err, &api) || api.Code != "domain_not_reserved" {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{`Failed to auto-create account "jane@example.com"`, "domain_not_reserved: example.com is not reserved",
		"only permitted on reserved domains", EmailAutoProvisioningDoc} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
}

// TestLoadKeepsEnterprisePublicKeys: the enterprise public keys of
// get_enterprise_data_keys reach the model (create-user encrypts the new
// user's data key to the EC one).
func TestLoadKeepsEnterprisePublicKeys(t *testing.T) {
	priv, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	dataKey, treeKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	encTree, _ := crypto.EncryptAESv1(treeKey, dataKey)
	ent := vectorECKey(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq, err := envelope.Open(r, map[int32]*ecdh.PrivateKey{7: priv})
		if err != nil {
			envelope.WriteError(w, 400, envelope.ErrorBody{Error: "bad_request"})
			return
		}
		if strings.HasSuffix(r.URL.Path, "get_enterprise_data_keys") {
			_ = rq.Reply(w, &pb.GetEnterpriseDataKeysResponse{
				TreeKey:        &pb.TreeKey{TreeKey: crypto.Base64URLEncode(encTree), KeyTypeId: pb.BackupKeyType_ENCRYPTED_BY_DATA_KEY},
				EnterpriseKeys: &pb.EnterpriseKeys{RsaPublicKey: []byte("rsa-der"), EccPublicKey: crypto.ECPublicKeyBytes(ent.PublicKey())}})
			return
		}
		_ = rq.Reply(w, &pb.EnterpriseDataResponse{ContinuationToken: []byte("t"), CacheStatus: pb.CacheStatus_CLEAR})
	}))
	defer ts.Close()
	c, err := rest.New(rest.Options{Server: ts.URL, KeyOverride: &rest.ServerKey{ID: 7, Public: crypto.ECPublicKeyBytes(priv.PublicKey())}})
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := Load(context.Background(), c, Keys{DataKey: dataKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.TreeKey, treeKey) || string(e.RSAPublicKey) != "rsa-der" ||
		!bytes.Equal(e.ECPublicKey, crypto.ECPublicKeyBytes(ent.PublicKey())) {
		t.Fatalf("keys: %x %q %x", e.TreeKey, e.RSAPublicKey, e.ECPublicKey)
	}
}
