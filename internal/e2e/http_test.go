package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// rawHTTP returns a plain HTTP client trusting the sandbox certificate, for
// requests the rest client would never send (garbage bodies, wrong paths).
func rawHTTP(t testing.TB, sb *sandboxtest.Env) *http.Client {
	t.Helper()
	hc := &http.Client{Timeout: 30 * time.Second}
	if ca := sb.CAFile(); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	return hc
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
