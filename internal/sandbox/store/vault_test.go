package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func tx(t *testing.T, st *store.Store, fn func(tx *sql.Tx) error) {
	t.Helper()
	if err := st.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestVaultRowsByRevision: records, folders and placements carry the
// owner's vault revision; Changed* returns one owner's rows in a revision
// window, paged by row; uids are unique across owners.
func TestVaultRowsByRevision(t *testing.T) {
	st := sessionStore(t)
	ctx := context.Background()
	tx(t, st, func(tx *sql.Tx) error {
		return store.PutAccount(ctx, tx, &store.Account{Username: "v@x", EnterpriseID: 1, AccountUID: []byte{2},
			AuthVerifier: []byte{1}, EncryptionParams: []byte{1}})
	})
	var revs []int64
	for i := byte(1); i <= 3; i++ {
		tx(t, st, func(tx *sql.Tx) error {
			rev, err := store.BumpVaultRev(ctx, tx, "u@x")
			if err != nil {
				return err
			}
			revs = append(revs, rev)
			uid := []byte{i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
			if err := store.AddRecord(ctx, tx, &store.VaultRecord{UID: uid, Owner: "u@x", RecordKey: []byte{1}, KeyType: 3,
				Version: 3, Data: []byte{i}, Rev: rev}); err != nil {
				return err
			}
			return store.PutFolderRecord(ctx, tx, &store.FolderRecord{Owner: "u@x", RecordUID: uid, Rev: rev})
		})
	}
	if revs[0] != 1 || revs[2] != 3 {
		t.Fatalf("revisions %v", revs)
	}
	if rev, _ := store.VaultRev(ctx, st.DB(), "u@x"); rev != 3 {
		t.Fatalf("vault revision %d", rev)
	}
	if rev, _ := store.VaultRev(ctx, st.DB(), "v@x"); rev != 0 {
		t.Fatalf("untouched vault revision %d", rev)
	}
	page, err := store.ChangedRecords(ctx, st.DB(), "u@x", 0, 3, 0, 2)
	if err != nil || len(page) != 2 {
		t.Fatalf("first page: %d %v", len(page), err)
	}
	rest, _ := store.ChangedRecords(ctx, st.DB(), "u@x", 0, 3, page[1].RowID, 2)
	if len(rest) != 1 || rest[0].Data[0] != 3 {
		t.Fatalf("second page %+v", rest)
	}
	if since, _ := store.ChangedRecords(ctx, st.DB(), "u@x", 2, 3, 0, 10); len(since) != 1 {
		t.Fatalf("since revision 2: %d records", len(since))
	}
	if other, _ := store.ChangedRecords(ctx, st.DB(), "v@x", 0, 99, 0, 10); len(other) != 0 {
		t.Fatal("another owner sees the records")
	}
	if frs, _ := store.ChangedFolderRecords(ctx, st.DB(), "u@x", 0, 3, 0, 10); len(frs) != 3 || len(frs[0].FolderUID) != 0 {
		t.Fatalf("placements %+v", frs)
	}
	err = st.Tx(ctx, func(tx *sql.Tx) error {
		return store.AddRecord(ctx, tx, &store.VaultRecord{UID: page[0].UID, Owner: "v@x", RecordKey: []byte{1}, Data: []byte{1}})
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("a uid of another owner: %v", err)
	}
	tx(t, st, func(tx *sql.Tx) error {
		return store.UpdateRecord(ctx, tx, page[0].UID, []byte{9}, nil, 5, 4)
	})
	if r, _ := store.GetRecord(ctx, st.DB(), page[0].UID); r.Rev != 4 || r.Data[0] != 9 || r.ClientModified != 5 || r.KeyType != 3 {
		t.Fatalf("updated record %+v", r)
	}
}

// TestReservedDomainsAndTakenNames: a domain belongs to one enterprise; the
// demo tenants reserve their own; a username is taken by an account, an
// enterprise user of any enterprise or an alias.
func TestReservedDomainsAndTakenNames(t *testing.T) {
	st, _ := seeded(t)
	ctx := context.Background()
	for domain, want := range map[string]int32{"msp.sandbox": seed.MSPEnterpriseID, "ACME.sandbox": 2001, "evergreen.sandbox": 2005} {
		if got, err := store.DomainOwner(ctx, st.DB(), domain); err != nil || got != want {
			t.Errorf("%s: reserved by %d (%v), want %d", domain, got, err, want)
		}
	}
	if err := st.Tx(ctx, func(tx *sql.Tx) error { return store.ReserveDomain(ctx, tx, 2001, "msp.sandbox") }); err == nil {
		t.Error("a managed company took the MSP's domain")
	}
	tx(t, st, func(tx *sql.Tx) error { return store.ReserveDomain(ctx, tx, 2001, " Acme-Dental.Example ") })
	tx(t, st, func(tx *sql.Tx) error { return store.ReserveDomain(ctx, tx, 2001, "acme-dental.example") })
	if got, _ := store.ReservedDomains(ctx, st.DB(), 2001); len(got) != 2 || got[1] != "acme.sandbox" {
		t.Errorf("Acme's domains %v", got)
	}
	if _, err := store.NormalizeDomain("user@example.com"); err == nil {
		t.Error("an email passed for a domain")
	}
	if err := seed.ReserveDemoDomains(ctx, st); err != nil {
		t.Fatalf("reserving the demo domains again: %v", err)
	}
	for email, want := range map[string]string{"admin@msp.sandbox": "account", "alice.smith@msp.sandbox": "user",
		"admin@acme.sandbox": "user", "bruno@msp-old.sandbox": "alias", "nobody@msp.sandbox": ""} {
		if got, err := store.UsernameTaken(ctx, st.DB(), email); err != nil || got != want {
			t.Errorf("%s: %q (%v), want %q", email, got, err, want)
		}
	}
}

// TestSetMasterPassword: the change replaces the verifier and params,
// clears the must-change flag and lifts the restriction of the account's
// sessions.
func TestSetMasterPassword(t *testing.T) {
	st := sessionStore(t)
	ctx := context.Background()
	tx(t, st, func(tx *sql.Tx) error {
		return store.PutAccountFlags(ctx, tx, "u@x", &store.AccountFlags{MustChangePassword: true, ProvisionedBy: "a@x"})
	})
	if err := st.PutSession(ctx, []byte("tok"), &store.Session{Username: "u@x", DeviceToken: "d", EnterpriseID: 1, TokenType: 1}); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := st.TouchSession(ctx, []byte("tok"), 0); s.TokenType != 1 {
		t.Fatalf("session type %d", s.TokenType)
	}
	tx(t, st, func(tx *sql.Tx) error { return store.SetMasterPassword(ctx, tx, "u@x", []byte{7}, []byte{8}) })
	if s, _, _ := st.TouchSession(ctx, []byte("tok"), 0); s.TokenType != 0 {
		t.Fatalf("session type after the change %d", s.TokenType)
	}
	f, _ := store.LoadAccountFlags(ctx, st.DB(), "u@x")
	a, _ := st.GetAccount(ctx, "u@x")
	if f.MustChangePassword || f.ProvisionedBy != "a@x" || a.AuthVerifier[0] != 7 || a.EncryptionParams[0] != 8 {
		t.Fatalf("after the change: flags %+v", f)
	}
	if f, err := store.LoadAccountFlags(ctx, st.DB(), "none@x"); err != nil || f.MustChangePassword {
		t.Fatalf("an account without flags: %+v %v", f, err)
	}
}
