//go:build !unix

package config

// securePermissions is a no-op where POSIX modes do not apply (Windows ACLs
// are left as the installer or user set them).
func securePermissions(path string) string { return "" }
