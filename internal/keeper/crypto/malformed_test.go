package crypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// flip returns a copy of b with byte i (negative: from the end) XOR 0x01.
func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	if i < 0 {
		i += len(c)
	}
	c[i] ^= 0x01
	return c
}

// cbcWithPlain returns IV||CBC(plain) under key without padding, for crafting
// ciphertexts whose decryption has a chosen (bad) padding or mirror.
func cbcWithPlain(t *testing.T, plain, key []byte) []byte {
	t.Helper()
	ct, err := EncryptAESv1NoPad(plain, key)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// mustECDSA returns a P-256 ECDSA key, used as a non-RSA PKCS#8 input.
func mustECDSA(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const testPassword = "correct horse battery staple"

func TestMalformedInput(t *testing.T) {
	v := loadVectors(t)
	key := bytes.Repeat([]byte{0xA5}, 32)
	salt := bytes.Repeat([]byte{0x5A}, SaltSize)
	okV1, _ := EncryptAESv1([]byte("hello world"), key)
	okV2, _ := EncryptAESv2([]byte("hello world"), key)
	ecPriv, _ := LoadECPrivateKey(v.ECIES.PrivateKey)
	x25519, _ := ecdh.X25519().GenerateKey(rand.Reader)
	okEC := v.ECIES.Cases[0].Ciphertext
	rsaPriv, _ := LoadRSAPrivateKey(v.RSA.PrivateKey)
	okRSA := v.RSA.Cases[0].Ciphertext
	okParams := v.EncryptionParams[0].Params // 1000 iterations, password "password"
	okVerifier := v.AuthVerifier[0].Verifier
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(mustECDSA(t))

	badPad := func(last []byte) []byte {
		block := make([]byte, 16)
		copy(block[16-len(last):], last)
		return cbcWithPlain(t, block, key)
	}
	offCurve := bytes.Clone(v.ECIES.PublicKey)
	offCurve[64] ^= 0x01
	compressed := append([]byte{0x02 | v.ECIES.PublicKey[64]&1}, v.ECIES.PublicKey[1:33]...)
	order, _ := hex.DecodeString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
	dk := DeriveKeyV1("password", okParams[4:20], 1000)
	unequal := append(append([]byte{}, key...), flip(key, 0)...)
	badMirror := append(bytes.Clone(okParams[:20]), cbcWithPlain(t, unequal, dk)...)
	withIt := func(b []byte, it ...byte) []byte { c := bytes.Clone(b); copy(c[1:4], it); return c }

	cases := []struct {
		name    string
		decrypt bool // the failure must wrap ErrDecryption
		fn      func() error
	}{
		{"b64 length 1 mod 4", false, func() error { _, err := Base64URLDecode("abcde"); return err }},
		{"b64 bad char", false, func() error { _, err := Base64URLDecode("ab$d"); return err }},
		{"b64 inner padding", false, func() error { _, err := Base64URLDecode("ab=cd"); return err }},
		{"b64 nul", false, func() error { _, err := Base64URLDecode("abc\x00"); return err }},

		{"v1 empty", false, func() error { _, err := DecryptAESv1(nil, key); return err }},
		{"v1 iv only", false, func() error { _, err := DecryptAESv1(okV1[:16], key); return err }},
		{"v1 truncated", false, func() error { _, err := DecryptAESv1(okV1[:31], key); return err }},
		{"v1 ragged", false, func() error { _, err := DecryptAESv1(append(okV1, 0), key); return err }},
		{"v1 key 16", false, func() error { _, err := DecryptAESv1(okV1, key[:16]); return err }},
		{"v1 key 24", false, func() error { _, err := DecryptAESv1(okV1, key[:24]); return err }},
		{"v1 key 33", false, func() error { _, err := DecryptAESv1(okV1, append(key, 1)); return err }},
		{"v1 pad zero", true, func() error { _, err := DecryptAESv1(badPad([]byte{0}), key); return err }},
		{"v1 pad 17", true, func() error { _, err := DecryptAESv1(badPad([]byte{17}), key); return err }},
		{"v1 pad mismatch", true, func() error { _, err := DecryptAESv1(badPad([]byte{2, 3, 3}), key); return err }},
		{"v1 pad 16 mismatch", true, func() error {
			_, err := DecryptAESv1(badPad(append([]byte{15}, bytes.Repeat([]byte{16}, 15)...)), key)
			return err
		}},
		{"v1 encrypt key 0", false, func() error { _, err := EncryptAESv1([]byte("x"), nil); return err }},

		{"v1 nopad short", false, func() error { _, err := DecryptAESv1NoPad(key[:15], key); return err }},
		{"v1 nopad ragged", false, func() error { _, err := DecryptAESv1NoPad(key[:20], key); return err }},
		{"v1 nopad key 31", false, func() error { _, err := DecryptAESv1NoPad(key, key[:31]); return err }},
		{"v1 nopad encrypt ragged", false, func() error { _, err := EncryptAESv1NoPad(key[:15], key); return err }},
		{"v1 nopad encrypt key", false, func() error { _, err := EncryptAESv1NoPad(key, key[:16]); return err }},

		{"v2 short", false, func() error { _, err := DecryptAESv2(okV2[:27], key); return err }},
		{"v2 truncated", true, func() error { _, err := DecryptAESv2(okV2[:len(okV2)-1], key); return err }},
		{"v2 wrong tag", true, func() error { _, err := DecryptAESv2(flip(okV2, -1), key); return err }},
		{"v2 wrong nonce", true, func() error { _, err := DecryptAESv2(flip(okV2, 0), key); return err }},
		{"v2 wrong ct", true, func() error { _, err := DecryptAESv2(flip(okV2, 12), key); return err }},
		{"v2 wrong key", true, func() error { _, err := DecryptAESv2(okV2, flip(key, 3)); return err }},
		{"v2 key 16", false, func() error { _, err := DecryptAESv2(okV2, key[:16]); return err }},
		{"v2 encrypt key 24", false, func() error { _, err := EncryptAESv2(nil, key[:24]); return err }},
		{"v2 nonce 16", false, func() error { _, err := encryptAESv2WithNonce(nil, key, key[:16]); return err }},

		{"ec short", false, func() error { _, err := DecryptEC(okEC[:65+27], ecPriv); return err }},
		{"ec truncated", true, func() error { _, err := DecryptEC(okEC[:len(okEC)-1], ecPriv); return err }},
		{"ec wrong tag", true, func() error { _, err := DecryptEC(flip(okEC, -1), ecPriv); return err }},
		{"ec other point", true, func() error {
			_, err := DecryptEC(append(bytes.Clone(v.ECIES.PublicKey), okEC[65:]...), ecPriv)
			return err
		}},
		{"ec off-curve point", false, func() error { _, err := DecryptEC(flip(okEC, 64), ecPriv); return err }},
		{"ec compressed prefix", false, func() error {
			c := bytes.Clone(okEC)
			c[0] = 0x02
			_, err := DecryptEC(c, ecPriv)
			return err
		}},
		{"ec infinity", false, func() error { _, err := DecryptEC(append(make([]byte, 65), okEC[65:]...), ecPriv); return err }},
		{"ec pub 64", false, func() error { _, err := LoadECPublicKey(v.ECIES.PublicKey[:64]); return err }},
		{"ec pub 66", false, func() error { _, err := LoadECPublicKey(append(bytes.Clone(v.ECIES.PublicKey), 0)); return err }},
		{"ec pub compressed", false, func() error { _, err := LoadECPublicKey(compressed); return err }},
		{"ec pub off-curve", false, func() error { _, err := LoadECPublicKey(offCurve); return err }},
		{"ec pub 04 zeros", false, func() error { _, err := LoadECPublicKey(append([]byte{4}, make([]byte, 64)...)); return err }},
		{"ec priv 31", false, func() error { _, err := LoadECPrivateKey(v.ECIES.PrivateKey[:31]); return err }},
		{"ec priv 33", false, func() error { _, err := LoadECPrivateKey(append([]byte{0}, v.ECIES.PrivateKey...)); return err }},
		{"ec priv zero", false, func() error { _, err := LoadECPrivateKey(make([]byte, 32)); return err }},
		{"ec priv order", false, func() error { _, err := LoadECPrivateKey(order); return err }},
		{"ec priv ff", false, func() error { _, err := LoadECPrivateKey(bytes.Repeat([]byte{0xff}, 32)); return err }},
		{"ec encrypt zero key", false, func() error { _, err := EncryptEC(nil, new(ecdh.PublicKey)); return err }},
		{"ec decrypt zero key", false, func() error { _, err := DecryptEC(okEC, new(ecdh.PrivateKey)); return err }},
		{"ec encrypt x25519 key", false, func() error { _, err := EncryptEC(nil, x25519.PublicKey()); return err }},
		{"ec decrypt x25519 key", false, func() error { _, err := DecryptEC(okEC, x25519); return err }},

		{"rsa empty", false, func() error { _, err := DecryptRSA(nil, rsaPriv); return err }},
		{"rsa too long", false, func() error { _, err := DecryptRSA(append([]byte{0}, okRSA...), rsaPriv); return err }},
		{"rsa zero", true, func() error { _, err := DecryptRSA(make([]byte, 256), rsaPriv); return err }},
		{"rsa above modulus", true, func() error { _, err := DecryptRSA(bytes.Repeat([]byte{0xff}, 256), rsaPriv); return err }},
		{"rsa flipped", true, func() error { _, err := DecryptRSA(flip(okRSA, 100), rsaPriv); return err }},
		{"rsa encrypt too long", false, func() error { _, err := EncryptRSA(make([]byte, 300), &rsaPriv.PublicKey); return err }},
		{"rsa priv empty", false, func() error { _, err := LoadRSAPrivateKey(nil); return err }},
		{"rsa priv garbage", false, func() error { _, err := LoadRSAPrivateKey(key); return err }},
		{"rsa priv truncated", false, func() error { _, err := LoadRSAPrivateKey(v.RSA.PrivateKey[:500]); return err }},
		{"rsa priv trailing", false, func() error { _, err := LoadRSAPrivateKey(append(bytes.Clone(v.RSA.PrivateKey), 0)); return err }},
		{"rsa priv is public", false, func() error { _, err := LoadRSAPrivateKey(v.RSA.PublicKey); return err }},
		{"rsa priv ec pkcs8", false, func() error { _, err := LoadRSAPrivateKey(ecPKCS8); return err }},
		{"rsa priv huge", false, func() error { _, err := LoadRSAPrivateKey(make([]byte, maxRSADER+1)); return err }},
		{"rsa priv bad crt", false, func() error { _, err := LoadRSAPrivateKey(flip(v.RSA.PrivateKey, -5)); return err }},
		{"rsa pub empty", false, func() error { _, err := LoadRSAPublicKey(nil); return err }},
		{"rsa pub garbage", false, func() error { _, err := LoadRSAPublicKey(key); return err }},
		{"rsa pub truncated", false, func() error { _, err := LoadRSAPublicKey(v.RSA.PublicKey[:200]); return err }},
		{"rsa pub is private", false, func() error { _, err := LoadRSAPublicKey(v.RSA.PrivateKey); return err }},

		{"verifier 51", false, func() error { _, _, _, err := ParseAuthVerifier(okVerifier[:51]); return err }},
		{"verifier 53", false, func() error { _, _, _, err := ParseAuthVerifier(append(bytes.Clone(okVerifier), 0)); return err }},
		{"verifier version 2", false, func() error {
			c := bytes.Clone(okVerifier)
			c[0] = 2
			_, _, _, err := ParseAuthVerifier(c)
			return err
		}},
		{"verifier zero iterations", false, func() error { _, _, _, err := ParseAuthVerifier(withIt(okVerifier, 0, 0, 0)); return err }},
		{"create verifier salt 15", false, func() error { _, err := CreateAuthVerifier(testPassword, salt[:15], 1000); return err }},
		{"create verifier salt 17", false, func() error { _, err := CreateAuthVerifier(testPassword, append(salt, 0), 1000); return err }},
		{"create verifier it 0", false, func() error { _, err := CreateAuthVerifier(testPassword, salt, 0); return err }},
		{"create verifier it -1", false, func() error { _, err := CreateAuthVerifier(testPassword, salt, -1); return err }},
		{"create verifier it 2^24", false, func() error { _, err := CreateAuthVerifier(testPassword, salt, 1<<24); return err }},

		{"params 99", false, func() error { _, err := DecryptEncryptionParams(okParams[:99], "password"); return err }},
		{"params 101", false, func() error {
			_, err := DecryptEncryptionParams(append(bytes.Clone(okParams), 0), "password")
			return err
		}},
		{"params empty", false, func() error { _, err := DecryptEncryptionParams(nil, "password"); return err }},
		{"params zero iterations", false, func() error { _, err := DecryptEncryptionParams(withIt(okParams, 0, 0, 0), "password"); return err }},
		{"params wrong password", true, func() error { _, err := DecryptEncryptionParams(okParams, testPassword); return err }},
		{"params wrong mirror", true, func() error { _, err := DecryptEncryptionParams(badMirror, "password"); return err }},
		{"params corrupted", true, func() error { _, err := DecryptEncryptionParams(flip(okParams, 40), "password"); return err }},
		{"params wrong iterations", true, func() error { _, err := DecryptEncryptionParams(withIt(okParams, 0, 3, 0xe9), "password"); return err }},
		{"create params key 31", false, func() error { _, err := CreateEncryptionParams(testPassword, salt, 1000, key[:31]); return err }},
		{"create params salt", false, func() error { _, err := CreateEncryptionParams(testPassword, nil, 1000, key); return err }},
		{"create params it", false, func() error { _, err := CreateEncryptionParams(testPassword, salt, 1<<24, key); return err }},
	}
	secrets := []string{
		testPassword, hex.EncodeToString(key), Base64URLEncode(key), string(key[:8]),
		hex.EncodeToString(v.ECIES.PrivateKey), hex.EncodeToString(rsaPriv.D.Bytes()[:16]),
	}
	for _, c := range cases {
		err := c.fn()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if c.decrypt != errors.Is(err, ErrDecryption) {
			t.Errorf("%s: errors.Is(%v, ErrDecryption) = %v", c.name, err, !c.decrypt)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n") || msg != strings.ToLower(msg[:1])+msg[1:] {
			t.Errorf("%s: error %q is not one lower-case line", c.name, msg)
		}
		for _, s := range secrets {
			if strings.Contains(msg, s) {
				t.Errorf("%s: error %q leaks key material", c.name, msg)
			}
		}
	}
}
