package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTTPIsLoopbackOnly: --http with a listen address off the loopback
// interface (":8443" is every interface) is a usage error, before any
// database is opened; loopback addresses are accepted.
func TestHTTPIsLoopbackOnly(t *testing.T) {
	for _, listen := range []string{":8443", "0.0.0.0:8443", "[::]:8443", "192.0.2.10:8443", "example.com:8443"} {
		var stderr bytes.Buffer
		db := filepath.Join(t.TempDir(), "sandbox.db")
		if code := run([]string{"serve", "--http", "--listen", listen, "--db", db}, &stderr, &stderr); code != 2 ||
			!strings.Contains(stderr.String(), "loopback") {
			t.Errorf("--http --listen %s: exit %d, %q; want usage error naming loopback", listen, code, stderr.String())
		}
		if fileExists(db) {
			t.Errorf("--listen %s: database created before the refusal", listen)
		}
	}
	for _, listen := range []string{"127.0.0.1:8443", "127.0.0.2:0", "[::1]:8443", "localhost:8443"} {
		if err := loopbackOnly(listen); err != nil {
			t.Errorf("%s refused: %v", listen, err)
		}
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
