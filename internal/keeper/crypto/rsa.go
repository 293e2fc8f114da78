package crypto

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
)

const (
	// RSAKeyBits is the modulus size of RSA keys Keeper generates.
	RSAKeyBits = 2048
	// maxRSADER bounds the DER input accepted by the RSA loaders so that
	// hostile input cannot make key validation arbitrarily expensive; it
	// comfortably fits 8192-bit PKCS#1/PKCS#8 private keys.
	maxRSADER = 8 << 10
	// maxRSABits is the largest modulus the loaders accept.
	maxRSABits = 8192
)

// GenerateRSAKey returns a fresh 2048-bit RSA key (e = 65537).
func GenerateRSAKey() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, RSAKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate rsa key: %w", err)
	}
	return k, nil
}

// LoadRSAPrivateKey parses a DER PKCS#1 RSAPrivateKey (Keeper's format). Like
// Commander's loader it also accepts an RSA key in DER PKCS#8.
func LoadRSAPrivateKey(der []byte) (*rsa.PrivateKey, error) {
	if len(der) == 0 || len(der) > maxRSADER {
		return nil, fmt.Errorf("load rsa private key: bad length %d", len(der))
	}
	k, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		k8, err8 := x509.ParsePKCS8PrivateKey(der)
		rk, ok := k8.(*rsa.PrivateKey)
		if err8 != nil || !ok {
			return nil, fmt.Errorf("load rsa private key: %w", err)
		}
		k = rk
	}
	if k.N.BitLen() > maxRSABits {
		return nil, fmt.Errorf("load rsa private key: modulus too large (%d bits)", k.N.BitLen())
	}
	return k, nil
}

// LoadRSAPublicKey parses a DER PKCS#1 RSAPublicKey (Keeper's format) or, as
// Commander's loader does, a DER SubjectPublicKeyInfo holding an RSA key.
func LoadRSAPublicKey(der []byte) (*rsa.PublicKey, error) {
	if len(der) == 0 || len(der) > maxRSADER {
		return nil, fmt.Errorf("load rsa public key: bad length %d", len(der))
	}
	k, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		spki, errSPKI := x509.ParsePKIXPublicKey(der)
		rk, ok := spki.(*rsa.PublicKey)
		if errSPKI != nil || !ok {
			return nil, fmt.Errorf("load rsa public key: %w", err)
		}
		k = rk
	}
	if k.N.BitLen() > maxRSABits {
		return nil, fmt.Errorf("load rsa public key: modulus too large (%d bits)", k.N.BitLen())
	}
	return k, nil
}

// RSAPrivateKeyBytes returns k as DER PKCS#1 RSAPrivateKey, or nil if k is nil.
func RSAPrivateKeyBytes(k *rsa.PrivateKey) []byte {
	if k == nil || k.N == nil {
		return nil
	}
	return x509.MarshalPKCS1PrivateKey(k)
}

// RSAPublicKeyBytes returns k as DER PKCS#1 RSAPublicKey, or nil if k is nil.
func RSAPublicKeyBytes(k *rsa.PublicKey) []byte {
	if k == nil || k.N == nil {
		return nil
	}
	return x509.MarshalPKCS1PublicKey(k)
}

// EncryptRSA encrypts data to pub with RSA PKCS#1 v1.5 padding (not OAEP),
// which is what Keeper's servers and Commander use for RSA key wrapping.
func EncryptRSA(data []byte, pub *rsa.PublicKey) ([]byte, error) {
	if pub == nil || pub.N == nil {
		return nil, errors.New("rsa encrypt: nil public key")
	}
	// PKCS#1 v1.5 is mandated by the Keeper protocol.
	out, err := rsa.EncryptPKCS1v15(rand.Reader, pub, data) //nolint:staticcheck // protocol requires PKCS#1 v1.5
	if err != nil {
		return nil, fmt.Errorf("rsa encrypt: %w", err)
	}
	return out, nil
}

// DecryptRSA decrypts a PKCS#1 v1.5 ciphertext with priv. Ciphertexts shorter
// than the modulus are left-padded with zeros first, as Commander does.
func DecryptRSA(data []byte, priv *rsa.PrivateKey) ([]byte, error) {
	if priv == nil || priv.N == nil {
		return nil, errors.New("rsa decrypt: nil private key")
	}
	k := priv.Size()
	if len(data) == 0 || len(data) > k {
		return nil, fmt.Errorf("rsa decrypt: ciphertext length %d, modulus is %d bytes", len(data), k)
	}
	if len(data) < k {
		padded := make([]byte, k)
		copy(padded[k-len(data):], data)
		data = padded
	}
	// PKCS#1 v1.5 is mandated by the Keeper protocol.
	out, err := rsa.DecryptPKCS1v15(nil, priv, data) //nolint:staticcheck // protocol requires PKCS#1 v1.5
	if errors.Is(err, rsa.ErrDecryption) {
		return nil, fmt.Errorf("rsa decrypt: %w", ErrDecryption)
	}
	if err != nil {
		return nil, fmt.Errorf("rsa decrypt: unusable private key: %w", err)
	}
	return out, nil
}
