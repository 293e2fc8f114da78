package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/accountpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// TestProvisionCreatesActiveUser: a valid provisioning request creates an
// active enterprise user that the next incremental enterprise sync delivers
// (and that takes a seat), and an account holding exactly the uploaded
// blobs, flagged to change its master password, with the data key escrowed
// to the enterprise EC key.
func TestProvisionCreatesActiveUser(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	cache := &enterprise.Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "test"}
	e, _, err := enterprise.Load(ctx, c, keys(s), cache)
	if err != nil {
		t.Fatal(err)
	}
	lic, _ := mspLicence(t, e)
	seats := lic.SeatsAllocated
	europe, _ := e.Node("Europe")
	id := allocIDs(t, c, s.JSON(), 1)
	a := buildProvision(t, id, europe.NodeId, "New.Hire@msp.sandbox", e.TreeKey, e.ECKey.PublicKey(), s.Device.Token)
	a.Rq.FullName, a.Rq.JobTitle = "New Hire", "Engineer"
	if r := provision(t, c, s.SessionToken, a.Rq)[0]; r.Code != "success" || r.EnterpriseUserId != id {
		t.Fatalf("provision: %+v", r)
	}

	e2, st, err := enterprise.Load(ctx, c, keys(s), cache)
	if err != nil {
		t.Fatal(err)
	}
	if !st.FromDisk {
		t.Fatal("the reload was a full sync, want an incremental one")
	}
	u, err := e2.User("new.hire@msp.sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if u.EnterpriseUserId != id || u.Status != "active" || u.Lock != 0 || u.NodeId != europe.NodeId ||
		u.Username != "New.Hire@msp.sandbox" || u.Name != "New.Hire@msp.sandbox" || u.FullName != "New Hire" || u.JobTitle != "Engineer" {
		t.Fatalf("provisioned user %+v name %q", u.User, u.Name)
	}
	if lic2, _ := mspLicence(t, e2); lic2.SeatsAllocated != seats+1 {
		t.Errorf("seats allocated %d, want %d", lic2.SeatsAllocated, seats+1)
	}

	acct, err := sb.Store().GetAccount(ctx, "new.hire@msp.sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if acct.EnterpriseID != e.ID || acct.EnterpriseUserID != id || acct.IsAdmin || len(acct.AccountUID) != 16 ||
		!bytes.Equal(acct.AuthVerifier, a.Rq.AuthVerifier) || !bytes.Equal(acct.EncryptionParams, a.Rq.EncryptionParams) ||
		!bytes.Equal(acct.RSAPrivateEnc, a.Rq.RsaEncryptedPrivateKey) || !bytes.Equal(acct.ECCPrivateEnc, a.Rq.EccEncryptedPrivateKey) ||
		!bytes.Equal(acct.ECCPublic, a.Rq.EccPublicKey) || !bytes.Equal(acct.ClientKeyEnc, a.Rq.EncryptedClientKey) {
		t.Fatal("the account does not hold the uploaded blobs")
	}
	flags, err := store.LoadAccountFlags(ctx, sb.Store().DB(), acct.Username)
	if err != nil {
		t.Fatal(err)
	}
	if !flags.MustChangePassword || flags.ProvisionedBy != s.Username || !bytes.Equal(flags.RSAPublic, a.Rq.RsaPublicKey) {
		t.Fatalf("account flags %+v", flags)
	}
	escrowed, err := crypto.DecryptEC(flags.UsersDataKey, e.ECKey)
	if err != nil || !bytes.Equal(escrowed, a.DataKey) {
		t.Fatalf("the escrowed data key does not decrypt to the user's data key: %v", err)
	}
}

// TestProvisionedUserMustChangePassword: the new user's password login ends
// LOGGED_IN with a restricted ACCOUNT_RECOVERY session (Commander's "Master
// Password has expired" step) that serves the account summary, the password
// rules and change_master_password but not the vault; after the change the
// session is whole and the new password logs in normally.
func TestProvisionedUserMustChangePassword(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s, e := adminEnterprise(t, c)
	email := "first.login@msp.sandbox"
	a := buildProvision(t, allocIDs(t, c, s.JSON(), 1), e.Root().NodeId, email, e.TreeKey, e.ECKey.PublicKey(), s.Device.Token)
	if r := provision(t, c, s.SessionToken, a.Rq)[0]; r.Code != "success" {
		t.Fatalf("provision: %s %s", r.Code, r.Message)
	}

	rs := passwordLogin(t, c, email, a.Password)
	if rs.SessionTokenType != authpb.SessionTokenType_ACCOUNT_RECOVERY || rs.EncryptedDataKeyType != authpb.EncryptedDataKeyType_BY_PASSWORD {
		t.Fatalf("login: session type %v, data key type %v", rs.SessionTokenType, rs.EncryptedDataKeyType)
	}
	if k, err := crypto.DecryptEncryptionParams(rs.EncryptedDataKey, a.Password); err != nil || !bytes.Equal(k, a.DataKey) {
		t.Fatalf("the login's data key: %v", err)
	}
	var step *auth.StepError
	if _, err := auth.Login(ctx, c, auth.Options{Username: email, Password: pw(a.Password)}); !errors.As(err, &step) {
		t.Fatalf("keeper's own login: want a step error for the restricted session, got %v", err)
	}

	tok := rs.EncryptedSessionToken
	var sum accountpb.AccountSummaryElements
	if err := c.Call(ctx, "login/account_summary", &accountpb.AccountSummaryRequest{SummaryVersion: 3}, &sum, rest.WithSessionToken(tok)); err != nil {
		t.Fatalf("account summary in the restricted session: %v", err)
	}
	if _, err := crypto.DecryptAESv2(sum.GetKeysInfo().GetEncryptedEccPrivateKey(), a.DataKey); err != nil || sum.GetLicense().GetEnterpriseId() != e.ID {
		t.Fatalf("account summary keys or licence: %v", err)
	}
	var ae *rest.APIError
	err := c.Call(ctx, "vault/sync_down", &vaultpb.SyncDownRequest{}, &vaultpb.SyncDownResponse{}, rest.WithSessionToken(tok))
	if !errors.As(err, &ae) || ae.Code != "access_denied" || ae.HTTPStatus != 403 {
		t.Fatalf("sync_down in the restricted session: want 403 access_denied, got %v", err)
	}
	sess := rest.JSONSession{Token: tok, Username: email}
	err = c.Execute(ctx, sess, raw{"command": "folder_add", "folder_type": "user_folder"}, nil)
	if !errors.As(err, &ae) || ae.Code != "access_denied" {
		t.Fatalf("folder_add in the restricted session: want access_denied, got %v", err)
	}

	var rules authpb.NewUserMinimumParams
	if err := c.Call(ctx, "authentication/get_domain_password_rules", &enterprisepb.DomainPasswordRulesRequest{Username: email}, &rules); err != nil {
		t.Fatal(err)
	}
	// The demo's Default Users role enforces master_password_minimum_length 12.
	if rules.MinimumIterations != sandboxtest.Iterations || !rules.IsEnterpriseDomain || len(rules.PasswordMatchRegex) != 1 ||
		rules.PasswordMatchRegex[0] != ".{12,}" || !bytes.Equal(rules.EnterpriseEccPublicKey, crypto.ECPublicKeyBytes(e.ECKey.PublicKey())) {
		t.Fatalf("password rules %+v", &rules)
	}

	weak, err := crypto.CreateAuthVerifier("whatever-password", crypto.RandomBytes(16), sandboxtest.Iterations-1)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Execute(ctx, sess, raw{"command": "change_master_password", "auth_verifier": crypto.Base64URLEncode(weak),
		"encryption_params": crypto.Base64URLEncode(a.Rq.EncryptionParams)}, nil)
	if !errors.As(err, &ae) || ae.Code != "bad_inputs_auth_verifier" {
		t.Fatalf("a verifier below the minimum iterations: want bad_inputs_auth_verifier, got %v", err)
	}
	newPassword := "Changed-Password-42!"
	if err := changePassword(t, c, sess, newPassword, a.DataKey); err != nil {
		t.Fatal(err)
	}
	var sync vaultpb.SyncDownResponse
	if err := c.Call(ctx, "vault/sync_down", &vaultpb.SyncDownRequest{}, &sync, rest.WithSessionToken(tok)); err != nil {
		t.Fatalf("sync_down after the password change: %v", err)
	}
	if sync.CacheStatus != vaultpb.CacheStatus_CLEAR || len(sync.Records) != 0 || len(sync.ContinuationToken) == 0 {
		t.Fatalf("a new account's first sync: %v records, status %v", len(sync.Records), sync.CacheStatus)
	}
	s2, err := auth.Login(ctx, c, auth.Options{Username: email, Password: pw(newPassword)})
	if err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	if !bytes.Equal(s2.DataKey, a.DataKey) || s2.Summary.IsEnterpriseAdmin {
		t.Fatal("the new password unlocks another data key")
	}
	if _, err := auth.Login(ctx, c, auth.Options{Username: email, Password: pw(a.Password)}); !errors.Is(err, auth.ErrAuthFailed) {
		t.Fatalf("the generated password after the change: want auth_failed, got %v", err)
	}
}

// TestProvisionOverSeatManagedCompany: a managed company's users may not
// outgrow the seats its MSP gave it. Evergreen Startups has 5 seats, 2
// active and 1 invited user: two more fit, a third is refused.
func TestProvisionOverSeatManagedCompany(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s, e := adminEnterprise(t, c)
	mc, err := e.ManagedCompany("Evergreen Startups")
	if err != nil {
		t.Fatal(err)
	}
	tok, treeKey, err := msp.LoginToMC(ctx, c, s.SessionToken, mc.McEnterpriseId, e)
	if err != nil {
		t.Fatal(err)
	}
	base := allocIDs(t, c, rest.JSONSession{Token: tok, Username: s.Username}, 3)
	ec, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	root := int64(mc.McEnterpriseId)<<32 + 2
	var users []*enterprisepb.EnterpriseUsersProvision
	for i, email := range []string{"one@evergreen.sandbox", "two@evergreen.sandbox", "three@evergreen.sandbox"} {
		users = append(users, buildProvision(t, base+int64(i), root, email, treeKey, ec.PublicKey(), s.Device.Token).Rq)
	}
	res := provision(t, c, tok, users...)
	for i, want := range []string{"success", "success", "seats_exceeded"} {
		if res[i].Code != want || res[i].EnterpriseUserId != users[i].EnterpriseUserId {
			t.Errorf("user %d: %s (%s), want %s", i, res[i].Code, res[i].Message, want)
		}
	}
	if _, err := sb.Store().GetAccount(ctx, "three@evergreen.sandbox"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused user has an account: %v", err)
	}
	if acct, err := sb.Store().GetAccount(ctx, "one@evergreen.sandbox"); err != nil || acct.EnterpriseID != mc.McEnterpriseId {
		t.Errorf("the managed company's new account: %v", err)
	}
}

// TestProvisionForbiddenRSA: an enterprise that forbids RSA keys says so in
// the account summary (forbidKeyType2, so Commander sends no RSA pair and
// asks vault/get_change_key_types, answered empty), refuses an RSA pair and
// accepts an EC-only account.
func TestProvisionForbiddenRSA(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s, e := adminEnterprise(t, c)
	if err := sb.Store().Tx(ctx, func(tx *sql.Tx) error { return store.SetForbidRSA(ctx, tx, e.ID, true) }); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadSummary(ctx, c); err != nil || !s.Summary.ForbidRSA {
		t.Fatalf("account summary after forbidding RSA: forbid=%v %v", s.Summary.ForbidRSA, err)
	}
	if err := c.Call(ctx, "vault/get_change_key_types", nil, nil, rest.WithSessionToken(s.SessionToken)); err != nil {
		t.Fatalf("get_change_key_types: %v", err)
	}
	base := allocIDs(t, c, s.JSON(), 2)
	withRSA := buildProvision(t, base, e.Root().NodeId, "rsa@msp.sandbox", e.TreeKey, e.ECKey.PublicKey(), s.Device.Token)
	ecOnly := buildProvision(t, base+1, e.Root().NodeId, "ec@msp.sandbox", e.TreeKey, e.ECKey.PublicKey(), s.Device.Token)
	ecOnly.Rq.RsaPublicKey, ecOnly.Rq.RsaEncryptedPrivateKey = nil, nil
	res := provision(t, c, s.SessionToken, withRSA.Rq, ecOnly.Rq)
	if res[0].Code != "bad_inputs_rsa_public_key" || res[1].Code != "success" {
		t.Fatalf("forbid RSA: %s (%s), %s (%s)", res[0].Code, res[0].Message, res[1].Code, res[1].Message)
	}
}
