package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// mspMigration adds what managed-company management keeps outside the
// entity table: the server-wide enterprise id counter, removed enterprises,
// the licence adjustment log (get_mc_license_adjustment_log), each MC's
// plan history (billing snapshots are derived from it) and the
// enterprise-escrowed user data keys (get_enterprise_user_data_key_by_node).
// Every statement tolerates a table that already exists.
const mspMigration = `
	CREATE TABLE IF NOT EXISTS id_counters (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS removed_enterprises (
		id INTEGER PRIMARY KEY REFERENCES enterprises(id),
		removed INTEGER NOT NULL
	);
	CREATE TABLE IF NOT EXISTS mc_licence_log (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		msp_id INTEGER NOT NULL,
		date INTEGER NOT NULL,
		mc_enterprise_id INTEGER NOT NULL,
		mc_enterprise_name TEXT NOT NULL,
		status TEXT NOT NULL,
		new_number_of_seats INTEGER NOT NULL,
		new_product_type TEXT NOT NULL,
		note TEXT NOT NULL DEFAULT '',
		price REAL NOT NULL DEFAULT 0
	);
	CREATE INDEX IF NOT EXISTS mc_licence_log_msp ON mc_licence_log (msp_id, date);
	CREATE TABLE IF NOT EXISTS mc_plan_history (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		msp_id INTEGER NOT NULL,
		mc_enterprise_id INTEGER NOT NULL,
		date INTEGER NOT NULL,
		name TEXT NOT NULL,
		product_id TEXT NOT NULL,
		seats INTEGER NOT NULL,
		file_plan TEXT NOT NULL,
		add_ons TEXT NOT NULL,
		removed INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX IF NOT EXISTS mc_plan_history_msp ON mc_plan_history (msp_id, date);
	CREATE TABLE IF NOT EXISTS user_data_keys (
		enterprise_user_id INTEGER PRIMARY KEY,
		enterprise_id INTEGER NOT NULL,
		key BLOB NOT NULL,
		key_type INTEGER NOT NULL
	);`

// FirstNewEnterpriseID is the lowest id NewEnterpriseID hands out: the
// first company msp-add creates in a fresh sandbox is 23456, the id of
// Keeper's documented example `msp-remove 23456`.
const FirstNewEnterpriseID = 23456

// NewEnterpriseID returns a new enterprise id from the server-wide counter:
// above every enterprise id in use and above every id it returned before,
// so an id is never reused, not even after its enterprise is removed.
func NewEnterpriseID(ctx context.Context, tx *sql.Tx) (int32, error) {
	return NewEnterpriseIDs(ctx, tx, 1)
}

// NewEnterpriseIDs takes n consecutive new enterprise ids from the
// server-wide counter (see NewEnterpriseID) and returns the first.
func NewEnterpriseIDs(ctx context.Context, tx *sql.Tx, n int) (int32, error) {
	if n < 1 {
		return 0, fmt.Errorf("enterprise ids: cannot take %d", n)
	}
	var next, top int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT next FROM id_counters WHERE name = 'enterprise'), ?)`,
		FirstNewEnterpriseID).Scan(&next)
	if err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM enterprises`).Scan(&top); err != nil {
		return 0, err
	}
	id := max(next, top+1)
	if id+int64(n)-1 > math.MaxInt32 {
		return 0, errors.New("enterprise ids are exhausted")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO id_counters (name, next) VALUES ('enterprise', ?)
		ON CONFLICT (name) DO UPDATE SET next = excluded.next`, id+int64(n))
	return int32(id), err
}

// SetEnterpriseName renames an enterprise.
func SetEnterpriseName(ctx context.Context, tx *sql.Tx, id int32, name string) error {
	_, err := tx.ExecContext(ctx, `UPDATE enterprises SET name = ? WHERE id = ?`, name, id)
	return err
}

// RemoveEnterprise marks an enterprise removed at ms (Unix milliseconds)
// and ends every session acting on it. Its rows stay, for the logs.
func RemoveEnterprise(ctx context.Context, tx *sql.Tx, id int32, ms int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO removed_enterprises (id, removed) VALUES (?, ?)`, id, ms); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE enterprise_id = ?`, id)
	return err
}

// EnterpriseRemoved reports whether an enterprise was removed.
func EnterpriseRemoved(ctx context.Context, q querier, id int32) (bool, error) {
	var removed bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM removed_enterprises WHERE id = ?)`, id).Scan(&removed)
	return removed, err
}

