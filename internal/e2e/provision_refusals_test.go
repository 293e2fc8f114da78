package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

type provisionCase struct {
	name  string
	email string // "" : case<n>@msp.sandbox
	code  string
	mut   func(u *enterprisepb.EnterpriseUsersProvision)
}

// provisionCases are one request per check of enterprise_user_provision:
// every blob the server stores, the ids, the reserved domain and duplicates
// anywhere on the server. tmpl is a valid request; e the demo MSP.
func provisionCases(t *testing.T, tmpl *newAccount, e *enterprise.Enterprise) []provisionCase {
	low := func(f func(string, []byte, int) ([]byte, error)) []byte {
		b, err := f(tmpl.Password, crypto.RandomBytes(16), sandboxtest.Iterations-1)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	lowParams := func(pw string, salt []byte, it int) ([]byte, error) {
		return crypto.CreateEncryptionParams(pw, salt, it, tmpl.DataKey)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, i int, v byte) []byte { c := append([]byte(nil), b...); c[i] ^= v; return c }
	alice, _ := e.User("alice.smith@msp.sandbox")
	return []provisionCase{
		{"verifier below the minimum iterations", "", "bad_inputs_auth_verifier", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.AuthVerifier = low(crypto.CreateAuthVerifier)
		}},
		{"short verifier", "", "bad_inputs_auth_verifier", func(u *enterprisepb.EnterpriseUsersProvision) { u.AuthVerifier = u.AuthVerifier[:51] }},
		{"verifier version", "", "bad_inputs_auth_verifier", func(u *enterprisepb.EnterpriseUsersProvision) { u.AuthVerifier = flip(u.AuthVerifier, 0, 3) }},
		{"params of 99 bytes", "", "bad_inputs_encryption_params", func(u *enterprisepb.EnterpriseUsersProvision) { u.EncryptionParams = u.EncryptionParams[:99] }},
		{"params version", "", "bad_inputs_encryption_params", func(u *enterprisepb.EnterpriseUsersProvision) { u.EncryptionParams = flip(u.EncryptionParams, 0, 3) }},
		{"params below the minimum iterations", "", "bad_inputs_encryption_params", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EncryptionParams = low(lowParams)
		}},
		{"RSA public key garbage", "", "bad_inputs_rsa_public_key", func(u *enterprisepb.EnterpriseUsersProvision) { u.RsaPublicKey = []byte("not a key") }},
		{"RSA pair missing", "", "bad_inputs_rsa_public_key", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.RsaPublicKey, u.RsaEncryptedPrivateKey = nil, nil
		}},
		{"RSA 1024 bits", "", "bad_inputs_rsa_public_key", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.RsaPublicKey = crypto.RSAPublicKeyBytes(&small.PublicKey)
		}},
		{"RSA private key not CBC", "", "bad_inputs_rsa_encrypted_private_key", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.RsaEncryptedPrivateKey = u.RsaEncryptedPrivateKey[:len(u.RsaEncryptedPrivateKey)-1]
		}},
		{"EC point off the curve", "", "bad_inputs_ecc_public_key", func(u *enterprisepb.EnterpriseUsersProvision) { u.EccPublicKey = flip(u.EccPublicKey, 64, 1) }},
		{"EC private key length", "", "bad_inputs_ecc_encrypted_private_key", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EccEncryptedPrivateKey = u.EccEncryptedPrivateKey[:59]
		}},
		{"escrowed data key length", "", "bad_inputs_enterprise_users_data_key", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EnterpriseUsersDataKey = u.EnterpriseUsersDataKey[:124]
		}},
		{"escrowed data key point", "", "bad_inputs_enterprise_users_data_key", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EnterpriseUsersDataKey = flip(u.EnterpriseUsersDataKey, 0, 1)
		}},
		{"client key length", "", "bad_inputs_encrypted_client_key", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EncryptedClientKey = u.EncryptedClientKey[:48]
		}},
		{"unknown device token", "", "bad_inputs_encrypted_device_token", func(u *enterprisepb.EnterpriseUsersProvision) {
			u.EncryptedDeviceToken = crypto.RandomBytes(32)
		}},
		{"encrypted data", "", "bad_inputs_encrypted_data", func(u *enterprisepb.EnterpriseUsersProvision) { u.EncryptedData = "xyz" }},
		{"key type", "", "bad_inputs_key_type", func(u *enterprisepb.EnterpriseUsersProvision) { u.KeyType = enterprisepb.EncryptedKeyType_KT_NO_KEY }},
		{"not an email", "not an email", "bad_inputs_username", nil},
		{"unknown node", "", "bad_inputs_node_id", func(u *enterprisepb.EnterpriseUsersProvision) { u.NodeId = e.Root().NodeId + 99999 }},
		{"another enterprise's id", "", "bad_inputs_enterprise_user_id", func(u *enterprisepb.EnterpriseUsersProvision) { u.EnterpriseUserId = 2001<<32 + 900 }},
		{"id in use", "", "already_exists", func(u *enterprisepb.EnterpriseUsersProvision) { u.EnterpriseUserId = alice.EnterpriseUserId }},
		{"unreserved domain", "new@example.com", "domain_not_reserved", nil},
		{"a managed company's domain", "new@acme.sandbox", "domain_not_reserved", nil},
		{"existing user", "Alice.Smith@msp.sandbox", "already_exists", nil},
		{"invited user", "kofi.meyer@msp.sandbox", "already_exists", nil},
		{"existing account", "admin@msp.sandbox", "already_exists", nil},
		{"a user of another enterprise", "taken@shared.example", "already_exists", nil},
		{"valid", "fresh@msp.sandbox", "success", nil},
		{"the same email again in the batch", "FRESH@msp.sandbox", "already_exists", nil},
		{"valid on a --reserve-domain domain", "new@shared.example", "success", nil},
	}
}

