package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// vaultSchema holds each account's own vault: typed records (the record key
// under the owner's data key and the data under the record key, both
// exactly as the client sent them), user folders, the placement of records
// in folders (an empty folder uid is the vault root) and one-time shares.
// Every change takes the next value of the owner's vault revision, so
// vault/sync_down can send what changed since a revision.
const vaultSchema = `CREATE TABLE vault_revs (
		username TEXT PRIMARY KEY REFERENCES accounts(username),
		rev INTEGER NOT NULL
	);
	CREATE TABLE vault_records (
		uid BLOB PRIMARY KEY,
		owner TEXT NOT NULL REFERENCES accounts(username),
		record_key BLOB NOT NULL,
		key_type INTEGER NOT NULL,
		version INTEGER NOT NULL,
		data BLOB NOT NULL,
		non_shared_data BLOB,
		client_modified INTEGER NOT NULL,
		rev INTEGER NOT NULL,
		created INTEGER NOT NULL
	);
	CREATE INDEX vault_records_rev ON vault_records (owner, rev);
	CREATE TABLE vault_folders (
		uid BLOB PRIMARY KEY,
		owner TEXT NOT NULL REFERENCES accounts(username),
		parent_uid BLOB NOT NULL,
		folder_key BLOB NOT NULL,
		key_type INTEGER NOT NULL,
		data BLOB NOT NULL,
		rev INTEGER NOT NULL
	);
	CREATE INDEX vault_folders_rev ON vault_folders (owner, rev);
	CREATE TABLE vault_folder_records (
		owner TEXT NOT NULL REFERENCES accounts(username),
		folder_uid BLOB NOT NULL,
		record_uid BLOB NOT NULL REFERENCES vault_records(uid),
		rev INTEGER NOT NULL,
		PRIMARY KEY (owner, folder_uid, record_uid)
	);
	CREATE INDEX vault_folder_records_rev ON vault_folder_records (owner, rev);
	CREATE TABLE external_shares (
		client_id BLOB PRIMARY KEY,
		record_uid BLOB NOT NULL REFERENCES vault_records(uid),
		owner TEXT NOT NULL REFERENCES accounts(username),
		encrypted_record_key BLOB NOT NULL,
		access_expire_on INTEGER NOT NULL,
		name TEXT NOT NULL,
		self_destruct INTEGER NOT NULL,
		editable INTEGER NOT NULL,
		created_on INTEGER NOT NULL
	);
	CREATE INDEX external_shares_record ON external_shares (record_uid);`

// ErrExists is returned when a row with the same key is already stored.
var ErrExists = errors.New("already exists")

// BumpVaultRev increments and returns the vault revision of an account;
// every change in one transaction shares the new revision.
func BumpVaultRev(ctx context.Context, tx *sql.Tx, username string) (int64, error) {
	var rev int64
	err := tx.QueryRowContext(ctx, `INSERT INTO vault_revs (username, rev) VALUES (?, 1)
		ON CONFLICT (username) DO UPDATE SET rev = rev + 1 RETURNING rev`, username).Scan(&rev)
	return rev, err
}

// VaultRev returns the account's current vault revision (0 for an account
// that never changed its vault).
func VaultRev(ctx context.Context, q querier, username string) (int64, error) {
	var rev int64
	err := q.QueryRowContext(ctx, `SELECT rev FROM vault_revs WHERE username = ?`, username).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rev, err
}

// VaultRecord is one stored record, byte for byte as its owner sent it.
type VaultRecord struct {
	UID            []byte
	Owner          string
	RecordKey      []byte // under the owner's data key
	KeyType        int32  // Records.RecordKeyType
	Version        int32  // 3 = typed
	Data           []byte
	NonSharedData  []byte
	ClientModified int64
	Rev            int64
	RowID          int64
}

