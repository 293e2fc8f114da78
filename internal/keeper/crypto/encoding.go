package crypto

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// Base64URLEncode encodes b with the URL-safe alphabet and no padding, the
// form Keeper uses for every binary value in JSON and configuration.
func Base64URLEncode(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// Base64URLDecode decodes s like Commander does: the URL-safe alphabet is
// expected, but the standard alphabet ('+', '/') is accepted too and any
// trailing '=' padding is ignored.
func Base64URLDecode(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64url decode: %w", err)
	}
	return b, nil
}

// RandomBytes returns n bytes from the operating system's secure random
// source. A non-positive n yields an empty slice.
func RandomBytes(n int) []byte {
	if n <= 0 {
		return []byte{}
	}
	b := make([]byte, n)
	// Since Go 1.24 crypto/rand.Read never returns an error: it aborts the
	// program if the OS source fails, which is the only safe behaviour.
	_, _ = rand.Read(b)
	return b
}

// GenerateAESKey returns a fresh random 32-byte AES-256 key.
func GenerateAESKey() []byte {
	return RandomBytes(AESKeySize)
}

// GenerateUID returns a new Keeper UID: 16 random bytes as 22-character
// base64url. As in Commander's utils.generate_uid, when the top five bits of
// the first byte are all set the top bit is cleared, so a UID never starts
// with '-' or '_'.
func GenerateUID() string {
	b := RandomBytes(16)
	if b[0]&0xF8 == 0xF8 {
		b[0] &= 0x7F
	}
	return Base64URLEncode(b)
}
