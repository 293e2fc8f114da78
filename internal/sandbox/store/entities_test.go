package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
)

// TestChangedEntitiesPages: paging through ChangedEntities, a full pass
// (no tombstones) and incremental passes (tombstones included) return
// exactly the rows a plain filter over the whole table selects, each once
// and in rowid order, whatever the page size, with the rows of another
// enterprise interleaved and rows rewritten or deleted at later revisions.
func TestChangedEntitiesPages(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	const a, b = 41, 42
	var revs []int64 // revisions of enterprise a after each step
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range []int32{a, b} {
			if err := PutEnterprise(ctx, tx, &Enterprise{ID: id, Name: fmt.Sprint(id)}); err != nil {
				return err
			}
		}
		// Step 1: 60 entities of a (kinds 5 and 7), 60 of b, interleaved.
		ra, err := BumpRev(ctx, tx, a)
		if err != nil {
			return err
		}
		rb, err := BumpRev(ctx, tx, b)
		if err != nil {
			return err
		}
		for i := 0; i < 60; i++ {
			kind := int32(5 + 2*(i%2))
			if err := PutEntity(ctx, tx, a, ra, Entity{Kind: kind, Ident: fmt.Sprint(i), Data: []byte{byte(i)}}); err != nil {
				return err
			}
			if err := PutEntity(ctx, tx, b, rb, Entity{Kind: kind, Ident: fmt.Sprint(i), Data: []byte{byte(i)}}); err != nil {
				return err
			}
		}
		revs = append(revs, ra)
		// Step 2: rewrite every fifth, delete every seventh, add ten.
		if ra, err = BumpRev(ctx, tx, a); err != nil {
			return err
		}
		for i := 0; i < 60; i += 5 {
			if err := PutEntity(ctx, tx, a, ra, Entity{Kind: int32(5 + 2*(i%2)), Ident: fmt.Sprint(i), Data: []byte{byte(i), 1}}); err != nil {
				return err
			}
		}
		for i := 0; i < 60; i += 7 {
			if _, err := DeleteEntity(ctx, tx, a, ra, int32(5+2*(i%2)), fmt.Sprint(i)); err != nil {
				return err
			}
		}
		for i := 60; i < 70; i++ {
			if err := PutEntity(ctx, tx, a, ra, Entity{Kind: 5, Ident: fmt.Sprint(i), Data: []byte{byte(i)}}); err != nil {
				return err
			}
		}
		revs = append(revs, ra)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// want is the plain filter, in rowid order.
	want := func(since, until int64, withDeleted bool) []int64 {
		rows, err := st.DB().QueryContext(ctx, `SELECT rowid, rev, deleted FROM entities WHERE enterprise_id = ? ORDER BY rowid`, a)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id, rev int64
			var del bool
			if err := rows.Scan(&id, &rev, &del); err != nil {
				t.Fatal(err)
			}
			if rev > since && rev <= until && (withDeleted || !del) {
				out = append(out, id)
			}
		}
		return out
	}
	top := revs[len(revs)-1]
	for _, pass := range []struct {
		since       int64
		withDeleted bool
	}{{0, false}, {0, true}, {revs[0], true}, {top, true}} {
		exp := want(pass.since, top, pass.withDeleted)
		for _, limit := range []int{1, 7, 25, 1000} {
			var got []int64
			after := int64(0)
			for page := 0; ; page++ {
				if page > 200 {
					t.Fatalf("%+v limit %d: paging does not end", pass, limit)
				}
				rows, err := ChangedEntities(ctx, st.DB(), a, pass.since, top, after, pass.withDeleted, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) > limit {
					t.Fatalf("%+v limit %d: a page of %d rows", pass, limit, len(rows))
				}
				for _, r := range rows {
					got = append(got, r.RowID)
					after = r.RowID
				}
				if len(rows) < limit {
					break
				}
			}
			if !slices.Equal(got, exp) {
				t.Errorf("since %d deleted=%v limit %d: rows %v, want %v", pass.since, pass.withDeleted, limit, got, exp)
			}
		}
	}
}
