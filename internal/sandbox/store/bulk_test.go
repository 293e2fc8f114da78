package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
)

// TestEntityWriterMatchesPutEntity: an EntityWriter leaves the database as
// PutEntity called entity by entity does: the same rows in the same rowid
// order (upserts of a key written twice included), the same used ids and
// the same id counters, across batch boundaries and enterprises.
func TestEntityWriterMatchesPutEntity(t *testing.T) {
	ctx := context.Background()
	type put struct {
		eid int32
		rev int64
		e   Entity
	}
	var puts []put
	for i := 0; i < 2*bulkRows+37; i++ {
		eid := int32(51 + i%3)
		id := int64(eid)<<32 + int64(100+i)
		kind := int32(3) // users: allocator ids
		ident := fmt.Sprint(id)
		switch i % 5 {
		case 1:
			kind, ident = 4, fmt.Sprintf("team-%d", i) // no allocator id
		case 2:
			ident = fmt.Sprint(int64(99)<<32 + int64(i)) // another enterprise's form: not reserved
		}
		puts = append(puts, put{eid, int64(1 + i%4), Entity{Kind: kind, Ident: ident, Name: fmt.Sprint("n", i), Data: []byte{byte(i), 7}}})
	}
	// Rewrites of earlier keys, in the same and in a later batch.
	puts = append(puts, put{puts[3].eid, 9, Entity{Kind: puts[3].e.Kind, Ident: puts[3].e.Ident, Name: "again", Data: []byte("x")}})
	puts = append(puts, put{puts[bulkRows+5].eid, 9, Entity{Kind: puts[bulkRows+5].e.Kind, Ident: puts[bulkRows+5].e.Ident, Data: []byte("y")}})

	dump := func(st *Store) []string {
		var out []string
		for _, q := range []string{`SELECT rowid, enterprise_id, kind, ident, name, hex(data), rev, deleted FROM entities ORDER BY rowid`,
			`SELECT enterprise_id, id FROM used_ids ORDER BY 1, 2`, `SELECT id, next_id FROM enterprises ORDER BY id`} {
			rows, err := st.DB().QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprint(vals...))
			}
			rows.Close()
		}
		return out
	}
	write := func(bulk bool) []string {
		st, _ := openTest(t)
		err := st.Tx(ctx, func(tx *sql.Tx) error {
			for _, eid := range []int32{51, 52, 53} {
				if err := PutEnterprise(ctx, tx, &Enterprise{ID: eid, Name: fmt.Sprint(eid)}); err != nil {
					return err
				}
			}
			if !bulk {
				for _, p := range puts {
					if err := PutEntity(ctx, tx, p.eid, p.rev, p.e); err != nil {
						return err
					}
				}
				return nil
			}
			w, err := NewEntityWriter(ctx, tx)
			if err != nil {
				return err
			}
			defer w.Close()
			for _, p := range puts {
				if err := w.Put(p.eid, p.rev, p.e); err != nil {
					return err
				}
			}
			return w.Flush()
		})
		if err != nil {
			t.Fatal(err)
		}
		return dump(st)
	}
	one, batched := write(false), write(true)
	if len(one) < len(puts) || !reflect.DeepEqual(one, batched) {
		t.Errorf("EntityWriter differs from PutEntity:\n%v\n%v", one, batched)
	}
}
