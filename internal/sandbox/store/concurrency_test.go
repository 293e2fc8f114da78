package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func openTemp(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestConcurrentWriters: 50 write transactions started at once, with reads
// and single-statement writes going on beside them, all commit; none fails
// with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	const eid = 42
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		return store.PutEnterprise(ctx, tx, &store.Enterprise{ID: eid, Name: "Concurrent"})
	}); err != nil {
		t.Fatal(err)
	}
	const writers, readers = 50, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- st.Tx(ctx, func(tx *sql.Tx) error {
				rev, err := store.BumpRev(ctx, tx, eid)
				if err != nil {
					return err
				}
				id, err := store.AllocateIDs(ctx, tx, eid, 1)
				if err != nil {
					return err
				}
				// A read on the transaction itself, as the JSON commands do,
				// and one through the read pool: neither may wait on the
				// writers queued behind this transaction.
				if _, err := store.CountEntities(ctx, tx, eid, 1); err != nil {
					return err
				}
				if _, err := store.GetEnterprise(ctx, st.DB(), eid); err != nil {
					return err
				}
				return store.PutEntity(ctx, tx, eid, rev, store.Entity{Kind: 1, Ident: fmt.Sprint(id), Data: []byte{byte(i)}})
			})
		}(i)
	}
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if _, err := store.GetEnterprise(ctx, st.DB(), eid); err != nil {
					errs <- err
					return
				}
				if _, err := store.CountEntities(ctx, st.DB(), eid, 1); err != nil {
					errs <- err
					return
				}
				if err := st.SetSetting(ctx, fmt.Sprint("reader-", j), []byte{byte(j)}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			t.Log(err)
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d concurrent transactions or readers failed", failed, writers+readers)
	}
	n, err := store.CountEntities(ctx, st.DB(), eid, 1)
	if err != nil || n != writers {
		t.Fatalf("%d entities stored (%v), want %d", n, err, writers)
	}
	e, err := store.GetEnterprise(ctx, st.DB(), eid)
	if err != nil || e.Rev != writers {
		t.Fatalf("revision %d (%v), want %d", e.Rev, err, writers)
	}
}
