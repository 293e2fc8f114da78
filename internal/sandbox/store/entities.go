package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Enterprise is one enterprise (an MSP, a managed company or a plain one).
type Enterprise struct {
	ID            int32
	Name          string
	MSPID         int32 // 0 unless a managed company
	TreeKeyForMSP string
	RSAPublic     []byte
	RSAPrivateEnc []byte
	ECCPublic     []byte
	ECCPrivateEnc []byte
	Distributor   bool
	Rev           int64
}

// PutEnterprise inserts or replaces an enterprise row (not its entities).
func PutEnterprise(ctx context.Context, tx *sql.Tx, e *Enterprise) error {
	var msp any
	if e.MSPID != 0 {
		msp = e.MSPID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO enterprises (id, name, msp_id, tree_key_for_msp, rsa_public, rsa_private_enc,
		ecc_public, ecc_private_enc, distributor) VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT (id) DO UPDATE SET name=excluded.name, msp_id=excluded.msp_id, tree_key_for_msp=excluded.tree_key_for_msp,
		rsa_public=excluded.rsa_public, rsa_private_enc=excluded.rsa_private_enc, ecc_public=excluded.ecc_public,
		ecc_private_enc=excluded.ecc_private_enc, distributor=excluded.distributor`,
		e.ID, e.Name, msp, e.TreeKeyForMSP, e.RSAPublic, e.RSAPrivateEnc, e.ECCPublic, e.ECCPrivateEnc, e.Distributor)
	return err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// GetEnterprise loads an enterprise by id.
func GetEnterprise(ctx context.Context, q querier, id int32) (*Enterprise, error) {
	e := &Enterprise{}
	var msp sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, name, msp_id, tree_key_for_msp, rsa_public, rsa_private_enc, ecc_public,
		ecc_private_enc, distributor, rev FROM enterprises WHERE id = ?`, id).Scan(&e.ID, &e.Name, &msp, &e.TreeKeyForMSP,
		&e.RSAPublic, &e.RSAPrivateEnc, &e.ECCPublic, &e.ECCPrivateEnc, &e.Distributor, &e.Rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	e.MSPID = int32(msp.Int64)
	return e, err
}

// SetKeyPair stores an enterprise key pair uploaded by a client
// (enterprise/set_enterprise_key_pair); ecc selects which pair.
func SetKeyPair(ctx context.Context, tx *sql.Tx, id int32, ecc bool, public, privateEnc []byte) error {
	q := `UPDATE enterprises SET rsa_public = ?, rsa_private_enc = ? WHERE id = ?`
	if ecc {
		q = `UPDATE enterprises SET ecc_public = ?, ecc_private_enc = ? WHERE id = ?`
	}
	_, err := tx.ExecContext(ctx, q, public, privateEnc, id)
	return err
}

// BumpRev increments and returns the enterprise's revision; every change in
// one transaction shares the new revision.
func BumpRev(ctx context.Context, tx *sql.Tx, id int32) (int64, error) {
	var rev int64
	err := tx.QueryRowContext(ctx, `UPDATE enterprises SET rev = rev + 1 WHERE id = ? RETURNING rev`, id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("enterprise %d: %w", id, ErrNotFound)
	}
	return rev, err
}

// AllocateIDs reserves n entity ids of the form (enterprise_id << 32) + counter
// and returns the first. It is the enterprise's one id allocator: the
// counter stays above every id stored for a node, role, user or license of
// the enterprise (PutEntity advances it past ids placed directly, as the
// seed does), so an allocated id is never in use and never handed out twice.
func AllocateIDs(ctx context.Context, tx *sql.Tx, id int32, n int) (int64, error) {
	var next int64
	err := tx.QueryRowContext(ctx, `UPDATE enterprises SET next_id = next_id + ? WHERE id = ? RETURNING next_id - ?`, n, id, n).Scan(&next)
	if err != nil {
		return 0, err
	}
	base := int64(id)<<32 + next
	return base, recordAllocation(ctx, tx, id, base, n)
}

// Entity is one stored enterprise entity: the serialized protobuf message
// of its EnterpriseDataEntity kind, keyed by its identity string.
type Entity struct {
	Kind    int32
	Ident   string
	Name    string // lookup key (lower-cased username, node name ...)
	Data    []byte
	Rev     int64
	Deleted bool
	RowID   int64
}

// idKinds are the entity kinds identified by an enterprise-scoped id
// (enterprise_id << 32) + n from the AllocateIDs counter.
var idKinds = map[int32]bool{
	int32(enterprisepb.EnterpriseDataEntity_NODES): true, int32(enterprisepb.EnterpriseDataEntity_ROLES): true,
	int32(enterprisepb.EnterpriseDataEntity_USERS): true, int32(enterprisepb.EnterpriseDataEntity_LICENSES): true,
}

// reserveID moves the enterprise's id counter past the id an entity of an
// id kind is stored under, so AllocateIDs never returns it, and records the
// id as used for good (see IDUsed).
func reserveID(ctx context.Context, tx *sql.Tx, enterpriseID, kind int32, ident string) error {
	id, ok := allocatorID(enterpriseID, kind, ident)
	if !ok {
		return nil
	}
	low := id & 0xFFFFFFFF
	if _, err := tx.ExecContext(ctx, `UPDATE enterprises SET next_id = ? WHERE id = ? AND next_id <= ?`, low+1, enterpriseID, low); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO used_ids (enterprise_id, id) VALUES (?, ?)`, enterpriseID, id)
	return err
}

// allocatorID returns the id an entity of an id kind is stored under, if it
// has the allocator's form (enterprise_id << 32) + n; other ids cannot
// collide with allocated ones.
func allocatorID(enterpriseID, kind int32, ident string) (int64, bool) {
	if !idKinds[kind] {
		return 0, false
	}
	id, err := strconv.ParseInt(ident, 10, 64)
	if err != nil || id < 0 || id>>32 != int64(enterpriseID) {
		return 0, false
	}
	return id, true
}

// PutEntity upserts an entity at revision rev (clearing any tombstone). A
// node, role, user or license id moves the enterprise's id counter past it.
func PutEntity(ctx context.Context, tx *sql.Tx, enterpriseID int32, rev int64, e Entity) error {
	if err := reserveID(ctx, tx, enterpriseID, e.Kind, e.Ident); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO entities (enterprise_id, kind, ident, name, data, rev, deleted)
		VALUES (?,?,?,?,?,?,0) ON CONFLICT (enterprise_id, kind, ident)
		DO UPDATE SET name=excluded.name, data=excluded.data, rev=excluded.rev, deleted=0`,
		enterpriseID, e.Kind, e.Ident, e.Name, e.Data, rev)
	return err
}

