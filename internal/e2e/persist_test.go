package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/session"
)

// persistentConfig writes a config for sb, logs in once with the password
// and turns persistent login on; later managers need no password.
func persistentConfig(t *testing.T, sb *sandboxtest.Env) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	sb.WriteConfig(t, path)
	sb.LoginPersistent(t, path)
	return path
}

// manager is a new process's session manager over the config at path,
// without any password.
func manager(t *testing.T, path string, mod func(*config.Config)) *session.Manager {
	t.Helper()
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(cfg)
	}
	return session.New(session.Options{ConfigPath: path, Config: cfg})
}

// failingProxy forwards to the sandbox but answers HTTP 500 to the first
// request for endpoint.
func failingProxy(t *testing.T, sb *sandboxtest.Env, endpoint string) *httptest.Server {
	t.Helper()
	target, _ := url.Parse(sb.URL())
	pem, err := os.ReadFile(sb.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	var failed atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/rest/"+endpoint && failed.CompareAndSwap(false, true) {
			http.Error(w, "injected", http.StatusInternalServerError)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestCloneCodeKeptWhenLoginFailsLate: the server rotates the clone code at
// start_login; a failure of account_summary right after (which a persistent
// login sends when a command first needs the summary) must not leave the
// old code in the config, or every later unattended run fails.
func TestCloneCodeKeptWhenLoginFailsLate(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	path := persistentConfig(t, sb)
	proxy := failingProxy(t, sb, "login/account_summary")
	m := manager(t, path, func(c *config.Config) { c.Server, c.CAFile = proxy.URL, "" })
	if _, err := m.LiveSession(context.Background()); err == nil {
		t.Fatal("the injected account_summary failure did not surface")
	}
	if err := manager(t, path, nil).EnsureLogin(context.Background()); err != nil {
		t.Fatalf("persistent login lost after a failed login: %v", err)
	}
}

// TestParallelRunsShareConfig: ten processes starting at once with one
// config all log in without a password, and the next run still can.
func TestParallelRunsShareConfig(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	path := persistentConfig(t, sb)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- manager(t, path, nil).EnsureLogin(context.Background())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("parallel run: %v", err)
		}
	}
	if err := manager(t, path, nil).EnsureLogin(context.Background()); err != nil {
		t.Fatalf("persistent login broken after parallel runs: %v", err)
	}
}

// TestRenewalKeepsManagedCompany: a session that expires while switched to a
// managed company is renewed into the same company, for reads and for a
// write; nothing falls back to the MSP.
func TestRenewalKeepsManagedCompany(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.SessionIdle = 400 * time.Millisecond })
	path := persistentConfig(t, sb)
	ctx := context.Background()
	m := manager(t, path, nil)
	if _, err := m.SwitchToMC(ctx, "Acme Dental"); err != nil {
		t.Fatal(err)
	}
	before, err := m.Enterprise(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	after, err := m.Enterprise(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.CurrentMC() == nil || after.Name != "Acme Dental" || len(after.Users) != len(before.Users) {
		t.Fatalf("after renewal: context %v, enterprise %q with %d users", m.CurrentMC(), after.Name, len(after.Users))
	}
	time.Sleep(600 * time.Millisecond)
	id, err := m.AllocateIDs(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := enterprise.EncryptData(after.TreeKey, "Renewed Branch")
	res, err := m.Execute(ctx, enterprise.NodeAdd{NodeID: id, ParentID: after.Root().NodeId, EncryptedData: enc})
	if err != nil || !res[0].OK() {
		t.Fatalf("write after expiry: %v %+v", err, res)
	}
	mc, _ := m.Enterprise(ctx, false)
	if _, err := mc.Node("Renewed Branch"); err != nil {
		t.Fatalf("the write did not land in the managed company: %v", err)
	}
	m.SwitchToMSP()
	own, err := m.Enterprise(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := own.Node("Renewed Branch"); err == nil {
		t.Fatal("the managed company's write landed in the MSP")
	}
}

// TestTryLoginNeverPrompts: TryLogin logs in through persistent login;
// when a password is needed it answers ErrNoCredentials without calling the
// prompter, which the next EnsureLogin still uses.
func TestTryLoginNeverPrompts(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t, nil)
	path := persistentConfig(t, sb)
	if err := manager(t, path, nil).TryLogin(ctx); err != nil {
		t.Fatalf("persistent login: %v", err)
	}

	fresh := filepath.Join(t.TempDir(), "config.json")
	sb.WriteConfig(t, fresh)
	cfg, _, err := config.Load(fresh)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User = sandboxtest.AdminEmail
	asked := 0
	m := session.New(session.Options{ConfigPath: fresh, Config: cfg,
		PromptPassword: func(context.Context, string) (string, error) { asked++; return sandboxtest.Password, nil }})
	if err := m.TryLogin(ctx); !errors.Is(err, session.ErrNoCredentials) || asked != 0 || m.LoggedIn() {
		t.Fatalf("TryLogin without persistent login: err %v, prompted %d times", err, asked)
	}
	if err := m.EnsureLogin(ctx); err != nil || asked != 1 {
		t.Fatalf("EnsureLogin after TryLogin: err %v, prompted %d times", err, asked)
	}
}
