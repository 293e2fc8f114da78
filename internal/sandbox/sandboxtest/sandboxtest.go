// Package sandboxtest starts keeper-sandbox servers for tests and prepares
// what a keeper client needs to reach them: a config.json, a REST client
// trusting the sandbox certificate, a persistent login and a built keeper
// binary. Every end-to-end test goes through it.
package sandboxtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/session"
)

// Password is the demo admin password of every test sandbox.
const Password = "Test-Password-1!"

// AdminEmail is the demo admin account of a freshly seeded sandbox.
const AdminEmail = seed.AdminEmail

// Iterations is the PBKDF2 iteration count of the seeded passwords, and the
// lowest count the sandbox accepts in uploaded verifiers (provisioning,
// password change): low, so logins in tests are fast.
const Iterations = 1000

// Env is one running sandbox; its methods prepare clients for it.
type Env struct {
	*sandbox.Sandbox
}

// Start starts a sandbox on 127.0.0.1:0 over HTTPS with a fresh database in
// tb.TempDir(), the demo password and low PBKDF2 iterations (seeded and
// accepted: MinIterations = Iterations); mod, when not
// nil, adjusts the options first (set DBPath to reuse a database). The
// sandbox is closed when the test ends.
func Start(tb testing.TB, mod func(*sandbox.Options)) *Env {
	tb.Helper()
	o := sandbox.Options{DBPath: filepath.Join(tb.TempDir(), "sandbox.db"), Listen: "127.0.0.1:0",
		AdminPassword: Password, Iterations: Iterations, MinIterations: Iterations}
	if mod != nil {
		mod(&o)
	}
	sb, err := sandbox.Start(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sb.Close() })
	return &Env{Sandbox: sb}
}

// Config returns a keeper config pointing at the sandbox: its URL, server
// key id and public key, and its certificate as ca_file.
func (e *Env) Config() *config.Config {
	return &config.Config{Server: e.URL(), ServerKeyID: int(e.KeyID()),
		ServerPublicKey: crypto.Base64URLEncode(e.PublicKey()), CAFile: e.CAFile()}
}

// WriteConfig writes Config to path (mode 0600, parent directories created).
func (e *Env) WriteConfig(tb testing.TB, path string) {
	tb.Helper()
	if err := e.Config().Save(path); err != nil {
		tb.Fatal(err)
	}
}

// Client returns a REST client for the sandbox that trusts its certificate.
func (e *Env) Client(tb testing.TB) *rest.Client {
	tb.Helper()
	hc := &http.Client{Timeout: 30 * time.Second}
	if ca := e.CAFile(); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			tb.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	c, err := rest.New(rest.Options{Server: e.URL(), HTTPClient: hc, ServerKeyID: e.KeyID(),
		KeyOverride: &rest.ServerKey{ID: e.KeyID(), Public: e.PublicKey()}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// LoginPersistent logs the demo admin in with the password through the
// config at configPath (written by WriteConfig) and turns persistent login
// on: the config then holds a device and a clone code, and later runs over
// it log in without a password.
func (e *Env) LoginPersistent(tb testing.TB, configPath string) {
	tb.Helper()
	ctx := context.Background()
	cfg, _, err := config.Load(configPath)
	if err != nil {
		tb.Fatal(err)
	}
	m := session.New(session.Options{ConfigPath: configPath, Config: cfg, Password: Password})
	if err := m.Login(ctx, session.LoginOptions{Username: AdminEmail}); err != nil {
		tb.Fatal(err)
	}
	c, err := m.Client()
	if err != nil {
		tb.Fatal(err)
	}
	if err := m.Session().SetPersistentLogin(ctx, c, true); err != nil {
		tb.Fatal(err)
	}
}

// built is the keeper binary BuildKeeper made for this test binary.
var built struct {
	once sync.Once
	dir  string
	bin  string
	out  []byte
	err  error
}

// BuildKeeper builds the keeper binary once per test binary, into a
// temporary directory, and returns its path. The binary is shared by every
// test, so it is deleted only when the tests run through CleanupAfter end.
// It skips the test under -short.
func BuildKeeper(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds the keeper binary")
	}
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "keeper-test-bin-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "keeper")
		cmd := exec.Command("go", "build", "-o", built.bin, "github.com/keeper-go/keeper/cmd/keeper")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		tb.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// Runner is what TestMain runs: *testing.M.
type Runner interface{ Run() int }

// CleanupAfter wraps a TestMain's m so that running the tests also deletes
// what BuildKeeper built: os.Exit(sandboxtest.CleanupAfter(m).Run()).
func CleanupAfter(m Runner) Runner { return cleanupAfter{m} }

type cleanupAfter struct{ m Runner }

func (c cleanupAfter) Run() int {
	defer func() {
		if built.dir != "" {
			os.RemoveAll(built.dir)
		}
	}()
	return c.m.Run()
}
