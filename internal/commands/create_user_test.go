package commands

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/breachwatchpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/keeper/vault"
	"github.com/keeper-go/keeper/internal/keeper/vault/vaulttest"
)

const testIterations = 1000

// fakeCreator is the enterprise (fixture), the REST calls of provisioning
// and the admin's vault (an in-memory vault server) behind create-user.
// Provisioned users join the enterprise at the next Refresh, as they would
// at the next incremental sync. log lists every call in order.
type fakeCreator struct {
	*fakeEnterprise
	vs      *vaulttest.Server
	v       *vault.Vault
	sess    *auth.Session
	server  string
	entKey  *ecdh.PrivateKey
	log     []string
	pending []*pb.EnterpriseUsersProvision
	// provisioned holds every provisioning request received.
	provisioned []*pb.EnterpriseUsersProvision
	// code answers provisioning ("" success).
	code func(u *pb.EnterpriseUsersProvision) string
	// fail makes a call fail by endpoint ("refresh", "enterprise_allocate_ids" too).
	fail map[string]error
}

var dataKeyForTest = bytes.Repeat([]byte{5}, 32)

func newFakeCreator(t *testing.T) *fakeCreator {
	t.Helper()
	ent, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	e := demoEnterprise()
	e.ECPublicKey = crypto.ECPublicKeyBytes(ent.PublicKey())
	f := &fakeCreator{fakeEnterprise: &fakeEnterprise{e: e}, vs: vaulttest.New(dataKeyForTest), server: "https://keeper.test:8443",
		entKey: ent, fail: map[string]error{},
		sess: &auth.Session{Username: "admin@fixture.test", DataKey: dataKeyForTest,
			Device: &auth.Device{Token: []byte("admin-device-token")}}}
	f.v = vault.New(vault.Keys{DataKey: dataKeyForTest})
	return f
}

func (f *fakeCreator) note(name string) error {
	f.log = append(f.log, name)
	return f.fail[name]
}

func (f *fakeCreator) AllocateIDs(ctx context.Context, n int) (int64, error) {
	if err := f.note("enterprise_allocate_ids"); err != nil {
		return 0, err
	}
	return f.fakeEnterprise.AllocateIDs(ctx, n)
}

func (f *fakeCreator) Call(_ context.Context, endpoint string, req, resp proto.Message) error {
	if err := f.note(endpoint); err != nil {
		return err
	}
	switch endpoint {
	case enterprise.ProvisionEndpoint:
		rq := req.(*pb.EnterpriseUsersProvisionRequest)
		rs := resp.(*pb.EnterpriseUsersProvisionResponse)
		for _, u := range rq.Users {
			f.provisioned = append(f.provisioned, u)
			code := "success"
			if f.code != nil {
				if c := f.code(u); c != "" {
					code = c
				}
			}
			rs.Results = append(rs.Results, &pb.EnterpriseUsersProvisionResult{EnterpriseUserId: u.EnterpriseUserId, Code: code,
				Message: map[bool]string{true: "", false: u.Username + " is not on a reserved domain"}[code == "success"]})
			if code == "success" {
				f.pending = append(f.pending, u)
			}
		}
		return nil
	case "enterprise/get_enterprise_public_key":
		resp.(*breachwatchpb.EnterprisePublicKeyResponse).EnterpriseECCPublicKey = crypto.ECPublicKeyBytes(f.entKey.PublicKey())
		return nil
	}
	return errors.New("unexpected call " + endpoint)
}

func (f *fakeCreator) Refresh(context.Context) error {
	if err := f.note("refresh"); err != nil {
		return err
	}
	for _, u := range f.pending {
		f.e.Users[u.EnterpriseUserId] = &enterprise.User{User: &pb.User{EnterpriseUserId: u.EnterpriseUserId, Username: u.Username,
			NodeId: u.NodeId, Status: "active"}}
	}
	f.pending = nil
	return nil
}

func (f *fakeCreator) Vault(ctx context.Context, sync bool) (*vault.Vault, error) {
	if sync || !f.v.Synced() {
		if err := f.v.Sync(ctx, vault.CallerFunc(f.VaultCall)); err != nil {
			return nil, err
		}
	}
	return f.v, nil
}

