package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"fmt"
)

const (
	aesBlockSize = aes.BlockSize // 16: CBC block and IV size
	gcmNonceSize = 12
	gcmTagSize   = 16
)

// newAESBlock checks the key size and returns the AES-256 block cipher.
func newAESBlock(key []byte) (cipher.Block, error) {
	if len(key) != AESKeySize {
		return nil, fmt.Errorf("aes key must be %d bytes, got %d", AESKeySize, len(key))
	}
	return aes.NewCipher(key)
}

// EncryptAESv1 encrypts data with AES-256-CBC and PKCS#7 padding under key.
// The output is a random 16-byte IV followed by the ciphertext.
func EncryptAESv1(data, key []byte) ([]byte, error) {
	pad := aesBlockSize - len(data)%aesBlockSize
	padded := make([]byte, len(data)+pad)
	copy(padded, data)
	for i := len(data); i < len(padded); i++ {
		padded[i] = byte(pad)
	}
	out, err := encryptCBC(padded, key)
	if err != nil {
		return nil, fmt.Errorf("aes-v1 encrypt: %w", err)
	}
	return out, nil
}

// DecryptAESv1 reverses EncryptAESv1: it splits off the IV, decrypts with
// AES-256-CBC and strictly removes the PKCS#7 padding.
func DecryptAESv1(data, key []byte) ([]byte, error) {
	if len(data) < 2*aesBlockSize {
		return nil, fmt.Errorf("aes-v1 decrypt: data too short (%d bytes)", len(data))
	}
	plain, err := decryptCBC(data, key)
	if err != nil {
		return nil, fmt.Errorf("aes-v1 decrypt: %w", err)
	}
	n, ok := pkcs7Unpad(plain)
	if !ok {
		return nil, fmt.Errorf("aes-v1 decrypt: bad padding: %w", ErrDecryption)
	}
	return plain[:n], nil
}

// EncryptAESv1NoPad encrypts data with AES-256-CBC without padding; len(data)
// must be a multiple of 16. The output is a random 16-byte IV followed by the
// ciphertext.
func EncryptAESv1NoPad(data, key []byte) ([]byte, error) {
	if len(data)%aesBlockSize != 0 {
		return nil, fmt.Errorf("aes-v1 encrypt (no padding): data length %d is not a multiple of %d", len(data), aesBlockSize)
	}
	out, err := encryptCBC(data, key)
	if err != nil {
		return nil, fmt.Errorf("aes-v1 encrypt (no padding): %w", err)
	}
	return out, nil
}

// DecryptAESv1NoPad reverses EncryptAESv1NoPad. data is IV(16) followed by a
// ciphertext whose length is a multiple of 16.
func DecryptAESv1NoPad(data, key []byte) ([]byte, error) {
	plain, err := decryptCBC(data, key)
	if err != nil {
		return nil, fmt.Errorf("aes-v1 decrypt (no padding): %w", err)
	}
	return plain, nil
}

// encryptCBC encrypts block-aligned plain under a random IV and returns IV||ct.
func encryptCBC(plain, key []byte) ([]byte, error) {
	block, err := newAESBlock(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, aesBlockSize+len(plain))
	copy(out, RandomBytes(aesBlockSize))
	cipher.NewCBCEncrypter(block, out[:aesBlockSize]).CryptBlocks(out[aesBlockSize:], plain)
	return out, nil
}

// decryptCBC decrypts IV||ct (ct block aligned, possibly empty) without unpadding.
func decryptCBC(data, key []byte) ([]byte, error) {
	block, err := newAESBlock(key)
	if err != nil {
		return nil, err
	}
	if len(data) < aesBlockSize {
		return nil, fmt.Errorf("data too short (%d bytes)", len(data))
	}
	if (len(data)-aesBlockSize)%aesBlockSize != 0 {
		return nil, fmt.Errorf("ciphertext length %d is not a multiple of %d", len(data)-aesBlockSize, aesBlockSize)
	}
	plain := make([]byte, len(data)-aesBlockSize)
	cipher.NewCBCDecrypter(block, data[:aesBlockSize]).CryptBlocks(plain, data[aesBlockSize:])
	return plain, nil
}

// pkcs7Unpad validates PKCS#7 padding (block 16) over the last block and
// returns the unpadded length. The check does not branch on the pad bytes.
func pkcs7Unpad(b []byte) (int, bool) {
	if len(b) == 0 || len(b)%aesBlockSize != 0 {
		return 0, false
	}
	pad := b[len(b)-1]
	good := subtle.ConstantTimeLessOrEq(1, int(pad)) & subtle.ConstantTimeLessOrEq(int(pad), aesBlockSize)
	last := b[len(b)-aesBlockSize:]
	for i := range aesBlockSize {
		// Byte i of the last block is padding when i >= 16-pad.
		inPad := subtle.ConstantTimeLessOrEq(aesBlockSize-int(pad), i)
		eq := subtle.ConstantTimeByteEq(last[i], pad)
		good &= subtle.ConstantTimeSelect(inPad, eq, 1)
	}
	if good != 1 {
		return 0, false
	}
	return len(b) - int(pad), true
}

// EncryptAESv2 encrypts data with AES-256-GCM under key, no associated data.
// The output is nonce(12 random) || ciphertext || tag(16).
func EncryptAESv2(data, key []byte) ([]byte, error) {
	return encryptAESv2WithNonce(data, key, RandomBytes(gcmNonceSize))
}

// encryptAESv2WithNonce is EncryptAESv2 with a caller-chosen nonce; it exists
// for byte-exact test vectors only. Never reuse a nonce under one key.
func encryptAESv2WithNonce(data, key, nonce []byte) ([]byte, error) {
	if len(nonce) != gcmNonceSize {
		return nil, fmt.Errorf("aes-v2 encrypt: nonce must be %d bytes, got %d", gcmNonceSize, len(nonce))
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, fmt.Errorf("aes-v2 encrypt: %w", err)
	}
	out := make([]byte, gcmNonceSize, gcmNonceSize+len(data)+gcmTagSize)
	copy(out, nonce)
	return aead.Seal(out, nonce, data, nil), nil
}

// DecryptAESv2 reverses EncryptAESv2: nonce = first 12 bytes, tag = last 16.
func DecryptAESv2(data, key []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, fmt.Errorf("aes-v2 decrypt: %w", err)
	}
	if len(data) < gcmNonceSize+gcmTagSize {
		return nil, fmt.Errorf("aes-v2 decrypt: data too short (%d bytes)", len(data))
	}
	plain, err := aead.Open(nil, data[:gcmNonceSize], data[gcmNonceSize:], nil)
	if err != nil {
		return nil, fmt.Errorf("aes-v2 decrypt: authentication failed: %w", ErrDecryption)
	}
	if plain == nil {
		plain = []byte{}
	}
	return plain, nil
}

// newGCM returns AES-256-GCM with the standard 12-byte nonce and 16-byte tag.
func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := newAESBlock(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, errors.New("gcm setup failed")
	}
	return aead, nil
}
