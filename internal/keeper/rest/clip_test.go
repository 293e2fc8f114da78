package rest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/envelope"
)

// TestServerTextIsClipped: error texts from the server are cut to
// rest.MaxMessage bytes plus "…" before they are kept or printed.
func TestServerTextIsClipped(t *testing.T) {
	long := strings.Repeat("é", 300_000) // 600 kB, two bytes a rune
	s, ts := newServer(t, 7, func(w http.ResponseWriter, _ *envelope.Request, _ int64) {
		envelope.WriteError(w, 400, envelope.ErrorBody{Error: "bad", Message: long[:40_000]})
	})
	err := s.client(t, ts.URL, nil).Call(context.Background(), "x", nil, nil)
	var ae *rest.APIError
	if !errors.As(err, &ae) || ae.Code != "bad" {
		t.Fatalf("got %v", err)
	}
	if len(ae.Message) > rest.MaxMessage+len("…") || !strings.HasSuffix(ae.Message, "…") || !utf8.ValidString(ae.Message) {
		t.Fatalf("message of %d bytes not clipped: %q...", len(ae.Message), ae.Message[:20])
	}
	if len(err.Error()) > 2*rest.MaxMessage {
		t.Fatalf("error text of %d bytes", len(err.Error()))
	}

	// An error body far over any real one is not parsed at all.
	s, ts = newServer(t, 7, func(w http.ResponseWriter, _ *envelope.Request, _ int64) {
		envelope.WriteError(w, 500, envelope.ErrorBody{Error: "bad", Message: long})
	})
	err = s.client(t, ts.URL, nil).Call(context.Background(), "x", nil, nil)
	if !errors.As(err, &ae) || ae.HTTPStatus != 500 || len(err.Error()) > 2*rest.MaxMessage || !strings.Contains(err.Error(), "error body over") {
		t.Fatalf("oversized body: %.200v", err)
	}

	// JSON command results.
	s, ts = newServer(t, 7, func(w http.ResponseWriter, rq *envelope.Request, _ int64) {
		_ = rq.ReplyJSON(w, map[string]any{"result": "fail", "result_code": long, "message": long})
	})
	err = s.client(t, ts.URL, nil).Execute(context.Background(), rest.JSONSession{Token: []byte("t"), Username: "a"}, pingCmd{}, nil)
	if !errors.As(err, &ae) || len(ae.Code) > rest.MaxMessage+3 || len(ae.Message) > rest.MaxMessage+3 {
		t.Fatalf("JSON command: %.200v", err)
	}
}

func TestClip(t *testing.T) {
	if rest.Clip("short") != "short" {
		t.Fatal("short text changed")
	}
	s := strings.Repeat("a", rest.MaxMessage-1) + "€€"
	got := rest.Clip(s)
	if got != strings.Repeat("a", rest.MaxMessage-1)+"…" {
		t.Fatalf("clip inside a rune: %q", got[len(got)-8:])
	}
}
