package commands

import (
	"context"
	"crypto/ecdh"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

var (
	_ enterpriseWriter = (*fakeEnterprise)(nil)
	_ restCaller       = (*fakeEnterprise)(nil)
)

// testKeys are users' key pairs for the key-encryption tests: one RSA key
// (slow to make, so made once) and one EC key.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, *ecdh.PrivateKey) {
	r, err := crypto.GenerateRSAKey()
	if err != nil {
		panic(err)
	}
	e, err := crypto.GenerateECKey()
	if err != nil {
		panic(err)
	}
	return r, e
})

// euFixture is demoEnterprise plus what enterprise-user needs: Carl, an
// active user with an EC key only; Dora, locked; the Helpdesk team key;
// an alias of Anna. Anna and Admin have the RSA test key.
func euFixture() *enterprise.Enterprise {
	e := basicEnterprise()
	e.Users[id(13)] = &enterprise.User{User: &pb.User{EnterpriseUserId: id(13), NodeId: id(3), Username: "carl@fixture.test",
		Status: "active", KeyType: "encrypted_by_data_key", EncryptedData: "stored-carl"}, Name: "Carl"}
	e.Users[id(14)] = &enterprise.User{User: &pb.User{EnterpriseUserId: id(14), NodeId: id(2), Username: "dora@fixture.test",
		Status: "active", Lock: 1}, Name: "Dora"}
	e.Users[id(11)].EncryptedData, e.Users[id(11)].KeyType = "stored-anna", "encrypted_by_data_key"
	enc, err := crypto.EncryptAESv2(teamKeyBytes, e.TreeKey)
	if err != nil {
		panic(err)
	}
	e.Teams["MDEyMzQ1Njc4OWFiY2RlZg"].EncryptedTeamKey = crypto.Base64URLEncode(enc)
	e.UserAliases = []*pb.UserAlias{{EnterpriseUserId: id(11), Username: "anna@fixture.test"},
		{EnterpriseUserId: id(11), Username: "a.b@fixture.test"}}
	return e
}

var teamKeyBytes = []byte("team-key-0123456789abcdef-012345")

// keyServer answers vault/get_public_keys: Anna and Admin have the RSA test
// key (and an EC key), Carl the EC key only, everybody else no keys.
func keyServer(endpoint string, req, resp proto.Message) error {
	if endpoint != "vault/get_public_keys" {
		return nil
	}
	rsaKey, ecKey := testKeys()
	out := resp.(*authpb.GetPublicKeysResponse)
	for _, u := range req.(*authpb.GetPublicKeysRequest).Usernames {
		k := &authpb.PublicKeyResponse{Username: u}
		switch u {
		case "anna@fixture.test", "admin@fixture.test":
			k.PublicKey, k.PublicEccKey = crypto.RSAPublicKeyBytes(&rsaKey.PublicKey), crypto.ECPublicKeyBytes(ecKey.PublicKey())
		case "carl@fixture.test":
			k.PublicEccKey = crypto.ECPublicKeyBytes(ecKey.PublicKey())
		default:
			k.ErrorCode, k.Message = "no_public_key", "no key"
		}
		out.KeyResponses = append(out.KeyResponses, k)
	}
	return nil
}

// euRun runs an enterprise-user line against f; status lines go to stderr
// with the failures, and ask (nil: no terminal) answers confirmations.
func euRun(t *testing.T, f *fakeEnterprise, ask confirmer, line string) (string, string, error) {
	t.Helper()
	return runLine(t, newEnterpriseUserCmd(&Factory{}, func(ctx context.Context, o *euOptions) error {
		o.Writer, o.Rest, o.Confirm = f, f, ask
		o.Status = func(format string, a ...any) { fmt.Fprintf(o.Env.Err, format+"\n", a...) }
		o.Now = func() time.Time { return time.UnixMilli(1_700_000_000_000) }
		return enterpriseUserRun(ctx, o)
	}), line)
}

func newFake() *fakeEnterprise { return &fakeEnterprise{e: euFixture(), callFn: keyServer} }

// noWrites fails the test if f saw any write or REST call.
func noWrites(t *testing.T, f *fakeEnterprise) {
	t.Helper()
	if len(f.executed) > 0 || f.batches > 0 || len(f.allocs) > 0 || len(f.calls) > 0 || f.synced > 0 {
		t.Fatalf("unexpected server writes: executed %v, allocs %v, calls %v", f.executed, f.allocs, f.calls)
	}
}

func wantCmds(t *testing.T, f *fakeEnterprise, want ...rest.Command) {
	t.Helper()
	if !reflect.DeepEqual(f.executed, want) {
		t.Fatalf("executed\n got %#v\nwant %#v", f.executed, want)
	}
	if len(want) > 0 && f.batches != 1 {
		t.Fatalf("%d batches, want one", f.batches)
	}
}

func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("output lacks line %q:\n%s", l, out)
		}
	}
}

