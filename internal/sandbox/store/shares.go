package store

import (
	"context"
	"database/sql"
	"time"
)

// ExternalShare is a one-time share of a record (vault/external_share_add):
// the record key under a client key only the share link holds, bound to the
// HMAC client id derived from that key.
type ExternalShare struct {
	ClientID           []byte
	RecordUID          []byte
	Owner              string
	EncryptedRecordKey []byte
	AccessExpireOn     int64 // epoch ms
	Name               string
	SelfDestruct       bool
	Editable           bool
	CreatedOn          int64 // epoch ms, set by AddExternalShare
}

// AddExternalShare stores a share; a client id already in use gives
// ErrExists.
func AddExternalShare(ctx context.Context, tx *sql.Tx, sh *ExternalShare) error {
	sh.CreatedOn = time.Now().UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO external_shares (client_id, record_uid, owner, encrypted_record_key,
		access_expire_on, name, self_destruct, editable, created_on) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (client_id) DO NOTHING`,
		sh.ClientID, sh.RecordUID, sh.Owner, sh.EncryptedRecordKey, sh.AccessExpireOn, sh.Name, sh.SelfDestruct, sh.Editable, sh.CreatedOn)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrExists
	}
	return nil
}

// ExternalShares lists the shares of a record, oldest first.
func ExternalShares(ctx context.Context, q querier, recordUID []byte) ([]ExternalShare, error) {
	rows, err := q.QueryContext(ctx, `SELECT client_id, record_uid, owner, encrypted_record_key, access_expire_on, name,
		self_destruct, editable, created_on FROM external_shares WHERE record_uid = ? ORDER BY rowid`, recordUID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExternalShare
	for rows.Next() {
		var sh ExternalShare
		if err := rows.Scan(&sh.ClientID, &sh.RecordUID, &sh.Owner, &sh.EncryptedRecordKey, &sh.AccessExpireOn, &sh.Name,
			&sh.SelfDestruct, &sh.Editable, &sh.CreatedOn); err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}