func (f *fakeCreator) VaultCall(ctx context.Context, endpoint string, req, resp proto.Message) error {
	f.log = append(f.log, endpoint)
	return f.vs.Call(ctx, endpoint, req, resp)
}

func (f *fakeCreator) LiveSession(context.Context) (*auth.Session, error) { return f.sess, nil }
func (f *fakeCreator) Server() string                                     { return f.server }

func (f *fakeCreator) count(name string) int {
	n := 0
	for _, c := range f.log {
		if c == name {
			n++
		}
	}
	return n
}

// runCreate runs one create-user line against the fake.
func runCreate(t *testing.T, f *fakeCreator, line string, edit ...func(*createUserOptions)) (string, string, error) {
	t.Helper()
	return runLine(t, newCreateUserCmd(&Factory{}, func(ctx context.Context, o *createUserOptions) error {
		o.Source, o.Iterations = f, testIterations
		o.Status = func(format string, a ...any) { fmt.Fprintf(o.Env.Err, format+"\n", a...) }
		for _, e := range edit {
			e(o)
		}
		return createUserRun(ctx, o)
	}), line)
}

// stored returns the typed data of a stored record.
func stored(t *testing.T, f *fakeCreator, uid string) *vault.TypedRecord {
	t.Helper()
	plain, err := f.vs.Plain(uid)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := vault.ParseTypedRecord(plain)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func field(t *testing.T, rec *vault.TypedRecord, typ string) string {
	t.Helper()
	f := rec.Field(typ)
	if f == nil {
		t.Fatalf("no %s field in %+v", typ, rec)
	}
	s, _ := f.First()
	return s
}

// checkProvision verifies a provisioning request was built for password.
func checkProvision(t *testing.T, f *fakeCreator, u *pb.EnterpriseUsersProvision, password string) {
	t.Helper()
	dk, err := crypto.DecryptEncryptionParams(u.EncryptionParams, password)
	if err != nil {
		t.Fatalf("encryption params do not open with the stored password: %v", err)
	}
	it, salt, derived, err := crypto.ParseAuthVerifier(u.AuthVerifier)
	if err != nil || it != testIterations || !bytes.Equal(derived, crypto.DeriveKeyV1(password, salt, it)) {
		t.Fatalf("auth verifier: %v", err)
	}
	if esc, err := crypto.DecryptEC(u.EnterpriseUsersDataKey, f.entKey); err != nil || !bytes.Equal(esc, dk) {
		t.Fatalf("escrowed data key: %v", err)
	}
	if !bytes.Equal(u.EncryptedDeviceToken, []byte("admin-device-token")) {
		t.Fatal("device token")
	}
}

// TestCreateUserSingle: the whole flow for one email: the credential
// record first, then one id, one provisioning, one enterprise sync, the
// share and the record update; the record UID on stdout and no password
// anywhere.
func TestCreateUserSingle(t *testing.T) {
	f := newFakeCreator(t)
	out, errOut, err := runCreate(t, f, "create-user jane@fixture.test")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"vault/sync_down", "vault/records_add", "vault/sync_down", "enterprise_allocate_ids",
		"enterprise/enterprise_user_provision", "refresh", "vault/external_share_add", "vault/records_update", "vault/sync_down"}
	if !reflect.DeepEqual(f.log, want) {
		t.Fatalf("calls\n got %q\nwant %q", f.log, want)
	}
	recs := f.vs.Records()
	if len(recs) != 1 || out != recs[0].UID+"\n" {
		t.Fatalf("stdout %q, records %d", out, len(recs))
	}
	rec := stored(t, f, recs[0].UID)
	pw := field(t, rec, "password")
	if rec.Type != "login" || rec.Title != "Keeper Account: jane@fixture.test" || field(t, rec, "login") != "jane@fixture.test" ||
		field(t, rec, "url") != "https://keeper.test:8443/vault#email/jane@fixture.test" || rec.Notes != createUserNotes {
		t.Fatalf("record %+v", rec)
	}
	if len(pw) != 20 || strings.Contains(out+errOut, pw) {
		t.Fatalf("password %q leaked or wrong: %q %q", pw, out, errOut)
	}
	if !strings.Contains(errOut, `User "jane@fixture.test" credentials are stored to record "Keeper Account: jane@fixture.test"`) {
		t.Fatalf("stderr %q", errOut)
	}
	// Provisioning: the allocated id, the root node, the display name, the
	// record's password.
	if len(f.provisioned) != 1 {
		t.Fatal("provisioned", len(f.provisioned))
	}
	u := f.provisioned[0]
	if u.EnterpriseUserId != id(1000) || u.Username != "jane@fixture.test" || u.NodeId != id(2) || u.RsaPublicKey == nil {
		t.Fatalf("provision %v", u)
	}
	enc, _ := crypto.Base64URLDecode(u.EncryptedData)
	if plain, _ := crypto.DecryptAESv1(enc, f.e.TreeKey); !strings.Contains(string(plain), `"jane@fixture.test"`) {
		t.Fatalf("display name %s", plain)
	}
	checkProvision(t, f, u, pw)
	// The share: named, its link stored in the record, the record key under
	// the link's client key.
	if len(f.vs.Shares) != 1 || f.vs.Shares[0].Request.Id != "jane@fixture.test: Master Password" {
		t.Fatalf("shares %v", f.vs.Shares)
	}
	link := rec.CustomField("url", "One-Time Share")
	s, _ := link.First()
	frag, ok := strings.CutPrefix(s, "https://keeper.test:8443/vault/share/#")
	if !ok || len(rec.Custom) != 1 {
		t.Fatalf("share link %q", s)
	}
	ck, _ := crypto.Base64URLDecode(frag)
	key, _ := crypto.DecryptAESv2(recs[0].Key, dataKeyForTest)
	if k, err := crypto.DecryptAESv2(f.vs.Shares[0].Request.EncryptedRecordKey, ck); err != nil || !bytes.Equal(k, key) {
		t.Fatal("share key")
	}
	// The new user is in the enterprise after the sync.
	if existingUser(f.e, "JANE@fixture.test") == nil {
		t.Fatal("not in the enterprise")
	}
}

