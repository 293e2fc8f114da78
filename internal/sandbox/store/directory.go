package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// EmailUse says where an email address is already taken on the server.
type EmailUse struct {
	EnterpriseID     int32
	EnterpriseUserID int64
	Alias            bool // taken as an alias of that user, not its username
	Account          bool // only a login account holds it (no enterprise user)
}

// FindEmail looks for a lower-case email as the username or an alias of a
// live enterprise user in any enterprise, then as a login account. An email
// belongs to one Keeper account on the whole server.
func FindEmail(ctx context.Context, q Querier, email string) (*EmailUse, error) {
	var kind, eid int32
	var data []byte
	// The terms match the partial index entities_username.
	err := q.QueryRowContext(ctx, `SELECT kind, enterprise_id, data FROM entities
		WHERE deleted = 0 AND kind IN (3, 21) AND name = ? ORDER BY kind LIMIT 1`, email).Scan(&kind, &eid, &data)
	switch {
	case err == nil:
		use := &EmailUse{EnterpriseID: eid, Alias: kind == int32(enterprisepb.EnterpriseDataEntity_USER_ALIASES)}
		if use.Alias {
			var a enterprisepb.UserAlias
			err = proto.Unmarshal(data, &a)
			use.EnterpriseUserID = a.EnterpriseUserId
		} else {
			var u enterprisepb.User
			err = proto.Unmarshal(data, &u)
			use.EnterpriseUserID = u.EnterpriseUserId
		}
		return use, err
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	acct, err := LoadAccount(ctx, q, email)
	if err != nil {
		return nil, err
	}
	return &EmailUse{EnterpriseID: acct.EnterpriseID, EnterpriseUserID: acct.EnterpriseUserID, Account: true}, nil
}

// PublicKeys are a user's public keys as vault/get_public_keys serves them.
type PublicKeys struct {
	RSA []byte // DER PKCS#1
	ECC []byte // 65-byte P-256 point
}

// PutPublicKeys stores an enterprise user's public keys.
func PutPublicKeys(ctx context.Context, tx *sql.Tx, enterpriseID int32, userID int64, k PublicKeys) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO public_keys (enterprise_id, enterprise_user_id, rsa_public, ecc_public)
		VALUES (?,?,?,?)`, enterpriseID, userID, k.RSA, k.ECC)
	return err
}

// GetPublicKeys returns an enterprise user's public keys.
func GetPublicKeys(ctx context.Context, q Querier, enterpriseID int32, userID int64) (*PublicKeys, error) {
	k := &PublicKeys{}
	err := q.QueryRowContext(ctx, `SELECT rsa_public, ecc_public FROM public_keys WHERE enterprise_id = ? AND enterprise_user_id = ?`,
		enterpriseID, userID).Scan(&k.RSA, &k.ECC)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return k, err
}

// MemberKey is a key a client encrypted for one member of a team (the team
// key) or of an administrative role (the tree key, and the role key as the
// extra key). Owner is "team:<uid>" or "role:<id>".
type MemberKey struct {
	Owner            string
	EnterpriseUserID int64
	Key, KeyType     string
	ExtraKey         string
	ExtraKeyType     string
}

// PutMemberKey stores (or replaces) a member key.
func PutMemberKey(ctx context.Context, tx *sql.Tx, enterpriseID int32, k MemberKey) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO member_keys (enterprise_id, owner, enterprise_user_id, key, key_type,
		extra_key, extra_key_type) VALUES (?,?,?,?,?,?,?)`, enterpriseID, k.Owner, k.EnterpriseUserID, k.Key, k.KeyType,
		k.ExtraKey, k.ExtraKeyType)
	return err
}

// DeleteMemberKeys drops the member keys of an owner (userID 0: of every
// member) or, with owner "", every key of a user.
func DeleteMemberKeys(ctx context.Context, tx *sql.Tx, enterpriseID int32, owner string, userID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM member_keys WHERE enterprise_id = ? AND (? = '' OR owner = ?)
		AND (? = 0 OR enterprise_user_id = ?)`, enterpriseID, owner, owner, userID, userID)
	return err
}

// GetMemberKey returns one member key.
func GetMemberKey(ctx context.Context, q Querier, enterpriseID int32, owner string, userID int64) (*MemberKey, error) {
	k := &MemberKey{Owner: owner, EnterpriseUserID: userID}
	err := q.QueryRowContext(ctx, `SELECT key, key_type, extra_key, extra_key_type FROM member_keys
		WHERE enterprise_id = ? AND owner = ? AND enterprise_user_id = ?`, enterpriseID, owner, userID).Scan(
		&k.Key, &k.KeyType, &k.ExtraKey, &k.ExtraKeyType)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return k, err
}

// ExpirePassword records that an admin expired a user's master password
// (set_master_password_expire).
func ExpirePassword(ctx context.Context, tx *sql.Tx, enterpriseID int32, userID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO password_expired (enterprise_id, enterprise_user_id, expired)
		VALUES (?,?,?)`, enterpriseID, userID, at.UnixMilli())
	return err
}

// PasswordExpired reports when a user's master password was expired (zero
// time when it was not).
func PasswordExpired(ctx context.Context, q Querier, enterpriseID int32, userID int64) (time.Time, error) {
	var ms int64
	err := q.QueryRowContext(ctx, `SELECT expired FROM password_expired WHERE enterprise_id = ? AND enterprise_user_id = ?`,
		enterpriseID, userID).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms), err
}

// RenameAccount moves a login account, with its sessions, devices and
// pending logins, to a new username (its primary email changed).
func RenameAccount(ctx context.Context, tx *sql.Tx, from, to string) error {
	// sessions reference accounts(username); check the references at commit.
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	for _, q := range []string{`UPDATE accounts SET username = ? WHERE username = ?`,
		`UPDATE sessions SET username = ? WHERE username = ?`, `UPDATE devices SET username = ? WHERE username = ?`,
		`UPDATE login_tokens SET username = ? WHERE username = ?`} {
		if _, err := tx.ExecContext(ctx, q, to, from); err != nil {
			return err
		}
	}
	return nil
}
