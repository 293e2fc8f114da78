package server

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Sizes of the blobs a client uploads for a new account (Commander
// keepercommander/commands/enterprise_create_user.py, with crypto.py
// encrypt_aes_v1/v2 and encrypt_ec, utils.py create_auth_verifier and
// create_encryption_params).
const (
	aesKeySize     = 32
	gcmOverhead    = 12 + 16 // nonce + tag (encrypt_aes_v2)
	cbcIVSize      = 16      // encrypt_aes_v1: IV, then PKCS#7-padded blocks
	ecPointSize    = 65      // uncompressed P-256 point
	paramsSize     = 100     // encryption params
	minRSABits     = 2048
	maxUsernameLen = 255
)

// plainEmail accepts what Commander accepts (emailPattern) that is also a
// plain address.
func plainEmail(email string) error {
	if len(email) > maxUsernameLen || !emailPattern.MatchString(email) {
		return fmt.Errorf("%q is not a valid email address", email)
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return fmt.Errorf("%q is not a valid email address", email)
	}
	return nil
}

// checkAuthVerifier: 52 bytes, version 1, a 16-byte salt and at least
// minIterations PBKDF2 iterations.
func checkAuthVerifier(v []byte, minIterations int) error {
	iterations, _, _, err := crypto.ParseAuthVerifier(v)
	if err != nil {
		return err
	}
	if iterations < minIterations {
		return fmt.Errorf("auth verifier: %d PBKDF2 iterations, at least %d are required", iterations, minIterations)
	}
	return nil
}

// checkEncryptionParams: 100 bytes, version 1, at least minIterations
// iterations (then a 16-byte salt and IV + 64 bytes of unpadded AES-CBC).
func checkEncryptionParams(p []byte, minIterations int) error {
	if len(p) != paramsSize {
		return fmt.Errorf("encryption params: must be %d bytes, got %d", paramsSize, len(p))
	}
	if p[0] != 1 {
		return fmt.Errorf("encryption params: unsupported version %d", p[0])
	}
	if iterations := int(p[1])<<16 | int(p[2])<<8 | int(p[3]); iterations < minIterations {
		return fmt.Errorf("encryption params: %d PBKDF2 iterations, at least %d are required", iterations, minIterations)
	}
	return nil
}

// checkGCM: an AES-GCM blob of exactly plainLen bytes of plaintext.
func checkGCM(b []byte, plainLen int, what string) error {
	if len(b) != gcmOverhead+plainLen {
		return fmt.Errorf("%s: must be AES-GCM of %d bytes (%d bytes), got %d", what, plainLen, gcmOverhead+plainLen, len(b))
	}
	return nil
}

// checkCBC: an AES-CBC blob with PKCS#7 padding, of exactly plainLen bytes
// of plaintext (plainLen < 0: any length).
func checkCBC(b []byte, plainLen int, what string) error {
	if plainLen >= 0 {
		if want := cbcIVSize + (plainLen/16+1)*16; len(b) != want {
			return fmt.Errorf("%s: must be AES-CBC of %d bytes (%d bytes), got %d", what, plainLen, want, len(b))
		}
		return nil
	}
	if len(b) < cbcIVSize+16 || len(b)%16 != 0 {
		return fmt.Errorf("%s: not an AES-CBC blob (%d bytes)", what, len(b))
	}
	return nil
}

// checkECBlob: encrypt_ec output for plainLen bytes: an ephemeral P-256
// point, then AES-GCM.
func checkECBlob(b []byte, plainLen int, what string) error {
	if len(b) != ecPointSize+gcmOverhead+plainLen {
		return fmt.Errorf("%s: must be an EC-encrypted %d-byte key (%d bytes), got %d", what, plainLen,
			ecPointSize+gcmOverhead+plainLen, len(b))
	}
	if _, err := crypto.LoadECPublicKey(b[:ecPointSize]); err != nil {
		return fmt.Errorf("%s: the ephemeral key is not a P-256 point", what)
	}
	return nil
}

// checkProvisionKeys checks every key blob of a provisioned account; a
// failure names the field as the result code bad_inputs_<field>.
func checkProvisionKeys(u *enterprisepb.EnterpriseUsersProvision, minIterations int, forbidRSA bool) error {
	bad := func(field string, err error) error { return cmdFail("bad_inputs_"+field, "%v", err) }
	if err := checkAuthVerifier(u.AuthVerifier, minIterations); err != nil {
		return bad("auth_verifier", err)
	}
	if err := checkEncryptionParams(u.EncryptionParams, minIterations); err != nil {
		return bad("encryption_params", err)
	}
	if err := checkECBlob(u.EnterpriseUsersDataKey, aesKeySize, "enterpriseUsersDataKey"); err != nil {
		return bad("enterprise_users_data_key", err)
	}
	switch {
	case forbidRSA && (len(u.RsaPublicKey) > 0 || len(u.RsaEncryptedPrivateKey) > 0):
		return cmdFail("bad_inputs_rsa_public_key", "the enterprise forbids RSA keys: send only the EC key pair")
	case !forbidRSA && len(u.RsaPublicKey) == 0:
		return cmdFail("bad_inputs_rsa_public_key", "rsaPublicKey is required (the enterprise does not forbid RSA keys)")
	case !forbidRSA:
		k, err := crypto.LoadRSAPublicKey(u.RsaPublicKey)
		if err != nil {
			return bad("rsa_public_key", err)
		}
		if k.N.BitLen() < minRSABits {
			return cmdFail("bad_inputs_rsa_public_key", "rsaPublicKey: %d-bit key, at least %d bits are required", k.N.BitLen(), minRSABits)
		}
		if err := checkCBC(u.RsaEncryptedPrivateKey, -1, "rsaEncryptedPrivateKey"); err != nil {
			return bad("rsa_encrypted_private_key", err)
		}
	}
	if _, err := crypto.LoadECPublicKey(u.EccPublicKey); err != nil {
		return cmdFail("bad_inputs_ecc_public_key", "eccPublicKey must be a 65-byte uncompressed P-256 point")
	}
	if err := checkGCM(u.EccEncryptedPrivateKey, aesKeySize, "eccEncryptedPrivateKey"); err != nil {
		return bad("ecc_encrypted_private_key", err)
	}
	if err := checkCBC(u.EncryptedClientKey, aesKeySize, "encryptedClientKey"); err != nil {
		return bad("encrypted_client_key", err)
	}
	return nil
}

// checkProvisionUser checks the plain fields of a provisioned user.
func checkProvisionUser(u *enterprisepb.EnterpriseUsersProvision) error {
	if err := plainEmail(strings.TrimSpace(u.Username)); err != nil {
		return cmdFail("bad_inputs_username", "%v", err)
	}
	if u.KeyType != enterprisepb.EncryptedKeyType_KT_ENCRYPTED_BY_DATA_KEY {
		return cmdFail("bad_inputs_key_type", "keyType must be KT_ENCRYPTED_BY_DATA_KEY: encryptedData is AES-CBC under the tree key")
	}
	if err := checkEncrypted(u.EncryptedData); err != nil {
		return err
	}
	if len(u.FullName) > maxNameLength || len(u.JobTitle) > maxNameLength {
		return cmdFail("bad_inputs_full_name", "fullName and jobTitle are limited to %d characters", maxNameLength)
	}
	return nil
}
