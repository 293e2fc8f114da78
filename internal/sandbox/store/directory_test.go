package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// putUser stores a live (or, with deleted, tombstoned) user entity.
func putUser(t *testing.T, st *store.Store, eid int32, id int64, email string, deleted bool) {
	t.Helper()
	ctx := context.Background()
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		rev, err := store.BumpRev(ctx, tx, eid)
		if err != nil {
			return err
		}
		data, _ := proto.Marshal(&enterprisepb.User{EnterpriseUserId: id, Username: email})
		kind := int32(enterprisepb.EnterpriseDataEntity_USERS)
		if err := store.PutEntity(ctx, tx, eid, rev, store.Entity{Kind: kind, Ident: fmt.Sprint(id), Name: email, Data: data}); err != nil {
			return err
		}
		if deleted {
			_, err = store.DeleteEntity(ctx, tx, eid, rev, kind, fmt.Sprint(id))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestIDRecords: an id counts as allocated only inside a range
// AllocateIDs handed out to that enterprise, and as used once any entity
// was stored under it, even after it was deleted.
func TestIDRecords(t *testing.T) {
	st := sessionStore(t) // enterprise 1
	ctx := context.Background()
	if err := st.Tx(ctx, func(tx *sql.Tx) error { return store.PutEnterprise(ctx, tx, &store.Enterprise{ID: 2, Name: "F"}) }); err != nil {
		t.Fatal(err)
	}
	var base int64
	if err := st.Tx(ctx, func(tx *sql.Tx) (err error) { base, err = store.AllocateIDs(ctx, tx, 1, 3); return err }); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		eid  int32
		id   int64
		want bool
	}{{1, base, true}, {1, base + 2, true}, {1, base + 3, false}, {1, base - 1, false}, {2, base, false}} {
		if got, err := store.IDAllocated(ctx, st.DB(), c.eid, c.id); err != nil || got != c.want {
			t.Errorf("IDAllocated(%d, %d) = %v, %v; want %v", c.eid, c.id, got, err, c.want)
		}
	}
	putUser(t, st, 1, base, "gone@x.test", true)
	for id, want := range map[int64]bool{base: true, base + 1: false} {
		if got, err := store.IDUsed(ctx, st.DB(), 1, id); err != nil || got != want {
			t.Errorf("IDUsed(%d) = %v, %v; want %v", id-base, got, err, want)
		}
	}
}

// TestFindEmail: an email is found as a live user or alias of any
// enterprise, then as a login account; a deleted user frees it.
func TestFindEmail(t *testing.T) {
	st := sessionStore(t) // account u@x in enterprise 1
	ctx := context.Background()
	if err := st.Tx(ctx, func(tx *sql.Tx) error { return store.PutEnterprise(ctx, tx, &store.Enterprise{ID: 2, Name: "F"}) }); err != nil {
		t.Fatal(err)
	}
	putUser(t, st, 2, 2<<32+5, "bob@x.test", false)
	putUser(t, st, 2, 2<<32+6, "gone@x.test", true)
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		data, _ := proto.Marshal(&enterprisepb.UserAlias{EnterpriseUserId: 2<<32 + 5, Username: "robert@x.test"})
		return store.PutEntity(ctx, tx, 2, 9, store.Entity{Kind: int32(enterprisepb.EnterpriseDataEntity_USER_ALIASES),
			Ident: "robert@x.test", Name: "robert@x.test", Data: data})
	}); err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]string{"bob@x.test": "2/8589934597/user", "robert@x.test": "2/8589934597/alias",
		"u@x": "1/0/account", "gone@x.test": "none", "nobody@x.test": "none"} {
		use, err := store.FindEmail(ctx, st.DB(), email)
		got := "none"
		if err == nil {
			got = fmt.Sprintf("%d/%d/%s", use.EnterpriseID, use.EnterpriseUserID, map[bool]string{true: "alias", false: "user"}[use.Alias])
			if use.Account {
				got = fmt.Sprintf("%d/%d/account", use.EnterpriseID, use.EnterpriseUserID)
			}
		} else if err != store.ErrNotFound {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("FindEmail(%s) = %s, want %s", email, got, want)
		}
	}
	// The lookup is an index search, not a scan of every entity.
	var plan strings.Builder
	r, err := st.DB().Query(`EXPLAIN QUERY PLAN SELECT kind, enterprise_id, data FROM entities
		WHERE deleted = 0 AND kind IN (3, 21) AND name = ? ORDER BY kind LIMIT 1`, "x")
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var id, parent, unused int
		var detail string
		if err := r.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "; ")
	}
	r.Close()
	if !strings.Contains(plan.String(), "entities_username") {
		t.Errorf("FindEmail does not use entities_username: %s", plan.String())
	}
}

// TestOutboxAndRename: mails list oldest first; renaming an account moves
// its sessions along (sessions reference accounts).
func TestOutboxAndRename(t *testing.T) {
	st := sessionStore(t)
	ctx := context.Background()
	tok := put(t, st, "s1", nil)
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		for i := range 3 {
			if err := store.AddMail(ctx, tx, &store.Mail{EnterpriseID: 1, To: fmt.Sprintf("m%d@x.test", i), Subject: "s",
				Link: "https://h/vault/#/invite/t", Created: time.UnixMilli(int64(1000 - i))}); err != nil {
				return err
			}
		}
		return store.RenameAccount(ctx, tx, "u@x", "u@y")
	}); err != nil {
		t.Fatal(err)
	}
	mails, err := st.Outbox(ctx)
	if err != nil || len(mails) != 3 || mails[0].To != "m0@x.test" || mails[2].To != "m2@x.test" || mails[2].Created.UnixMilli() != 998 {
		t.Fatalf("outbox %+v %v", mails, err)
	}
	if _, err := st.GetAccount(ctx, "u@y"); err != nil {
		t.Fatalf("renamed account: %v", err)
	}
	sess, _, err := st.TouchSession(ctx, tok, time.Hour)
	if err != nil || sess.Username != "u@y" {
		t.Fatalf("session after rename: %+v %v", sess, err)
	}
}
