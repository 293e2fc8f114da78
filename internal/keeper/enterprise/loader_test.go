package enterprise

import (
	"context"
	"crypto/ecdh"
	"encoding/binary"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/envelope"
)

// pagingServer answers every enterprise data request with page(n), n
// counting from 1, and returns a client for it and the request counter.
func pagingServer(t *testing.T, page func(n int64) *pb.EnterpriseDataResponse) (*rest.Client, *atomic.Int64) {
	t.Helper()
	priv, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq, err := envelope.Open(r, map[int32]*ecdh.PrivateKey{7: priv})
		if err != nil {
			envelope.WriteError(w, 400, envelope.ErrorBody{Error: "bad_request"})
			return
		}
		_ = rq.Reply(w, page(n.Add(1)))
	}))
	t.Cleanup(ts.Close)
	c, err := rest.New(rest.Options{Server: ts.URL,
		KeyOverride: &rest.ServerKey{ID: 7, Public: crypto.ECPublicKeyBytes(priv.PublicKey())}})
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

func token(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }

// TestLoadStopsOnRepeatedToken: "more" with the token just sent is an
// error after one extra page, not a loop.
func TestLoadStopsOnRepeatedToken(t *testing.T) {
	c, n := pagingServer(t, func(int64) *pb.EnterpriseDataResponse {
		return &pb.EnterpriseDataResponse{HasMore: true, ContinuationToken: []byte("same")}
	})
	_, st, err := Load(context.Background(), c, Keys{TreeKey: make([]byte, 32)}, nil)
	var re *rest.ReplyError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "repeats the continuation token") {
		t.Fatalf("got %v", err)
	}
	if n.Load() != 2 || st.Pages != 2 {
		t.Fatalf("%d requests, %d pages", n.Load(), st.Pages)
	}
}

// TestLoadPageCap: a server that always has more, with a fresh token each
// time, is cut off after maxPages (10,000) pages.
func TestLoadPageCap(t *testing.T) {
	if maxPages != 10_000 {
		t.Fatalf("maxPages = %d", maxPages)
	}
	c, n := pagingServer(t, func(n int64) *pb.EnterpriseDataResponse {
		return &pb.EnterpriseDataResponse{HasMore: true, ContinuationToken: token(n)}
	})
	_, _, err := Load(context.Background(), c, Keys{TreeKey: make([]byte, 32)}, nil)
	var re *rest.ReplyError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "after 10000 pages") {
		t.Fatalf("got %v", err)
	}
	if n.Load() != maxPages {
		t.Fatalf("%d requests", n.Load())
	}
}

// TestLoadFollowsTokens: a normal multi-page sync ends on hasMore false.
func TestLoadFollowsTokens(t *testing.T) {
	c, n := pagingServer(t, func(n int64) *pb.EnterpriseDataResponse {
		return &pb.EnterpriseDataResponse{HasMore: n < 3, ContinuationToken: token(n)}
	})
	if _, st, err := Load(context.Background(), c, Keys{TreeKey: make([]byte, 32)}, nil); err != nil || st.Pages != 3 || n.Load() != 3 {
		t.Fatalf("%v after %d pages", err, st.Pages)
	}
}
