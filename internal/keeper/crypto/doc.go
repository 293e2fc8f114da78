// Package crypto implements the cryptographic primitives Keeper Commander uses
// on the wire and in stored account material: base64url, AES-256-CBC ("v1"),
// AES-256-GCM ("v2"), ECIES over P-256, RSA PKCS#1 v1.5, the PBKDF2 based
// password derivations, auth verifiers and encryption params.
//
// Byte layouts follow keepercommander/crypto.py and utils.py exactly. Every
// function validates its input sizes and returns an error instead of
// panicking; error texts never contain key material.
package crypto

import "errors"

// ErrDecryption is returned (wrapped) when ciphertext does not authenticate,
// unpad or mirror-verify under the given key: a wrong key or corrupted data.
// Format problems (wrong lengths, bad encodings) return other errors.
var ErrDecryption = errors.New("decryption failed")

// AESKeySize is the size in bytes of every AES key Keeper uses (AES-256).
const AESKeySize = 32
