package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
)

// Password is the demo admin password the test sandboxes use.
const Password = "Test-Password-1!"

// StartSandbox starts a sandbox on 127.0.0.1:0 over HTTPS with a fresh
// database in dir (a temp dir when empty) and low PBKDF2 iterations.
func StartSandbox(t testing.TB, dir string, mod func(*sandbox.Options)) *sandbox.Sandbox {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	o := sandbox.Options{DBPath: filepath.Join(dir, "sandbox.db"), Listen: "127.0.0.1:0", AdminPassword: Password, Iterations: 1000}
	if mod != nil {
		mod(&o)
	}
	sb, err := sandbox.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// Client returns a rest client for the sandbox, trusting its certificate.
func Client(t testing.TB, sb *sandbox.Sandbox) *rest.Client {
	t.Helper()
	hc := &http.Client{Timeout: 30 * time.Second}
	if ca := sb.CAFile(); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	c, err := rest.New(rest.Options{Server: sb.URL(), HTTPClient: hc, ServerKeyID: sb.KeyID(),
		KeyOverride: &rest.ServerKey{ID: sb.KeyID(), Public: sb.PublicKey()}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// raw is a JSON command given as a map, for tests that send malformed or
// unusual commands on purpose.
type raw map[string]any

func (r raw) CommandName() string { s, _ := r["command"].(string); return s }

// raws converts maps to commands.
func raws(ms ...map[string]any) []rest.Command {
	out := make([]rest.Command, len(ms))
	for i, m := range ms {
		out[i] = raw(m)
	}
	return out
}
