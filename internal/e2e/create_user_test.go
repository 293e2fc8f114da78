package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
	"github.com/keeper-go/keeper/internal/session"
)

// keeperRun runs the built keeper binary with the config at cfg.
func keeperRun(t *testing.T, bin, cfg string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KEEPER_CONFIG_FILE="+cfg, "HOME="+filepath.Dir(cfg))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// newUserPassword reads the generated password of email from the admin's
// vault record "Keeper Account: <email>".
func newUserPassword(t *testing.T, cfgPath, email string) string {
	t.Helper()
	cfg, _, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	m := session.New(session.Options{ConfigPath: cfgPath, Config: cfg})
	v, err := m.Vault(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	recs := v.RecordsTitled("Keeper Account: " + email)
	if len(recs) != 1 {
		t.Fatalf("%d records titled for %s", len(recs), email)
	}
	pw, ok := recs[0].Password()
	if !ok || pw == "" {
		t.Fatalf("record of %s has no password", email)
	}
	return pw
}

// TestCreateUserThenLogin: create-user in the MSP and inside a managed
// company; each new account logs in with the password read back from the
// admin's vault record and is told the master password must be changed.
func TestCreateUserThenLogin(t *testing.T) {
	bin := sandboxtest.BuildKeeper(t)
	sb := sandboxtest.Start(t, nil)
	cfg := filepath.Join(t.TempDir(), "config.json")
	sb.WriteConfig(t, cfg)
	sb.LoginPersistent(t, cfg)
	if out, err := keeperRun(t, bin, cfg, "create-user", "fresh.hire@msp.sandbox", "--name", "Fresh Hire", "--node", "Europe"); err != nil {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	batch := "switch-to-mc \"Acme Dental\"\ncreate-user nurse@acme.sandbox --name Nurse\nei --users --format csv\n"
	cmd := exec.Command(bin, "-")
	cmd.Env = append(os.Environ(), "KEEPER_CONFIG_FILE="+cfg)
	cmd.Stdin = strings.NewReader(batch)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "nurse@acme.sandbox,Nurse,Active") {
		t.Fatalf("create-user inside the MC: %v\n%s", err, out)
	}
	for _, email := range []string{"fresh.hire@msp.sandbox", "nurse@acme.sandbox"} {
		pw := newUserPassword(t, cfg, email)
		_, err := auth.Login(context.Background(), sb.Client(t), auth.Options{Username: email,
			Password: func(context.Context, string) (string, error) { return pw, nil }})
		var step *auth.StepError
		if !errors.As(err, &step) || step.Step != "master password change" {
			t.Fatalf("%s login: want the master-password-change step, got %v", email, err)
		}
	}
	// A second run creates nobody twice; an unreserved domain is refused.
	if out, err := keeperRun(t, bin, cfg, "create-user", "fresh.hire@msp.sandbox"); err != nil || !strings.Contains(out, "already") {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if out, err := keeperRun(t, bin, cfg, "create-user", "someone@example.com"); err == nil || !strings.Contains(out, "reserved") {
		t.Fatalf("unreserved domain: %v\n%s", err, out)
	}
}

// TestCreateUserFile: a 100-line file in one call, then its rerun, which
// creates nobody twice.
func TestCreateUserFile(t *testing.T) {
	if testing.Short() {
		t.Skip("100 accounts with RSA keys")
	}
	bin := sandboxtest.BuildKeeper(t)
	sb := sandboxtest.Start(t, nil)
	cfg := filepath.Join(t.TempDir(), "config.json")
	sb.WriteConfig(t, cfg)
	sb.LoginPersistent(t, cfg)
	// An enterprise that forbids RSA keys: no RSA-2048 generation per
	// account, so 100 accounts stay quick.
	if err := sb.Store().Tx(context.Background(), func(tx *sql.Tx) error {
		return store.SetForbidRSA(context.Background(), tx, seed.MSPEnterpriseID, true)
	}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "bulk%03d@msp.sandbox,Bulk %03d,Europe\n", i, i)
	}
	file := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := keeperRun(t, bin, cfg, "create-user", "--file", file, "--format", "csv")
	if err != nil || strings.Count(out, ",created,") != 100 {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	out, err = keeperRun(t, bin, cfg, "create-user", "--file", file, "--format", "csv")
	if err != nil || strings.Count(out, ",already exists,") != 100 || strings.Contains(out, ",created,") {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
}
