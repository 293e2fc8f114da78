package store

import (
	"context"
	"database/sql"
	"errors"
)

// distributorMigration links an MSP to the distributor that manages it
// (Commander's distributor command, keepercommander/commands/distributor.py,
// lists a distributor's MSPs through distributor/get_distributor_info).
const distributorMigration = `
	ALTER TABLE enterprises ADD COLUMN distributor_id INTEGER;
	CREATE INDEX enterprises_distributor ON enterprises (distributor_id) WHERE distributor_id IS NOT NULL;`

// SetDistributor makes distributor manage the MSP msp.
func SetDistributor(ctx context.Context, tx *sql.Tx, msp, distributor int32) error {
	_, err := tx.ExecContext(ctx, `UPDATE enterprises SET distributor_id = ? WHERE id = ?`, distributor, msp)
	return err
}

// DistributorOf returns the distributor managing an MSP, 0 if none.
func DistributorOf(ctx context.Context, q querier, msp int32) (int32, error) {
	var d sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT distributor_id FROM enterprises WHERE id = ?`, msp).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return int32(d.Int64), err
}

// ManagedMSPs lists the enterprises a distributor manages, by id, leaving
// out removed ones.
func ManagedMSPs(ctx context.Context, q querier, distributor int32) ([]Enterprise, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name FROM enterprises WHERE distributor_id = ?
		AND id NOT IN (SELECT id FROM removed_enterprises) ORDER BY id`, distributor)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Enterprise
	for rows.Next() {
		var e Enterprise
		if err := rows.Scan(&e.ID, &e.Name); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
