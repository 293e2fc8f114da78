package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// TestSandboxFileModes: the database, its WAL companions and the TLS key
// and certificate are 0600 in a 0700 directory, whether the sandbox creates
// the directory or finds it (empty) with looser permissions.
func TestSandboxFileModes(t *testing.T) {
	base := t.TempDir()
	fresh := filepath.Join(base, "new", "state")
	loose := filepath.Join(base, "loose")
	if err := os.Mkdir(loose, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{fresh, loose} {
		sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.DBPath = filepath.Join(dir, "sandbox.db") })
		// A login writes to the database, so the WAL files exist.
		login(t, sb.Client(t))
		checkMode(t, dir, 0o700)
		for _, name := range []string{"sandbox.db", "sandbox.db-wal", "sandbox.db-shm", "key.pem", "cert.pem"} {
			checkMode(t, filepath.Join(dir, name), 0o600)
		}
		sb.Close()
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %04o, want %04o", path, got, want)
	}
}
