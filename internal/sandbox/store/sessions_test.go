package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func sessionStore(t *testing.T) *store.Store {
	t.Helper()
	st := openTemp(t)
	ctx := context.Background()
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.PutEnterprise(ctx, tx, &store.Enterprise{ID: 1, Name: "E"}); err != nil {
			return err
		}
		return store.PutAccount(ctx, tx, &store.Account{Username: "u@x", EnterpriseID: 1, AccountUID: []byte{1},
			AuthVerifier: []byte{1}, EncryptionParams: []byte{1}})
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

func rows(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func put(t *testing.T, st *store.Store, token string, parent []byte) []byte {
	t.Helper()
	tok := []byte(token)
	if err := st.PutSession(context.Background(), tok, &store.Session{Username: "u@x", DeviceToken: "d", EnterpriseID: 1, Parent: parent}); err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestLogoutEndsChildSessions: deleting a session deletes the sessions
// opened from it (and theirs), and nothing else.
func TestLogoutEndsChildSessions(t *testing.T) {
	st := sessionStore(t)
	ctx := context.Background()
	msp := put(t, st, "msp", nil)
	mc := put(t, st, "mc", msp)
	put(t, st, "mc-of-mc", mc)
	other := put(t, st, "other", nil)
	if err := st.DeleteSession(ctx, msp); err != nil {
		t.Fatal(err)
	}
	if n := rows(t, st, "sessions"); n != 1 {
		t.Fatalf("%d sessions left after logout, want 1 (the unrelated one)", n)
	}
	if _, _, err := st.TouchSession(ctx, other, time.Hour); err != nil {
		t.Fatalf("unrelated session: %v", err)
	}
	if _, _, err := st.TouchSession(ctx, mc, time.Hour); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("child session after logout: %v", err)
	}
}

// TestPurgeExpired: idle sessions (with their children) and expired login
// tokens are deleted; live ones stay. Using a child keeps its parent alive.
func TestPurgeExpired(t *testing.T) {
	st := sessionStore(t)
	ctx := context.Background()
	const idle = 150 * time.Millisecond
	stale := put(t, st, "stale", nil)
	put(t, st, "stale-child", stale)
	busy := put(t, st, "busy", nil)
	busyChild := put(t, st, "busy-child", busy)
	if err := st.PutLoginToken(ctx, []byte("old"), "u@x", "d", -time.Second); err != nil {
		t.Fatal(err)
	}
	if err := st.PutLoginToken(ctx, []byte("new"), "u@x", "d", time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(idle / 2)
	if _, _, err := st.TouchSession(ctx, busyChild, idle); err != nil {
		t.Fatal(err)
	}
	time.Sleep(idle/2 + 30*time.Millisecond)
	n, err := st.PurgeExpired(ctx, idle)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || rows(t, st, "sessions") != 2 {
		t.Fatalf("purge deleted %d sessions, %d left; want 2 deleted (stale and its child), 2 left", n, rows(t, st, "sessions"))
	}
	if _, _, err := st.TouchSession(ctx, busy, idle); err != nil {
		t.Fatalf("a session whose child was in use expired: %v", err)
	}
	if rows(t, st, "login_tokens") != 1 {
		t.Fatalf("%d login tokens left, want 1", rows(t, st, "login_tokens"))
	}
	if _, _, err := st.TakeLoginToken(ctx, []byte("new")); err != nil {
		t.Fatalf("live login token: %v", err)
	}
}