// TestCreateUserVerbose: -v prints Commander's block with the password and
// the link; the node line only for a named non-root node.
func TestCreateUserVerbose(t *testing.T) {
	f := newFakeCreator(t)
	out, _, err := runCreate(t, f, "create-user jane@fixture.test --name 'Jane Doe' --node Europe -v")
	if err != nil {
		t.Fatal(err)
	}
	rec := stored(t, f, f.vs.Records()[0].UID)
	link, _ := rec.CustomField("url", "One-Time Share").First()
	want := "The account jane@fixture.test has been created. Login details below:\n" +
		"        Vault Login URL: https://keeper.test:8443/vault#email/jane@fixture.test\n" +
		"                  Email: jane@fixture.test\n" +
		"                   Name: Jane Doe\n" +
		"                   Node: Europe\n" +
		"        Master Password: " + field(t, rec, "password") + "\n" +
		"    One-Time Share Link: " + link + "\n" +
		"                   Note: The user is required to change their Master Password upon login.\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	if f.provisioned[0].NodeId != id(3) {
		t.Fatal("node")
	}
	enc, _ := crypto.Base64URLDecode(f.provisioned[0].EncryptedData)
	if plain, _ := crypto.DecryptAESv1(enc, f.e.TreeKey); !strings.Contains(string(plain), "Jane Doe") {
		t.Fatalf("display name %s", plain)
	}
}

