package sandbox

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/server"
)

// Limits bound what slow or greedy clients can take of the sandbox: time to
// send a request, time to take a reply, idle keep-alive connections, open
// connections, request body size and requests served at once. Zero fields
// take the defaults in the comments.
type Limits struct {
	ReadHeaderTimeout time.Duration // request line and headers; 10s
	ReadTimeout       time.Duration // the whole request, body included; 60s
	WriteTimeout      time.Duration // until the reply is written; 3m (Commander waits 120s for one)
	IdleTimeout       time.Duration // keep-alive connection between requests; 2m
	MaxConns          int           // open connections; more are closed at once; 512
	MaxBody           int64         // request body bytes, else 413; server.DefaultMaxBody
	MaxInFlight       int           // requests served at once; server.DefaultMaxInFlight
	QueueWait         time.Duration // an excess request's wait for a slot before 403 throttled; server.DefaultQueueWait
}

const defaultMaxConns = 512

// newHTTPServer builds the sandbox's http.Server around srv with the
// timeouts, connection cap and request limits of l.
func newHTTPServer(srv *server.Server, l Limits) *http.Server {
	dur := func(d, def time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return def
	}
	maxConns := l.MaxConns
	if maxConns <= 0 {
		maxConns = defaultMaxConns
	}
	var open atomic.Int64
	return &http.Server{
		Handler:           srv.Limited(server.Limits{MaxBody: l.MaxBody, MaxInFlight: l.MaxInFlight, QueueWait: l.QueueWait}),
		ReadHeaderTimeout: dur(l.ReadHeaderTimeout, 10*time.Second),
		ReadTimeout:       dur(l.ReadTimeout, time.Minute),
		WriteTimeout:      dur(l.WriteTimeout, 3*time.Minute),
		IdleTimeout:       dur(l.IdleTimeout, 2*time.Minute),
		MaxHeaderBytes:    64 << 10,
		// net/http's own complaints (TLS handshakes that fail, refused
		// connections) go to the request log, not to stderr.
		ErrorLog: log.New(noteWriter{srv}, "", 0),
		// Past maxConns a new connection is closed before it is read, so a
		// flood of connections cannot use up the process's descriptors.
		ConnState: func(c net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				if n := open.Add(1); n > int64(maxConns) {
					c.Close()
					srv.Note(fmt.Sprintf("connection from %s closed: %d open, limit %d", c.RemoteAddr(), n-1, maxConns))
				}
			case http.StateClosed, http.StateHijacked:
				open.Add(-1)
			}
		},
	}
}

// noteWriter turns net/http's error log lines into request-log notes.
type noteWriter struct{ srv *server.Server }

func (w noteWriter) Write(p []byte) (int, error) {
	w.srv.Note(strings.TrimSpace(string(p)))
	return len(p), nil
}
