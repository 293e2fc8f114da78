package server

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// validProvision is a provisioning entry built with the client crypto as
// Commander's create-user builds it, at minIterations.
func validProvision(t *testing.T, minIterations int) *enterprisepb.EnterpriseUsersProvision {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dataKey, treeKey := crypto.GenerateAESKey(), crypto.GenerateAESKey()
	rsaKey, err := crypto.GenerateRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	ec, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	ent, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	return &enterprisepb.EnterpriseUsersProvision{
		EnterpriseUserId: 1000<<32 + 500, Username: "new@msp.sandbox", NodeId: 1000<<32 + 2,
		EncryptedData:          crypto.Base64URLEncode(must(crypto.EncryptAESv1([]byte(`{"displayname": "New"}`), treeKey))),
		KeyType:                enterprisepb.EncryptedKeyType_KT_ENCRYPTED_BY_DATA_KEY,
		EnterpriseUsersDataKey: must(crypto.EncryptEC(dataKey, ent.PublicKey())),
		AuthVerifier:           must(crypto.CreateAuthVerifier("pw", crypto.RandomBytes(16), minIterations)),
		EncryptionParams:       must(crypto.CreateEncryptionParams("pw", crypto.RandomBytes(16), minIterations, dataKey)),
		RsaPublicKey:           crypto.RSAPublicKeyBytes(&rsaKey.PublicKey),
		RsaEncryptedPrivateKey: must(crypto.EncryptAESv1(crypto.RSAPrivateKeyBytes(rsaKey), dataKey)),
		EccPublicKey:           crypto.ECPublicKeyBytes(ec.PublicKey()),
		EccEncryptedPrivateKey: must(crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(ec), dataKey)),
		EncryptedClientKey:     must(crypto.EncryptAESv1(crypto.GenerateAESKey(), dataKey)),
	}
}

// TestCheckProvisionKeys: every key blob of a provisioned account is
// checked; Keeper's production minimum of 1,000,000 iterations applies
// unless the sandbox is configured lower.
func TestCheckProvisionKeys(t *testing.T) {
	const min = 1000
	base := validProvision(t, min)
	if err := checkProvisionKeys(base, min, false); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	if err := checkProvisionUser(base); err != nil {
		t.Fatalf("valid user: %v", err)
	}
	if got := code(checkProvisionKeys(base, DefaultMinIterations, false)); got != "bad_inputs_auth_verifier" {
		t.Fatalf("1000 iterations under Keeper's minimum: %q", got)
	}
	trim := func(b []byte, n int) []byte { return b[:len(b)-n] }
	for name, tc := range map[string]struct {
		code      string
		forbidRSA bool
		mut       func(u *enterprisepb.EnterpriseUsersProvision)
	}{
		"verifier length": {"bad_inputs_auth_verifier", false, func(u *enterprisepb.EnterpriseUsersProvision) { u.AuthVerifier = trim(u.AuthVerifier, 1) }},
		"params length":   {"bad_inputs_encryption_params", false, func(u *enterprisepb.EnterpriseUsersProvision) { u.EncryptionParams = trim(u.EncryptionParams, 1) }},
		"params version":  {"bad_inputs_encryption_params", false, func(u *enterprisepb.EnterpriseUsersProvision) { u.EncryptionParams[0] = 2 }},
		"escrow length": {"bad_inputs_enterprise_users_data_key", false, func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EnterpriseUsersDataKey = trim(u.EnterpriseUsersDataKey, 1)
		}},
		"RSA missing":        {"bad_inputs_rsa_public_key", false, func(u *enterprisepb.EnterpriseUsersProvision) { u.RsaPublicKey = nil }},
		"RSA when forbidden": {"bad_inputs_rsa_public_key", true, func(*enterprisepb.EnterpriseUsersProvision) {}},
		"RSA private length": {"bad_inputs_rsa_encrypted_private_key", false, func(u *enterprisepb.EnterpriseUsersProvision) {
			u.RsaEncryptedPrivateKey = trim(u.RsaEncryptedPrivateKey, 3)
		}},
		"EC public length": {"bad_inputs_ecc_public_key", false, func(u *enterprisepb.EnterpriseUsersProvision) { u.EccPublicKey = trim(u.EccPublicKey, 1) }},
		"EC private length": {"bad_inputs_ecc_encrypted_private_key", false, func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EccEncryptedPrivateKey = trim(u.EccEncryptedPrivateKey, 1)
		}},
		"client key length":   {"bad_inputs_encrypted_client_key", false, func(u *enterprisepb.EnterpriseUsersProvision) { u.EncryptedClientKey = trim(u.EncryptedClientKey, 16) }},
		"EC-only, RSA banned": {"", true, func(u *enterprisepb.EnterpriseUsersProvision) { u.RsaPublicKey, u.RsaEncryptedPrivateKey = nil, nil }},
	} {
		u := proto.Clone(base).(*enterprisepb.EnterpriseUsersProvision)
		tc.mut(u)
		if got := code(checkProvisionKeys(u, min, tc.forbidRSA)); got != tc.code {
			t.Errorf("%s: code %q, want %q", name, got, tc.code)
		}
	}
}

func TestPlainEmail(t *testing.T) {
	for _, ok := range []string{"jane.doe@example.com", "a+b@x-y.sandbox", "New.Hire@msp.sandbox"} {
		if err := plainEmail(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "no-at", "a@b", "Jane <jane@example.com>", "a b@example.com", "a@exa mple.com"} {
		if err := plainEmail(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
