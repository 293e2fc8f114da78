package store

import (
	"context"
	"database/sql"
	"errors"
)

// Querier reads through the read-only pool (*sql.DB) or a write
// transaction (*sql.Tx).
type Querier = querier

// recordAllocation remembers a range AllocateIDs handed out, so a client
// can later be held to ids that came from the allocator (IDAllocated).
func recordAllocation(ctx context.Context, tx *sql.Tx, enterpriseID int32, first int64, n int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO id_ranges (enterprise_id, first, count) VALUES (?, ?, ?)`, enterpriseID, first, n)
	return err
}

// IDAllocated reports whether id lies in a range enterprise_allocate_ids
// handed out to the enterprise.
func IDAllocated(ctx context.Context, q Querier, enterpriseID int32, id int64) (bool, error) {
	var first, count int64
	err := q.QueryRowContext(ctx, `SELECT first, count FROM id_ranges WHERE enterprise_id = ? AND first <= ?
		ORDER BY first DESC LIMIT 1`, enterpriseID, id).Scan(&first, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && id < first+count, err
}

// IDUsed reports whether a node, role, user or license was ever stored
// under id in the enterprise, even if it was deleted since: Keeper never
// hands an entity id out twice.
func IDUsed(ctx context.Context, q Querier, enterpriseID int32, id int64) (bool, error) {
	var used bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM used_ids WHERE enterprise_id = ? AND id = ?)`,
		enterpriseID, id).Scan(&used)
	return used, err
}
