package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/session"
)

// TestSessionRenewedInLongShell: a session that expires while the process
// keeps running is renewed transparently through persistent login.
func TestSessionRenewedInLongShell(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.SessionIdle = 500 * time.Millisecond })
	ctx := context.Background()
	dir := t.TempDir()
	cfg := sb.Config()
	path := filepath.Join(dir, "config.json")
	sb.WriteConfig(t, path)
	var notes []string
	m := session.New(session.Options{ConfigPath: path, Config: cfg, Password: sandboxtest.Password, Notify: func(s string) { notes = append(notes, s) }})
	if err := m.Login(ctx, session.LoginOptions{Username: seed.AdminEmail}); err != nil {
		t.Fatal(err)
	}
	c, _ := m.Client()
	if err := m.Session().SetPersistentLogin(ctx, c, true); err != nil {
		t.Fatal(err)
	}
	// From here on no password is available.
	m2 := session.New(session.Options{ConfigPath: path, Config: m.Config(), Notify: func(s string) { notes = append(notes, s) }})
	if _, err := m2.Enterprise(ctx, false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	e, err := m2.Enterprise(ctx, true)
	if err != nil {
		t.Fatalf("expired session was not renewed: %v", err)
	}
	if e.Name != seed.MSPName || len(notes) == 0 {
		t.Fatalf("renewal not reported: %v", notes)
	}
}
