//go:build unix

package config

import (
	"fmt"
	"os"
	"syscall"
)

// securePermissions tightens a config file that group or others can access
// to 0600 and returns the warning to show, or "" when nothing was wrong.
// Symlinks are followed; files owned by another user are left alone.
func securePermissions(path string) string {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return fmt.Sprintf("Skipping permission check on file not owned by current user: %s", path)
	}
	perm := st.Mode().Perm()
	if perm&0o077 == 0 {
		return ""
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Sprintf("Failed to set file permissions for %s", path)
	}
	return fmt.Sprintf("Configuration file %s has insecure permissions 0o%o. Setting to secure permissions (600).", path, perm)
}
