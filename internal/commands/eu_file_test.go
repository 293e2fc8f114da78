package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/session"
)

// euFileRun runs an enterprise-user line with Env.In = stdin and stderr a
// terminal or not; it returns stdout, stderr and the error.
func euFileRun(t *testing.T, w enterpriseWriter, stdin *string, tty bool, line string) (string, string, error) {
	t.Helper()
	words, err := command.Split(line)
	if err != nil {
		t.Fatal(err)
	}
	reg := command.NewRegistry()
	reg.Add(newEnterpriseUserCmd(&Factory{}, func(ctx context.Context, o *euOptions) error {
		o.Writer, o.Rest = w, nil
		o.Status = func(format string, a ...any) { fmt.Fprintf(o.Env.Err, format+"\n", a...) }
		return enterpriseUserRun(ctx, o)
	}))
	var out, errOut bytes.Buffer
	env := &command.Env{Out: &out, Err: &errOut, StderrTTY: tty}
	if stdin != nil {
		env.In = strings.NewReader(*stdin)
	}
	err = (&command.Dispatcher{Registry: reg}).Run(context.Background(), env, words)
	return out.String(), errOut.String(), err
}

func decodeRows(t *testing.T, out string) []userRowJSON {
	t.Helper()
	var rows []userRowJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return rows
}

// inviteOnSuccess makes f's enterprise show every invited user, as the
// sync after the batch would.
func inviteOnSuccess(f *fakeEnterprise) {
	f.results = func(c rest.Command) rest.BatchResult {
		if a, ok := c.(enterprise.UserAdd); ok {
			f.e.Users[a.EnterpriseUserID] = &enterprise.User{User: &pb.User{EnterpriseUserId: a.EnterpriseUserID, NodeId: a.NodeID,
				Username: a.Username, Status: "invited"}}
		}
		return rest.BatchResult{Result: "success"}
	}
}

// TestEnterpriseUserFileInvite: --add --file invites the new addresses of
// the file (header, quotes, comments, per-line nodes, --node for lines
// without one) with one allocation and one batch, prints one row per line,
// and a second run of the same file invites nobody twice.
func TestEnterpriseUserFileInvite(t *testing.T) {
	f := newFake()
	inviteOnSuccess(f)
	p := writeFile(t, "Email,Name,Node\n# new hires\nnew.one@example.test,New One,Berlin\n"+
		`"new.two@example.test","Two, New"`+"\n\nben@fixture.test\nadmin@fixture.test\na.b@fixture.test,,Europe\n")
	out, errOut, err := euFileRun(t, f, nil, false, "eu --add --file "+p+" --node Europe --job-title Engineer --format json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if f.batches != 1 || fmt.Sprint(f.allocN) != "[2]" || len(f.executed) != 2 {
		t.Fatalf("batches %d, allocations %v, executed %#v", f.batches, f.allocN, f.executed)
	}
	add1, add2 := f.executed[0].(enterprise.UserAdd), f.executed[1].(enterprise.UserAdd)
	if add1.NodeID != id(4) || add1.JobTitle != "Engineer" || decryptName(t, f.e, add1.EncryptedData) != "New One" ||
		add2.NodeID != id(3) || decryptName(t, f.e, add2.EncryptedData) != "Two, New" || add2.Username != "new.two@example.test" {
		t.Fatalf("adds %+v %+v", add1, add2)
	}
	rows := decodeRows(t, out)
	want := []struct {
		email, status string
		id            int64
		msg           string
	}{
		{"new.one@example.test", "invited", id(1000), ""},
		{"new.two@example.test", "invited", id(1001), ""},
		{"ben@fixture.test", "already invited", id(12), "--resend sends it again"},
		{"admin@fixture.test", "already active", id(10), "already a member"},
		{"a.b@fixture.test", "already active", id(11), "an alias of anna@fixture.test"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i, w := range want {
		r := rows[i]
		if r.Email != w.email || r.Status != w.status || r.UserID == nil || *r.UserID != w.id || !strings.Contains(r.Message, w.msg) {
			t.Errorf("row %d: %+v, want %+v", i, r, w)
		}
	}
	if strings.Contains(errOut, "Inviting users") {
		t.Errorf("a progress bar without a terminal: %q", errOut)
	}

	// The same file again: nothing sent, nothing allocated.
	f.executed, f.batches, f.allocN = nil, 0, nil
	out, _, err = euFileRun(t, f, nil, false, "eu --add --file "+p+" --format csv")
	if err != nil || f.batches != 0 || len(f.allocN) != 0 {
		t.Fatalf("%v: batches %d, allocations %v", err, f.batches, f.allocN)
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(out, "\r\n", "\n")), "\n")
	if len(lines) != 6 || lines[0] != "Email,Status,User ID,Message" ||
		!strings.HasPrefix(lines[1], fmt.Sprintf("new.one@example.test,already invited,%d,", id(1000))) {
		t.Fatalf("csv:\n%s", out)
	}

	// --resend re-sends the pending invitations, once per user.
	f.executed, f.batches = nil, 0
	p2 := writeFile(t, "ben@fixture.test\nnew.one@example.test\nadmin@fixture.test\n")
	out, _, err = euFileRun(t, f, nil, false, "eu --add --file "+p2+" --resend --format json")
	if err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.ResendInvite{EnterpriseUserID: id(12)}, enterprise.ResendInvite{EnterpriseUserID: id(1000)})
	rows = decodeRows(t, out)
	if rows[0].Status != "re-invited" || rows[1].Status != "re-invited" || rows[2].Status != "already active" {
		t.Fatalf("rows %+v", rows)
	}
}

