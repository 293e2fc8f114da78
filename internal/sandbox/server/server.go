// Package server is keeper-sandbox's HTTP side: every /api/rest/ endpoint
// and every BI endpoint under /bi_api/v2/ opens Keeper's encrypted envelope,
// runs a handler against the store and seals the reply. Errors use Keeper's
// JSON error shape.
package server

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/sandbox/envelope"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Faults make the server misbehave on purpose, for tests of client retries.
type Faults struct {
	ThrottleEvery int           // answer 403 throttled to every Nth request (0 = never)
	FailEvery     int           // answer 500 to every Nth request (0 = never)
	Delay         time.Duration // sleep before answering every request
}

// Options configure a Server.
type Options struct {
	KeyID       int32
	Key         *ecdh.PrivateKey
	SessionIdle time.Duration // idle expiry of session tokens (0 = never)
	PageSize    int           // entities per get_enterprise_data_for_user page
	// VaultPageSize is the number of folders, records and record placements
	// per vault/sync_down page.
	VaultPageSize int
	// MinIterations is the lowest PBKDF2 iteration count accepted in an auth
	// verifier or encryption params a client uploads (0: Keeper's 1,000,000).
	MinIterations int
	Faults        Faults
	Log           io.Writer // request log: one line per request with its outcome; never bodies or secrets
}

// Server serves Keeper's REST API from a store.
type Server struct {
	st     *store.Store
	opts   Options
	keys   map[int32]*ecdh.PrivateKey
	routes map[string]handler
	json   map[string]jsonHandler
	// accountJSON are the JSON commands on the caller's own account and
	// vault, open to every account (json.go runJSON).
	accountJSON map[string]jsonHandler
	n           atomic.Int64
	faults      atomic.Pointer[Faults]
	logMu       sync.Mutex // one log line at a time
	usage       usageCache // seat usage per enterprise revision (liveLicences)
	// stop ends fault delays in progress (Close).
	stop     chan struct{}
	stopOnce sync.Once
}

// call is one opened request handed to a handler.
type call struct {
	ctx  context.Context
	rq   *envelope.Request
	sess *store.Session // nil for unauthenticated endpoints
	// token is the raw session token of the call, if any.
	token []byte
	// out collects the call's outcome for the request log.
	out *outcome
	// host and scheme are how the client reached the server (invitation links).
	host, scheme string
}

type handler struct {
	auth bool // needs a session token in the envelope
	// restricted: also served to a restricted session (ACCOUNT_RECOVERY,
	// the master password must be changed first; password.go).
	restricted bool
	fn         func(c *call) (proto.Message, error)
}

// apiError is an error answered as Keeper's JSON error body.
type apiError struct {
	status int
	body   envelope.ErrorBody
}

func (e *apiError) Error() string { return e.body.Error + ": " + e.body.Message }

func fail(status int, code, msg string) error {
	return &apiError{status: status, body: envelope.ErrorBody{Error: code, Message: msg}}
}

// New returns a Server over st.
func New(st *store.Store, o Options) *Server {
	if o.PageSize <= 0 {
		o.PageSize = 5000
	}
	if o.VaultPageSize <= 0 {
		o.VaultPageSize = 1000
	}
	if o.MinIterations <= 0 {
		o.MinIterations = DefaultMinIterations
	}
	s := &Server{st: st, opts: o, keys: map[int32]*ecdh.PrivateKey{o.KeyID: o.Key}, stop: make(chan struct{})}
	f := o.Faults
	s.faults.Store(&f)
	s.routes = map[string]handler{}
	s.json = map[string]jsonHandler{}
	s.accountJSON = map[string]jsonHandler{}
	s.loginRoutes()
	s.accountRoutes()
	s.enterpriseRoutes()
	s.vaultRoutes()
	s.provisionRoutes()
	s.passwordRoutes()
	s.jsonCommands()
	s.mspRoutes()
	s.biRoutes()
	s.distributorRoutes()
	return s
}

// SetFaults replaces the fault switches at run time.
func (s *Server) SetFaults(f Faults) { s.faults.Store(&f) }

// Close ends the fault delays in progress, answering their requests 503, so
// a server shutting down does not wait for a request hanging on purpose
// (net/http does not cancel a request whose body was not read when its
// client goes away). Requests that come later are served as usual.
func (s *Server) Close() { s.stopOnce.Do(func() { close(s.stop) }) }

// ServeHTTP implements http.Handler. Every request gets one log line with
// its real outcome (see logRequest).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o := &outcome{ResponseWriter: w}
	defer s.logRequest(requestName(r), o, time.Now())
	s.serve(o, r)
}

