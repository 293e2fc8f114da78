package e2e

import (
	"context"
	"crypto/ecdh"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// newAccount is a provisioning request built by hand the way Commander's
// create-user builds it (keepercommander/commands/enterprise_create_user.py),
// with the sandbox's low test iteration count, and what it was built from.
type newAccount struct {
	Email, Password string
	DataKey         []byte
	Rq              *enterprisepb.EnterpriseUsersProvision
}

// buildProvision makes the request for email: a random data key behind an
// auth verifier and encryption params for a random password, RSA and EC key
// pairs and a client key under the data key, the data key escrowed to the
// enterprise EC key, the display name under the tree key.
func buildProvision(t *testing.T, id, node int64, email string, treeKey []byte, entEC *ecdh.PublicKey, device []byte) *newAccount {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := &newAccount{Email: email, Password: "Gen-" + crypto.GenerateUID(), DataKey: crypto.GenerateAESKey()}
	enc, err := enterprise.EncryptData(treeKey, email)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := crypto.GenerateRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	ec, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	it := sandboxtest.Iterations
	a.Rq = &enterprisepb.EnterpriseUsersProvision{
		EnterpriseUserId: id, Username: email, NodeId: node, EncryptedData: enc,
		KeyType:                enterprisepb.EncryptedKeyType_KT_ENCRYPTED_BY_DATA_KEY,
		EnterpriseUsersDataKey: must(crypto.EncryptEC(a.DataKey, entEC)),
		AuthVerifier:           must(crypto.CreateAuthVerifier(a.Password, crypto.RandomBytes(16), it)),
		EncryptionParams:       must(crypto.CreateEncryptionParams(a.Password, crypto.RandomBytes(16), it, a.DataKey)),
		RsaPublicKey:           crypto.RSAPublicKeyBytes(&rsaKey.PublicKey),
		RsaEncryptedPrivateKey: must(crypto.EncryptAESv1(crypto.RSAPrivateKeyBytes(rsaKey), a.DataKey)),
		EccPublicKey:           crypto.ECPublicKeyBytes(ec.PublicKey()),
		EccEncryptedPrivateKey: must(crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(ec), a.DataKey)),
		EncryptedDeviceToken:   device,
		EncryptedClientKey:     must(crypto.EncryptAESv1(crypto.GenerateAESKey(), a.DataKey)),
	}
	return a
}

// provision sends enterprise/enterprise_user_provision with a session token.
func provision(t *testing.T, c *rest.Client, token []byte, users ...*enterprisepb.EnterpriseUsersProvision) []*enterprisepb.EnterpriseUsersProvisionResult {
	t.Helper()
	var rs enterprisepb.EnterpriseUsersProvisionResponse
	if err := c.Call(context.Background(), "enterprise/enterprise_user_provision", &enterprisepb.EnterpriseUsersProvisionRequest{
		Users: users, ClientVersion: c.ClientVersion()}, &rs, rest.WithSessionToken(token)); err != nil {
		t.Fatalf("enterprise_user_provision: %v", err)
	}
	if len(rs.Results) != len(users) {
		t.Fatalf("%d results for %d users", len(rs.Results), len(users))
	}
	return rs.Results
}

// allocIDs allocates n enterprise ids in the session's enterprise.
func allocIDs(t *testing.T, c *rest.Client, sess rest.JSONSession, n int) int64 {
	t.Helper()
	var alloc enterprise.AllocatedIDs
	if err := c.Execute(context.Background(), sess, enterprise.AllocateIDs{NumberRequested: n}, &alloc); err != nil {
		t.Fatal(err)
	}
	return alloc.BaseID
}

// adminEnterprise logs the demo admin in and loads the MSP.
func adminEnterprise(t *testing.T, c *rest.Client) (*auth.Session, *enterprise.Enterprise) {
	t.Helper()
	s := login(t, c)
	e, _, err := enterprise.Load(context.Background(), c, keys(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

// passwordLogin runs login v3 by hand (register_device, start_login,
// validate_auth_hash) and returns the LOGGED_IN response.
func passwordLogin(t *testing.T, c *rest.Client, email, password string) *authpb.LoginResponse {
	t.Helper()
	ctx := context.Background()
	dev, err := auth.RegisterDevice(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var start authpb.LoginResponse
	if err := c.Call(ctx, "authentication/start_login", &authpb.StartLoginRequest{EncryptedDeviceToken: dev.Token,
		Username: email, ClientVersion: c.ClientVersion(), LoginMethod: authpb.LoginMethod_EXISTING_ACCOUNT}, &start); err != nil {
		t.Fatal(err)
	}
	if start.LoginState != authpb.LoginState_REQUIRES_AUTH_HASH || len(start.Salt) != 1 {
		t.Fatalf("start_login: state %v with %d salts", start.LoginState, len(start.Salt))
	}
	salt := start.Salt[0]
	var rs authpb.LoginResponse
	if err := c.Call(ctx, "authentication/validate_auth_hash", &authpb.ValidateAuthHashRequest{
		AuthResponse:        crypto.DeriveKeyHashV1(password, salt.Salt, int(salt.Iterations)),
		EncryptedLoginToken: start.EncryptedLoginToken}, &rs); err != nil {
		t.Fatal(err)
	}
	if rs.LoginState != authpb.LoginState_LOGGED_IN {
		t.Fatalf("validate_auth_hash: state %v", rs.LoginState)
	}
	return &rs
}

// changePassword sends the JSON command change_master_password with a new
// verifier and new encryption params for the same data key, as Commander's
// LoginV3API.change_master_password does (keepercommander/loginv3.py).
func changePassword(t *testing.T, c *rest.Client, sess rest.JSONSession, password string, dataKey []byte) error {
	t.Helper()
	v, err := crypto.CreateAuthVerifier(password, crypto.RandomBytes(16), sandboxtest.Iterations)
	if err != nil {
		t.Fatal(err)
	}
	p, err := crypto.CreateEncryptionParams(password, crypto.RandomBytes(16), sandboxtest.Iterations, dataKey)
	if err != nil {
		t.Fatal(err)
	}
	return c.Execute(context.Background(), sess, raw{"command": "change_master_password",
		"auth_verifier": crypto.Base64URLEncode(v), "encryption_params": crypto.Base64URLEncode(p)}, nil)
}

// provisionedSession provisions a fresh user of the demo MSP, changes its
// generated password and logs it in normally.
func provisionedSession(t *testing.T, c *rest.Client, admin *auth.Session, e *enterprise.Enterprise, email string) *auth.Session {
	t.Helper()
	id := allocIDs(t, c, admin.JSON(), 1)
	a := buildProvision(t, id, e.Root().NodeId, email, e.TreeKey, e.ECKey.PublicKey(), admin.Device.Token)
	if r := provision(t, c, admin.SessionToken, a.Rq)[0]; r.Code != "success" {
		t.Fatalf("provision %s: %s %s", email, r.Code, r.Message)
	}
	rs := passwordLogin(t, c, email, a.Password)
	newPassword := "Changed-" + crypto.GenerateUID()
	if err := changePassword(t, c, rest.JSONSession{Token: rs.EncryptedSessionToken, Username: email}, newPassword, a.DataKey); err != nil {
		t.Fatal(err)
	}
	s, err := auth.Login(context.Background(), c, auth.Options{Username: email, Password: pw(newPassword)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