func decryptData(t *testing.T, e *enterprise.Enterprise, data string) string {
	t.Helper()
	b, err := crypto.Base64URLDecode(data)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := crypto.DecryptAESv1(b, e.TreeKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(plain)
}

func TestEnterpriseUserFlags(t *testing.T) {
	build := func(runF func(context.Context, *euOptions) error) *command.Command {
		return newEnterpriseUserCmd(noFactory, runF)
	}
	o, err := capture(t, build, "eu a@x.test b@x.test --add --name 'John Smith' --node Europe --job-title CTO")
	if err != nil || !o.Add || o.Name != "John Smith" || o.Node != "Europe" || o.JobTitle != "CTO" ||
		!reflect.DeepEqual(o.Args, []string{"a@x.test", "b@x.test"}) {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = capture(t, build, "enterprise-user a@x.test --add-role R1 --add-role 'R 2' --remove-role R3 --add-team T -hsf on --remove-team U -f -v")
	if err != nil || !reflect.DeepEqual(o.AddRoles, []string{"R1", "R 2"}) || !reflect.DeepEqual(o.RemoveRoles, []string{"R3"}) ||
		!reflect.DeepEqual(o.AddTeams, []string{"T"}) || !reflect.DeepEqual(o.RemoveTeams, []string{"U"}) ||
		o.HideSharedFolders != "on" || !o.Force || !o.Verbose {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = capture(t, build, "eu 42 --invite --delete --lock --unlock --expire --extend --disable-2fa --add-alias x@y.test --delete-alias z@y.test --format json")
	if err != nil || !o.Invite || !o.Delete || !o.Lock || !o.Unlock || !o.Expire || !o.Extend || !o.TFA ||
		o.AddAlias != "x@y.test" || o.DeleteAlias != "z@y.test" || o.Format != "json" {
		t.Fatalf("%+v %v", o, err)
	}
	if o, err = capture(t, build, "eu a@x.test --hide-shared-folders=off --add-team T"); err != nil || o.HideSharedFolders != "off" {
		t.Fatalf("%+v %v", o, err)
	}
	for line, want := range map[string]string{
		"eu a@x.test --name ''":     "--name needs a non-empty value",
		"eu a@x.test --node ''":     "--node needs a non-empty value",
		"eu a@x.test --add-role ''": "--add-role needs a non-empty value",
		"eu a@x.test -hsf ''":       "--hide-shared-folders needs a non-empty value",
		"eu a@x.test --bogus":       "unknown flag: --bogus",
	} {
		_, err := capture(t, build, line)
		usageErr(t, err, want)
	}
}

// TestEnterpriseUserValidation: every bad invocation is a usage error
// before the enterprise is even loaded.
func TestEnterpriseUserValidation(t *testing.T) {
	long := strings.Repeat("n", 256)
	for line, want := range map[string]string{
		"eu a@x.test --add --delete":                               "--add and --delete are mutually exclusive",
		"eu a@x.test --invite --delete":                            "--add and --delete are mutually exclusive",
		"eu a@x.test --lock --unlock":                              "--lock and --unlock are mutually exclusive",
		"eu a@x.test --add --lock":                                 "--add takes only --name, --node and --job-title, not --lock",
		"eu a@x.test --add --add-role R":                           "not --add-role",
		"eu a@x.test --delete --lock":                              "--delete cannot be combined with other changes",
		"eu a@x.test --delete --name N":                            "--delete cannot be combined",
		"eu a@x.test --add-alias b@x.test --delete-alias c@x.test": "mutually exclusive",
		"eu a@x.test --add-alias b@x.test --lock":                  "cannot be combined with other changes",
		"eu a@x.test --delete-alias b@x.test --name N":             "cannot be combined with other changes",
		"eu a@x.test b@x.test --add-alias c@x.test":                "a single user only",
		"eu a@x.test --add-alias not-an-email":                     `--add-alias: "not-an-email" is not a valid email address`,
		"eu a@x.test -hsf on":                                      "--hide-shared-folders applies to --add-team only",
		"eu a@x.test -hsf maybe --add-team T":                      `takes on or off, not "maybe"`,
		"eu a@x.test --format xml":                                 `--format must be table, csv or json, not "xml"`,
		"eu a@x.test --format json --lock":                         "--format applies to the detail view and to --add --file only",
		"eu a@x.test --format json --add":                          "--format applies to the detail view and to --add --file only",
		"eu a@x.test --format csv":                                 "--format csv applies to --add --file only",
		"eu":                                                       "expected EMAIL... or --file FILE",
		"eu --add":                                                 "expected EMAIL... or --file FILE",
		"eu a@x.test --add --file users.txt":                       "give EMAIL... or --file FILE, not both",
		"eu --file users.txt":                                      "--file needs an action",
		"eu --file users.txt --add-alias b@x.test":                 "apply to a single user, not to --file",
		"eu --file users.txt --add --name N":                       "with --file put the names in the file",
		"eu a@x.test --add --resend":                               "--resend applies to --add --file",
		"eu --file users.txt --lock --resend":                      "--resend applies to --add --file",
		"eu a@x.test --add --output out.csv":                       "--output applies to --add --file only",
		"eu --file users.txt --lock --format csv":                  "--format csv applies to --add --file only",
		"eu a@x.test --name " + long:                               "--name is 256 characters; the maximum is 255",
		"eu @all":                                                  "@all can be used only with --unlock and --extend",
		"eu @all --lock":                                           "@all can be used only",
		"eu @ALL --unlock --expire":                                "@all can be used only",
		"eu @all --add":                                            "@all can be used only",
		"eu @all --extend --name N":                                "@all can be used only",
		"eu 'john smith@x.test' --add":                             `"john smith@x.test" is not a valid email address`,
		"eu ok@x.test john@ --add":                                 `"john@" is not a valid email address`,
		"eu john@x --add":                                          `"john@x" is not a valid email address`,
		"eu a@b@x.test --add":                                      "not a valid email address",
		"eu a..b@x.test --add":                                     "not a valid email address",
		"eu 'John <j@x.test>' --add":                               "not a valid email address",
		"eu j@x.123 --add":                                         "not a valid email address",
		"eu a@x.test b@x.test A@X.TEST --add":                      `"A@X.TEST" is given more than once`,
	} {
		f := newFake()
		_, _, err := euRun(t, f, yes, line)
		usageErr(t, err, want)
		if f.loads > 0 {
			t.Errorf("%s: the enterprise was loaded before the usage error", line)
		}
		noWrites(t, f)
	}
}

func TestValidEmail(t *testing.T) {
	for _, s := range []string{"a@x.io", "John.Smith+tag@Example.COM", "o'brien@mail.example.co.uk", "x_y-z@sub-domain.example.org",
		"a@xn--p1ai.xn--p1ai", "#!$%&'*+-/=?^_`{}|~@example.com"} {
		if !validEmail(s) {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{"", "a", "@x.io", "a@", "a@x", "a@.x.io", "a@x.io.", "a.@x.io", ".a@x.io", "a..b@x.io",
		"a b@x.io", "a@x y.io", "a@-x.io", "a@x-.io", "a@x.i", "a@1.2.3.4", "a@[1.2.3.4]", `"a"@x.io`, "a@b@x.io",
		"José@x.io", "a@bücher.de", "A <a@x.io>", "a@x.io\n", strings.Repeat("l", 65) + "@x.io",
		"a@" + strings.Repeat("d", 64) + ".io", "a@" + strings.Repeat("d.", 126) + "io"} {
		if validEmail(s) {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestEnterpriseUserInvite(t *testing.T) {
	f := newFake()
	_, errOut, err := euRun(t, f, nil, "eu Carl.New@Example.test dora.new@example.test ben@fixture.test admin@fixture.test a.b@fixture.test "+
		"--add --name 'New Person' --node Berlin --job-title Engineer")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !reflect.DeepEqual(f.allocN, []int{2}) {
		t.Fatalf("allocations %v, want one of 2", f.allocN)
	}
	if len(f.executed) != 3 {
		t.Fatalf("executed %#v", f.executed)
	}
	add1, add2 := f.executed[0].(enterprise.UserAdd), f.executed[1].(enterprise.UserAdd)
	if add1.EnterpriseUserID != id(1000) || add1.Username != "carl.new@example.test" || add1.NodeID != id(4) || add1.JobTitle != "Engineer" ||
		add1.FullName != "" || add1.SuppressEmailInvite || add2.EnterpriseUserID != id(1001) || add2.Username != "dora.new@example.test" {
		t.Fatalf("adds %+v %+v", add1, add2)
	}
	if got := decryptData(t, f.e, add1.EncryptedData); got != `{"displayname":"New Person"}` {
		t.Fatalf("encrypted_data %s", got)
	}
	wantCmds(t, f, add1, add2, enterprise.ResendInvite{EnterpriseUserID: id(12)})
	wantLines(t, errOut,
		fmt.Sprintf("carl.new@example.test user invited with Enterprise User ID : %d", id(1000)),
		fmt.Sprintf("dora.new@example.test user invited with Enterprise User ID : %d", id(1001)),
		"Invitation has been re-sent to ben@fixture.test",
		"admin@fixture.test is already a member of the enterprise",
		"a.b@fixture.test is already a member of the enterprise (an alias of anna@fixture.test)")

	// Without --name: {} and the root node; no job_title.
	f = newFake()
	if _, _, err := euRun(t, f, nil, "eu new@example.test --invite"); err != nil {
		t.Fatal(err)
	}
	add := f.executed[0].(enterprise.UserAdd)
	if add.NodeID != id(2) || add.JobTitle != "" || decryptData(t, f.e, add.EncryptedData) != "{}" {
		t.Fatalf("%+v", add)
	}
	b, _ := json.Marshal(add)
	if strings.Contains(string(b), "job_title") || strings.Contains(string(b), "full_name") {
		t.Fatalf("optional fields sent: %s", b)
	}

	// Only existing users: no allocation; an id resolves too.
	f = newFake()
	if _, _, err := euRun(t, f, nil, fmt.Sprintf("eu %d --add", id(12))); err != nil {
		t.Fatal(err)
	}
	if len(f.allocs) != 0 {
		t.Fatalf("allocated %v for no new user", f.allocs)
	}
	wantCmds(t, f, enterprise.ResendInvite{EnterpriseUserID: id(12)})

	// Active members only: nothing sent, not an error.
	f = newFake()
	if _, errOut, err := euRun(t, f, nil, "eu admin@fixture.test --add"); err != nil || !strings.Contains(errOut, "already a member") {
		t.Fatalf("%v %q", err, errOut)
	}
	noWrites(t, f)
}

func TestEnterpriseUserInviteFailures(t *testing.T) {
	f := newFake()
	f.results = func(c rest.Command) rest.BatchResult {
		if a, ok := c.(enterprise.UserAdd); ok && a.Username == "bad@example.test" {
			return rest.BatchResult{Result: "error", ResultCode: "invalid", Message: "max=64, length=70, value=xyz; more detail"}
		}
		if _, ok := c.(enterprise.ResendInvite); ok {
			return rest.BatchResult{Result: "error", ResultCode: "not_invited", Message: "user is active; details"}
		}
		return rest.BatchResult{Result: "success"}
	}
	_, errOut, err := euRun(t, f, nil, "eu good@example.test bad@example.test ben@fixture.test --add")
	var fail *euFailure
	var api *rest.APIError
	if !errors.As(err, &fail) || fail.failed != 2 || fail.total != 3 || !errors.As(err, &api) || api.Code != "invalid" {
		t.Fatalf("got %v", err)
	}
	if err.Error() != "enterprise-user: 2 of 3 changes failed" {
		t.Fatalf("message %q", err)
	}
	wantLines(t, errOut, "bad@example.test failed to invite user: value is 70 characters but the maximum allowed is 64",
		"Failed to re-send invitation to ben@fixture.test: user is active; details")

	// A node that does not resolve, or is ambiguous, stops the call before
	// ids are allocated.
	f = newFake()
	_, _, err = euRun(t, f, nil, "eu new@example.test --add --node Nowhere")
	var nf *enterprise.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)
	f = newFake()
	f.e.Nodes[id(5)] = &enterprise.Node{Node: &pb.Node{NodeId: id(5), ParentId: id(2)}, Name: "berlin"}
	_, _, err = euRun(t, f, nil, "eu new@example.test --add --node Berlin")
	var amb *enterprise.AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(err.Error(), `Fixture MSP\berlin`) || !strings.Contains(err.Error(), `Fixture MSP\Europe\Berlin`) {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)

	// An id that is not a user.
	f = newFake()
	if _, _, err := euRun(t, f, nil, "eu 999 --add"); !errors.As(err, &nf) {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)

	// A transport failure mid-batch: the answered results are reported and
	// the failure returned.
	f = newFake()
	f.answer, f.execErr = 1, errors.New("connection reset")
	_, errOut, err = euRun(t, f, nil, "eu one@example.test two@example.test --add")
	if err == nil || err.Error() != "connection reset" || !strings.Contains(errOut, "one@example.test user invited") ||
		strings.Contains(errOut, "two@example.test") {
		t.Fatalf("%v\n%s", err, errOut)
	}
}

func TestEnterpriseUserDelete(t *testing.T) {
	f := newFake()
	_, _, err := euRun(t, f, nil, "eu anna@fixture.test --delete")
	usageErr(t, err, "add -f/--force")
	noWrites(t, f)

	var asked string
	no := func(_ context.Context, p string) (bool, error) { asked = p; return false, nil }
	f = newFake()
	_, errOut, err := euRun(t, f, no, "eu anna@fixture.test ben@fixture.test --delete")
	if err != nil || !strings.Contains(asked, "Delete anna@fixture.test, ben@fixture.test?") || !strings.Contains(errOut, "Nothing was deleted") {
		t.Fatalf("%v %q %q", err, asked, errOut)
	}
	noWrites(t, f)

	f = newFake()
	_, errOut, err = euRun(t, f, yes, "eu anna@fixture.test --delete")
	if err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.UserDelete{EnterpriseUserID: id(11)})
	wantLines(t, errOut, "anna@fixture.test user deleted")

	f = newFake()
	if _, _, err := euRun(t, f, nil, "eu anna@fixture.test -f --delete"); err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.UserDelete{EnterpriseUserID: id(11)})

	// One unknown user stops the whole call.
	f = newFake()
	_, _, err = euRun(t, f, yes, "eu anna@fixture.test nobody@fixture.test --delete")
	var nf *enterprise.NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "nobody@fixture.test") {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)
}

func TestEnterpriseUserLock(t *testing.T) {
	f := newFake()
	_, errOut, err := euRun(t, f, nil, "eu anna@fixture.test ben@fixture.test --lock")
	var fail *euFailure
	if !errors.As(err, &fail) || fail.failed != 1 || fail.total != 2 || !errors.Is(err, errNotActive) {
		t.Fatalf("got %v", err)
	}
	wantCmds(t, f, enterprise.UserLock{EnterpriseUserID: id(11), Lock: "locked"})
	wantLines(t, errOut, "anna@fixture.test is locked", "ben@fixture.test has not accepted the invitation yet: cannot lock")

	// @all unlocks the users locked by an admin only (not by the IdP).
	f = newFake()
	f.e.Users[id(10)].Lock = 2
	_, errOut, err = euRun(t, f, nil, "eu @all --unlock")
	if err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.UserLock{EnterpriseUserID: id(14), Lock: "unlocked"})
	wantLines(t, errOut, "dora@fixture.test is unlocked")

	// @all plus a named user.
	f = newFake()
	if _, _, err := euRun(t, f, nil, "eu anna@fixture.test @all --unlock"); err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.UserLock{EnterpriseUserID: id(11), Lock: "unlocked"}, enterprise.UserLock{EnterpriseUserID: id(14), Lock: "unlocked"})

	f = newFake()
	f.e.Users[id(14)].Lock = 0
	if _, errOut, err := euRun(t, f, nil, "eu @all --unlock"); err != nil || !strings.Contains(errOut, "@all: no user is locked") {
		t.Fatalf("%v %q", err, errOut)
	}
	noWrites(t, f)
}

func TestEnterpriseUserExpireExtend(t *testing.T) {
	f := newFake()
	_, _, err := euRun(t, f, nil, "eu anna@fixture.test --expire")
	usageErr(t, err, "add -f/--force")
	noWrites(t, f)

	// Several actions: one batch, in Commander's order.
	f = newFake()
	_, errOut, err := euRun(t, f, nil, "eu anna@fixture.test --extend --expire --lock -f")
	if err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.UserLock{EnterpriseUserID: id(11), Lock: "locked"}, enterprise.ExpirePassword{Email: "anna@fixture.test"},
		enterprise.ExtendShareExpiration{EnterpriseUserID: id(11)})
	wantLines(t, errOut, "anna@fixture.test password expired", "anna@fixture.test vault transfer consent expiration extended by 7 days")

	// A declined --expire skips it and keeps the other changes.
	f = newFake()
	if _, errOut, err := euRun(t, f, func(context.Context, string) (bool, error) { return false, nil },
		"eu anna@fixture.test --expire --extend"); err != nil || !strings.Contains(errOut, "--expire skipped") {
		t.Fatalf("%v %q", err, errOut)
	}
	wantCmds(t, f, enterprise.ExtendShareExpiration{EnterpriseUserID: id(11)})

	// @all --extend: expired consents only (the clock is 1.7e12 ms).
	f = newFake()
	f.e.Users[id(10)].AccountShareExpiration = 1_600_000_000_000
	f.e.Users[id(11)].AccountShareExpiration = 1_800_000_000_000
	if _, _, err := euRun(t, f, nil, "eu @all --extend"); err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.ExtendShareExpiration{EnterpriseUserID: id(10)})
}

