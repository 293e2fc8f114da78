package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

func pw(p string) func(context.Context, string) (string, error) {
	return func(context.Context, string) (string, error) { return p, nil }
}

func TestPasswordLoginAndPersistentLogin(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	var saved auth.State
	s, err := auth.Login(ctx, c, auth.Options{Username: seed.AdminEmail, Password: pw(sandboxtest.Password),
		Persist: func(st auth.State) error { saved = st; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Summary.IsEnterpriseAdmin || s.Summary.EnterpriseID != seed.MSPEnterpriseID || s.Summary.RSAKey == nil || s.Summary.ECKey == nil {
		t.Fatalf("summary %+v", s.Summary)
	}
	if saved.Device == nil || len(saved.CloneCode) == 0 {
		t.Fatal("login did not persist device and clone code")
	}
	if err := s.SetPersistentLogin(ctx, c, true); err != nil {
		t.Fatal(err)
	}
	// A new client (new process) with the stored device and clone code: no password.
	c2 := sb.Client(t)
	s2, err := auth.Login(ctx, c2, auth.Options{Device: saved.Device, CloneCode: saved.CloneCode,
		Password: func(context.Context, string) (string, error) { t.Fatal("password asked"); return "", nil },
		Persist:  func(st auth.State) error { saved = st; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if s2.Username != seed.AdminEmail || string(s2.DataKey) != string(s.DataKey) {
		t.Fatal("persistent login returned another account or data key")
	}
	if c2.RoundTrips() != 2 {
		t.Errorf("persistent login took %d round trips, want 2 (start_login, account_summary)", c2.RoundTrips())
	}
	// The clone code was rotated; the old one no longer works without a password.
	_, err = auth.Login(ctx, sb.Client(t), auth.Options{Device: saved.Device, CloneCode: s.CloneCode})
	var step *auth.StepError
	if !errors.As(err, &step) {
		t.Fatalf("stale clone code: want a step error asking for the username, got %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	_, err := auth.Login(context.Background(), sb.Client(t), auth.Options{Username: seed.AdminEmail, Password: pw("nope")})
	if !errors.Is(err, auth.ErrAuthFailed) {
		t.Fatalf("want ErrAuthFailed, got %v", err)
	}
}

func TestCloneCodeSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.DBPath = filepath.Join(dir, "sandbox.db") })
	ctx := context.Background()
	var saved auth.State
	persist := func(st auth.State) error { saved = st; return nil }
	c := sb.Client(t)
	s, err := auth.Login(ctx, c, auth.Options{Username: seed.AdminEmail, Password: pw(sandboxtest.Password), Persist: persist})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPersistentLogin(ctx, c, true); err != nil {
		t.Fatal(err)
	}
	sb.Close()
	sb2 := sandboxtest.Start(t, func(o *sandbox.Options) { o.DBPath = filepath.Join(dir, "sandbox.db") })
	if _, err := auth.Login(ctx, sb2.Client(t), auth.Options{Device: saved.Device, CloneCode: saved.CloneCode, Persist: persist}); err != nil {
		t.Fatalf("clone code after restart: %v", err)
	}
}

func TestConcurrentLogins(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := auth.Login(context.Background(), sb.Client(t), auth.Options{Username: seed.AdminEmail, Password: pw(sandboxtest.Password)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.SessionIdle = 300 * time.Millisecond })
	ctx := context.Background()
	c := sb.Client(t)
	s, err := auth.Login(ctx, c, auth.Options{Username: seed.AdminEmail, Password: pw(sandboxtest.Password)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	if err := s.KeepAlive(ctx, c); !errors.Is(err, auth.ErrSessionExpired) {
		t.Fatalf("want ErrSessionExpired, got %v", err)
	}
}

func TestLogoutInvalidatesSession(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s, err := auth.Login(ctx, c, auth.Options{Username: seed.AdminEmail, Password: pw(sandboxtest.Password)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.KeepAlive(ctx, c); !errors.Is(err, auth.ErrSessionExpired) {
		t.Fatalf("after logout: %v", err)
	}
}
