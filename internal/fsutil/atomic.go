// Package fsutil holds the one way keeper replaces files: atomically, so a
// crash or a failed write never leaves a half-written config, report or
// cache behind.
package fsutil

import (
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data: a temporary file beside it is created
// with mode perm, written, synced and renamed over path, then the directory
// is synced (best effort). On failure the old file is untouched and the
// temporary file is removed.
func WriteFile(path string, data []byte, perm fs.FileMode) (err error) {
	return WriteFileParts(path, [][]byte{data}, perm)
}

// WriteFileParts is WriteFile of the concatenation of parts, written one
// after the other without joining them in memory.
func WriteFileParts(path string, parts [][]byte, perm fs.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	for _, data := range parts {
		if _, err = tmp.Write(data); err != nil {
			return err
		}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, dirErr := os.Open(filepath.Dir(path)); dirErr == nil {
		d.Sync() // best effort: make the rename durable
		d.Close()
	}
	return nil
}
