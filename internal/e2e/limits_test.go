package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/server"
)

// dialTLS opens a raw TLS connection to the sandbox.
func dialTLS(t *testing.T, sb *sandboxtest.Env) net.Conn {
	t.Helper()
	pem, err := os.ReadFile(sb.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := tls.Dial("tcp", strings.TrimPrefix(sb.URL(), "https://"), &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// errorCode decodes the "error" of a Keeper JSON error body.
func errorCode(t *testing.T, rs *http.Response) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.NewDecoder(rs.Body).Decode(&e); err != nil || rs.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("HTTP %d: not a Keeper JSON error (%v)", rs.StatusCode, err)
	}
	return e.Error
}

// TestOversizedBodyRefused: a body over the cap gets 413 with Keeper's JSON
// error shape, whether announced by Content-Length (refused unread) or
// streamed without one, and the server keeps serving.
func TestOversizedBodyRefused(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.Limits.MaxBody = 64 << 10 })
	// Announced: the default-sized claim is answered before any body byte.
	conn := dialTLS(t, sb)
	fmt.Fprintf(conn, "POST /api/rest/authentication/start_login HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/octet-stream\r\n"+
		"Content-Length: %d\r\n\r\n", 32<<20)
	rs, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs.StatusCode != http.StatusRequestEntityTooLarge || errorCode(t, rs) != "request_too_large" {
		t.Fatalf("announced 32 MiB body: HTTP %d", rs.StatusCode)
	}
	// Streamed (chunked, no length): read up to the cap, then refused.
	hc := rawHTTP(t, sb)
	rs, err = hc.Post(sb.URL()+"/api/rest/authentication/start_login", "application/octet-stream",
		io.MultiReader(bytes.NewReader(make([]byte, 100<<10))))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Body.Close()
	if rs.StatusCode != http.StatusRequestEntityTooLarge || errorCode(t, rs) != "request_too_large" {
		t.Fatalf("streamed 100 KiB body: HTTP %d", rs.StatusCode)
	}
	login(t, sb.Client(t))
}

// TestSlowClientsDisconnected: a client that sends its headers or body too
// slowly is cut off after the read timeouts instead of holding a connection
// (and a file descriptor) for ever.
func TestSlowClientsDisconnected(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) {
		o.HTTP = true
		o.Limits.ReadHeaderTimeout, o.Limits.ReadTimeout = 300*time.Millisecond, 500*time.Millisecond
	})
	addr := strings.TrimPrefix(sb.URL(), "http://")
	for _, tc := range []struct{ name, sent string }{
		{"slow headers", "POST /api/rest/keep_alive HTTP/1.1\r\nHost: sandbox\r\n"},
		{"slow body", "POST /api/rest/keep_alive HTTP/1.1\r\nHost: sandbox\r\nContent-Length: 1000\r\n\r\nfirst bytes"},
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		if _, err := io.WriteString(conn, tc.sent); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		reply, err := io.ReadAll(conn) // until the server closes the connection
		took := time.Since(start)
		if err != nil || took < 250*time.Millisecond || took > 3*time.Second {
			t.Errorf("%s: connection closed after %v (%v), want after the ~0.3-0.5s read timeout", tc.name, took, err)
		}
		if tc.name == "slow body" && !strings.HasPrefix(string(reply), "HTTP/1.1 408") {
			t.Errorf("slow body: reply %q, want 408 request_timeout", reply)
		}
	}
	login(t, sb.Client(t))
}

// TestInFlightCapThrottles: past MaxInFlight concurrent requests, one more
// waits QueueWait and is answered 403 throttled; later requests are served.
func TestInFlightCapThrottles(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) {
		o.Limits.MaxInFlight, o.Limits.QueueWait = 1, 50*time.Millisecond
		o.Faults = server.Faults{Delay: 700 * time.Millisecond}
	})
	hc := rawHTTP(t, sb)
	post := func() *http.Response {
		rs, err := hc.Post(sb.URL()+"/api/rest/keep_alive", "application/octet-stream", strings.NewReader("x"))
		if err != nil {
			t.Error(err)
			return nil
		}
		return rs
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); rs := post(); rs.Body.Close() }()
	time.Sleep(200 * time.Millisecond) // the first request now holds the only slot
	start := time.Now()
	rs := post()
	if rs.StatusCode != http.StatusForbidden || errorCode(t, rs) != "throttled" || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("excess request: HTTP %d after %v, want a prompt 403 throttled", rs.StatusCode, time.Since(start))
	}
	wg.Wait()
	sb.SetFaults(server.Faults{})
	login(t, sb.Client(t))
}

// TestConnectionCap: connections past MaxConns are closed at once; freed
// slots are reused.
func TestConnectionCap(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.HTTP = true; o.Limits.MaxConns = 2 })
	addr := strings.TrimPrefix(sb.URL(), "http://")
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	_ = extra.SetReadDeadline(time.Now().Add(3 * time.Second))
	if n, err := extra.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("third connection: read %d, %v; want it closed at once (EOF)", n, err)
	}
	held[0].Close()
	held[1].Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if _, err := sb.Client(t).CallRaw(ctx, "keep_alive", nil); err != nil && !strings.Contains(err.Error(), "EOF") &&
			!strings.Contains(err.Error(), "reset") {
			return // the server answered (an API error: no session), so a slot was free again
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no connection accepted after the held ones closed")
}
