package crypto

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
)

const vectorsPath = "../../../testdata/keeper-crypto-vectors.json"

// b64 is a byte slice that unmarshals from unpadded base64url. It uses the
// standard library directly so the vectors do not depend on our decoder.
type b64 []byte

func (b *b64) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	v, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

type cipherCase struct {
	Key        b64 `json:"key"`
	Nonce      b64 `json:"nonce"`
	Plaintext  b64 `json:"plaintext"`
	Ciphertext b64 `json:"ciphertext"`
}

type vectors struct {
	Base64URL []struct {
		BytesHex string `json:"bytes_hex"`
		Encoded  string `json:"encoded"`
	} `json:"base64url"`
	AESv1      []cipherCase `json:"aes_v1_cbc_pkcs7"`
	AESv1NoPad []cipherCase `json:"aes_v1_cbc_nopad"`
	AESv2      []cipherCase `json:"aes_v2_gcm"`
	AESv2Fixed []cipherCase `json:"aes_v2_gcm_fixed_nonce"`
	ECIES      struct {
		PrivateKey b64          `json:"private_key"`
		PublicKey  b64          `json:"public_key"`
		Cases      []cipherCase `json:"cases"`
	} `json:"ecies_p256"`
	RSA struct {
		PrivateKey b64          `json:"private_key_der_pkcs1"`
		PublicKey  b64          `json:"public_key_der_pkcs1"`
		Cases      []cipherCase `json:"cases"`
	} `json:"rsa_pkcs1v15"`
	KeyHashV1 []struct {
		Password   string `json:"password"`
		Salt       b64    `json:"salt"`
		Iterations int    `json:"iterations"`
		DerivedKey b64    `json:"derived_key"`
		AuthHash   b64    `json:"auth_hash"`
	} `json:"derive_keyhash_v1"`
	KeyHashV2 []struct {
		Domain     string `json:"domain"`
		Password   string `json:"password"`
		Salt       b64    `json:"salt"`
		Iterations int    `json:"iterations"`
		Hash       b64    `json:"hash"`
	} `json:"derive_keyhash_v2"`
	AuthVerifier []struct {
		Password   string `json:"password"`
		Salt       b64    `json:"salt"`
		Iterations int    `json:"iterations"`
		Verifier   b64    `json:"verifier"`
	} `json:"auth_verifier"`
	EncryptionParams []struct {
		Password string `json:"password"`
		DataKey  b64    `json:"data_key"`
		Params   b64    `json:"encryption_params"`
	} `json:"encryption_params"`
	HMACSHA512 []struct {
		Key  b64 `json:"key"`
		Data b64 `json:"data"`
		MAC  b64 `json:"mac"`
	} `json:"hmac_sha512"`
}

var loadVectorsOnce = sync.OnceValues(func() (*vectors, error) {
	raw, err := os.ReadFile(vectorsPath)
	if err != nil {
		return nil, err
	}
	v := new(vectors)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, err
	}
	return v, nil
})

// loadVectors returns the parsed Commander vectors (shared, read-only).
func loadVectors(tb testing.TB) *vectors {
	tb.Helper()
	v, err := loadVectorsOnce()
	if err != nil {
		tb.Fatalf("load vectors: %v", err)
	}
	return v
}

func TestVectorsBase64URL(t *testing.T) {
	v := loadVectors(t)
	if len(v.Base64URL) == 0 {
		t.Fatal("no base64url vectors")
	}
	for _, c := range v.Base64URL {
		want, err := hex.DecodeString(c.BytesHex)
		if err != nil {
			t.Fatal(err)
		}
		if got := Base64URLEncode(want); got != c.Encoded {
			t.Errorf("encode %s = %q, want %q", c.BytesHex, got, c.Encoded)
		}
		// Decode the vector as is, padded, and in the standard alphabet.
		padded := c.Encoded + strings.Repeat("=", (4-len(c.Encoded)%4)%4)
		std := strings.NewReplacer("-", "+", "_", "/").Replace(padded)
		for _, s := range []string{c.Encoded, padded, std, c.Encoded + "=="} {
			got, err := Base64URLDecode(s)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("decode %q = %x, %v; want %s", s, got, err, c.BytesHex)
			}
		}
	}
}

func checkDecrypt(t *testing.T, name string, cases []cipherCase, dec func(data, key []byte) ([]byte, error)) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatalf("%s: no vectors", name)
	}
	for i, c := range cases {
		got, err := dec(c.Ciphertext, c.Key)
		if err != nil || !bytes.Equal(got, c.Plaintext) {
			t.Errorf("%s[%d]: got %x, %v; want %x", name, i, got, err, c.Plaintext)
		}
	}
}

func TestVectorsAES(t *testing.T) {
	v := loadVectors(t)
	checkDecrypt(t, "aes_v1_cbc_pkcs7", v.AESv1, DecryptAESv1)
	checkDecrypt(t, "aes_v1_cbc_nopad", v.AESv1NoPad, DecryptAESv1NoPad)
	checkDecrypt(t, "aes_v2_gcm", v.AESv2, DecryptAESv2)
	checkDecrypt(t, "aes_v2_gcm_fixed_nonce", v.AESv2Fixed, DecryptAESv2)
}

