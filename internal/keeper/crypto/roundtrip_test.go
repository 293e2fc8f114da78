package crypto

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"sync"
	"testing"
)

// testSizes covers empty, sub-block, block-aligned and multi-block inputs.
var testSizes = []int{0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 1000}

func TestRoundTripBase64URL(t *testing.T) {
	for _, n := range testSizes {
		b := RandomBytes(n)
		s := Base64URLEncode(b)
		if bytes.ContainsAny([]byte(s), "=+/") {
			t.Errorf("encode(%d bytes) = %q: not raw url alphabet", n, s)
		}
		got, err := Base64URLDecode(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("round trip of %d bytes failed: %v", n, err)
		}
	}
}

func TestRandomHelpers(t *testing.T) {
	if len(RandomBytes(-1)) != 0 || len(RandomBytes(0)) != 0 || len(RandomBytes(7)) != 7 {
		t.Error("RandomBytes length mismatch")
	}
	if k := GenerateAESKey(); len(k) != AESKeySize {
		t.Errorf("GenerateAESKey len %d", len(k))
	}
	if bytes.Equal(GenerateAESKey(), GenerateAESKey()) {
		t.Error("two AES keys are equal")
	}
	for range 200 {
		uid := GenerateUID()
		b, err := Base64URLDecode(uid)
		if len(uid) != 22 || err != nil || len(b) != 16 {
			t.Fatalf("bad uid %q", uid)
		}
		if b[0]&0xF8 == 0xF8 || uid[0] == '-' || uid[0] == '_' {
			t.Fatalf("uid %q starts with a reserved prefix", uid)
		}
	}
}

func TestRoundTripAES(t *testing.T) {
	key := GenerateAESKey()
	for _, n := range testSizes {
		data := RandomBytes(n)
		ct, err := EncryptAESv1(data, key)
		if err != nil || len(ct) != 16+(n/16+1)*16 {
			t.Fatalf("v1 encrypt %d: len %d, %v", n, len(ct), err)
		}
		if got, err := DecryptAESv1(ct, key); err != nil || !bytes.Equal(got, data) {
			t.Errorf("v1 round trip %d: %v", n, err)
		}
		ct, err = EncryptAESv2(data, key)
		if err != nil || len(ct) != 12+n+16 {
			t.Fatalf("v2 encrypt %d: len %d, %v", n, len(ct), err)
		}
		if got, err := DecryptAESv2(ct, key); err != nil || !bytes.Equal(got, data) {
			t.Errorf("v2 round trip %d: %v", n, err)
		}
		if n%16 != 0 {
			continue
		}
		ct, err = EncryptAESv1NoPad(data, key)
		if err != nil || len(ct) != 16+n {
			t.Fatalf("v1 nopad encrypt %d: len %d, %v", n, len(ct), err)
		}
		if got, err := DecryptAESv1NoPad(ct, key); err != nil || !bytes.Equal(got, data) {
			t.Errorf("v1 nopad round trip %d: %v", n, err)
		}
	}
	a, _ := EncryptAESv2([]byte("x"), key)
	b, _ := EncryptAESv2([]byte("x"), key)
	if bytes.Equal(a[:12], b[:12]) {
		t.Error("GCM nonce repeated")
	}
}