func TestEnterpriseUserDisable2FA(t *testing.T) {
	f := newFake()
	_, errOut, err := euRun(t, f, nil, "eu anna@fixture.test carl@fixture.test ben@fixture.test --disable-2fa")
	var fail *euFailure
	if !errors.As(err, &fail) || fail.failed != 1 || fail.total != 3 {
		t.Fatalf("got %v", err)
	}
	if len(f.calls) != 1 || f.calls[0].Endpoint != "enterprise/disable_two_fa" ||
		!reflect.DeepEqual(f.calls[0].Rq.(*pb.EnterpriseUserIds).EnterpriseUserId, []int64{id(11), id(13)}) || f.synced != 1 {
		t.Fatalf("calls %+v, synced %d", f.calls, f.synced)
	}
	wantCmds(t, f)
	wantLines(t, errOut, "2FA successfully removed for anna@fixture.test, carl@fixture.test",
		"ben@fixture.test has not accepted the invitation yet: cannot disable 2FA")

	f = newFake()
	f.callFn = func(string, proto.Message, proto.Message) error { return &rest.APIError{Code: "access_denied"} }
	_, errOut, err = euRun(t, f, nil, "eu anna@fixture.test --disable-2fa")
	var api *rest.APIError
	if !errors.As(err, &api) || f.synced != 0 || !strings.Contains(errOut, "failed to disable 2FA for anna@fixture.test") {
		t.Fatalf("%v %q", err, errOut)
	}
}

