package fsutil

import (
	"fmt"
	"os"
)

// Lock takes an exclusive advisory lock on path (created 0600 if missing)
// and returns the function that releases it. It blocks until the lock is
// free. Parallel keeper processes sharing one config use it so that a login
// and the write of its new clone code happen as one step.
//
// The lock belongs to the open file, not the process: taking it twice in one
// process without releasing it first deadlocks.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = unlockFile(f)
		f.Close()
	}, nil
}