func (s *Server) serve(w *outcome, r *http.Request) {
	if r.URL.Path == "/_sandbox/faults" {
		s.serveFaults(w, r)
		return
	}
	endpoint, ok := apiEndpoint(r.URL.Path)
	if !ok || r.Method != http.MethodPost {
		envelope.WriteError(w, http.StatusNotFound, envelope.ErrorBody{Error: "not_found", Message: "no such endpoint"})
		return
	}
	n := s.n.Add(1)
	f := s.faults.Load()
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			w.code, w.detail = "canceled", "client went away during the injected delay"
			return
		case <-s.stop:
			envelope.WriteError(w, http.StatusServiceUnavailable, envelope.ErrorBody{Error: "unavailable", Message: "keeper-sandbox is shutting down"})
			return
		}
	}
	if f.ThrottleEvery > 0 && n%int64(f.ThrottleEvery) == 0 {
		envelope.WriteThrottled(w, 1)
		w.detail = "fault"
		return
	}
	if f.FailEvery > 0 && n%int64(f.FailEvery) == 0 {
		envelope.WriteError(w, http.StatusInternalServerError, envelope.ErrorBody{Error: "internal_error", Message: "injected failure"})
		w.detail = "fault"
		return
	}
	h, ok := s.routes[endpoint]
	if !ok {
		envelope.WriteError(w, http.StatusNotFound, envelope.ErrorBody{Error: "not_found", Message: "endpoint " + endpoint + " is not served by keeper-sandbox"})
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	rq, err := envelope.OpenBytes(body, s.keys)
	var uk *envelope.UnknownKeyError
	if errors.As(err, &uk) {
		envelope.WriteKeyError(w, s.opts.KeyID)
		w.detail = fmt.Sprintf("client used key id %d", uk.KeyID)
		return
	}
	if err != nil {
		envelope.WriteError(w, http.StatusBadRequest, envelope.ErrorBody{Error: "bad_request", Message: err.Error()})
		w.detail = err.Error()
		return
	}
	c := &call{ctx: r.Context(), rq: rq, out: w, host: r.Host, scheme: "https"}
	if r.TLS == nil {
		c.scheme = "http"
	}
	if h.auth {
		if err := s.authenticate(c, rq.SessionToken); err != nil {
			s.writeErr(w, err)
			return
		}
		if restricted(c.sess) && !h.restricted {
			s.writeErr(w, errMustChangePassword)
			return
		}
	}
	resp, err := h.fn(c)
	if err != nil {
		s.writeErr(w, err)
		return
	}
	if raw, ok := resp.(rawReply); ok {
		err = rq.ReplyBytes(w, raw.b)
	} else {
		err = rq.Reply(w, resp)
	}
	if err != nil {
		w.detail = "reply: " + err.Error()
	}
}

// biPrefix is where Keeper serves its BI API: on the same host as the REST
// API, outside /api/rest/ (Commander's bi_url, keepercommander/commands/
// msp.py).
const biPrefix = "/bi_api/v2/enterprise_console/"

// apiEndpoint names the route of a request path: the endpoint under
// /api/rest/, or the whole path of a BI call (BI routes are registered
// under their absolute path, so /api/rest/ cannot reach them).
func apiEndpoint(path string) (string, bool) {
	if ep, ok := strings.CutPrefix(path, "/api/rest/"); ok {
		return ep, !strings.HasPrefix(ep, "/")
	}
	if strings.HasPrefix(path, biPrefix) {
		return path, true
	}
	return "", false
}

// rawReply lets a handler answer already-serialized bytes (JSON commands).
type rawReply struct {
	proto.Message
	b []byte
}

func (s *Server) authenticate(c *call, token []byte) error {
	if len(token) == 0 {
		return fail(http.StatusUnauthorized, "session_token", "a session token is required")
	}
	sess, expired, err := s.st.TouchSession(c.ctx, token, s.opts.SessionIdle)
	if expired {
		return fail(http.StatusUnauthorized, "session_token_expired", "Session token expired")
	}
	if errors.Is(err, store.ErrNotFound) {
		return fail(http.StatusUnauthorized, "session_token_expired", "Session token is invalid or expired")
	}
	if err != nil {
		return err
	}
	c.sess, c.token = sess, token
	return nil
}

func (s *Server) writeErr(w *outcome, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		envelope.WriteError(w, ae.status, ae.body)
		return
	}
	envelope.WriteError(w, http.StatusInternalServerError, envelope.ErrorBody{Error: "internal_error", Message: "internal server error"})
	w.detail = err.Error()
}

func unmarshal(c *call, m proto.Message) error {
	if err := proto.Unmarshal(c.rq.Payload, m); err != nil {
		return fail(http.StatusBadRequest, "bad_request", "malformed request payload")
	}
	return nil
}

// Requests returns how many API requests (/api/rest and BI) the server has
// answered.
func (s *Server) Requests() int64 { return s.n.Load() }
