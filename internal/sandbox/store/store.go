// Package store is keeper-sandbox's SQLite storage: enterprises and their
// entities (kept as the protobuf bytes the sync endpoint sends, with a
// revision per change and tombstones for deletes), login accounts, devices,
// sessions and server settings.
//
// Key material is stored only in the encrypted form a client produced, as
// Keeper's cloud does; the one secret held in clear is the server's own
// envelope key.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // pure-Go SQLite driver
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Store is an open sandbox database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. WAL and foreign keys are on; writers wait on locks.
func Open(path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	s := &Store{db: db}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Tx runs fn in one write transaction.
func (s *Store) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// DB exposes the handle for read queries.
func (s *Store) DB() *sql.DB { return s.db }

// migrations are applied in order; never edit one that has shipped.
var migrations = []string{
	`CREATE TABLE settings (key TEXT PRIMARY KEY, value BLOB NOT NULL);
	CREATE TABLE enterprises (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		msp_id INTEGER REFERENCES enterprises(id),
		tree_key_for_msp TEXT NOT NULL DEFAULT '',
		rsa_public BLOB, rsa_private_enc BLOB,
		ecc_public BLOB, ecc_private_enc BLOB,
		distributor INTEGER NOT NULL DEFAULT 0,
		rev INTEGER NOT NULL DEFAULT 0,
		next_id INTEGER NOT NULL DEFAULT 100
	);
	CREATE TABLE entities (
		rowid INTEGER PRIMARY KEY AUTOINCREMENT,
		enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
		kind INTEGER NOT NULL,
		ident TEXT NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		data BLOB NOT NULL,
		rev INTEGER NOT NULL,
		deleted INTEGER NOT NULL DEFAULT 0,
		UNIQUE (enterprise_id, kind, ident)
	);
	CREATE INDEX entities_rev ON entities (enterprise_id, rev);
	CREATE INDEX entities_name ON entities (enterprise_id, kind, name);
	CREATE TABLE accounts (
		username TEXT PRIMARY KEY,
		enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
		enterprise_user_id INTEGER NOT NULL,
		account_uid BLOB NOT NULL,
		auth_verifier BLOB NOT NULL,
		encryption_params BLOB NOT NULL,
		rsa_private_enc BLOB, ecc_private_enc BLOB, ecc_public BLOB, client_key_enc BLOB,
		tree_key_enc TEXT NOT NULL DEFAULT '',
		tree_key_type INTEGER NOT NULL DEFAULT 0,
		is_admin INTEGER NOT NULL DEFAULT 0,
		persistent_login INTEGER NOT NULL DEFAULT 0,
		logout_timer_ms INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE devices (
		token TEXT PRIMARY KEY,
		public_key BLOB NOT NULL,
		name TEXT NOT NULL,
		username TEXT,
		data_key_enc BLOB,
		clone_code TEXT,
		created INTEGER NOT NULL
	);
	CREATE TABLE login_tokens (
		token_hash TEXT PRIMARY KEY,
		username TEXT NOT NULL,
		device_token TEXT NOT NULL,
		expires INTEGER NOT NULL
	);
	CREATE TABLE sessions (
		token_hash TEXT PRIMARY KEY,
		username TEXT NOT NULL REFERENCES accounts(username),
		device_token TEXT NOT NULL,
		enterprise_id INTEGER NOT NULL,
		last_used INTEGER NOT NULL
	);`,
	mspMigration, // msp.go
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *sql.Tx) error {
		var v int
		err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (0)`); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if v > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this keeper-sandbox (%d)", v, len(migrations))
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, len(migrations))
		return err
	})
}

// Setting reads a server setting.
func (s *Store) Setting(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return v, err
}

// SetSetting writes a server setting.
func (s *Store) SetSetting(ctx context.Context, key string, value []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
