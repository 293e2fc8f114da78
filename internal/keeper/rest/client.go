// Package rest is the client side of Keeper's REST transport: the encrypted
// ApiRequest envelope, the server key table, retries on `key` and
// `throttled` answers, typed API errors and JSON ("v2") commands.
//
// It does no terminal I/O: status for the user (throttle waits) goes through
// Options.Notify and protocol logging through Options.Debug.
package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/version"
)

// MaxResponse caps the size of a response body the client reads.
const MaxResponse = 256 << 20

// Options configure a Client.
type Options struct {
	// Server is a host ("keepersecurity.com"), host:port, or a URL with a
	// scheme; plain http is used only when the scheme says so.
	Server string
	// HTTPClient defaults to a client with Commander's timeouts.
	HTTPClient *http.Client
	// ServerKeyID is the key id to start with (default 7).
	ServerKeyID int32
	// KeyOverride replaces the published key of its id (local sandboxes).
	KeyOverride *ServerKey
	// Locale defaults to en_US.
	Locale string
	// ClientVersion defaults to version.ClientVersion.
	ClientVersion string
	// FailOnThrottle returns throttled answers at once instead of waiting.
	FailOnThrottle bool
	// MaxThrottleRetries defaults to 3 (Commander).
	MaxThrottleRetries int
	// Notify receives one-line status messages meant for the user (stderr).
	Notify func(msg string)
	// Debug, when set, receives a log of endpoints and decrypted bodies with
	// every secret redacted.
	Debug io.Writer
	// Sleep waits between retries; tests replace it. It must honour ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client sends requests to one Keeper server. It is safe for concurrent use.
type Client struct {
	opts    Options
	base    string // scheme://host[:port]
	http    *http.Client
	trips   atomic.Int64
	mu      sync.Mutex
	keyID   int32
	tk      []byte // transmission key, reused while the key id is unchanged
	wrapped []byte // tk wrapped to keyID
}

// New checks the options and returns a Client.
func New(o Options) (*Client, error) {
	base, err := BaseURL(o.Server)
	if err != nil {
		return nil, err
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 120 * time.Second}
	}
	if o.ServerKeyID == 0 {
		o.ServerKeyID = DefaultServerKeyID
	}
	if o.Locale == "" {
		o.Locale = "en_US"
	}
	if o.ClientVersion == "" {
		o.ClientVersion = version.ClientVersion
	}
	if o.MaxThrottleRetries == 0 {
		o.MaxThrottleRetries = 3
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if _, err := serverKey(o.ServerKeyID, o.KeyOverride); err != nil {
		return nil, err
	}
	return &Client{opts: o, base: base, http: o.HTTPClient, keyID: o.ServerKeyID}, nil
}

// BaseURL turns a server string into scheme://host[:port] as Commander does:
// https:// is assumed unless the string starts with http, and any path is
// dropped.
func BaseURL(server string) (string, error) {
	s := strings.TrimSpace(server)
	if s == "" {
		return "", errors.New("no Keeper server configured")
	}
	if strings.Contains(s, "://") && !strings.HasPrefix(strings.ToLower(s), "http") {
		return "", fmt.Errorf("invalid Keeper server %q: only http and https are supported", server)
	}
	if !strings.HasPrefix(strings.ToLower(s), "http") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("invalid Keeper server %q", server)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Server returns the base URL requests go to.
func (c *Client) Server() string { return c.base }

// ClientVersion returns the client version string sent to the server.
func (c *Client) ClientVersion() string { return c.opts.ClientVersion }

// KeyID returns the server key id currently in use.
func (c *Client) KeyID() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keyID
}

// RoundTrips returns the number of HTTP requests sent so far.
func (c *Client) RoundTrips() int64 { return c.trips.Load() }

// CallOption adjusts one call.
type CallOption func(*authpb.ApiRequestPayload)

// WithSessionToken sends the session token in the envelope.
func WithSessionToken(token []byte) CallOption {
	return func(p *authpb.ApiRequestPayload) { p.EncryptedSessionToken = token }
}

// WithAPIVersion sets ApiRequestPayload.apiVersion.
func WithAPIVersion(v int32) CallOption {
	return func(p *authpb.ApiRequestPayload) { p.ApiVersion = v }
}

// Call sends req (nil for none) to endpoint and decodes the reply into resp
// (nil to ignore it).
func (c *Client) Call(ctx context.Context, endpoint string, req, resp proto.Message, opts ...CallOption) error {
	var payload []byte
	if req != nil {
		b, err := proto.Marshal(req)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", endpoint, err)
		}
		payload = b
	}
	c.debugProto(">>>", endpoint, req)
	body, err := c.CallRaw(ctx, endpoint, payload, opts...)
	if err != nil {
		return err
	}
	if resp != nil {
		if err := proto.Unmarshal(body, resp); err != nil {
			return &ReplyError{Endpoint: endpoint, Msg: "malformed response from server"}
		}
		c.debugProto("<<<", endpoint, resp)
	}
	return nil
}

