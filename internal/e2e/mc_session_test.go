package e2e

import (
	"errors"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// TestLogoutEndsManagedCompanySessions: a session opened by login_to_mc
// ends when the MSP session that opened it logs out.
func TestLogoutEndsManagedCompanySessions(t *testing.T) {
	m := newMSPEnv(t)
	ctx, c, s, e := m.ctx, m.c, m.s, m.e
	mc, err := e.ManagedCompany("Acme Dental")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := msp.LoginToMC(ctx, c, s.SessionToken, mc.McEnterpriseId, e)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Call(ctx, "keep_alive", nil, nil, rest.WithSessionToken(tok)); err != nil {
		t.Fatalf("managed company session before logout: %v", err)
	}
	if err := s.Logout(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := c.Call(ctx, "keep_alive", nil, nil, rest.WithSessionToken(tok)); !errors.Is(err, rest.ErrSessionExpired) {
		t.Fatalf("managed company session after the MSP logout: want session_token_expired, got %v", err)
	}
}

// TestIdleSessionsArePurged: sessions idle past the limit are deleted from
// the database by the sandbox itself, not only refused when next used.
func TestIdleSessionsArePurged(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.SessionIdle = 200 * time.Millisecond })
	login(t, sb.Client(t))
	count := func() int {
		var n int
		if err := sb.Store().DB().QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d sessions after login, want 1", n)
	}
	deadline := time.Now().Add(3 * time.Second)
	for count() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle session is still stored 3s after it expired")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
