package rest_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/envelope"
)

// server is a tiny Keeper-shaped server built on the real server envelope.
type server struct {
	priv     *ecdh.PrivateKey
	keyID    int32
	requests atomic.Int64
	handle   func(w http.ResponseWriter, rq *envelope.Request, n int64)
}

func newServer(t *testing.T, keyID int32, h func(w http.ResponseWriter, rq *envelope.Request, n int64)) (*server, *httptest.Server) {
	t.Helper()
	priv, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{priv: priv, keyID: keyID, handle: h}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.requests.Add(1)
		rq, err := envelope.Open(r, map[int32]*ecdh.PrivateKey{s.keyID: s.priv})
		var uk *envelope.UnknownKeyError
		if errors.As(err, &uk) {
			envelope.WriteKeyError(w, s.keyID)
			return
		}
		if err != nil {
			envelope.WriteError(w, 400, envelope.ErrorBody{Error: "bad_request", Message: err.Error()})
			return
		}
		s.handle(w, rq, n)
	}))
	t.Cleanup(ts.Close)
	return s, ts
}

func (s *server) client(t *testing.T, url string, mod func(*rest.Options)) *rest.Client {
	t.Helper()
	o := rest.Options{Server: url, KeyOverride: &rest.ServerKey{ID: s.keyID, Public: crypto.ECPublicKeyBytes(s.priv.PublicKey())}}
	if s.keyID != 7 {
		// The client starts at 7 with Keeper's real key; the server must redirect it.
		o.ServerKeyID = 7
	}
	if mod != nil {
		mod(&o)
	}
	c, err := rest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func echoDevice(w http.ResponseWriter, rq *envelope.Request, _ int64) {
	var in authpb.DeviceRegistrationRequest
	_ = protoUnmarshal(rq.Payload, &in)
	_ = rq.Reply(w, &authpb.Device{EncryptedDeviceToken: append([]byte(in.DeviceName), rq.SessionToken...)})
}

func TestRoundTrip(t *testing.T) {
	s, ts := newServer(t, 7, echoDevice)
	c := s.client(t, ts.URL, nil)
	var out authpb.Device
	err := c.Call(context.Background(), "authentication/register_device",
		&authpb.DeviceRegistrationRequest{DeviceName: "dev"}, &out, rest.WithSessionToken([]byte("-tok")))
	if err != nil {
		t.Fatal(err)
	}
	if string(out.EncryptedDeviceToken) != "dev-tok" {
		t.Fatalf("got %q", out.EncryptedDeviceToken)
	}
	if c.RoundTrips() != 1 {
		t.Fatalf("round trips %d", c.RoundTrips())
	}
}

func TestKeyIDRetry(t *testing.T) {
	s, ts := newServer(t, 9, echoDevice)
	c := s.client(t, ts.URL, nil)
	var out authpb.Device
	if err := c.Call(context.Background(), "x", &authpb.DeviceRegistrationRequest{DeviceName: "a"}, &out); err != nil {
		t.Fatal(err)
	}
	if c.KeyID() != 9 || s.requests.Load() != 2 {
		t.Fatalf("key id %d after %d requests", c.KeyID(), s.requests.Load())
	}
}

// TestUnknownKeyIDAsked: a server asking for a key id the client has no
// key for is the server's answer (an *APIError), not a local failure.
func TestUnknownKeyIDAsked(t *testing.T) {
	s, ts := newServer(t, 99, echoDevice)
	c, err := rest.New(rest.Options{Server: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Call(context.Background(), "x", &authpb.DeviceRegistrationRequest{DeviceName: "a"}, &authpb.Device{})
	var ae *rest.APIError
	if !errors.As(err, &ae) || ae.Code != "key" || ae.KeyID != 99 || !strings.Contains(err.Error(), "key id 99") {
		t.Fatalf("want an APIError naming key id 99, got %v", err)
	}
	if s.requests.Load() != 1 {
		t.Fatalf("%d requests, want 1", s.requests.Load())
	}
}

func TestThrottleRetry(t *testing.T) {
	s, ts := newServer(t, 7, func(w http.ResponseWriter, rq *envelope.Request, n int64) {
		if n == 1 {
			envelope.WriteThrottled(w, 45)
			return
		}
		echoDevice(w, rq, n)
	})
	var waits []time.Duration
	var notes []string
	c := s.client(t, ts.URL, func(o *rest.Options) {
		o.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
		o.Notify = func(m string) { notes = append(notes, m) }
	})
	if err := c.Call(context.Background(), "x", &authpb.DeviceRegistrationRequest{}, &authpb.Device{}); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || waits[0] != 45*time.Second || len(notes) != 1 || !strings.Contains(notes[0], "45 seconds") {
		t.Fatalf("waits %v notes %v", waits, notes)
	}
}

func TestThrottleExhaustedAndFailOnThrottle(t *testing.T) {
	s, ts := newServer(t, 7, func(w http.ResponseWriter, _ *envelope.Request, _ int64) { envelope.WriteThrottled(w, 1) })
	var waits []time.Duration
	c := s.client(t, ts.URL, func(o *rest.Options) {
		o.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	})
	err := c.Call(context.Background(), "x", nil, nil)
	if !errors.Is(err, rest.ErrThrottled) {
		t.Fatalf("want throttled, got %v", err)
	}
	// Commander's formula: max(min(hint, 300), 30*2^(n-1)).
	if want := []time.Duration{30 * time.Second, 60 * time.Second, 120 * time.Second}; len(waits) != 3 || waits[0] != want[0] || waits[2] != want[2] {
		t.Fatalf("waits %v", waits)
	}
	c = s.client(t, ts.URL, func(o *rest.Options) { o.FailOnThrottle = true })
	before := s.requests.Load()
	if err := c.Call(context.Background(), "x", nil, nil); !errors.Is(err, rest.ErrThrottled) || s.requests.Load() != before+1 {
		t.Fatalf("fail-on-throttle: %v after %d requests", err, s.requests.Load()-before)
	}
}

func TestCorruptedReply(t *testing.T) {
	s, ts := newServer(t, 7, func(w http.ResponseWriter, _ *envelope.Request, _ int64) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(bytes.Repeat([]byte{7}, 64))
	})
	err := s.client(t, ts.URL, nil).Call(context.Background(), "x", nil, &authpb.Device{})
	if err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Fatalf("want decrypt error, got %v", err)
	}
}

func TestAPIErrorFields(t *testing.T) {
	s, ts := newServer(t, 7, func(w http.ResponseWriter, _ *envelope.Request, _ int64) {
		envelope.WriteError(w, 400, envelope.ErrorBody{Error: "region_redirect", Message: "go", RegionHost: "keepersecurity.eu"})
	})
	err := s.client(t, ts.URL, nil).Call(context.Background(), "authentication/start_login", nil, nil)
	var ae *rest.APIError
	if !errors.As(err, &ae) || !errors.Is(err, rest.ErrRegionRedirect) || ae.RegionHost != "keepersecurity.eu" || ae.HTTPStatus != 400 {
		t.Fatalf("got %#v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	release := make(chan struct{})
	s, ts := newServer(t, 7, func(w http.ResponseWriter, rq *envelope.Request, n int64) {
		<-release
		echoDevice(w, rq, n)
	})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	err := s.client(t, ts.URL, nil).Call(ctx, "x", nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func jsonServer(t *testing.T, batches *atomic.Int64) (*server, *httptest.Server) {
	return newServer(t, 7, func(w http.ResponseWriter, rq *envelope.Request, _ int64) {
		var cmd map[string]any
		if err := json.Unmarshal(rq.Payload, &cmd); err != nil {
			envelope.WriteError(w, 400, envelope.ErrorBody{Error: "bad_request"})
			return
		}
		for _, k := range []string{"client_time", "locale", "device_id", "session_token", "username", "client_version"} {
			if _, ok := cmd[k]; !ok {
				_ = rq.ReplyJSON(w, map[string]any{"result": "fail", "result_code": "missing_" + k})
				return
			}
		}
		switch cmd["command"] {
		case "ping":
			_ = rq.ReplyJSON(w, map[string]any{"result": "success", "pong": cmd["username"]})
		case "execute":
			batches.Add(1)
			reqs := cmd["requests"].([]any)
			res := make([]map[string]any, len(reqs))
			for i, r := range reqs {
				res[i] = map[string]any{"result": "success", "echo": r.(map[string]any)["n"]}
			}
			_ = rq.ReplyJSON(w, map[string]any{"result": "success", "results": res})
		default:
			_ = rq.ReplyJSON(w, map[string]any{"result": "fail", "result_code": "unknown_command", "message": "unknown"})
		}
	})
}

type pingCmd struct {
	EncryptedData string `json:"encrypted_data,omitempty"`
	Password      string `json:"password,omitempty"`
}

func (pingCmd) CommandName() string { return "ping" }

type nopeCmd struct{}

func (nopeCmd) CommandName() string { return "nope" }

type numberedCmd struct {
	N int `json:"n"`
}

func (numberedCmd) CommandName() string { return "node_add" }

func TestExecute(t *testing.T) {
	var batches atomic.Int64
	s, ts := jsonServer(t, &batches)
	c := s.client(t, ts.URL, nil)
	sess := rest.JSONSession{Token: []byte("t"), Username: "Admin@X.test"}
	var out struct{ Pong string }
	if err := c.Execute(context.Background(), sess, pingCmd{}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Pong != "admin@x.test" {
		t.Fatalf("pong %q", out.Pong)
	}
	err := c.Execute(context.Background(), sess, nopeCmd{}, nil)
	if !errors.Is(err, &rest.APIError{Code: "unknown_command"}) {
		t.Fatalf("got %v", err)
	}
}

func TestExecuteBatch(t *testing.T) {
	var batches atomic.Int64
	s, ts := jsonServer(t, &batches)
	c := s.client(t, ts.URL, nil)
	cmds := make([]rest.Command, 250)
	for i := range cmds {
		cmds[i] = numberedCmd{N: i}
	}
	res, err := c.ExecuteBatch(context.Background(), rest.JSONSession{Token: []byte("t"), Username: "a"}, cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 250 || batches.Load() != 3 {
		t.Fatalf("%d results in %d batches", len(res), batches.Load())
	}
	for i, r := range res {
		var echo struct{ Echo int }
		if err := r.Decode(&echo); err != nil || !r.OK() || echo.Echo != i {
			t.Fatalf("result %d out of order: %s", i, r.Raw)
		}
	}
	// ExecuteBatchFunc reports each reply's answered commands.
	var answered []int
	if _, err := c.ExecuteBatchFunc(context.Background(), rest.JSONSession{Token: []byte("t"), Username: "a"}, cmds,
		func(n int) { answered = append(answered, n) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(answered) != "[100 100 50]" {
		t.Fatalf("answered %v", answered)
	}
}

func TestDebugRedaction(t *testing.T) {
	var batches atomic.Int64
	s, ts := jsonServer(t, &batches)
	var log bytes.Buffer
	c := s.client(t, ts.URL, func(o *rest.Options) { o.Debug = &log })
	secret := []byte("super-secret-token-bytes")
	_ = c.Execute(context.Background(), rest.JSONSession{Token: secret, Username: "a"},
		pingCmd{EncryptedData: "abc", Password: "hunter2"}, nil)
	out := log.String()
	for _, leak := range []string{crypto.Base64URLEncode(secret), "hunter2", `"abc"`} {
		if strings.Contains(out, leak) {
			t.Fatalf("debug log leaks %q:\n%s", leak, out)
		}
	}
	if !strings.Contains(out, "ping") || !strings.Contains(out, "<redacted>") {
		t.Fatalf("debug log lacks the command:\n%s", out)
	}
}

func TestBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"keepersecurity.com":          "https://keepersecurity.com",
		"http://127.0.0.1:8080/x/y":   "http://127.0.0.1:8080",
		"https://localhost:8443":      "https://localhost:8443",
		"keepersecurity.eu:443/api/x": "https://keepersecurity.eu:443",
	} {
		if got, err := rest.BaseURL(in); err != nil || got != want {
			t.Errorf("BaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://x", "https://"} {
		if _, err := rest.BaseURL(bad); err == nil {
			t.Errorf("BaseURL(%q) should fail", bad)
		}
	}
}

func TestPublishedKeysLoad(t *testing.T) {
	for id := int32(1); id <= 17; id++ {
		if _, err := rest.New(rest.Options{Server: "keepersecurity.com", ServerKeyID: id}); err != nil {
			t.Errorf("key %d: %v", id, err)
		}
	}
	if _, err := rest.New(rest.Options{Server: "keepersecurity.com", ServerKeyID: 99}); err == nil {
		t.Error("key 99 should be rejected")
	}
}
