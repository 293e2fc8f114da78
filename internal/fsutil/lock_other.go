//go:build !unix && !windows

package fsutil

import "os"

// Without advisory locks (plan9, js, wasip1) parallel runs are not
// serialised; a single run is unaffected.
func lockFile(*os.File) error   { return nil }
func unlockFile(*os.File) error { return nil }
