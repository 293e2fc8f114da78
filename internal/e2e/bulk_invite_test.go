package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// The bulk mode of enterprise-user (eu --add --file) run as the real
// keeper binary against a real sandbox: a 1,000-line file in one call, and
// a sandbox that dies in the middle of one.

const bulkLines = 1000

// bulkFile writes a users file of n lines (email,name,node over the demo
// tenant's nodes) and returns its path and the addresses.
func bulkFile(t *testing.T, n int) (string, []string) {
	t.Helper()
	nodes := []string{"Chicago", "Europe", "Berlin", "Asia Pacific", "North America", ""}
	var b strings.Builder
	b.WriteString("email,name,node\n")
	emails := make([]string, n)
	for i := range n {
		emails[i] = fmt.Sprintf("bulk.user%04d@example.com", i)
		fmt.Fprintf(&b, "%s,Bulk User %d,%s\n", emails[i], i, nodes[i%len(nodes)])
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, emails
}

// bulkRow is one row of eu --add --file --format json.
type bulkRow struct {
	Email   string `json:"email"`
	Status  string `json:"status"`
	UserID  *int64 `json:"user_id"`
	Message string `json:"message"`
}

// runKeeper runs the keeper binary with the config at cfgPath and returns
// its rows (stdout as JSON), stderr and exit code.
func runKeeper(t *testing.T, cfgPath string, args ...string) ([]bulkRow, string, int) {
	t.Helper()
	cmd := exec.Command(sandboxtest.BuildKeeper(t), args...)
	cmd.Env = []string{"HOME=" + filepath.Dir(cfgPath), "KEEPER_CONFIG_FILE=" + cfgPath, "PATH=" + os.Getenv("PATH")}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rows []bulkRow
	if out.Len() > 0 {
		if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
			t.Fatalf("%v\nstdout %s\nstderr %s", err, out.String(), errOut.String())
		}
	}
	return rows, errOut.String(), code
}

// statuses counts the rows by status, and by status and the first word of
// the message for failures.
func statuses(rows []bulkRow) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		k := r.Status
		if k == "failed" {
			k += ":" + strings.SplitN(r.Message, " ", 2)[0]
		}
		out[k]++
	}
	return out
}

// usersByEmail counts the users of the demo MSP by address, as a full
// (uncached) load by another admin session sees them.
func usersByEmail(t *testing.T, sb *sandboxtest.Env) map[string]int {
	t.Helper()
	c := sb.Client(t)
	s := login(t, c)
	e, _, err := enterprise.Load(context.Background(), c, keys(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, u := range e.Users {
		out[strings.ToLower(u.Username)]++
	}
	return out
}

// wantEachOnce fails unless every address is a user exactly once, and
// there are total users in all.
func wantEachOnce(t *testing.T, users map[string]int, emails []string, total int) {
	t.Helper()
	lost, dup, all := 0, 0, 0
	for _, e := range emails {
		switch n := users[e]; {
		case n == 0:
			lost++
		case n > 1:
			dup++
		}
	}
	for _, n := range users {
		all += n
	}
	if lost != 0 || dup != 0 || all != total {
		t.Fatalf("%d lost, %d duplicated, %d users in all (want %d)", lost, dup, all, total)
	}
}

// logCount counts the request-log lines of execute_v2_command holding
// the command.
func logCount(log, command string) int {
	n := 0
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "vault/execute_v2_command") && strings.Contains(l, command) {
			n++
		}
	}
	return n
}

// TestBulkInvite: a 1,000-line file in one call invites everybody with one
// id allocation and at most ten execute requests; the same file again
// invites nobody twice and sends nothing.
func TestBulkInvite(t *testing.T) {
	var log syncBuffer
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.Log = &log })
	cfgPath := filepath.Join(t.TempDir(), "config.json")
	sb.WriteConfig(t, cfgPath)
	sb.LoginPersistent(t, cfgPath)
	before := len(usersByEmail(t, sb))
	path, emails := bulkFile(t, bulkLines)

	start := len(log.String())
	rows, stderr, code := runKeeper(t, cfgPath, "eu", "--add", "--file", path, "--format", "json")
	if code != 0 || len(rows) != bulkLines || statuses(rows)["invited"] != bulkLines {
		t.Fatalf("exit %d, %d rows %v\n%s", code, len(rows), statuses(rows), stderr)
	}
	run := log.String()[start:]
	if adds, allocs := logCount(run, "enterprise_user_add"), logCount(run, "enterprise_allocate_ids"); adds > 10 || allocs != 1 {
		t.Fatalf("%d execute requests with invitations and %d allocations; want at most 10 and 1", adds, allocs)
	}
	wantEachOnce(t, usersByEmail(t, sb), emails, before+bulkLines)

	start = len(log.String())
	rows, stderr, code = runKeeper(t, cfgPath, "eu", "--add", "--file", path, "--format", "json")
	if code != 0 || len(rows) != bulkLines || statuses(rows)["already invited"] != bulkLines {
		t.Fatalf("rerun: exit %d, %d rows %v\n%s", code, len(rows), statuses(rows), stderr)
	}
	if run := log.String()[start:]; strings.Contains(run, "vault/execute_v2_command") {
		t.Fatalf("the rerun sent commands:\n%s", run)
	}
	wantEachOnce(t, usersByEmail(t, sb), emails, before+bulkLines)
}

