package crypto

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
)

const (
	// AuthVerifierSize is the length of an auth verifier:
	// 0x01 | iterations(3, big-endian) | salt(16) | DeriveKeyV1(32).
	AuthVerifierSize = 52
	// EncryptionParamsSize is the length of encryption params:
	// 0x01 | iterations(3, big-endian) | salt(16) | IV(16) | ct(64).
	EncryptionParamsSize = 100
	// SaltSize is the length of the PBKDF2 salts Keeper uses.
	SaltSize = 16
	// MaxIterations is the largest PBKDF2 iteration count the 24-bit field of
	// verifiers and encryption params can carry.
	MaxIterations = 1<<24 - 1

	paramsVersion = 0x01
	headerSize    = 1 + 3 + SaltSize
)

// DeriveKeyV1 returns PBKDF2-HMAC-SHA256(UTF-8 password, salt, iterations,
// 32 bytes): the key behind auth verifiers and encryption params. An
// iteration count below 1 is treated as 1 (crypto/pbkdf2 semantics). It
// returns nil only if the platform refuses the parameters (FIPS 140-only
// mode with a short salt).
func DeriveKeyV1(password string, salt []byte, iterations int) []byte {
	k, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	if err != nil {
		return nil
	}
	return k
}

// DeriveKeyHashV1 returns SHA-256(DeriveKeyV1(...)), the login auth hash
// sent as ValidateAuthHashRequest.authResponse.
func DeriveKeyHashV1(password string, salt []byte, iterations int) []byte {
	k := DeriveKeyV1(password, salt, iterations)
	if k == nil {
		return nil
	}
	sum := sha256.Sum256(k)
	return sum[:]
}

// DeriveKeyHashV2 returns HMAC-SHA256(key = PBKDF2-HMAC-SHA512(UTF-8(domain ||
// password), salt, iterations, 64), msg = UTF-8(domain)), the "V2" derivation
// used for data keys of type BY_ALTERNATE (domain "data_key").
func DeriveKeyHashV2(domain, password string, salt []byte, iterations int) []byte {
	k, err := pbkdf2.Key(sha512.New, domain+password, salt, iterations, 64)
	if err != nil {
		return nil
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(domain))
	return m.Sum(nil)
}

// HMACSHA512 returns HMAC-SHA512(key, data).
func HMACSHA512(key, data []byte) []byte {
	m := hmac.New(sha512.New, key)
	m.Write(data)
	return m.Sum(nil)
}

// checkParams validates the salt and iteration count of a new verifier or
// encryption params block.
func checkParams(salt []byte, iterations int) error {
	if len(salt) != SaltSize {
		return fmt.Errorf("salt must be %d bytes, got %d", SaltSize, len(salt))
	}
	if iterations < 1 || iterations > MaxIterations {
		return fmt.Errorf("iterations %d out of range 1..%d", iterations, MaxIterations)
	}
	return nil
}

// putHeader writes version | iterations(3, big-endian) | salt into b[:20].
func putHeader(b []byte, salt []byte, iterations int) {
	b[0] = paramsVersion
	b[1] = byte(iterations >> 16)
	b[2] = byte(iterations >> 8)
	b[3] = byte(iterations)
	copy(b[4:headerSize], salt)
}

// headerIterations reads the 24-bit big-endian iteration count at b[1:4].
func headerIterations(b []byte) int {
	return int(b[1])<<16 | int(b[2])<<8 | int(b[3])
}

// CreateAuthVerifier builds the 52-byte auth verifier for password:
// 0x01 | iterations (24-bit big-endian) | salt(16) | DeriveKeyV1(password, salt, iterations).
func CreateAuthVerifier(password string, salt []byte, iterations int) ([]byte, error) {
	if err := checkParams(salt, iterations); err != nil {
		return nil, fmt.Errorf("create auth verifier: %w", err)
	}
	k := DeriveKeyV1(password, salt, iterations)
	if k == nil {
		return nil, errors.New("create auth verifier: key derivation refused")
	}
	v := make([]byte, AuthVerifierSize)
	putHeader(v, salt, iterations)
	copy(v[headerSize:], k)
	return v, nil
}

// ParseAuthVerifier splits a 52-byte auth verifier into its iteration count,
// salt and derived key (copies). The version byte must be 0x01 and the
// iteration count non-zero.
func ParseAuthVerifier(v []byte) (iterations int, salt, derivedKey []byte, err error) {
	if len(v) != AuthVerifierSize {
		return 0, nil, nil, fmt.Errorf("parse auth verifier: must be %d bytes, got %d", AuthVerifierSize, len(v))
	}
	if v[0] != paramsVersion {
		return 0, nil, nil, fmt.Errorf("parse auth verifier: unsupported version %d", v[0])
	}
	iterations = headerIterations(v)
	if iterations == 0 {
		return 0, nil, nil, errors.New("parse auth verifier: zero iterations")
	}
	salt = append([]byte(nil), v[4:headerSize]...)
	derivedKey = append([]byte(nil), v[headerSize:]...)
	return iterations, salt, derivedKey, nil
}

// CreateEncryptionParams builds the 100-byte encryption params that wrap the
// 32-byte dataKey under password: 0x01 | iterations (24-bit big-endian) |
// salt(16) | AES-v1 without padding of dataKey||dataKey under DeriveKeyV1.
func CreateEncryptionParams(password string, salt []byte, iterations int, dataKey []byte) ([]byte, error) {
	if err := checkParams(salt, iterations); err != nil {
		return nil, fmt.Errorf("create encryption params: %w", err)
	}
	if len(dataKey) != AESKeySize {
		return nil, fmt.Errorf("create encryption params: data key must be %d bytes, got %d", AESKeySize, len(dataKey))
	}
	k := DeriveKeyV1(password, salt, iterations)
	if k == nil {
		return nil, errors.New("create encryption params: key derivation refused")
	}
	mirror := make([]byte, 0, 2*AESKeySize)
	mirror = append(append(mirror, dataKey...), dataKey...)
	ct, err := EncryptAESv1NoPad(mirror, k)
	if err != nil {
		return nil, fmt.Errorf("create encryption params: %w", err)
	}
	p := make([]byte, headerSize, EncryptionParamsSize)
	putHeader(p, salt, iterations)
	return append(p, ct...), nil
}

// DecryptEncryptionParams recovers the 32-byte data key from 100-byte
// encryption params and the master password. As in Commander the version byte
// is ignored; the decrypted 64 bytes must consist of two equal halves, and a
// mismatch (normally a wrong password) yields an error wrapping ErrDecryption.
func DecryptEncryptionParams(params []byte, password string) ([]byte, error) {
	if len(params) != EncryptionParamsSize {
		return nil, fmt.Errorf("decrypt encryption params: must be %d bytes, got %d", EncryptionParamsSize, len(params))
	}
	iterations := headerIterations(params)
	if iterations == 0 {
		return nil, errors.New("decrypt encryption params: zero iterations")
	}
	k := DeriveKeyV1(password, params[4:headerSize], iterations)
	if k == nil {
		return nil, errors.New("decrypt encryption params: key derivation refused")
	}
	plain, err := DecryptAESv1NoPad(params[headerSize:], k)
	if err != nil {
		return nil, fmt.Errorf("decrypt encryption params: %w", err)
	}
	if len(plain) != 2*AESKeySize || subtle.ConstantTimeCompare(plain[:AESKeySize], plain[AESKeySize:]) != 1 {
		return nil, fmt.Errorf("decrypt encryption params: mirror check failed: %w", ErrDecryption)
	}
	return plain[:AESKeySize:AESKeySize], nil
}