func TestRoundTripEC(t *testing.T) {
	priv, err := GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	scalar, point := ECPrivateKeyBytes(priv), ECPublicKeyBytes(priv.PublicKey())
	if len(scalar) != ECPrivateKeySize || len(point) != ECPublicKeySize || point[0] != 4 {
		t.Fatalf("key sizes %d/%d", len(scalar), len(point))
	}
	priv2, err := LoadECPrivateKey(scalar)
	if err != nil || !priv2.Equal(priv) {
		t.Fatalf("reload private: %v", err)
	}
	pub, err := LoadECPublicKey(point)
	if err != nil || !pub.Equal(priv.PublicKey()) {
		t.Fatalf("reload public: %v", err)
	}
	for _, n := range testSizes {
		data := RandomBytes(n)
		ct, err := EncryptEC(data, pub)
		if err != nil || len(ct) != 65+12+n+16 {
			t.Fatalf("encrypt %d: len %d, %v", n, len(ct), err)
		}
		if got, err := DecryptEC(ct, priv2); err != nil || !bytes.Equal(got, data) {
			t.Errorf("round trip %d: %v", n, err)
		}
	}
	// A 32-byte key wraps to 125 bytes, as the server key table expects.
	if ct, _ := EncryptEC(GenerateAESKey(), pub); len(ct) != 125 {
		t.Errorf("wrapped transmission key is %d bytes, want 125", len(ct))
	}
	other, _ := GenerateECKey()
	ct, _ := EncryptEC([]byte("secret"), pub)
	if _, err := DecryptEC(ct, other); !errors.Is(err, ErrDecryption) {
		t.Errorf("decrypt with wrong key: %v, want ErrDecryption", err)
	}
}

var testRSAKey = sync.OnceValues(GenerateRSAKey)