// killProxy stands between keeper and the sandbox. On the killAt-th
// execute_v2_command request it lets the sandbox run the request, then
// stops the sandbox and drops the connection before the reply reaches the
// client: the server did the work, the client cannot know. After that it
// drops every request until revive points it at a new sandbox.
type killProxy struct {
	t      *testing.T
	killAt int
	kill   func()

	mu       sync.Mutex
	target   string
	client   *http.Client
	executes int
	dead     bool
}

// newKillProxy starts a proxy to sb; kill stops the sandbox.
func newKillProxy(t *testing.T, sb *sandboxtest.Env, killAt int, kill func()) (*killProxy, string) {
	p := &killProxy{t: t, killAt: killAt, kill: kill}
	p.revive(sb)
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	return p, ts.URL
}

// revive forwards to sb from now on.
func (p *killProxy) revive(sb *sandboxtest.Env) {
	pem, err := os.ReadFile(sb.CAFile())
	if err != nil {
		p.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target, p.dead = sb.URL(), false
	p.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

func (p *killProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	dead, target, client := p.dead, p.target, p.client
	killNow := false
	if !dead && r.URL.Path == "/api/rest/vault/execute_v2_command" {
		p.executes++
		killNow = p.executes == p.killAt
	}
	p.mu.Unlock()
	if dead {
		panic(http.ErrAbortHandler)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	rq, err := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	rq.Header = r.Header.Clone()
	rs, err := client.Do(rq)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	reply, err := io.ReadAll(rs.Body)
	rs.Body.Close()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if killNow {
		p.mu.Lock()
		p.dead = true
		p.mu.Unlock()
		p.kill()
		panic(http.ErrAbortHandler)
	}
	for k, v := range rs.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(rs.StatusCode)
	_, _ = w.Write(reply)
}

// TestBulkInviteServerDies: the sandbox stops while the third request of
// invitations of a 1,000-line run is being answered (the fourth
// execute_v2_command request: the first is the id allocation). The run reports the 200 lines answered
// before as invited, the 100 of the lost request as unknown and the rest as
// not sent, and exits 5. After a restart on the same database the same
// file completes the work: every address is a user exactly once, the
// lost request's lines show as already invited.
func TestBulkInviteServerDies(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sandbox.db")
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.DBPath = db })
	cfgPath := filepath.Join(t.TempDir(), "config.json")
	sb.WriteConfig(t, cfgPath)
	sb.LoginPersistent(t, cfgPath)
	before := len(usersByEmail(t, sb))
	proxy, proxyURL := newKillProxy(t, sb, 4, func() { _ = sb.Close() })
	cfg, _, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server, cfg.CAFile = proxyURL, ""
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	path, emails := bulkFile(t, bulkLines)

	rows, stderr, code := runKeeper(t, cfgPath, "eu", "--add", "--file", path, "--format", "json")
	got := statuses(rows)
	if code != 5 || len(rows) != bulkLines || got["invited"] != 200 || got["failed:unknown:"] != 100 || got["failed:not"] != 700 {
		t.Fatalf("exit %d, %d rows %v\n%s", code, len(rows), got, stderr)
	}
	if !strings.Contains(stderr, "800 of 1000 lines failed") {
		t.Fatalf("stderr %s", stderr)
	}

	sb2 := sandboxtest.Start(t, func(o *sandbox.Options) { o.DBPath = db })
	lost := usersByEmail(t, sb2)
	applied := 0
	for _, e := range emails {
		applied += lost[e]
	}
	if applied != 300 {
		t.Fatalf("%d of the file's users exist after the cut-off run; want the 300 the server ran", applied)
	}
	proxy.revive(sb2)

	rows, stderr, code = runKeeper(t, cfgPath, "eu", "--add", "--file", path, "--format", "json")
	got = statuses(rows)
	if code != 0 || got["already invited"] != 300 || got["invited"] != 700 {
		t.Fatalf("rerun: exit %d, %v\n%s", code, got, stderr)
	}
	for i, r := range rows[200:300] {
		if r.Status != "already invited" || r.Email != emails[200+i] {
			t.Fatalf("line %d of the lost request: %+v", 200+i, r)
		}
	}
	wantEachOnce(t, usersByEmail(t, sb2), emails, before+bulkLines)
}
