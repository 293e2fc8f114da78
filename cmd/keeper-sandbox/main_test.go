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

// TestReserveDomainFlag: --reserve-domain takes ENTERPRISE_ID=DOMAIN
// (normalised), and a malformed value or --min-iterations outside 1-2^24-1
// is a usage error before any database is opened.
func TestReserveDomainFlag(t *testing.T) {
	got, err := parseReservedDomains([]string{"1000=Example.COM", " 2001 = acme.example "})
	if err != nil || len(got) != 2 || got[0].EnterpriseID != 1000 || got[0].Domain != "example.com" || got[1].Domain != "acme.example" {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	for _, bad := range [][]string{{"--reserve-domain", "example.com"}, {"--reserve-domain", "x=example.com"},
		{"--reserve-domain", "1000=user@example.com"}, {"--min-iterations", "0"}, {"--min-iterations", "16777216"}} {
		var stderr bytes.Buffer
		db := filepath.Join(t.TempDir(), "sandbox.db")
		if code := run(append([]string{"serve", "--db", db}, bad...), &stderr, &stderr); code != 2 {
			t.Errorf("%v: exit %d (%s), want a usage error", bad, code, stderr.String())
		}
		if fileExists(db) {
			t.Errorf("%v: database created before the refusal", bad)
		}
	}
}