func TestEnterpriseUserRoles(t *testing.T) {
	rsaKey, ecKey := testKeys()

	// Keeper Administrator manages the root: the tree key goes to each user,
	// RSA-encrypted when the user has an RSA key, EC-encrypted otherwise.
	f := newFake()
	_, errOut, err := euRun(t, f, nil, "eu anna@fixture.test carl@fixture.test admin@fixture.test --add-role 'keeper ADMINISTRATOR' -f")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if len(f.calls) != 1 || f.calls[0].Endpoint != "vault/get_public_keys" ||
		!reflect.DeepEqual(f.calls[0].Rq.(*authpb.GetPublicKeysRequest).Usernames, []string{"anna@fixture.test", "carl@fixture.test"}) {
		t.Fatalf("key calls %+v", f.calls)
	}
	if len(f.executed) != 2 {
		t.Fatalf("executed %#v", f.executed)
	}
	anna, carl := f.executed[0].(enterprise.RoleUserAdd), f.executed[1].(enterprise.RoleUserAdd)
	if anna.RoleID != id(20) || anna.EnterpriseUserID != id(11) || anna.TreeKeyType != "encrypted_by_public_key" ||
		carl.EnterpriseUserID != id(13) || carl.TreeKeyType != "encrypted_by_public_key_ecc" || anna.RoleAdminKey != "" {
		t.Fatalf("%+v %+v", anna, carl)
	}
	b, _ := crypto.Base64URLDecode(anna.TreeKey)
	if k, err := crypto.DecryptRSA(b, rsaKey); err != nil || string(k) != string(f.e.TreeKey) {
		t.Fatalf("anna's tree key: %v", err)
	}
	b, _ = crypto.Base64URLDecode(carl.TreeKey)
	if k, err := crypto.DecryptEC(b, ecKey); err != nil || string(k) != string(f.e.TreeKey) {
		t.Fatalf("carl's tree key: %v", err)
	}
	wantLines(t, errOut, "anna@fixture.test added to role 'Keeper Administrator'", "admin@fixture.test is already in role 'Keeper Administrator'")

	// An admin role needs a confirmation (or -f); without a terminal it is refused.
	f = newFake()
	_, _, err = euRun(t, f, nil, "eu anna@fixture.test --add-role 'Keeper Administrator'")
	usageErr(t, err, "add -f/--force")
	noWrites(t, f)
	var asked string
	f = newFake()
	if _, _, err := euRun(t, f, func(_ context.Context, p string) (bool, error) { asked = p; return true, nil },
		"eu anna@fixture.test --add-role 'Keeper Administrator'"); err != nil || len(f.executed) != 1 ||
		!strings.Contains(asked, "Grant its administrative privileges to anna@fixture.test?") {
		t.Fatalf("%v %q %#v", err, asked, f.executed)
	}

	// A user without public keys cannot get an admin role.
	f = newFake()
	_, errOut, err = euRun(t, f, nil, "eu ben@fixture.test --add-role 'Keeper Administrator' -f")
	if !errors.Is(err, errNoPublicKey) || !strings.Contains(errOut, "ben@fixture.test cannot be added to administrative role 'Keeper Administrator'") {
		t.Fatalf("%v %q", err, errOut)
	}
	wantCmds(t, f)

	// A plain role: no keys, no key call.
	f = newFake()
	if _, _, err := euRun(t, f, nil, fmt.Sprintf("eu admin@fixture.test --add-role staff --remove-role %d", id(20))); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 0 {
		t.Fatalf("calls %+v", f.calls)
	}
	wantCmds(t, f, enterprise.RoleUserRemove{RoleID: id(20), EnterpriseUserID: id(10)}, enterprise.RoleUserAdd{RoleID: id(21), EnterpriseUserID: id(10)})

	// Already in / not in the role: noted, not sent, not a failure.
	f = newFake()
	_, errOut, err = euRun(t, f, nil, "eu anna@fixture.test --add-role Staff --remove-role 'Keeper Administrator'")
	if err != nil {
		t.Fatal(err)
	}
	noWrites(t, f)
	wantLines(t, errOut, "anna@fixture.test is already in role 'Staff'", "anna@fixture.test is not in role 'Keeper Administrator'")

	// Names: case-insensitive, unambiguous; otherwise an error naming the candidates.
	f = newFake()
	f.e.Roles[id(22)] = &enterprise.Role{Role: &pb.Role{RoleId: id(22), NodeId: id(4)}, Name: "STAFF"}
	_, _, err = euRun(t, f, nil, "eu admin@fixture.test --add-role staff")
	var amb *enterprise.AmbiguousError
	if !errors.As(err, &amb) || !reflect.DeepEqual(amb.Candidates, []string{fmt.Sprintf("STAFF (%d)", id(22)), fmt.Sprintf("Staff (%d)", id(21))}) {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)
	f = newFake()
	_, _, err = euRun(t, f, nil, "eu admin@fixture.test --add-role Nobody")
	var nf *enterprise.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)
	f = newFake()
	_, _, err = euRun(t, f, nil, fmt.Sprintf("eu admin@fixture.test --add-role Staff --remove-role %d", id(21)))
	usageErr(t, err, `role "Staff" is both added and removed`)
	noWrites(t, f)
}