func TestRoundTripRSA(t *testing.T) {
	priv, err := testRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	if priv.N.BitLen() != RSAKeyBits || priv.E != 65537 {
		t.Fatalf("generated key: %d bits, e=%d", priv.N.BitLen(), priv.E)
	}
	priv2, err := LoadRSAPrivateKey(RSAPrivateKeyBytes(priv))
	if err != nil || !priv2.Equal(priv) {
		t.Fatalf("reload private: %v", err)
	}
	pub, err := LoadRSAPublicKey(RSAPublicKeyBytes(&priv.PublicKey))
	if err != nil || !pub.Equal(&priv.PublicKey) {
		t.Fatalf("reload public: %v", err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if pub2, err := LoadRSAPublicKey(spki); err != nil || !pub2.Equal(pub) {
		t.Errorf("SPKI public key: %v", err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	if p, err := LoadRSAPrivateKey(pkcs8); err != nil || !p.Equal(priv) {
		t.Errorf("PKCS#8 private key: %v", err)
	}
	for _, n := range []int{0, 1, 32, 245} {
		data := RandomBytes(n)
		ct, err := EncryptRSA(data, pub)
		if err != nil || len(ct) != 256 {
			t.Fatalf("encrypt %d: len %d, %v", n, len(ct), err)
		}
		if got, err := DecryptRSA(ct, priv2); err != nil || !bytes.Equal(got, data) {
			t.Errorf("round trip %d: %v", n, err)
		}
	}
	if _, err := EncryptRSA(make([]byte, 246), pub); err == nil {
		t.Error("246-byte message accepted for a 2048-bit key")
	}
}

// TestDecryptRSALeftPad checks that ciphertexts whose integer value has
// leading zero bytes are accepted with those bytes stripped, as Commander does.
func TestDecryptRSALeftPad(t *testing.T) {
	priv, err := testRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	for range 2000 {
		data := RandomBytes(32)
		ct, err := EncryptRSA(data, &priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if ct[0] != 0 {
			continue
		}
		got, err := DecryptRSA(ct[1:], priv)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("short ciphertext: %v", err)
		}
		return
	}
	t.Skip("no ciphertext with a leading zero byte in 2000 tries")
}

func TestRoundTripVerifierAndParams(t *testing.T) {
	salt := RandomBytes(SaltSize)
	for _, it := range []int{1, 1000} {
		v, err := CreateAuthVerifier("pw ✓", salt, it)
		if err != nil || len(v) != AuthVerifierSize {
			t.Fatalf("verifier it=%d: %v", it, err)
		}
		gotIt, gotSalt, dk, err := ParseAuthVerifier(v)
		if err != nil || gotIt != it || !bytes.Equal(gotSalt, salt) || !bytes.Equal(dk, DeriveKeyV1("pw ✓", salt, it)) {
			t.Errorf("parse verifier it=%d: %d, %v", it, gotIt, err)
		}
		dataKey := GenerateAESKey()
		p, err := CreateEncryptionParams("pw ✓", salt, it, dataKey)
		if err != nil || len(p) != EncryptionParamsSize {
			t.Fatalf("params it=%d: %v", it, err)
		}
		got, err := DecryptEncryptionParams(p, "pw ✓")
		if err != nil || !bytes.Equal(got, dataKey) {
			t.Errorf("params round trip it=%d: %v", it, err)
		}
		if _, err := DecryptEncryptionParams(p, "pw"); !errors.Is(err, ErrDecryption) {
			t.Errorf("wrong password: %v, want ErrDecryption", err)
		}
	}
}

func TestDeriveKeyEdgeCases(t *testing.T) {
	salt := []byte("0123456789abcdef")
	one := DeriveKeyV1("pw", salt, 1)
	if len(one) != 32 {
		t.Fatalf("len %d", len(one))
	}
	for _, it := range []int{0, -5} {
		if !bytes.Equal(DeriveKeyV1("pw", salt, it), one) {
			t.Errorf("iterations %d not treated as 1", it)
		}
	}
	if len(DeriveKeyV1("", nil, 1)) != 32 || len(DeriveKeyHashV1("", nil, 1)) != 32 || len(DeriveKeyHashV2("", "", nil, 1)) != 32 {
		t.Error("empty inputs did not derive full-length keys")
	}
	if bytes.Equal(DeriveKeyHashV2("data_key", "pw", salt, 1), DeriveKeyHashV2("data_kez", "pw", salt, 1)) {
		t.Error("domain ignored")
	}
	if len(HMACSHA512(nil, nil)) != 64 {
		t.Error("hmac length")
	}
}

// TestHeaderMaxIterations checks the 24-bit iteration field at its maximum
// without paying for a 16.7M-iteration derivation.
func TestHeaderMaxIterations(t *testing.T) {
	v := make([]byte, AuthVerifierSize)
	putHeader(v, bytes.Repeat([]byte{7}, SaltSize), MaxIterations)
	if !bytes.Equal(v[:4], []byte{1, 0xff, 0xff, 0xff}) {
		t.Fatalf("header %x", v[:4])
	}
	it, salt, _, err := ParseAuthVerifier(v)
	if err != nil || it != MaxIterations || salt[0] != 7 {
		t.Errorf("parse: %d, %v", it, err)
	}
	putHeader(v, salt, 1000)
	if !bytes.Equal(v[:4], []byte{1, 0, 0x03, 0xe8}) {
		t.Errorf("header for 1000 = %x", v[:4])
	}
}

func TestNilKeys(t *testing.T) {
	if ECPrivateKeyBytes(nil) != nil || ECPublicKeyBytes(nil) != nil ||
		RSAPrivateKeyBytes(nil) != nil || RSAPublicKeyBytes(nil) != nil ||
		RSAPrivateKeyBytes(&rsa.PrivateKey{}) != nil || RSAPublicKeyBytes(&rsa.PublicKey{}) != nil {
		t.Error("nil key serialised to non-nil bytes")
	}
	if _, err := EncryptEC(nil, nil); err == nil {
		t.Error("EncryptEC(nil key) succeeded")
	}
	if _, err := DecryptEC(make([]byte, 200), nil); err == nil {
		t.Error("DecryptEC(nil key) succeeded")
	}
	if _, err := EncryptRSA(nil, nil); err == nil {
		t.Error("EncryptRSA(nil key) succeeded")
	}
	if _, err := DecryptRSA(make([]byte, 256), nil); err == nil {
		t.Error("DecryptRSA(nil key) succeeded")
	}
	if _, err := EncryptRSA([]byte("x"), &rsa.PublicKey{}); err == nil {
		t.Error("EncryptRSA(zero key) succeeded")
	}
}
