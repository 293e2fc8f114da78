package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/envelope"
)

// Defaults of Limits.
const (
	DefaultMaxBody     = 8 << 20 // the largest real request (a big execute batch) is far smaller
	DefaultMaxInFlight = 64
	DefaultQueueWait   = 2 * time.Second
)

// Limits cap what requests may hold of the server: bodies larger than
// MaxBody are refused with 413, and at most MaxInFlight requests are served
// at once; one more waits up to QueueWait for a slot and is then answered
// 403 throttled, Keeper's back-pressure answer that Commander and our client
// retry after a pause (Commander keepercommander/rest_api.py execute_rest).
// Zero fields take the defaults.
type Limits struct {
	MaxBody     int64
	MaxInFlight int
	QueueWait   time.Duration
}

// Limited returns the server behind l, logging refusals like any request.
func (s *Server) Limited(l Limits) http.Handler {
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.MaxInFlight <= 0 {
		l.MaxInFlight = DefaultMaxInFlight
	}
	if l.QueueWait <= 0 {
		l.QueueWait = DefaultQueueWait
	}
	return &limited{s: s, l: l, slots: make(chan struct{}, l.MaxInFlight)}
}

type limited struct {
	s     *Server
	l     Limits
	slots chan struct{}
}

// ServeHTTP implements http.Handler.
func (h *limited) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o := &outcome{ResponseWriter: w}
	defer h.s.logRequest(requestName(r), o, time.Now())
	if !h.acquire(r.Context()) {
		envelope.WriteThrottled(o, 5)
		o.detail = fmt.Sprintf("%d requests in flight", h.l.MaxInFlight)
		return
	}
	defer func() { <-h.slots }()
	if r.ContentLength > h.l.MaxBody {
		tooLarge(o, h.l.MaxBody)
		return
	}
	// The original writer, so net/http closes the connection after a 413.
	r.Body = http.MaxBytesReader(w, r.Body, h.l.MaxBody)
	h.s.serve(o, r)
}

// acquire takes an in-flight slot, waiting at most QueueWait.
func (h *limited) acquire(ctx context.Context) bool {
	select {
	case h.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(h.l.QueueWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func tooLarge(o *outcome, limit int64) {
	envelope.WriteError(o, http.StatusRequestEntityTooLarge, envelope.ErrorBody{Error: "request_too_large",
		Message: fmt.Sprintf("request body larger than %d bytes", limit)})
}

// readBody reads a request body, answering itself when it cannot: 413 past
// the body cap, 408 when the client is too slow to send it (the server's
// read timeout), 400 otherwise. It reports whether the caller may go on.
func readBody(o *outcome, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, envelope.MaxBody+1))
	var tooBig *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooBig):
		tooLarge(o, tooBig.Limit)
	case err == nil && len(body) > envelope.MaxBody:
		tooLarge(o, envelope.MaxBody)
	case errors.As(err, &ne) && ne.Timeout():
		envelope.WriteError(o, http.StatusRequestTimeout, envelope.ErrorBody{Error: "request_timeout", Message: "the request body did not arrive in time"})
	case err != nil:
		envelope.WriteError(o, http.StatusBadRequest, envelope.ErrorBody{Error: "bad_request", Message: "the request body could not be read"})
		o.detail = err.Error()
	default:
		return body, true
	}
	return nil, false
}