func TestEnterpriseUserTeams(t *testing.T) {
	rsaKey, ecKey := testKeys()
	const uid = "MDEyMzQ1Njc4OWFiY2RlZg"

	f := newFake()
	_, errOut, err := euRun(t, f, nil, "eu admin@fixture.test carl@fixture.test ben@fixture.test anna@fixture.test --add-team HELPDESK -hsf on")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if len(f.calls) != 1 || !reflect.DeepEqual(f.calls[0].Rq.(*authpb.GetPublicKeysRequest).Usernames,
		[]string{"admin@fixture.test", "carl@fixture.test"}) {
		t.Fatalf("key calls %+v", f.calls)
	}
	if len(f.executed) != 4 {
		t.Fatalf("executed %#v", f.executed)
	}
	admin, carl := f.executed[0].(enterprise.TeamUserAdd), f.executed[1].(enterprise.TeamUserAdd)
	if admin.TeamUID != uid || admin.EnterpriseUserID != id(10) || admin.UserType != 2 || admin.TeamKeyType != "encrypted_by_public_key" ||
		carl.EnterpriseUserID != id(13) || carl.UserType != 2 || carl.TeamKeyType != "encrypted_by_public_key_ecc" {
		t.Fatalf("%+v %+v", admin, carl)
	}
	b, _ := crypto.Base64URLDecode(admin.TeamKey)
	if k, err := crypto.DecryptRSA(b, rsaKey); err != nil || string(k) != string(teamKeyBytes) {
		t.Fatalf("admin's team key: %v", err)
	}
	b, _ = crypto.Base64URLDecode(carl.TeamKey)
	if k, err := crypto.DecryptEC(b, ecKey); err != nil || string(k) != string(teamKeyBytes) {
		t.Fatalf("carl's team key: %v", err)
	}
	if !reflect.DeepEqual(f.executed[2:], []rest.Command{enterprise.TeamQueueUser{TeamUID: uid, EnterpriseUserID: id(12)},
		enterprise.TeamUserUpdate{TeamUID: uid, EnterpriseUserID: id(11), UserType: 2}}) {
		t.Fatalf("executed %#v", f.executed[2:])
	}
	wantLines(t, errOut, "admin@fixture.test added to team 'Helpdesk'",
		"ben@fixture.test added to team 'Helpdesk' (queued until the invitation is accepted)",
		"anna@fixture.test in team 'Helpdesk': shared folders hidden")

	// Without -hsf: user_type 0; members and queued users are noted.
	f = newFake()
	queueUsers(f.e, uid, id(12))
	_, errOut, err = euRun(t, f, nil, "eu carl@fixture.test anna@fixture.test ben@fixture.test --add-team "+uid)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.executed) != 1 || f.executed[0].(enterprise.TeamUserAdd).UserType != 0 {
		t.Fatalf("executed %#v", f.executed)
	}
	wantLines(t, errOut, "anna@fixture.test is already in team 'Helpdesk'", "ben@fixture.test is already queued for team 'Helpdesk'")

	// Removal: members and queued users; others noted.
	f = newFake()
	queueUsers(f.e, uid, id(12))
	_, errOut, err = euRun(t, f, nil, "eu anna@fixture.test ben@fixture.test admin@fixture.test --remove-team Helpdesk")
	if err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.TeamUserRemove{TeamUID: uid, EnterpriseUserID: id(11)}, enterprise.TeamUserRemove{TeamUID: uid, EnterpriseUserID: id(12)})
	wantLines(t, errOut, "anna@fixture.test removed from team 'Helpdesk'", "admin@fixture.test is not in team 'Helpdesk'")

	// No team key, or no user key: that user fails, the others go on.
	f = newFake()
	f.e.Teams[uid].EncryptedTeamKey = ""
	_, errOut, err = euRun(t, f, nil, "eu carl@fixture.test --add-team Helpdesk")
	var fail *euFailure
	if !errors.As(err, &fail) || !strings.Contains(errOut, `carl@fixture.test failed to add to team 'Helpdesk': the key of team "Helpdesk" is not available`) {
		t.Fatalf("%v %q", err, errOut)
	}
	wantCmds(t, f)
	f = newFake()
	f.callFn = func(endpoint string, req, resp proto.Message) error {
		return keyServer(endpoint, &authpb.GetPublicKeysRequest{Usernames: []string{"nobody"}}, resp)
	}
	_, _, err = euRun(t, f, nil, "eu carl@fixture.test --add-team Helpdesk")
	if !errors.Is(err, errNoPublicKey) {
		t.Fatalf("got %v", err)
	}

	// Unknown team: nothing is sent.
	f = newFake()
	_, _, err = euRun(t, f, nil, "eu carl@fixture.test --add-team Nobody")
	var nf *enterprise.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)
}