// DeleteEntity turns an entity into a tombstone at revision rev. It reports
// whether a live entity existed.
func DeleteEntity(ctx context.Context, tx *sql.Tx, enterpriseID int32, rev int64, kind int32, ident string) (bool, error) {
	r, err := tx.ExecContext(ctx, `UPDATE entities SET deleted = 1, rev = ? WHERE enterprise_id = ? AND kind = ? AND ident = ? AND deleted = 0`,
		rev, enterpriseID, kind, ident)
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// GetEntity returns a live entity.
func GetEntity(ctx context.Context, q querier, enterpriseID, kind int32, ident string) (*Entity, error) {
	e := &Entity{Kind: kind, Ident: ident}
	err := q.QueryRowContext(ctx, `SELECT name, data, rev FROM entities WHERE enterprise_id = ? AND kind = ? AND ident = ? AND deleted = 0`,
		enterpriseID, kind, ident).Scan(&e.Name, &e.Data, &e.Rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// FindEntities returns live entities of a kind whose lookup name equals name
// ("" lists all of the kind).
func FindEntities(ctx context.Context, q querier, enterpriseID, kind int32, name string) ([]Entity, error) {
	// entities_name (enterprise, kind, name) reaches the kind's rows alone;
	// left to itself the planner would walk entities_live, every entity of
	// the enterprise, to save the sort by rowid.
	query := `SELECT rowid, ident, name, data, rev FROM entities INDEXED BY entities_name
		WHERE enterprise_id = ? AND kind = ? AND deleted = 0`
	args := []any{enterpriseID, kind}
	if name != "" {
		query += ` AND name = ?`
		args = append(args, name)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY rowid`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entity
	for rows.Next() {
		e := Entity{Kind: kind}
		if err := rows.Scan(&e.RowID, &e.Ident, &e.Name, &e.Data, &e.Rev); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ChangedEntities returns up to limit entities of an enterprise with
// sinceRev < rev <= untilRev and rowid > afterRow, ordered by rowid.
// Tombstones are included only when withDeleted is set (incremental sync).
//
// Each page costs what it returns, not what the enterprise holds: a full
// sync (no tombstones) seeks in entities_live (enterprise, rowid) to the
// page's first row and reads on; an incremental pass picks the page's
// rowids from the covering entities_rev index (enterprise, rev, rowid) and
// only then reads those rows, so the rows of other pages are never loaded
// or sorted.
func ChangedEntities(ctx context.Context, q querier, enterpriseID int32, sinceRev, untilRev, afterRow int64, withDeleted bool, limit int) ([]Entity, error) {
	query := `SELECT rowid, kind, ident, data, rev, deleted FROM entities INDEXED BY entities_live
		WHERE enterprise_id = ? AND deleted = 0 AND rowid > ? AND rev > ? AND rev <= ? ORDER BY rowid LIMIT ?`
	args := []any{enterpriseID, afterRow, sinceRev, untilRev, limit}
	if withDeleted {
		query = `SELECT rowid, kind, ident, data, rev, deleted FROM entities WHERE rowid IN (
			SELECT rowid FROM entities INDEXED BY entities_rev WHERE enterprise_id = ? AND rev > ? AND rev <= ? AND rowid > ?
			ORDER BY rowid LIMIT ?) ORDER BY rowid`
		args = []any{enterpriseID, sinceRev, untilRev, afterRow, limit}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Entity, 0, min(limit, 1024))
	for rows.Next() {
		var e Entity
		if err := rows.Scan(&e.RowID, &e.Kind, &e.Ident, &e.Data, &e.Rev, &e.Deleted); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EachEntityData calls fn with the data of every live entity of a kind, in
// no particular order. data is only valid during the call (it is not
// copied out of the driver), so counting over a large enterprise costs no
// allocation per entity beyond the driver's own.
func EachEntityData(ctx context.Context, q querier, enterpriseID, kind int32, fn func(data []byte) error) error {
	rows, err := q.QueryContext(ctx, `SELECT data FROM entities INDEXED BY entities_name WHERE enterprise_id = ? AND kind = ? AND deleted = 0`,
		enterpriseID, kind)
	if err != nil {
		return err
	}
	defer rows.Close()
	var data sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return err
		}
		if err := fn(data); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountEntities counts live entities of a kind.
func CountEntities(ctx context.Context, q querier, enterpriseID, kind int32) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM entities WHERE enterprise_id = ? AND kind = ? AND deleted = 0`,
		enterpriseID, kind).Scan(&n)
	return n, err
}
