package crypto

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

const (
	// ECPrivateKeySize is the size of a raw big-endian P-256 private scalar.
	ECPrivateKeySize = 32
	// ECPublicKeySize is the size of an uncompressed P-256 point 04||X||Y.
	ECPublicKeySize = 65
)

// GenerateECKey returns a fresh P-256 key pair.
func GenerateECKey() (*ecdh.PrivateKey, error) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ec key: %w", err)
	}
	return k, nil
}

// LoadECPrivateKey parses a raw 32-byte big-endian P-256 scalar. Zero and
// values not below the group order are rejected.
func LoadECPrivateKey(scalar []byte) (*ecdh.PrivateKey, error) {
	if len(scalar) != ECPrivateKeySize {
		return nil, fmt.Errorf("load ec private key: must be %d bytes, got %d", ECPrivateKeySize, len(scalar))
	}
	k, err := ecdh.P256().NewPrivateKey(scalar)
	if err != nil {
		return nil, errors.New("load ec private key: invalid p-256 scalar")
	}
	return k, nil
}

// LoadECPublicKey parses a 65-byte uncompressed P-256 point (04||X||Y).
// Compressed points, the point at infinity and points not on the curve are
// rejected.
func LoadECPublicKey(point []byte) (*ecdh.PublicKey, error) {
	if len(point) != ECPublicKeySize {
		return nil, fmt.Errorf("load ec public key: must be %d bytes, got %d", ECPublicKeySize, len(point))
	}
	if point[0] != 0x04 {
		return nil, errors.New("load ec public key: not an uncompressed point")
	}
	k, err := ecdh.P256().NewPublicKey(point)
	if err != nil {
		return nil, errors.New("load ec public key: point is not on p-256")
	}
	return k, nil
}

// ECPrivateKeyBytes returns the raw 32-byte scalar of a P-256 key, or nil if
// k is nil or not a P-256 key.
func ECPrivateKeyBytes(k *ecdh.PrivateKey) []byte {
	if k == nil || k.Curve() != ecdh.P256() {
		return nil
	}
	return k.Bytes()
}

// ECPublicKeyBytes returns the 65-byte uncompressed point of a P-256 key, or
// nil if k is nil or not a P-256 key.
func ECPublicKeyBytes(k *ecdh.PublicKey) []byte {
	if k == nil || k.Curve() != ecdh.P256() {
		return nil
	}
	return k.Bytes()
}

// EncryptEC encrypts data to pub the way Commander's encrypt_ec does: an
// ephemeral P-256 key, key = SHA-256(ECDH shared X coordinate), output =
// ephemeral public point (65 bytes) || AES-v2(data, key).
func EncryptEC(data []byte, pub *ecdh.PublicKey) ([]byte, error) {
	if pub == nil || pub.Curve() != ecdh.P256() {
		return nil, errors.New("ec encrypt: public key is not a p-256 key")
	}
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ec encrypt: %w", err)
	}
	key, err := ecSharedKey(eph, pub)
	if err != nil {
		return nil, fmt.Errorf("ec encrypt: %w", err)
	}
	sealed, err := EncryptAESv2(data, key)
	if err != nil {
		return nil, fmt.Errorf("ec encrypt: %w", err)
	}
	out := make([]byte, 0, ECPublicKeySize+len(sealed))
	out = append(out, eph.PublicKey().Bytes()...)
	return append(out, sealed...), nil
}

// DecryptEC reverses EncryptEC with the recipient's private key: the first
// 65 bytes are the ephemeral point, the rest is the AES-v2 blob.
func DecryptEC(data []byte, priv *ecdh.PrivateKey) ([]byte, error) {
	if priv == nil || priv.Curve() != ecdh.P256() {
		return nil, errors.New("ec decrypt: private key is not a p-256 key")
	}
	if len(data) < ECPublicKeySize+gcmNonceSize+gcmTagSize {
		return nil, fmt.Errorf("ec decrypt: data too short (%d bytes)", len(data))
	}
	eph, err := LoadECPublicKey(data[:ECPublicKeySize])
	if err != nil {
		return nil, fmt.Errorf("ec decrypt: ephemeral key: %w", err)
	}
	key, err := ecSharedKey(priv, eph)
	if err != nil {
		return nil, fmt.Errorf("ec decrypt: %w", err)
	}
	plain, err := DecryptAESv2(data[ECPublicKeySize:], key)
	if err != nil {
		return nil, fmt.Errorf("ec decrypt: %w", err)
	}
	return plain, nil
}

// ecSharedKey returns SHA-256 of the ECDH shared secret (the X coordinate).
func ecSharedKey(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) ([]byte, error) {
	shared, err := priv.ECDH(pub)
	if err != nil {
		return nil, errors.New("ecdh failed")
	}
	sum := sha256.Sum256(shared)
	return sum[:], nil
}
