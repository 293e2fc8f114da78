package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// orgWriter is fakeEnterprise counting id allocations.
type orgWriter struct {
	*fakeEnterprise
	allocs []int
}

func (w *orgWriter) AllocateIDs(ctx context.Context, n int) (int64, error) {
	w.allocs = append(w.allocs, n)
	return w.fakeEnterprise.AllocateIDs(ctx, n)
}

func newOrgWriter(e *enterprise.Enterprise) *orgWriter {
	return &orgWriter{fakeEnterprise: &fakeEnterprise{e: e}}
}

// failWith makes the fake refuse commands for which match is true.
func (w *orgWriter) failWith(match func(rest.Command) bool, msg string) {
	w.results = func(c rest.Command) rest.BatchResult {
		if match(c) {
			return rest.BatchResult{Result: "error", ResultCode: "refused", Message: msg}
		}
		return rest.BatchResult{Result: "success"}
	}
}

// fakeREST records REST calls; fail, when set, refuses an endpoint.
type fakeREST struct {
	calls   []orgRESTCall
	fail    func(endpoint string, req proto.Message) error
	refresh int
}

type orgRESTCall struct {
	endpoint string
	req      proto.Message
}

func (f *fakeREST) Call(_ context.Context, endpoint string, req, _ proto.Message) error {
	f.calls = append(f.calls, orgRESTCall{endpoint, proto.Clone(req)})
	if f.fail != nil {
		return f.fail(endpoint, req)
	}
	return nil
}

func (f *fakeREST) Refresh(context.Context) error { f.refresh++; return nil }

// testStatus prints status lines to the run's stderr, so tests see them.
func testStatus(b *base) func(string, ...any) {
	return func(format string, args ...any) { fmt.Fprintf(b.Env.Err, format+"\n", args...) }
}

func yes(context.Context, string) (bool, error) { return true, nil }

// decryptName decrypts an encrypted_data string written by EncryptData.
func decryptName(t *testing.T, e *enterprise.Enterprise, enc string) string {
	t.Helper()
	b, err := crypto.Base64URLDecode(enc)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := crypto.DecryptAESv1(b, e.TreeKey)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		DisplayName string `json:"displayname"`
	}
	if err := json.Unmarshal(plain, &v); err != nil {
		t.Fatal(err)
	}
	return v.DisplayName
}

// addQueuedTeam adds a queued team without naming the element type of
// Enterprise.QueuedTeams (a *pb.QueuedTeam, or a wrapper embedding one).
func addQueuedTeam(e *enterprise.Enterprise, q *pb.QueuedTeam) string {
	uid := crypto.Base64URLEncode(q.TeamUid)
	m := reflect.ValueOf(e.QueuedTeams)
	v := reflect.ValueOf(q)
	if et := m.Type().Elem(); et != v.Type() {
		w := reflect.New(et.Elem())
		w.Elem().FieldByName("QueuedTeam").Set(v)
		if f := w.Elem().FieldByName("UID"); f.IsValid() {
			f.SetString(uid)
		}
		v = w
	}
	m.SetMapIndex(reflect.ValueOf(uid), v)
	return uid
}

func TestOutcomeCountsAndUnwraps(t *testing.T) {
	var errw bytes.Buffer
	var status []string
	out := newOutcome("x", func(f string, a ...any) { status = append(status, fmt.Sprintf(f, a...)) }, &errw)
	w := newOrgWriter(basicEnterprise())
	w.failWith(func(c rest.Command) bool { return c.(enterprise.NodeDelete).NodeID == 2 },
		"max=185, length=255, value=xxxxxxxx")
	n, err := out.send(context.Background(), w, []change{
		{cmd: enterprise.NodeDelete{NodeID: 1}, ok: "one deleted", failed: "one not deleted"},
		{cmd: enterprise.NodeDelete{NodeID: 2}, ok: "two deleted", failed: "two not deleted"},
	})
	out.skip("three skipped")
	if n != 1 || err != nil || !reflect.DeepEqual(status, []string{"one deleted"}) {
		t.Fatalf("n=%d err=%v status=%v", n, err, status)
	}
	if got := errw.String(); got != "two not deleted: value is 255 characters but the maximum allowed is 185\nthree skipped\n" {
		t.Fatalf("stderr %q", got)
	}
	err = out.err()
	var api *rest.APIError
	if err == nil || err.Error() != "x: 1 of 2 changes failed" || !errors.As(err, &api) || api.Code != "refused" {
		t.Fatalf("err %v", err)
	}
	if err := newOutcome("x", nil, &errw).err(); err != nil {
		t.Fatal("no failures must be no error")
	}
	local := newOutcome("x", nil, &errw)
	local.fail("refused here")
	if err := local.err(); err == nil || err.Error() != "x: the change failed" || errors.As(err, &api) {
		t.Fatalf("a local refusal: %v", err)
	}
}

// cutWriter answers only the first command of a batch, then fails.
type cutWriter struct{ *orgWriter }

func (w cutWriter) Execute(_ context.Context, cmds ...rest.Command) ([]rest.BatchResult, error) {
	w.executed = append(w.executed, cmds...)
	return []rest.BatchResult{{Result: "success"}}, errors.New("connection reset")
}

func TestOutcomeBatchCutOff(t *testing.T) {
	var errw bytes.Buffer
	out := newOutcome("x", nil, &errw)
	_, err := out.send(context.Background(), cutWriter{newOrgWriter(basicEnterprise())}, []change{
		{cmd: enterprise.NodeDelete{NodeID: 1}, ok: "one", failed: "one failed"},
		{cmd: enterprise.NodeDelete{NodeID: 2}, ok: "two", failed: "two failed"},
	})
	if err == nil || !strings.Contains(errw.String(), "two failed: not confirmed by the server") {
		t.Fatalf("%v %q", err, errw.String())
	}
}

func TestOnOffAndNames(t *testing.T) {
	var v onOff
	if v.or(true) != true || v.String() != "" {
		t.Fatal("unset must keep the current value")
	}
	if v.Set("OFF") != nil || v.or(true) || v.String() != "off" {
		t.Fatal("off")
	}
	if v.Set("yes") == nil {
		t.Fatal("only on and off")
	}
	usageErr(t, checkNames("c", "node", "ok", " "), "node name cannot be empty")
	usageErr(t, checkNames("c", "role", strings.Repeat("é", 256)), "is 256 characters long; the maximum is 255")
	if checkNames("c", "team", strings.Repeat("é", 255)) != nil {
		t.Fatal("255 characters are allowed")
	}
}
