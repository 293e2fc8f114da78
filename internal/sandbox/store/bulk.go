package store

import (
	"context"
	"database/sql"
	"strings"
)

// bulkRows is how many entities one statement of an EntityWriter writes
// (6 parameters each, far below SQLite's 32,766).
const bulkRows = 256

// EntityWriter writes many entities inside one write transaction with what
// PutEntity does to each (upsert at a revision, the enterprise's id counter
// moved past node, role, user and license ids, those ids recorded as used),
// but buffered and sent bulkRows at a time through prepared multi-row
// statements: seeding 100,000 users costs a few hundred statements, not
// 300,000 parsed ones. Rows keep the order of Put (rowid order, which is
// sync order).
//
// Nothing is written until Flush (Put flushes a full buffer): Flush before
// reading entities through the transaction, and before it commits.
type EntityWriter struct {
	ctx  context.Context
	tx   *sql.Tx
	put  *sql.Stmt // bulkRows-row upsert into entities
	used *sql.Stmt // bulkRows-row insert into used_ids
	next *sql.Stmt // advance one enterprise's id counter
	rows []any     // pending entity parameters, 6 per row
	ids  []any     // pending used_ids parameters, 2 per id
	top  map[int32]int64
}

const (
	entityInsert = `INSERT INTO entities (enterprise_id, kind, ident, name, data, rev, deleted) VALUES `
	entityValues = `(?,?,?,?,?,?,0)`
	entityUpsert = ` ON CONFLICT (enterprise_id, kind, ident)
		DO UPDATE SET name=excluded.name, data=excluded.data, rev=excluded.rev, deleted=0`
	usedInsert = `INSERT OR IGNORE INTO used_ids (enterprise_id, id) VALUES `
)

func entityStatement(n int) string {
	return entityInsert + strings.TrimSuffix(strings.Repeat(entityValues+",", n), ",") + entityUpsert
}

func usedStatement(n int) string {
	return usedInsert + strings.TrimSuffix(strings.Repeat("(?,?),", n), ",")
}

// NewEntityWriter prepares an EntityWriter on tx.
func NewEntityWriter(ctx context.Context, tx *sql.Tx) (*EntityWriter, error) {
	w := &EntityWriter{ctx: ctx, tx: tx, top: map[int32]int64{}}
	var err error
	if w.put, err = tx.PrepareContext(ctx, entityStatement(bulkRows)); err != nil {
		return nil, err
	}
	if w.used, err = tx.PrepareContext(ctx, usedStatement(bulkRows)); err != nil {
		w.Close()
		return nil, err
	}
	if w.next, err = tx.PrepareContext(ctx, `UPDATE enterprises SET next_id = ? WHERE id = ? AND next_id <= ?`); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Put queues an entity of enterprise eid at revision rev, as PutEntity
// would write it.
func (w *EntityWriter) Put(eid int32, rev int64, e Entity) error {
	if id, ok := allocatorID(eid, e.Kind, e.Ident); ok {
		w.ids = append(w.ids, eid, id)
		if low := id & 0xFFFFFFFF; low >= w.top[eid] {
			w.top[eid] = low + 1
		}
	}
	w.rows = append(w.rows, eid, e.Kind, e.Ident, e.Name, e.Data, rev)
	if len(w.rows) >= 6*bulkRows {
		return w.Flush()
	}
	return nil
}

// Flush writes every queued entity.
func (w *EntityWriter) Flush() error {
	if err := flushRows(w.ctx, w.tx, w.put, w.rows, 6, entityStatement); err != nil {
		return err
	}
	w.rows = w.rows[:0]
	if err := flushRows(w.ctx, w.tx, w.used, w.ids, 2, usedStatement); err != nil {
		return err
	}
	w.ids = w.ids[:0]
	for eid, next := range w.top {
		if _, err := w.next.ExecContext(w.ctx, next, eid, next-1); err != nil {
			return err
		}
		delete(w.top, eid)
	}
	return nil
}

// flushRows runs the full-size prepared statement over each whole batch of
// args and a statement of the remainder's size over the rest.
func flushRows(ctx context.Context, tx *sql.Tx, full *sql.Stmt, args []any, per int, stmt func(int) string) error {
	for len(args) >= per*bulkRows {
		if _, err := full.ExecContext(ctx, args[:per*bulkRows]...); err != nil {
			return err
		}
		args = args[per*bulkRows:]
	}
	if len(args) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, stmt(len(args)/per), args...)
	return err
}

// Close releases the statements without flushing (the transaction's end
// releases them too).
func (w *EntityWriter) Close() error {
	var err error
	for _, s := range []*sql.Stmt{w.put, w.used, w.next} {
		if s != nil {
			if cerr := s.Close(); err == nil {
				err = cerr
			}
		}
	}
	w.put, w.used, w.next = nil, nil, nil
	return err
}