// TestProvisionRefusals: each check of enterprise_user_provision refuses
// its user with its own result code and a message, in one batch, and only
// the valid users are created.
func TestProvisionRefusals(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) {
		o.ReservedDomains = []sandbox.ReservedDomain{{EnterpriseID: seed.MSPEnterpriseID, Domain: "Shared.Example"}}
	})
	ctx := context.Background()
	c := sb.Client(t)
	s, e := adminEnterprise(t, c)

	// taken@shared.example is an (invited) user of a managed company.
	mc, _ := e.ManagedCompany("Acme Dental")
	tok, treeKey, err := msp.LoginToMC(ctx, c, s.SessionToken, mc.McEnterpriseId, e)
	if err != nil {
		t.Fatal(err)
	}
	mcSess := rest.JSONSession{Token: tok, Username: s.Username}
	enc, err := enterprise.EncryptData(treeKey, "Taken")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Execute(ctx, mcSess, enterprise.UserAdd{EnterpriseUserID: allocIDs(t, c, mcSess, 1), NodeID: int64(mc.McEnterpriseId)<<32 + 2,
		Username: "taken@shared.example", EncryptedData: enc}, nil); err != nil {
		t.Fatal(err)
	}

	tmpl := buildProvision(t, 0, e.Root().NodeId, "", e.TreeKey, e.ECKey.PublicKey(), s.Device.Token)
	cases := provisionCases(t, tmpl, e)
	base := allocIDs(t, c, s.JSON(), len(cases))
	var users []*enterprisepb.EnterpriseUsersProvision
	for i, tc := range cases {
		u := proto.Clone(tmpl.Rq).(*enterprisepb.EnterpriseUsersProvision)
		u.EnterpriseUserId, u.Username = base+int64(i), tc.email
		if u.Username == "" {
			u.Username = fmt.Sprintf("case%d@msp.sandbox", i)
		}
		if tc.mut != nil {
			tc.mut(u)
		}
		users = append(users, u)
	}
	accounts := func() (n int) {
		if err := sb.Store().DB().QueryRow(`SELECT count(*) FROM accounts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := accounts()
	res := provision(t, c, s.SessionToken, users...)
	for i, tc := range cases {
		r := res[i]
		if r.Code != tc.code || r.EnterpriseUserId != users[i].EnterpriseUserId || (tc.code != "success" && r.Message == "") {
			t.Errorf("%s: code %q message %q, want %q", tc.name, r.Code, r.Message, tc.code)
		}
	}
	if n := accounts(); n != before+2 {
		t.Errorf("%d accounts created, want the 2 valid ones", n-before)
	}
	e2, _, err := enterprise.Load(ctx, c, keys(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(e2.Users) != len(e.Users)+2 {
		t.Errorf("%d enterprise users, want %d", len(e2.Users), len(e.Users)+2)
	}
}