// GetRecord loads a record by uid, whoever owns it.
func GetRecord(ctx context.Context, q querier, uid []byte) (*VaultRecord, error) {
	r := &VaultRecord{}
	err := q.QueryRowContext(ctx, `SELECT rowid, uid, owner, record_key, key_type, version, data, non_shared_data,
		client_modified, rev FROM vault_records WHERE uid = ?`, uid).Scan(&r.RowID, &r.UID, &r.Owner, &r.RecordKey,
		&r.KeyType, &r.Version, &r.Data, &r.NonSharedData, &r.ClientModified, &r.Rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return r, err
}

// AddRecord stores a new record; a uid already in use (by any account)
// gives ErrExists.
func AddRecord(ctx context.Context, tx *sql.Tx, r *VaultRecord) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO vault_records (uid, owner, record_key, key_type, version, data,
		non_shared_data, client_modified, rev, created) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (uid) DO NOTHING`,
		r.UID, r.Owner, r.RecordKey, r.KeyType, r.Version, r.Data, r.NonSharedData, r.ClientModified, r.Rev, time.Now().UnixMilli())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrExists
	}
	return nil
}

// UpdateRecord replaces a record's data (and its non-shared data when
// nonShared is not nil) at revision rev, keeping its key and placement.
func UpdateRecord(ctx context.Context, tx *sql.Tx, uid, data, nonShared []byte, clientModified, rev int64) error {
	q := `UPDATE vault_records SET data = ?, client_modified = ?, rev = ? WHERE uid = ?`
	args := []any{data, clientModified, rev, uid}
	if nonShared != nil {
		q = `UPDATE vault_records SET data = ?, client_modified = ?, rev = ?, non_shared_data = ? WHERE uid = ?`
		args = []any{data, clientModified, rev, nonShared, uid}
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// VaultFolder is one user folder: its key under the owner's data key and
// its data under the folder key, as the client sent them.
type VaultFolder struct {
	UID       []byte
	Owner     string
	ParentUID []byte // empty: the vault root
	Key       []byte
	KeyType   int32
	Data      []byte
	Rev       int64
	RowID     int64
}

// GetFolder loads a user folder by uid, whoever owns it.
func GetFolder(ctx context.Context, q querier, uid []byte) (*VaultFolder, error) {
	f := &VaultFolder{}
	err := q.QueryRowContext(ctx, `SELECT rowid, uid, owner, parent_uid, folder_key, key_type, data, rev FROM vault_folders
		WHERE uid = ?`, uid).Scan(&f.RowID, &f.UID, &f.Owner, &f.ParentUID, &f.Key, &f.KeyType, &f.Data, &f.Rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return f, err
}

// AddFolder stores a new user folder; a uid in use gives ErrExists.
func AddFolder(ctx context.Context, tx *sql.Tx, f *VaultFolder) error {
	if f.ParentUID == nil {
		f.ParentUID = []byte{}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO vault_folders (uid, owner, parent_uid, folder_key, key_type, data, rev)
		VALUES (?,?,?,?,?,?,?) ON CONFLICT (uid) DO NOTHING`, f.UID, f.Owner, f.ParentUID, f.Key, f.KeyType, f.Data, f.Rev)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrExists
	}
	return nil
}

// FolderRecord files a record in one of its owner's user folders (an empty
// FolderUID is the vault root).
type FolderRecord struct {
	Owner     string
	FolderUID []byte
	RecordUID []byte
	Rev       int64
	RowID     int64
}

// PutFolderRecord files a record in a folder at revision fr.Rev.
func PutFolderRecord(ctx context.Context, tx *sql.Tx, fr *FolderRecord) error {
	folder := fr.FolderUID
	if folder == nil {
		folder = []byte{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO vault_folder_records (owner, folder_uid, record_uid, rev) VALUES (?,?,?,?)
		ON CONFLICT (owner, folder_uid, record_uid) DO UPDATE SET rev = excluded.rev`, fr.Owner, folder, fr.RecordUID, fr.Rev)
	return err
}