// TestCreateUserValidatesFirst: bad invocations are usage errors before
// any call.
func TestCreateUserValidatesFirst(t *testing.T) {
	for line, want := range map[string]string{
		"create-user":                                           "an EMAIL or --file FILE is required",
		"create-user not-an-email":                              `"not-an-email" appears not a valid email address`,
		"create-user a@b@c.d":                                   "appears not a valid email address",
		"create-user a@b.cd --file x.csv":                       "not both",
		"create-user --file x.csv --name N":                     "--name applies to a single EMAIL",
		"create-user --file x.csv -v":                           "cannot be combined with --file",
		"create-user --file x.csv --ask-password":               "apply to a single EMAIL",
		"create-user a@b.cd --ask-password --password-record r": "mutually exclusive",
		"create-user a@b.cd --format xml":                       "unknown output format",
		"create-user a@b.cd e@f.gh":                             `unexpected argument "e@f.gh"`,
	} {
		f := newFakeCreator(t)
		_, _, err := runCreate(t, f, line)
		usageErr(t, err, want)
		if len(f.log) != 0 {
			t.Errorf("%s: calls before validation: %q", line, f.log)
		}
	}
	f := newFakeCreator(t)
	_, _, err := runCreate(t, f, "create-user a@b.cd --ask-password")
	usageErr(t, err, "--ask-password needs a terminal")
	for _, c := range f.log {
		if c != "vault/sync_down" {
			t.Fatalf("writes before the prompt: %q", f.log)
		}
	}
}