func TestEnterpriseUserUpdate(t *testing.T) {
	f := newFake()
	_, errOut, err := euRun(t, f, nil, "eu anna@fixture.test --name 'Anna B' --job-title Lead --node Europe")
	if err != nil {
		t.Fatal(err)
	}
	u := f.executed[0].(enterprise.UserUpdate)
	if u.EnterpriseUserID != id(11) || u.NodeID != id(3) || u.Username != "anna@fixture.test" || u.JobTitle != "Lead" ||
		u.FullName != "Anna B" || u.KeyType != "encrypted_by_data_key" || decryptData(t, f.e, u.EncryptedData) != `{"displayname":"Anna B"}` {
		t.Fatalf("%+v", u)
	}
	wantLines(t, errOut, "anna@fixture.test user updated")

	// No --name: the stored data goes back as is, the node stays.
	f = newFake()
	if _, _, err := euRun(t, f, nil, "eu anna@fixture.test carl@fixture.test --job-title Lead"); err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f,
		enterprise.UserUpdate{EnterpriseUserID: id(11), NodeID: id(4), EncryptedData: "stored-anna", Username: "anna@fixture.test", JobTitle: "Lead"},
		enterprise.UserUpdate{EnterpriseUserID: id(13), NodeID: id(3), EncryptedData: "stored-carl", Username: "carl@fixture.test", JobTitle: "Lead"})

	// A plaintext (no_key) name is encrypted on the way.
	f = newFake()
	f.e.Users[id(13)].KeyType, f.e.Users[id(13)].EncryptedData = "no_key", "Carl"
	if _, _, err := euRun(t, f, nil, "eu carl@fixture.test --node 'Fixture MSP'"); err != nil {
		t.Fatal(err)
	}
	u = f.executed[0].(enterprise.UserUpdate)
	if u.NodeID != id(2) || decryptData(t, f.e, u.EncryptedData) != `{"displayname":"Carl"}` || u.KeyType != "encrypted_by_data_key" {
		t.Fatalf("%+v", u)
	}

	// A server refusal is reported and fails the call.
	f = newFake()
	f.results = func(rest.Command) rest.BatchResult {
		return rest.BatchResult{Result: "error", ResultCode: "access_denied", Message: "not allowed"}
	}
	_, errOut, err = euRun(t, f, nil, "eu anna@fixture.test --job-title X")
	var api *rest.APIError
	if !errors.As(err, &api) || !strings.Contains(errOut, "anna@fixture.test failed to update user: not allowed\n") {
		t.Fatalf("%v %q", err, errOut)
	}
}

