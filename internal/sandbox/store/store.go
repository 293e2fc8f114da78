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

// Store is an open sandbox database. It is safe for concurrent use: reads
// share a pool of read-only connections, and every write goes through one
// writer connection, so concurrent writers queue instead of failing with
// SQLITE_BUSY.
type Store struct {
	db *sql.DB // read-only pool (query_only)
	w  *sql.DB // the single writer connection
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. WAL and foreign keys are on; readers wait on locks.
// A missing directory is created 0700, and the database and its WAL
// companions are kept 0600 (see prepareFiles).
func Open(path string) (*Store, error) {
	if err := prepareFiles(path); err != nil {
		return nil, err
	}
	w, err := openDB(path, true)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	s := &Store{w: w}
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	if s.db, err = openDB(path, false); err != nil {
		w.Close()
		return nil, err
	}
	s.db.SetMaxOpenConns(8)
	if err := secureCompanions(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openDB opens the writer (write set) or the read-only pool.
func openDB(path string, write bool) (*sql.DB, error) {
	q := url.Values{}
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database: the readers first, so the writer, closing
// last, checkpoints the WAL.
func (s *Store) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	if werr := s.w.Close(); err == nil {
		err = werr
	}
	return err
}

// Tx runs fn in one write transaction on the writer connection; other
// writers wait until it ends. fn reads through tx (reads through DB() do
// not block but miss the transaction's own changes) and must not call
// Store methods that write: they would wait for this very transaction.
func (s *Store) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// DB exposes the read-only pool for read queries.
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
	// 2: the id counter used to start inside the ids the demo seed places;
	// move it above every node, role, user and license id of its enterprise.
	`UPDATE enterprises SET next_id = max(next_id, 1 + coalesce((
		SELECT max(CAST(ident AS INTEGER) & 4294967295) FROM entities
		WHERE entities.enterprise_id = enterprises.id AND kind IN (1, 2, 3, 10)
			AND (CAST(ident AS INTEGER) >> 32) = enterprises.id), 0));`,
	// 3: a managed-company session ends with the session that opened it.
	`ALTER TABLE sessions ADD COLUMN parent_hash TEXT;
	CREATE INDEX sessions_parent ON sessions (parent_hash);
	CREATE INDEX sessions_last_used ON sessions (last_used);`,
	// 4: managed companies: enterprise id counter, removals, licence log,
	// plan history, escrowed user data keys.
	mspMigration, // msp.go
	// 5: enterprise user administration. id_ranges records what
	// enterprise_allocate_ids handed out and used_ids every node, role, user
	// and license id ever stored (deleted ones included), so a user id must
	// be allocated and fresh. entities_username finds a username or alias on
	// the whole server. outbox holds the invitation mails; public_keys the
	// users' public keys (vault/get_public_keys); member_keys the team and
	// tree keys encrypted for team and admin-role members; password_expired
	// the users whose master password an admin expired.
	`CREATE TABLE id_ranges (
		enterprise_id INTEGER NOT NULL,
		first INTEGER NOT NULL,
		count INTEGER NOT NULL
	);
	CREATE INDEX id_ranges_first ON id_ranges (enterprise_id, first);
	CREATE TABLE used_ids (
		enterprise_id INTEGER NOT NULL,
		id INTEGER NOT NULL,
		PRIMARY KEY (enterprise_id, id)
	) WITHOUT ROWID;
	INSERT OR IGNORE INTO used_ids SELECT enterprise_id, CAST(ident AS INTEGER) FROM entities
		WHERE kind IN (1, 2, 3, 10) AND (CAST(ident AS INTEGER) >> 32) = enterprise_id;
	CREATE INDEX entities_username ON entities (kind, name) WHERE deleted = 0 AND kind IN (3, 21);
	CREATE TABLE outbox (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		enterprise_id INTEGER NOT NULL,
		enterprise_user_id INTEGER NOT NULL,
		to_addr TEXT NOT NULL,
		subject TEXT NOT NULL,
		link TEXT NOT NULL,
		created INTEGER NOT NULL
	);
	CREATE TABLE public_keys (
		enterprise_id INTEGER NOT NULL,
		enterprise_user_id INTEGER NOT NULL,
		rsa_public BLOB,
		ecc_public BLOB,
		PRIMARY KEY (enterprise_id, enterprise_user_id)
	);
	CREATE TABLE member_keys (
		enterprise_id INTEGER NOT NULL,
		owner TEXT NOT NULL,
		enterprise_user_id INTEGER NOT NULL,
		key TEXT NOT NULL,
		key_type TEXT NOT NULL,
		extra_key TEXT NOT NULL DEFAULT '',
		extra_key_type TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (enterprise_id, owner, enterprise_user_id)
	);
	CREATE TABLE password_expired (
		enterprise_id INTEGER NOT NULL,
		enterprise_user_id INTEGER NOT NULL,
		expired INTEGER NOT NULL,
		PRIMARY KEY (enterprise_id, enterprise_user_id)
	);`,
	// 6: the account settings this-device switches (Commander
	// keepercommander/commands/utils.py ThisDeviceCommand).
	`ALTER TABLE accounts ADD COLUMN ip_disable_auto_approve INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE accounts ADD COLUMN security_keys_no_user_verify INTEGER NOT NULL DEFAULT 0;`,
	// 7: account vaults: records, user folders, placements, one-time shares
	// (vault.go).
	vaultSchema,
	// 8: provisioning: reserved domains, account flags, forbid-RSA, session
	// restrictions (provision.go).
	provisionSchema,
	// 9: the distributor managing an MSP.
	distributorMigration, // distributor.go
	// 10: a full sync pages through an enterprise's live entities in rowid
	// order; this index lets each page seek to its first row instead of
	// collecting and sorting every entity of the enterprise (ChangedEntities).
	`CREATE INDEX IF NOT EXISTS entities_live ON entities (enterprise_id) WHERE deleted = 0;`,
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
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
	_, err := s.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