// TestCreateUserRefusedProvisioning: a domain that is not reserved gives
// Commander's message and a server error; the credential record stays,
// and the next run reuses its password and finishes.
func TestCreateUserRefusedProvisioning(t *testing.T) {
	f := newFakeCreator(t)
	f.code = func(*pb.EnterpriseUsersProvision) string { return "domain_not_reserved" }
	out, _, err := runCreate(t, f, "create-user jane@fixture.test")
	var api *rest.APIError
	var pe *enterprise.ProvisionError
	if !errors.As(err, &api) || !errors.As(err, &pe) || out != "" {
		t.Fatalf("got %v (stdout %q)", err, out)
	}
	for _, want := range []string{`Failed to auto-create account "jane@fixture.test"`, "only permitted on reserved domains",
		enterprise.EmailAutoProvisioningDoc, "credential record " + f.vs.Records()[0].UID + " is kept"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
	if f.count("refresh") != 0 || f.count("vault/external_share_add") != 0 || existingUser(f.e, "jane@fixture.test") != nil {
		t.Fatalf("went on after the refusal: %q", f.log)
	}
	pw := field(t, stored(t, f, f.vs.Records()[0].UID), "password")

	f.code, f.log = nil, nil
	out, _, err = runCreate(t, f, "create-user jane@fixture.test")
	if err != nil {
		t.Fatal(err)
	}
	if f.count("vault/records_add") != 0 || len(f.vs.Records()) != 1 || out != f.vs.Records()[0].UID+"\n" {
		t.Fatalf("rerun stored another record: %q", f.log)
	}
	checkProvision(t, f, f.provisioned[1], pw)
	if field(t, stored(t, f, f.vs.Records()[0].UID), "password") != pw || len(f.vs.Shares) != 1 {
		t.Fatal("rerun changed the password or did not share")
	}
}

// TestCreateUserCutOffAfterAccount: a failed share leaves the account and
// the record; the error says so, and the rerun only adds the share.
func TestCreateUserCutOffAfterAccount(t *testing.T) {
	f := newFakeCreator(t)
	f.vs.Fail = func(endpoint string, n int) error {
		if endpoint == vault.ExternalShareAddEndpoint && n == 1 {
			return &rest.NetworkError{Err: errors.New("connection reset")}
		}
		return nil
	}
	_, _, err := runCreate(t, f, "create-user jane@fixture.test")
	uid := f.vs.Records()[0].UID
	var ne *rest.NetworkError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "account created (id "+itoa(id(1000))+") and credential record "+uid+" stored") ||
		!strings.Contains(err.Error(), "the one-time share was not created") {
		t.Fatalf("got %v", err)
	}
	f.log = nil
	out, errOut, err := runCreate(t, f, "create-user jane@fixture.test")
	if err != nil {
		t.Fatal(err)
	}
	if f.count("enterprise/enterprise_user_provision") != 0 || f.count("vault/records_add") != 0 || f.count("enterprise_allocate_ids") != 0 ||
		f.count("vault/external_share_add") != 1 || out != uid+"\n" || !strings.Contains(errOut, "one-time share link was added") {
		t.Fatalf("rerun: %q\n%s%s", f.log, out, errOut)
	}
	if stored(t, f, uid).CustomField("url", "One-Time Share") == nil {
		t.Fatal("no link stored")
	}
	// A third run finds everything done.
	f.log = nil
	if _, errOut, err := runCreate(t, f, "create-user jane@fixture.test"); err != nil || !strings.Contains(errOut, "credentials are in record "+uid) ||
		f.count("vault/external_share_add") != 0 || f.count("vault/records_update") != 0 {
		t.Fatalf("third run: %v %q %s", err, f.log, errOut)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestCreateUserRecordRefused: a refused records_add stops before the
// account (Commander crashes here and has created the account already).
func TestCreateUserRecordRefused(t *testing.T) {
	f := newFakeCreator(t)
	f.vs.AddStatus = recordspb.RecordModifyResult_RS_ACCESS_DENIED
	_, _, err := runCreate(t, f, "create-user jane@fixture.test")
	var api *rest.APIError
	if !errors.As(err, &api) || api.Code != "RS_ACCESS_DENIED" || !strings.Contains(err.Error(), "nothing was created") {
		t.Fatalf("got %v", err)
	}
	if f.count("enterprise_allocate_ids")+f.count("enterprise/enterprise_user_provision") != 0 {
		t.Fatalf("went on: %q", f.log)
	}
}

// TestCreateUserExistingAccount: an enterprise user (here by alias) is
// reported, not created again; nothing is written.
func TestCreateUserExistingAccount(t *testing.T) {
	f := newFakeCreator(t)
	out, errOut, err := runCreate(t, f, "create-user anna.old@fixture.test")
	if err != nil || out != "" || !strings.Contains(errOut, "is already an enterprise user (id "+itoa(id(11))) ||
		!strings.Contains(errOut, `no record "Keeper Account: anna.old@fixture.test"`) {
		t.Fatalf("%v %q %q", err, out, errOut)
	}
	for _, c := range f.log {
		if c != "vault/sync_down" {
			t.Fatalf("wrote: %q", f.log)
		}
	}
}

// TestCreateUserPasswordRecord: --password-record takes the password of a
// login record by path or title; an ambiguous title lists the candidates
// before anything is written.
func TestCreateUserPasswordRecord(t *testing.T) {
	f := newFakeCreator(t)
	hr := f.vs.AddUserFolder("Onboarding", "")
	f.vs.AddTyped(vault.NewLogin("Jane initial", "jane", "Initial-Pw-1!", "", ""), hr)
	ops := f.vs.AddUserFolder("Ops", "")
	f.vs.AddTyped(vault.NewLogin("Shared initial", "x", "one", "", ""), ops)
	f.vs.AddTyped(vault.NewLogin("Shared initial", "x", "two", "", ""), hr)
	if _, _, err := runCreate(t, f, "create-user jane@fixture.test --password-record 'Onboarding/Jane initial'"); err != nil {
		t.Fatal(err)
	}
	uid := f.vs.Records()[3].UID
	if field(t, stored(t, f, uid), "password") != "Initial-Pw-1!" {
		t.Fatal("password not taken from the record")
	}
	checkProvision(t, f, f.provisioned[0], "Initial-Pw-1!")

	f.log = nil
	_, _, err := runCreate(t, f, "create-user ken@fixture.test --password-record 'shared initial'")
	var amb *vault.AmbiguousError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 || !strings.Contains(err.Error(), "--password-record") {
		t.Fatalf("got %v", err)
	}
	_, _, err = runCreate(t, f, "create-user ken@fixture.test --password-record nope")
	var nf *vault.NotFoundError
	if !errors.As(err, &nf) || f.count("vault/records_add") != 0 {
		t.Fatalf("got %v %q", err, f.log)
	}
}

// TestCreateUserAskPassword: asked twice; a mismatch asks again.
func TestCreateUserAskPassword(t *testing.T) {
	f := newFakeCreator(t)
	answers := []string{"First-Pw-1", "typo", "Second-Pw-2", "Second-Pw-2"}
	var prompts []string
	_, errOut, err := runCreate(t, f, "create-user jane@fixture.test --ask-password", func(o *createUserOptions) {
		o.Prompt = func(_ context.Context, p string) (string, error) {
			prompts = append(prompts, p)
			a := answers[0]
			answers = answers[1:]
			return a, nil
		}
	})
	if err != nil || len(prompts) != 4 || !strings.Contains(errOut, "do not match") {
		t.Fatalf("%v %q %q", err, prompts, errOut)
	}
	if field(t, stored(t, f, f.vs.Records()[0].UID), "password") != "Second-Pw-2" {
		t.Fatal("password")
	}
	checkProvision(t, f, f.provisioned[0], "Second-Pw-2")
	f = newFakeCreator(t)
	cancelled := errors.New("cancelled")
	_, _, err = runCreate(t, f, "create-user jane@fixture.test --ask-password", func(o *createUserOptions) {
		o.Prompt = func(context.Context, string) (string, error) { return "", cancelled }
	})
	if !errors.Is(err, cancelled) || len(f.vs.Records()) != 0 {
		t.Fatalf("cancel: %v", err)
	}
}

// TestCreateUserFolderAndKeys: --folder places the record; an unknown
// folder fails before any write; ForbidRSA skips the RSA pair; without
// enterprise keys in the model the EC key is fetched.
func TestCreateUserFolderAndKeys(t *testing.T) {
	f := newFakeCreator(t)
	hr := f.vs.AddUserFolder("HR", "")
	f.sess.Summary.ForbidRSA = true
	f.e.ECPublicKey = nil
	if _, _, err := runCreate(t, f, "create-user jane@fixture.test --folder HR"); err != nil {
		t.Fatal(err)
	}
	if r := f.vs.Records()[0]; r.Folder != hr {
		t.Fatalf("folder %q", r.Folder)
	}
	if f.provisioned[0].RsaPublicKey != nil || f.count("enterprise/get_enterprise_public_key") != 1 {
		t.Fatalf("keys: %q", f.log)
	}
	for _, rq := range f.vs.Requests {
		if a, ok := rq.(*recordspb.RecordsAddRequest); ok && a.SecurityDataKeyType != recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY_ECC {
			t.Fatal("security data key type")
		}
	}
	f.log = nil
	_, _, err := runCreate(t, f, "create-user ken@fixture.test --folder Nowhere")
	var nf *vault.NotFoundError
	if !errors.As(err, &nf) || f.count("vault/records_add") != 0 {
		t.Fatalf("%v %q", err, f.log)
	}
	_, _, err = runCreate(t, f, "create-user ken@fixture.test --node Nowhere")
	var enf *enterprise.NotFoundError
	if !errors.As(err, &enf) || f.count("vault/records_add") != 0 {
		t.Fatalf("%v %q", err, f.log)
	}
}

// TestCreateUserJSONRow: --format json prints the single result row.
func TestCreateUserJSONRow(t *testing.T) {
	f := newFakeCreator(t)
	out, _, err := runCreate(t, f, "create-user jane@fixture.test --format json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("%v %s", err, out)
	}
	r := rows[0]
	if r["email"] != "jane@fixture.test" || r["status"] != "created" || r["user_id"] != float64(id(1000)) ||
		r["record_uid"] != f.vs.Records()[0].UID || !strings.Contains(r["message"].(string), "credentials are stored") {
		t.Fatalf("row %v", r)
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		pw, err := generatePassword(20)
		if err != nil {
			t.Fatal(err)
		}
		var up, lo, dig, sp bool
		for _, c := range pw {
			switch {
			case unicode.IsUpper(c):
				up = true
			case unicode.IsLower(c):
				lo = true
			case unicode.IsDigit(c):
				dig = true
			case strings.ContainsRune(passwordSpecials, c):
				sp = true
			default:
				t.Fatalf("character %q", c)
			}
		}
		if len(pw) != 20 || !up || !lo || !dig || !sp || seen[pw] {
			t.Fatalf("password %q", pw)
		}
		seen[pw] = true
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadUserFile(t *testing.T) {
	p := writeFile(t, "Email,Name,Node\n# a comment\n\njohn@x.test,John Smith,Chicago Office\n"+
		`"jane@x.test","Doe, Jane",`+"\n  mary@x.test  \n")
	lines, err := readUserFile(p, "Default", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []userLine{{Email: "john@x.test", Name: "John Smith", Node: "Chicago Office", Where: p + ":4"},
		{Email: "jane@x.test", Name: "Doe, Jane", Node: "Default", Where: p + ":5"},
		{Email: "mary@x.test", Node: "Default", Where: p + ":6"}}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("got %+v", lines)
	}
	p = writeFile(t, "a@x.test\nbad-email\nb@x.test,B,N,extra\nA@X.test\n\"unterminated\n")
	_, err = readUserFile(p, "", nil)
	for _, want := range []string{p + `:2: "bad-email" appears not a valid email address`, p + ":3: 4 fields",
		p + ":4: A@X.test is already listed on line 1", p + ":5:", "nothing was created"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if _, err := readUserFile(writeFile(t, "# only comments\n\n"), "", nil); err == nil || !strings.Contains(err.Error(), "lists no users") {
		t.Fatal(err)
	}
	if _, err := readUserFile(filepath.Join(t.TempDir(), "missing.csv"), "", nil); err == nil {
		t.Fatal("missing file")
	}
}

// TestCreateUserFile: per-line rows (created, already exists, failed),
// exit error when a line failed, every line checked before any write,
// and an idempotent rerun.
func TestCreateUserFile(t *testing.T) {
	f := newFakeCreator(t)
	p := writeFile(t, "email,name,node\nnew@fixture.test,New Person,Berlin\nben@fixture.test\nrefused@other.test,,Europe\n")
	f.code = func(u *pb.EnterpriseUsersProvision) string {
		if strings.HasSuffix(u.Username, "other.test") {
			return "domain_not_reserved"
		}
		return ""
	}
	out, _, err := runCreate(t, f, "create-user --file "+p+" --format json")
	if err == nil || !strings.Contains(err.Error(), "1 of 3 users failed") {
		t.Fatalf("got %v", err)
	}
	var rows []createUserJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("%v %s", err, out)
	}
	if rows[0].Status != "created" || *rows[0].UserID != id(1000) || rows[0].RecordUID == "" ||
		rows[1].Status != "already exists" || *rows[1].UserID != id(12) || rows[1].RecordUID != "" ||
		rows[2].Status != "failed" || rows[2].UserID != nil || rows[2].RecordUID == "" ||
		!strings.Contains(rows[2].Message, "reserved domains") || strings.Contains(rows[2].Message, "\n") {
		t.Fatalf("rows %+v", rows)
	}
	if f.provisioned[0].NodeId != id(4) || f.provisioned[1].NodeId != id(3) {
		t.Fatal("nodes")
	}
	// Rerun after the domain was reserved: nobody twice.
	f.code, f.log = nil, nil
	out, _, err = runCreate(t, f, "create-user --file "+p+" --format csv")
	if err != nil {
		t.Fatal(err)
	}
	if f.count("enterprise/enterprise_user_provision") != 1 || f.count("vault/records_add") != 0 || len(f.vs.Records()) != 2 {
		t.Fatalf("rerun calls %q", f.log)
	}
	csvLines := strings.Split(strings.TrimSpace(strings.ReplaceAll(out, "\r\n", "\n")), "\n")
	if len(csvLines) != 4 || csvLines[0] != "Email,Status,User ID,Record UID,Message" ||
		!strings.HasPrefix(csvLines[1], "new@fixture.test,already exists,") || !strings.HasPrefix(csvLines[3], "refused@other.test,created,") {
		t.Fatalf("csv:\n%s", out)
	}
	// A bad node fails the file before any write, naming the line.
	f.log = nil
	p = writeFile(t, "x@fixture.test,,Nowhere\n")
	_, _, err = runCreate(t, f, "create-user --file "+p)
	if err == nil || !strings.Contains(err.Error(), p+`:1: node "Nowhere" not found`) || len(f.log) != 0 {
		t.Fatalf("%v %q", err, f.log)
	}
}

// TestCreateUserFileProgress: the progress bar is drawn on stderr only
// when it is a terminal.
func TestCreateUserFileProgress(t *testing.T) {
	for _, tty := range []bool{false, true} {
		f := newFakeCreator(t)
		p := writeFile(t, "a@fixture.test\nb@fixture.test\n")
		var out, errOut bytes.Buffer
		o := &createUserOptions{Source: f, Status: func(string, ...any) {}, File: p, Iterations: testIterations}
		o.bind(&command.Env{In: strings.NewReader(""), Out: &out, Err: &errOut, StderrTTY: tty}, nil)
		if err := createUserRun(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(errOut.String(), "Creating users"); got != tty {
			t.Fatalf("tty=%v stderr %q", tty, errOut.String())
		}
		if !strings.Contains(out.String(), "a@fixture.test") || !strings.Contains(out.String(), "b@fixture.test") {
			t.Fatalf("table:\n%s", out.String())
		}
	}
}

// TestCreateUserReusesRecord: an existing credential record is the
// idempotency key: reused with its password, or updated when another
// password is given; a second record of that title or a legacy record
// stops the user before any account is requested.
func TestCreateUserReusesRecord(t *testing.T) {
	f := newFakeCreator(t)
	uid := f.vs.AddTyped(vault.NewLogin("Keeper Account: pw@fixture.test", "pw@fixture.test", "Old-Pw-1", "", ""), "")
	f.vs.AddTyped(vault.NewLogin("New source", "x", "New-Pw-2", "", ""), "")
	if _, _, err := runCreate(t, f, "create-user pw@fixture.test --password-record 'New source'"); err != nil {
		t.Fatal(err)
	}
	if f.count("vault/records_add") != 0 || f.count("vault/records_update") != 2 ||
		field(t, stored(t, f, uid), "password") != "New-Pw-2" {
		t.Fatalf("calls %q", f.log)
	}
	checkProvision(t, f, f.provisioned[0], "New-Pw-2")

	f = newFakeCreator(t)
	a := f.vs.AddTyped(vault.NewLogin("Keeper Account: two@fixture.test", "", "a", "", ""), "")
	b := f.vs.AddTyped(vault.NewLogin("keeper account: TWO@fixture.test", "", "b", "", ""), "")
	f.vs.AddLegacy("Keeper Account: leg@fixture.test", "leg", "p", "")
	_, _, err := runCreate(t, f, "create-user two@fixture.test")
	if err == nil || !strings.Contains(err.Error(), "more than one record") || !strings.Contains(err.Error(), a) ||
		!strings.Contains(err.Error(), b) {
		t.Fatalf("duplicates: %v", err)
	}
	_, _, err = runCreate(t, f, "create-user leg@fixture.test")
	if err == nil || !strings.Contains(err.Error(), "not a typed login record") || len(f.provisioned) != 0 {
		t.Fatalf("legacy: %v", err)
	}
}

// TestCreateUserFileCancelled: a cancelled run prints the rows it has,
// marks the users it did not reach, and ends as cancelled.
func TestCreateUserFileCancelled(t *testing.T) {
	f := newFakeCreator(t)
	p := writeFile(t, "a@fixture.test\nb@fixture.test\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	o := &createUserOptions{Source: &cancelOnRefresh{f, cancel}, Status: func(string, ...any) {}, File: p, Iterations: testIterations}
	o.bind(&command.Env{In: strings.NewReader(""), Out: &out, Err: &bytes.Buffer{}}, nil)
	o.Report.Format = "json"
	err := createUserRun(ctx, o)
	var rows []createUserJSON
	if !errors.Is(err, context.Canceled) || json.Unmarshal(out.Bytes(), &rows) != nil || len(rows) != 2 {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if rows[0].Status != "created" || rows[1].Status != "failed" || !strings.Contains(rows[1].Message, "not attempted") ||
		len(f.provisioned) != 1 {
		t.Fatalf("rows %+v", rows)
	}
}

type cancelOnRefresh struct {
	*fakeCreator
	cancel func()
}

func (c *cancelOnRefresh) Refresh(ctx context.Context) error {
	defer c.cancel()
	return c.fakeCreator.Refresh(ctx)
}