// MoveAccount moves the account of a user who moved to another enterprise
// (a node converted to a managed company). Its tree key, encrypted for the
// old enterprise, is dropped and its sessions end. It reports whether the
// user had an account.
func MoveAccount(ctx context.Context, tx *sql.Tx, username string, to int32) (bool, error) {
	r, err := tx.ExecContext(ctx, `UPDATE accounts SET enterprise_id = ?, tree_key_enc = '', tree_key_type = 0 WHERE username = ?`,
		to, username)
	if err != nil {
		return false, err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = ?`, username)
	return true, err
}

// LicenceLogEntry is one row of the licence adjustment log, in the terms of
// get_mc_license_adjustment_log (Commander keepercommander/commands/msp.py,
// MSPLegacyReportCommand).
type LicenceLogEntry struct {
	ID               int64
	MSPID            int32
	Date             int64 // Unix milliseconds
	MCEnterpriseID   int32
	MCEnterpriseName string
	Status           string // Added, Updated, Removed
	NewNumberOfSeats int32
	NewProductType   string
	Note             string
	Price            float64
}

// AddLicenceLog appends a licence adjustment log row and returns its id.
func AddLicenceLog(ctx context.Context, tx *sql.Tx, e *LicenceLogEntry) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO mc_licence_log (msp_id, date, mc_enterprise_id, mc_enterprise_name, status,
		new_number_of_seats, new_product_type, note, price) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`,
		e.MSPID, e.Date, e.MCEnterpriseID, e.MCEnterpriseName, e.Status, e.NewNumberOfSeats, e.NewProductType, e.Note,
		e.Price).Scan(&id)
	return id, err
}

// LicenceLog lists an MSP's licence adjustment log rows with from <= date
// <= to (Unix milliseconds), oldest first.
func LicenceLog(ctx context.Context, q querier, mspID int32, from, to int64) ([]LicenceLogEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, msp_id, date, mc_enterprise_id, mc_enterprise_name, status, new_number_of_seats,
		new_product_type, note, price FROM mc_licence_log WHERE msp_id = ? AND date >= ? AND date <= ? ORDER BY date, id`, mspID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LicenceLogEntry
	for rows.Next() {
		var e LicenceLogEntry
		if err := rows.Scan(&e.ID, &e.MSPID, &e.Date, &e.MCEnterpriseID, &e.MCEnterpriseName, &e.Status, &e.NewNumberOfSeats,
			&e.NewProductType, &e.Note, &e.Price); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// MCPlan is a managed company's plan from Date (Unix milliseconds) on, until
// its next MCPlan row: what daily billing snapshots are derived from.
type MCPlan struct {
	MSPID          int32
	MCEnterpriseID int32
	Date           int64
	Name           string
	ProductID      string
	Seats          int32
	FilePlan       string // file plan code, "" for none
	AddOns         string // JSON [{"name","seats","included_in_product"}]
	Removed        bool   // the MC was removed at Date
}

// AddMCPlan records a managed company's plan as of p.Date.
func AddMCPlan(ctx context.Context, tx *sql.Tx, p *MCPlan) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mc_plan_history (msp_id, mc_enterprise_id, date, name, product_id, seats,
		file_plan, add_ons, removed) VALUES (?,?,?,?,?,?,?,?,?)`, p.MSPID, p.MCEnterpriseID, p.Date, p.Name, p.ProductID,
		p.Seats, p.FilePlan, p.AddOns, p.Removed)
	return err
}

// MCPlanHistory lists an MSP's managed-company plan changes, oldest first.
func MCPlanHistory(ctx context.Context, q querier, mspID int32) ([]MCPlan, error) {
	rows, err := q.QueryContext(ctx, `SELECT msp_id, mc_enterprise_id, date, name, product_id, seats, file_plan, add_ons, removed
		FROM mc_plan_history WHERE msp_id = ? ORDER BY id`, mspID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MCPlan
	for rows.Next() {
		var p MCPlan
		if err := rows.Scan(&p.MSPID, &p.MCEnterpriseID, &p.Date, &p.Name, &p.ProductID, &p.Seats, &p.FilePlan, &p.AddOns,
			&p.Removed); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UserDataKey is a user's data key escrowed with the enterprise: encrypted
// to the enterprise EC public key (key type 4) or RSA public key (2).
type UserDataKey struct {
	EnterpriseUserID int64
	EnterpriseID     int32
	Key              []byte
	KeyType          int32
}

// PutUserDataKey stores (or replaces) a user's escrowed data key.
func PutUserDataKey(ctx context.Context, tx *sql.Tx, k *UserDataKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_data_keys (enterprise_user_id, enterprise_id, key, key_type) VALUES (?,?,?,?)
		ON CONFLICT (enterprise_user_id) DO UPDATE SET enterprise_id = excluded.enterprise_id, key = excluded.key,
		key_type = excluded.key_type`, k.EnterpriseUserID, k.EnterpriseID, k.Key, k.KeyType)
	return err
}

// DeleteUserDataKey drops a user's escrowed data key.
func DeleteUserDataKey(ctx context.Context, tx *sql.Tx, enterpriseUserID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM user_data_keys WHERE enterprise_user_id = ?`, enterpriseUserID)
	return err
}

// UserDataKeyOf returns the escrowed data key of a user of an enterprise.
func UserDataKeyOf(ctx context.Context, q querier, enterpriseID int32, enterpriseUserID int64) (*UserDataKey, error) {
	k := &UserDataKey{EnterpriseUserID: enterpriseUserID, EnterpriseID: enterpriseID}
	err := q.QueryRowContext(ctx, `SELECT key, key_type FROM user_data_keys WHERE enterprise_user_id = ? AND enterprise_id = ?`,
		enterpriseUserID, enterpriseID).Scan(&k.Key, &k.KeyType)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("user data key %d: %w", enterpriseUserID, err)
	}
	return k, nil
}
