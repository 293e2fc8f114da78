package store

import "context"

// The Changed* queries feed vault/sync_down: the rows of one owner with
// sinceRev < rev <= untilRev and rowid > afterRow, in rowid order, at most
// limit of them. Paging by rowid stays correct while the vault changes: a row
// changed after the pass began moves above untilRev and waits for the next
// pass, and the rows after it keep their rowids.

// ChangedFolders lists an owner's user folders changed in (sinceRev, untilRev].
func ChangedFolders(ctx context.Context, q querier, owner string, sinceRev, untilRev, afterRow int64, limit int) ([]VaultFolder, error) {
	rows, err := q.QueryContext(ctx, `SELECT rowid, uid, parent_uid, folder_key, key_type, data, rev FROM vault_folders
		WHERE owner = ? AND rev > ? AND rev <= ? AND rowid > ? ORDER BY rowid LIMIT ?`, owner, sinceRev, untilRev, afterRow, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VaultFolder
	for rows.Next() {
		f := VaultFolder{Owner: owner}
		if err := rows.Scan(&f.RowID, &f.UID, &f.ParentUID, &f.Key, &f.KeyType, &f.Data, &f.Rev); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ChangedRecords lists an owner's records changed in (sinceRev, untilRev].
func ChangedRecords(ctx context.Context, q querier, owner string, sinceRev, untilRev, afterRow int64, limit int) ([]VaultRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT rowid, uid, record_key, key_type, version, data, non_shared_data, client_modified, rev
		FROM vault_records WHERE owner = ? AND rev > ? AND rev <= ? AND rowid > ? ORDER BY rowid LIMIT ?`,
		owner, sinceRev, untilRev, afterRow, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VaultRecord
	for rows.Next() {
		r := VaultRecord{Owner: owner}
		if err := rows.Scan(&r.RowID, &r.UID, &r.RecordKey, &r.KeyType, &r.Version, &r.Data, &r.NonSharedData,
			&r.ClientModified, &r.Rev); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ChangedFolderRecords lists an owner's record placements changed in
// (sinceRev, untilRev].
func ChangedFolderRecords(ctx context.Context, q querier, owner string, sinceRev, untilRev, afterRow int64, limit int) ([]FolderRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT rowid, folder_uid, record_uid, rev FROM vault_folder_records
		WHERE owner = ? AND rev > ? AND rev <= ? AND rowid > ? ORDER BY rowid LIMIT ?`, owner, sinceRev, untilRev, afterRow, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FolderRecord
	for rows.Next() {
		fr := FolderRecord{Owner: owner}
		if err := rows.Scan(&fr.RowID, &fr.FolderUID, &fr.RecordUID, &fr.Rev); err != nil {
			return nil, err
		}
		out = append(out, fr)
	}
	return out, rows.Err()
}