func TestEnterpriseUserAliases(t *testing.T) {
	f := newFake()
	_, errOut, err := euRun(t, f, nil, "eu anna@fixture.test --add-alias Anna.New@Fixture.test")
	if err != nil {
		t.Fatal(err)
	}
	want := &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: id(11), Alias: "anna.new@fixture.test", Primary: true}
	if len(f.calls) != 1 || f.calls[0].Endpoint != "enterprise/enterprise_user_add_alias" || !proto.Equal(f.calls[0].Rq, want) || f.synced != 1 {
		t.Fatalf("calls %+v synced %d", f.calls, f.synced)
	}
	wantLines(t, errOut, `Added alias "anna.new@fixture.test" for user "anna@fixture.test"`)

	// An alias the user has already becomes the primary one.
	f = newFake()
	if _, _, err := euRun(t, f, nil, "eu anna@fixture.test --add-alias A.B@fixture.test"); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 1 || f.calls[0].Endpoint != "enterprise/enterprise_user_set_primary_alias" ||
		!proto.Equal(f.calls[0].Rq, &authpb.EnterpriseUserAliasRequest{EnterpriseUserId: id(11), Alias: "a.b@fixture.test"}) {
		t.Fatalf("calls %+v", f.calls)
	}

	// Another user's address is refused before any call.
	f = newFake()
	if _, _, err := euRun(t, f, nil, "eu anna@fixture.test --add-alias admin@fixture.test"); err == nil ||
		!strings.Contains(err.Error(), `"admin@fixture.test" already belongs to admin@fixture.test`) {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)

	f = newFake()
	if _, errOut, err := euRun(t, f, nil, "eu anna@fixture.test --delete-alias a.b@fixture.test"); err != nil ||
		!strings.Contains(errOut, `Alias "a.b@fixture.test" deleted from user "anna@fixture.test"`) {
		t.Fatalf("%v %q", err, errOut)
	}
	if len(f.calls) != 1 || f.calls[0].Endpoint != "enterprise/enterprise_user_delete_alias" || f.synced != 1 ||
		!proto.Equal(f.calls[0].Rq, &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: id(11), Alias: "a.b@fixture.test"}) {
		t.Fatalf("calls %+v", f.calls)
	}

	f = newFake()
	f.callFn = func(string, proto.Message, proto.Message) error { return &rest.APIError{Code: "alias_exists"} }
	_, _, err = euRun(t, f, nil, "eu anna@fixture.test --add-alias new@fixture.test")
	var api *rest.APIError
	if !errors.As(err, &api) || f.synced != 0 {
		t.Fatalf("got %v", err)
	}
}

// viewFixture gives Anna an alias, a hidden-folder team, a queued team,
// a direct role and a role through her team.
func viewFixture() *enterprise.Enterprise {
	e := euFixture()
	e.TeamUsers[0].UserType = "ADMIN_ONLY"
	quid := []byte("queued-team-uid1")
	e.QueuedTeams["cXVldWVkLXRlYW0tdWlkMQ"] = &enterprise.QueuedTeam{QueuedTeam: &pb.QueuedTeam{TeamUid: quid, Name: "Newcomers"}, UID: "cXVldWVkLXRlYW0tdWlkMQ"}
	queueUsers(e, "cXVldWVkLXRlYW0tdWlkMQ", id(11))
	e.RoleTeams = []*pb.RoleTeam{{RoleId: id(20), TeamUid: []byte("0123456789abcdef")}}
	e.Users[id(11)].TfaEnabled = true
	e.Users[id(11)].JobTitle = "Lead"
	return e
}