// CallRaw sends raw payload bytes and returns the decrypted reply bytes.
// endpoint is relative to /api/rest/ unless it starts with "/" (an absolute
// path on the same server, e.g. /bi_api/v2/...).
func (c *Client) CallRaw(ctx context.Context, endpoint string, payload []byte, opts ...CallOption) ([]byte, error) {
	p := &authpb.ApiRequestPayload{Payload: payload}
	for _, o := range opts {
		o(p)
	}
	inner, err := proto.Marshal(p)
	if err != nil {
		return nil, err
	}
	u := c.base + "/api/rest/" + endpoint
	if strings.HasPrefix(endpoint, "/") {
		u = c.base + endpoint
	}
	keyRetries, throttles := 0, 0
	for {
		keyID, tk, wrapped, err := c.transmissionKey()
		if err != nil {
			return nil, err
		}
		status, ctype, body, err := c.post(ctx, u, keyID, tk, wrapped, inner)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", endpoint, err)
		}
		if status == http.StatusOK && ctype != "application/json" {
			if len(body) == 0 {
				return nil, nil
			}
			plain, err := crypto.DecryptAESv2(body, tk)
			if err != nil {
				return nil, &ReplyError{Endpoint: endpoint, Msg: "the server reply does not decrypt (corrupted or not a Keeper server)"}
			}
			return plain, nil
		}
		if status != http.StatusOK && status < 400 {
			return nil, &APIError{Endpoint: endpoint, HTTPStatus: status, Message: fmt.Sprintf("unexpected HTTP status %d", status)}
		}
		if !strings.HasPrefix(ctype, "application/json") {
			return nil, &APIError{Endpoint: endpoint, HTTPStatus: status, Message: http.StatusText(status)}
		}
		apiErr := parseErrorBody(endpoint, status, body)
		c.debugf("<<< %s error %d %s: %s", endpoint, status, apiErr.Code, apiErr.Message)
		switch {
		case apiErr.Code == "key" && apiErr.KeyID != 0 && apiErr.KeyID != keyID && keyRetries < 3:
			keyRetries++
			if err := c.switchKey(apiErr.KeyID); err != nil {
				// Still the server's answer (exit code 5), not a local failure.
				apiErr.Message = fmt.Sprintf("the server asked for key id %d: %v", apiErr.KeyID, err)
				return nil, apiErr
			}
			continue
		case apiErr.Code == "throttled" && !c.opts.FailOnThrottle && throttles < c.opts.MaxThrottleRetries:
			throttles++
			wait := throttleWait(apiErr.Message)
			if wait > 300 {
				wait = 300
			}
			if min := 30 << (throttles - 1); wait < min {
				wait = min
			}
			if c.opts.Notify != nil {
				c.opts.Notify(fmt.Sprintf("Throttled (attempt %d/%d), retrying in %d seconds", throttles, c.opts.MaxThrottleRetries, wait))
			}
			if err := c.opts.Sleep(ctx, time.Duration(wait)*time.Second); err != nil {
				return nil, err
			}
			continue
		}
		return nil, apiErr
	}
}

// transmissionKey returns the current key id, transmission key and its
// wrapped form, creating them on first use.
func (c *Client) transmissionKey() (int32, []byte, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tk == nil {
		w, err := serverKey(c.keyID, c.opts.KeyOverride)
		if err != nil {
			return 0, nil, nil, err
		}
		tk := crypto.GenerateAESKey()
		wrapped, err := w.wrap(tk)
		if err != nil {
			return 0, nil, nil, err
		}
		c.tk, c.wrapped = tk, wrapped
	}
	return c.keyID, c.tk, c.wrapped, nil
}

func (c *Client) switchKey(id int32) error {
	if _, err := serverKey(id, c.opts.KeyOverride); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keyID, c.tk, c.wrapped = id, nil, nil
	return nil
}

func (c *Client) post(ctx context.Context, u string, keyID int32, tk, wrapped, inner []byte) (int, string, []byte, error) {
	enc, err := crypto.EncryptAESv2(inner, tk)
	if err != nil {
		return 0, "", nil, err
	}
	body, err := proto.Marshal(&authpb.ApiRequest{
		EncryptedTransmissionKey: wrapped,
		PublicKeyId:              keyID,
		Locale:                   c.opts.Locale,
		EncryptedPayload:         enc,
	})
	if err != nil {
		return 0, "", nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	c.trips.Add(1)
	rs, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", nil, ctx.Err()
		}
		return 0, "", nil, &NetworkError{Server: c.base, Err: unwrapURLError(err)}
	}
	defer rs.Body.Close()
	limit := int64(MaxResponse)
	if rs.StatusCode != http.StatusOK || strings.HasPrefix(rs.Header.Get("Content-Type"), "application/json") {
		limit = maxErrorBody + 1 // an error body: one byte more tells parseErrorBody it is too long
	}
	data, err := io.ReadAll(io.LimitReader(rs.Body, limit))
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", nil, ctx.Err()
		}
		return 0, "", nil, &NetworkError{Server: c.base, Err: fmt.Errorf("read reply: %w", err)}
	}
	return rs.StatusCode, rs.Header.Get("Content-Type"), data, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
