package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The database holds the server's private envelope key, device tokens and
// clone codes, so it is readable by its owner only: the file and its WAL
// companions are 0600 and a directory the sandbox owns is 0700. Modes are
// set with chmod after creation, so the umask cannot loosen them.
const (
	fileMode = 0o600
	dirMode  = 0o700
)

// companions are the suffixes of the files SQLite keeps beside a database.
var companions = []string{"-wal", "-shm", "-journal"}

// dirFiles are the files keeper-sandbox keeps next to its database besides
// the database itself: the TLS certificate and its key.
var dirFiles = []string{"cert.pem", "key.pem"}

// prepareFiles creates the database directory 0700 when missing (tightening
// an existing one that holds nothing but sandbox files), and creates the
// database file 0600 or tightens an existing one, before SQLite opens it;
// SQLite gives the -wal and -shm files it creates the database's mode.
func prepareFiles(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return err
		}
		if err := os.Chmod(dir, dirMode); err != nil {
			return err
		}
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case fi.Mode().Perm()&0o077 != 0:
		own, err := sandboxDir(dir, filepath.Base(path))
		if err != nil {
			return err
		}
		if own {
			if err := os.Chmod(dir, dirMode); err != nil {
				return err
			}
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, fileMode)
}

// sandboxDir reports whether dir holds nothing but the database, its
// companions and dirFiles (or an interrupted write's temporary copy of
// one): a directory the sandbox made its own. A shared
// directory (the working directory, say) is left as it is.
func sandboxDir(dir, dbName string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	ours := map[string]bool{dbName: true}
	for _, c := range companions {
		ours[dbName+c] = true
	}
	for _, f := range dirFiles {
		ours[f] = true
	}
	for _, e := range entries {
		name := e.Name()
		if tmp, ok := strings.CutPrefix(name, "."); ok {
			name, _, _ = strings.Cut(tmp, ".tmp-")
		}
		if !ours[name] {
			return false, nil
		}
	}
	return true, nil
}

// secureCompanions makes the database's existing companion files 0600
// (older sandboxes left them 0644).
func secureCompanions(path string) error {
	for _, c := range companions {
		if err := os.Chmod(path+c, fileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
