package rest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/envelope"
)

// TestServerGoneIsNetworkError: a server that drops the connection in the
// middle of a request yields *rest.NetworkError.
func TestServerGoneIsNetworkError(t *testing.T) {
	s, ts := newServer(t, 7, func(w http.ResponseWriter, _ *envelope.Request, _ int64) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	err := s.client(t, ts.URL, nil).Call(context.Background(), "x", nil, nil)
	var ne *rest.NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("want *rest.NetworkError, got %T %v", err, err)
	}
}

// TestUntrustedCertificateIsNetworkError: a TLS server whose certificate
// the client does not trust yields *rest.NetworkError.
func TestUntrustedCertificateIsNetworkError(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(ts.Close)
	c, err := rest.New(rest.Options{Server: ts.URL, HTTPClient: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Call(context.Background(), "x", nil, nil)
	var ne *rest.NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("want *rest.NetworkError, got %T %v", err, err)
	}
}

// TestBadRepliesAreReplyErrors: a reply that does not decrypt, or decrypts
// to bytes that are not the expected message, yields *rest.ReplyError.
func TestBadRepliesAreReplyErrors(t *testing.T) {
	for name, h := range map[string]func(http.ResponseWriter, *envelope.Request, int64){
		"undecryptable": func(w http.ResponseWriter, _ *envelope.Request, _ int64) {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(make([]byte, 64))
		},
		"not protobuf": func(w http.ResponseWriter, rq *envelope.Request, _ int64) {
			_ = rq.ReplyBytes(w, []byte{0xff, 0xff, 0xff})
		},
	} {
		s, ts := newServer(t, 7, h)
		err := s.client(t, ts.URL, nil).Call(context.Background(), "x", nil, &authpb.Device{})
		var re *rest.ReplyError
		if !errors.As(err, &re) {
			t.Errorf("%s: want *rest.ReplyError, got %T %v", name, err, err)
		}
	}
	s, ts := newServer(t, 7, func(w http.ResponseWriter, rq *envelope.Request, _ int64) {
		_ = rq.ReplyBytes(w, []byte("not json"))
	})
	err := s.client(t, ts.URL, nil).Execute(context.Background(), rest.JSONSession{Token: []byte("t"), Username: "a"}, pingCmd{}, nil)
	var re *rest.ReplyError
	if !errors.As(err, &re) {
		t.Errorf("JSON command: want *rest.ReplyError, got %T %v", err, err)
	}
}
