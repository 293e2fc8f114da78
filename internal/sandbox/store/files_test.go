package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestOpenTightensFiles: an existing 0644 database (and its WAL files) is
// made 0600; a directory holding other files than the sandbox's keeps its
// mode, one holding only sandbox files is made 0700.
func TestOpenTightensFiles(t *testing.T) {
	for _, shared := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o755)
		path := filepath.Join(dir, "sandbox.db")
		for _, f := range []string{path, path + "-wal", path + "-shm", filepath.Join(dir, "cert.pem")} {
			if err := os.WriteFile(f, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chmod(f, 0o644)
		}
		if shared {
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if m := mode(t, f); m != 0o600 {
				t.Errorf("%s: mode %04o, want 0600", filepath.Base(f), m)
			}
		}
		want := os.FileMode(0o700)
		if shared {
			want = 0o755
		}
		if m := mode(t, dir); m != want {
			t.Errorf("directory (shared=%v): mode %04o, want %04o", shared, m, want)
		}
		st.Close()
	}
}