// TestEnterpriseUserFileChecks: every line is checked before anything is
// sent; each problem names the file and line.
func TestEnterpriseUserFileChecks(t *testing.T) {
	f := newFake()
	p := writeFile(t, "ok@example.test\njohn smith@example.test\nA@X.test,A\na@x.test\nb@x.test,B,Berlin,extra\n")
	_, _, err := euFileRun(t, f, nil, false, "eu --add --file "+p)
	for _, want := range []string{p + `:2: "john smith@example.test" is not a valid email address`,
		p + ":4: a@x.test is already listed on line 3", p + ":5: 4 fields", "3 line(s) cannot be used; nothing was sent"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if f.loads > 0 {
		t.Error("the enterprise was loaded for a bad file")
	}
	noWrites(t, f)

	// Nodes are resolved after loading, still before any write.
	f = newFake()
	p = writeFile(t, "a@example.test,A,Berlin\nb@example.test,B,Nowhere\nc@example.test\n")
	_, _, err = euFileRun(t, f, nil, false, "eu --add --file "+p+" --node Atlantis")
	for _, want := range []string{p + `:2: node "Nowhere" not found`, p + `:3: node "Atlantis" not found`, "2 line(s)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	noWrites(t, f)

	// A missing file, an empty one.
	f = newFake()
	if _, _, err = euFileRun(t, f, nil, false, "eu --add --file "+p+".missing"); err == nil || f.loads > 0 {
		t.Fatalf("missing file: %v", err)
	}
	if _, _, err = euFileRun(t, f, nil, false, "eu --add --file "+writeFile(t, "# nobody\n")); err == nil ||
		!strings.Contains(err.Error(), "lists no users") {
		t.Fatalf("empty file: %v", err)
	}
}

// TestEnterpriseUserFileStdin: --file - reads standard input, named
// "stdin" in messages; without one to read it is a usage error.
func TestEnterpriseUserFileStdin(t *testing.T) {
	f := newFake()
	in := "x@example.test,X\nbad\n"
	_, _, err := euFileRun(t, f, &in, false, "eu --add --file -")
	if err == nil || !strings.Contains(err.Error(), `stdin:2: "bad" is not a valid email address`) {
		t.Fatalf("got %v", err)
	}
	in = "x@example.test,X\n"
	out, _, err := euFileRun(t, f, &in, false, "eu --add --file - --format json")
	if rows := decodeRows(t, out); err != nil || len(rows) != 1 || rows[0].Status != "invited" {
		t.Fatalf("%v %+v", err, rows)
	}
	_, _, err = euFileRun(t, newFake(), nil, false, "eu --add --file -")
	usageErr(t, err, "standard input is not available here")
}

// TestEnterpriseUserFileProgress: the bar is drawn on stderr only when it
// is a terminal.
func TestEnterpriseUserFileProgress(t *testing.T) {
	p := writeFile(t, "a@example.test\nb@example.test\n")
	for _, tty := range []bool{false, true} {
		_, errOut, err := euFileRun(t, newFake(), nil, tty, "eu --add --file "+p)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(errOut, "Inviting users"); got != tty {
			t.Fatalf("tty=%v stderr %q", tty, errOut)
		}
	}
}

// TestEnterpriseUserFileRefused: a refused line is a failed row with the
// server's message; the others are done; the error unwraps to the refusal.
func TestEnterpriseUserFileRefused(t *testing.T) {
	f := newFake()
	f.results = func(c rest.Command) rest.BatchResult {
		if a := c.(enterprise.UserAdd); a.Username == "full@example.test" {
			return rest.BatchResult{Result: "fail", ResultCode: "exceeded_license", Message: "No seats available; details"}
		}
		return rest.BatchResult{Result: "success"}
	}
	p := writeFile(t, "ok@example.test\nfull@example.test\n")
	out, _, err := euFileRun(t, f, nil, false, "eu --add --file "+p+" --format json")
	var api *rest.APIError
	if !errors.As(err, &api) || api.Code != "exceeded_license" || !strings.Contains(err.Error(), "1 of 2 lines failed") {
		t.Fatalf("got %v", err)
	}
	rows := decodeRows(t, out)
	if rows[0].Status != "invited" || rows[1].Status != "failed" || rows[1].Message != "No seats available" || rows[1].UserID != nil {
		t.Fatalf("rows %+v", rows)
	}
}

// lostWriter answers the first answer commands of a batch, then fails as the
// session does when the connection is lost: an IncompleteError whose next
// unknown commands were in the request that failed.
type lostWriter struct {
	*fakeEnterprise
	answer, unknown int
}

func (c *lostWriter) Execute(ctx context.Context, cmds ...rest.Command) ([]rest.BatchResult, error) {
	res, _ := c.fakeEnterprise.Execute(ctx, cmds[:c.answer]...)
	return res, &session.IncompleteError{Done: res, Total: len(cmds), Unknown: c.unknown,
		Err: &rest.NetworkError{Server: "https://sandbox", Err: errors.New("connection refused")}}
}

// TestEnterpriseUserFileCutOff: a run cut off mid-batch reports the
// answered lines as done, the rest as unknown or not sent, and fails with
// the network error (exit code 5); the rerun sends only what is missing.
func TestEnterpriseUserFileCutOff(t *testing.T) {
	f := newFake()
	inviteOnSuccess(f)
	p := writeFile(t, "a@example.test\nben@fixture.test\nb@example.test\nc@example.test\nd@example.test\n")
	out, _, err := euFileRun(t, &lostWriter{f, 1, 2}, nil, false, "eu --add --file "+p+" --format json")
	var ne *rest.NetworkError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "3 of 5 lines failed") {
		t.Fatalf("got %v", err)
	}
	rows := decodeRows(t, out)
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = r.Status + ":" + strings.SplitN(r.Message, " ", 2)[0]
	}
	if strings.Join(got, " ") != "invited: already invited:the failed:unknown: failed:unknown: failed:not" {
		t.Fatalf("rows %v", got)
	}
	// Say the server ran b@ before the connection dropped.
	f.e.Users[id(1001)] = &enterprise.User{User: &pb.User{EnterpriseUserId: id(1001), Username: "b@example.test", Status: "invited"}}
	f.executed, f.batches = nil, 0
	out, _, err = euFileRun(t, f, nil, false, "eu --add --file "+p+" --format json")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.executed) != 2 || f.executed[0].(enterprise.UserAdd).Username != "c@example.test" ||
		f.executed[1].(enterprise.UserAdd).Username != "d@example.test" {
		t.Fatalf("rerun sent %#v", f.executed)
	}
	for i, r := range decodeRows(t, out) {
		if want := []string{"already invited", "already invited", "already invited", "invited", "invited"}[i]; r.Status != want {
			t.Errorf("rerun row %d: %+v", i, r)
		}
	}
}