func TestVectorsAESv2FixedNonce(t *testing.T) {
	v := loadVectors(t)
	if len(v.AESv2Fixed) == 0 {
		t.Fatal("no fixed-nonce vectors")
	}
	for i, c := range v.AESv2Fixed {
		got, err := encryptAESv2WithNonce(c.Plaintext, c.Key, c.Nonce)
		if err != nil || !bytes.Equal(got, c.Ciphertext) {
			t.Errorf("case %d: encrypt = %x, %v; want %x", i, got, err, c.Ciphertext)
		}
	}
}

func TestVectorsECIES(t *testing.T) {
	v := loadVectors(t)
	priv, err := LoadECPrivateKey(v.ECIES.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadECPublicKey(v.ECIES.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ECPublicKeyBytes(priv.PublicKey()), v.ECIES.PublicKey) || !priv.PublicKey().Equal(pub) {
		t.Error("public key derived from private_key differs from public_key")
	}
	if !bytes.Equal(ECPrivateKeyBytes(priv), v.ECIES.PrivateKey) {
		t.Error("private key bytes do not round-trip")
	}
	if len(v.ECIES.Cases) == 0 {
		t.Fatal("no ecies cases")
	}
	for i, c := range v.ECIES.Cases {
		got, err := DecryptEC(c.Ciphertext, priv)
		if err != nil || !bytes.Equal(got, c.Plaintext) {
			t.Errorf("case %d: got %x, %v; want %x", i, got, err, c.Plaintext)
		}
	}
}

func TestVectorsRSA(t *testing.T) {
	v := loadVectors(t)
	priv, err := LoadRSAPrivateKey(v.RSA.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadRSAPublicKey(v.RSA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.PublicKey.Equal(pub) || !bytes.Equal(RSAPublicKeyBytes(&priv.PublicKey), v.RSA.PublicKey) {
		t.Error("public key of private_key differs from public_key")
	}
	if !bytes.Equal(RSAPrivateKeyBytes(priv), v.RSA.PrivateKey) {
		t.Error("private key DER does not round-trip")
	}
	if priv.N.BitLen() != RSAKeyBits {
		t.Errorf("vector key has %d bits", priv.N.BitLen())
	}
	if len(v.RSA.Cases) == 0 {
		t.Fatal("no rsa cases")
	}
	for i, c := range v.RSA.Cases {
		got, err := DecryptRSA(c.Ciphertext, priv)
		if err != nil || !bytes.Equal(got, c.Plaintext) {
			t.Errorf("case %d: got %x, %v; want %x", i, got, err, c.Plaintext)
		}
	}
}

func TestVectorsDeriveKeyHashV1(t *testing.T) {
	v := loadVectors(t)
	if len(v.KeyHashV1) == 0 {
		t.Fatal("no vectors")
	}
	for i, c := range v.KeyHashV1 {
		if got := DeriveKeyV1(c.Password, c.Salt, c.Iterations); !bytes.Equal(got, c.DerivedKey) {
			t.Errorf("case %d: derived key %x, want %x", i, got, []byte(c.DerivedKey))
		}
		if got := DeriveKeyHashV1(c.Password, c.Salt, c.Iterations); !bytes.Equal(got, c.AuthHash) {
			t.Errorf("case %d: auth hash %x, want %x", i, got, []byte(c.AuthHash))
		}
	}
}

func TestVectorsDeriveKeyHashV2(t *testing.T) {
	v := loadVectors(t)
	if len(v.KeyHashV2) == 0 {
		t.Fatal("no vectors")
	}
	for i, c := range v.KeyHashV2 {
		if got := DeriveKeyHashV2(c.Domain, c.Password, c.Salt, c.Iterations); !bytes.Equal(got, c.Hash) {
			t.Errorf("case %d: hash %x, want %x", i, got, []byte(c.Hash))
		}
	}
}

func TestVectorsAuthVerifier(t *testing.T) {
	v := loadVectors(t)
	if len(v.AuthVerifier) == 0 {
		t.Fatal("no vectors")
	}
	for i, c := range v.AuthVerifier {
		got, err := CreateAuthVerifier(c.Password, c.Salt, c.Iterations)
		if err != nil || !bytes.Equal(got, c.Verifier) {
			t.Errorf("case %d: verifier %x, %v; want %x", i, got, err, []byte(c.Verifier))
		}
		it, salt, dk, err := ParseAuthVerifier(c.Verifier)
		if err != nil || it != c.Iterations || !bytes.Equal(salt, c.Salt) || !bytes.Equal(dk, c.Verifier[20:]) {
			t.Errorf("case %d: parse = %d, %x, %v", i, it, salt, err)
		}
	}
}

func TestVectorsEncryptionParams(t *testing.T) {
	v := loadVectors(t)
	if len(v.EncryptionParams) == 0 {
		t.Fatal("no vectors")
	}
	for i, c := range v.EncryptionParams {
		got, err := DecryptEncryptionParams(c.Params, c.Password)
		if err != nil || !bytes.Equal(got, c.DataKey) {
			t.Errorf("case %d: data key %x, %v; want %x", i, got, err, []byte(c.DataKey))
		}
		if _, err := DecryptEncryptionParams(c.Params, c.Password+"x"); err == nil {
			t.Errorf("case %d: wrong password accepted", i)
		}
	}
}

func TestVectorsHMACSHA512(t *testing.T) {
	v := loadVectors(t)
	if len(v.HMACSHA512) == 0 {
		t.Fatal("no vectors")
	}
	for i, c := range v.HMACSHA512 {
		if got := HMACSHA512(c.Key, c.Data); !bytes.Equal(got, c.MAC) {
			t.Errorf("case %d: mac %x, want %x", i, got, []byte(c.MAC))
		}
	}
}