func TestEnterpriseUserView(t *testing.T) {
	f := &fakeEnterprise{e: viewFixture()}
	out, _, err := euRun(t, f, nil, "eu anna@fixture.test ben@fixture.test")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`         User ID: %d
           Email: anna@fixture.test
    Display Name: Anna
            Node: Fixture MSP\Europe\Berlin
          Status: Active
     2FA Enabled: True
 Transfer Status: Not required
       Job Title: Lead
     Email Alias: a.b@fixture.test
            Team: Helpdesk                  (No Shared Folders)
     Queued Team: Newcomers
            Role: Staff
                : Keeper Administrator [Helpdesk]

         User ID: %d
           Email: ben@fixture.test
    Display Name:
            Node: Fixture MSP\Europe
          Status: Invited
     2FA Enabled: False
 Transfer Status: Not required
`, id(11), id(12))
	if out != want {
		t.Fatalf("view\n got:\n%s\nwant:\n%s", out, want)
	}
	noWrites(t, f)

	out, _, err = euRun(t, f, nil, "eu anna@fixture.test -v")
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, out, fmt.Sprintf(`            Node: Fixture MSP\Europe\Berlin [%d]`, id(4)),
		"            Team: Helpdesk                 [MDEyMzQ1Njc4OWFiY2RlZg]  (No Shared Folders)",
		"     Queued Team: Newcomers                [cXVldWVkLXRlYW0tdWlkMQ]",
		fmt.Sprintf("            Role: Staff                  %d", id(21)),
		fmt.Sprintf("                : Keeper Administrator [Helpdesk] %d", id(20)))

	out, _, err = euRun(t, f, nil, "eu anna@fixture.test ben@fixture.test --format JSON")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("%v\n%s", err, out)
	}
	keys := strings.Split("user_id,email,name,node_id,node,status,2fa_enabled,transfer_status,job_title,aliases,teams,queued_teams,roles", ",")
	for _, r := range rows {
		if len(r) != len(keys) {
			t.Errorf("keys %v", r)
		}
		for _, k := range keys {
			if _, ok := r[k]; !ok {
				t.Errorf("missing key %q in %v", k, r)
			}
		}
	}
	anna := rows[0]
	if anna["user_id"] != float64(id(11)) || anna["node"] != `Fixture MSP\Europe\Berlin` || anna["status"] != "Active" || anna["2fa_enabled"] != true ||
		!reflect.DeepEqual(anna["aliases"], []any{"a.b@fixture.test"}) ||
		!reflect.DeepEqual(anna["teams"], []any{map[string]any{"team_uid": "MDEyMzQ1Njc4OWFiY2RlZg", "name": "Helpdesk", "hide_shared_folders": true}}) ||
		!reflect.DeepEqual(anna["queued_teams"], []any{map[string]any{"team_uid": "cXVldWVkLXRlYW0tdWlkMQ", "name": "Newcomers"}}) ||
		!reflect.DeepEqual(anna["roles"], []any{
			map[string]any{"role_id": float64(id(21)), "name": "Staff", "via_team": ""},
			map[string]any{"role_id": float64(id(20)), "name": "Keeper Administrator", "via_team": "Helpdesk"}}) {
		t.Fatalf("anna %v", anna)
	}
	if ben := rows[1]; !reflect.DeepEqual(ben["teams"], []any{}) || !reflect.DeepEqual(ben["roles"], []any{}) || ben["status"] != "Invited" {
		t.Fatalf("ben %v", ben)
	}

	// Unknown users fail; an id resolves.
	if _, _, err := euRun(t, f, nil, "eu nobody@fixture.test"); err == nil || !strings.Contains(err.Error(), `user "nobody@fixture.test" not found`) {
		t.Fatalf("got %v", err)
	}
	if out, _, err := euRun(t, f, nil, fmt.Sprint("eu ", id(12))); err != nil || !strings.Contains(out, "ben@fixture.test") {
		t.Fatalf("%v %s", err, out)
	}
}

// TestEnterpriseUserStatusLines: in batch mode the success lines are quiet
// but failures still reach stderr.
func TestEnterpriseUserStatusLines(t *testing.T) {
	f := newFake()
	f.results = func(c rest.Command) rest.BatchResult {
		if c.(enterprise.UserLock).EnterpriseUserID == id(13) {
			return rest.BatchResult{Result: "error", Message: "nope"}
		}
		return rest.BatchResult{Result: "success"}
	}
	_, errOut, err := runLine(t, newEnterpriseUserCmd(&Factory{}, func(ctx context.Context, o *euOptions) error {
		o.Writer, o.Rest = f, f
		return enterpriseUserRun(ctx, o)
	}), "eu anna@fixture.test carl@fixture.test --lock")
	if err == nil || errOut != "carl@fixture.test failed to lock user: nope\n" {
		t.Fatalf("%v %q", err, errOut)
	}
}

// FuzzValidEmail: whatever validEmail accepts is one plain ASCII address
// of legal lengths with a dotted domain.
func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{"a@x.io", "a..b@x.io", "a@b@c.io", "John <j@x.io>", "a@x.123", "é@x.io"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validEmail(s) {
			return
		}
		local, domain, _ := strings.Cut(s, "@")
		if len(s) > 254 || len(local) > 64 || strings.Count(s, "@") != 1 || !strings.Contains(domain, ".") ||
			strings.ContainsAny(s, " \t\r\n<>()[]\\\",;:") || strings.Contains(s, "..") {
			t.Fatalf("accepted %q", s)
		}
		for _, r := range s {
			if r > 0x7e || r < 0x21 {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}

// queueUsers records users waiting to join a team (b64url uid).
func queueUsers(e *enterprise.Enterprise, uid string, ids ...int64) {
	b, _ := crypto.Base64URLDecode(uid)
	e.QueuedTeamUsers = append(e.QueuedTeamUsers, &pb.QueuedTeamUser{TeamUid: b, Users: ids})
}