// TestEnterpriseUserFileActions: --file names the users of the other
// actions (email column only); a line that names nobody stops the call
// with its line, and a user named twice is changed once.
func TestEnterpriseUserFileActions(t *testing.T) {
	p := writeFile(t, "email,name\nanna@fixture.test,Anna\ncarl@fixture.test\na.b@fixture.test\n")
	f := newFake()
	if _, _, err := euFileRun(t, f, nil, false, "eu --file "+p+" --lock"); err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.UserLock{EnterpriseUserID: id(11), Lock: "locked"}, enterprise.UserLock{EnterpriseUserID: id(13), Lock: "locked"})

	f = newFake()
	if _, _, err := euFileRun(t, f, nil, false, "eu --file "+p+" --add-role Staff"); err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.RoleUserAdd{RoleID: id(21), EnterpriseUserID: id(13)})

	f = newFake()
	_, _, err := euFileRun(t, f, nil, false, "eu --file "+p+" --delete")
	usageErr(t, err, "-f/--force")
	noWrites(t, f)
	if _, _, err := euFileRun(t, f, nil, false, "eu --file "+p+" --delete -f"); err != nil {
		t.Fatal(err)
	}
	wantCmds(t, f, enterprise.UserDelete{EnterpriseUserID: id(11)}, enterprise.UserDelete{EnterpriseUserID: id(13)})

	f = newFake()
	p = writeFile(t, "anna@fixture.test\nnobody@fixture.test\n12345\n")
	_, _, err = euFileRun(t, f, nil, false, "eu --file "+p+" --lock")
	if err == nil || !strings.Contains(err.Error(), p+":2: ") || !strings.Contains(err.Error(), p+":3: ") ||
		!strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("got %v", err)
	}
	noWrites(t, f)
}
