package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// usedIDs returns the node, role and user ids stored for an enterprise.
func usedIDs(t *testing.T, st *store.Store, eid int32) map[int64]bool {
	t.Helper()
	used := map[int64]bool{}
	for _, kind := range []enterprisepb.EnterpriseDataEntity{enterprisepb.EnterpriseDataEntity_NODES,
		enterprisepb.EnterpriseDataEntity_ROLES, enterprisepb.EnterpriseDataEntity_USERS} {
		rows, err := store.FindEntities(context.Background(), st.DB(), eid, int32(kind), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			id, err := strconv.ParseInt(r.Ident, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			used[id] = true
		}
	}
	if len(used) == 0 {
		t.Fatalf("enterprise %d has no nodes, roles or users", eid)
	}
	return used
}

// checkAllocations allocates ids in every seeded enterprise and fails on
// any that is already used by a node, role or user.
func checkAllocations(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, eid := range []int32{seed.MSPEnterpriseID, 2001, 2003, 2005} {
		used := usedIDs(t, st, eid)
		const n = 200
		var first int64
		if err := st.Tx(ctx, func(tx *sql.Tx) (err error) {
			first, err = store.AllocateIDs(ctx, tx, eid, n)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for id := first; id < first+n; id++ {
			if used[id] {
				t.Fatalf("enterprise %d: allocated id %d (low %d) is already in use", eid, id, id&0xFFFFFFFF)
			}
		}
	}
}

func seeded(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := seed.Demo(context.Background(), st, seed.Options{Password: "Ids-Test-1!", Iterations: 1000}); err != nil {
		t.Fatal(err)
	}
	return st, path
}

// TestAllocateAfterSeed: ids allocated on a freshly seeded store never
// collide with a seeded node, role or user.
func TestAllocateAfterSeed(t *testing.T) {
	st, _ := seeded(t)
	checkAllocations(t, st)
}

// TestAllocatorRepairedOnOpen: a database written before the allocator fix
// (counter still at its default 100, inside the seeded ids) is repaired when
// it is opened.
func TestAllocatorRepairedOnOpen(t *testing.T) {
	st, path := seeded(t)
	st.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Undo migrations 2 to 10 (what their tables and columns need): back to
	// the shipped schema version 1.
	if _, err := raw.Exec(`ALTER TABLE sessions DROP COLUMN token_type;
		ALTER TABLE enterprises DROP COLUMN forbid_rsa; DROP TABLE account_flags; DROP TABLE reserved_domains;
		DROP TABLE external_shares; DROP TABLE vault_folder_records; DROP TABLE vault_folders; DROP TABLE vault_records;
		DROP TABLE vault_revs;
		UPDATE enterprises SET next_id = 100; DROP INDEX sessions_parent; DROP INDEX sessions_last_used;
		ALTER TABLE sessions DROP COLUMN parent_hash; DROP TABLE id_ranges; DROP TABLE used_ids; DROP INDEX entities_username;
		DROP TABLE outbox; DROP TABLE public_keys; DROP TABLE member_keys; DROP TABLE password_expired;
		ALTER TABLE accounts DROP COLUMN ip_disable_auto_approve;
		ALTER TABLE accounts DROP COLUMN security_keys_no_user_verify;
		DROP INDEX enterprises_distributor; ALTER TABLE enterprises DROP COLUMN distributor_id; DROP INDEX entities_live;
		UPDATE schema_version SET version = 1`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkAllocations(t, st)
	// Migration 4 records the ids already stored as used.
	if used, err := store.IDUsed(context.Background(), st.DB(), seed.MSPEnterpriseID, int64(seed.MSPEnterpriseID)<<32+100); err != nil || !used {
		t.Errorf("the seeded admin's id is not recorded as used after migrating: %v %v", used, err)
	}
}
