package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// provisionSchema supports enterprise/enterprise_user_provision: the email
// domains each enterprise has reserved (provisioning without email
// verification is only allowed on those), what a provisioned account holds
// beyond a login (its RSA public key, the data key escrowed to the
// enterprise, the must-change-master-password flag), an enterprise-level
// "forbid RSA keys" switch, the restriction of a session (Keeper's
// SessionTokenType) and an index for finding a username in any enterprise.
const provisionSchema = `CREATE TABLE reserved_domains (
		domain TEXT PRIMARY KEY,
		enterprise_id INTEGER NOT NULL REFERENCES enterprises(id)
	);
	CREATE TABLE account_flags (
		username TEXT PRIMARY KEY REFERENCES accounts(username),
		rsa_public BLOB,
		enterprise_users_data_key BLOB,
		must_change_password INTEGER NOT NULL DEFAULT 0,
		provisioned_by TEXT NOT NULL DEFAULT '',
		provisioned_at INTEGER NOT NULL DEFAULT 0
	);
	ALTER TABLE enterprises ADD COLUMN forbid_rsa INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE sessions ADD COLUMN token_type INTEGER NOT NULL DEFAULT 0;`

// NormalizeDomain lower-cases and trims an email domain, refusing what
// cannot be one.
func NormalizeDomain(domain string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(domain))
	if d == "" || len(d) > 253 || strings.ContainsAny(d, "@ \t/\\") || !strings.Contains(d, ".") ||
		strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return "", fmt.Errorf("%q is not a domain name", domain)
	}
	return d, nil
}

// ReserveDomain reserves domain for an enterprise. A domain reserved by
// another enterprise is refused (a domain belongs to one enterprise);
// reserving it again for the same one is a no-op.
func ReserveDomain(ctx context.Context, tx *sql.Tx, enterpriseID int32, domain string) error {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return err
	}
	if _, err := GetEnterprise(ctx, tx, enterpriseID); err != nil {
		return fmt.Errorf("enterprise %d: %w", enterpriseID, err)
	}
	owner, err := DomainOwner(ctx, tx, d)
	switch {
	case err == nil && owner != enterpriseID:
		return fmt.Errorf("domain %s is already reserved by enterprise %d", d, owner)
	case err == nil:
		return nil
	case !errors.Is(err, ErrNotFound):
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO reserved_domains (domain, enterprise_id) VALUES (?, ?)`, d, enterpriseID)
	return err
}

// DomainOwner returns the enterprise that reserved domain, or ErrNotFound.
func DomainOwner(ctx context.Context, q querier, domain string) (int32, error) {
	var id int32
	err := q.QueryRowContext(ctx, `SELECT enterprise_id FROM reserved_domains WHERE domain = ?`,
		strings.ToLower(strings.TrimSpace(domain))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// ReservedDomains lists the domains an enterprise reserved, sorted.
func ReservedDomains(ctx context.Context, q querier, enterpriseID int32) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT domain FROM reserved_domains WHERE enterprise_id = ? ORDER BY domain`, enterpriseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UsernameTaken reports where a (lower-case) email is already in use on the
// server: "account" (it can log in), "user" (an enterprise user of any
// enterprise, invited ones included) or "alias"; "" when it is free.
func UsernameTaken(ctx context.Context, q Querier, email string) (string, error) {
	if _, err := LoadAccount(ctx, q, email); err == nil {
		return "account", nil
	} else if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	use, err := FindEmail(ctx, q, email)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case use.Account:
		return "account", nil
	case use.Alias:
		return "alias", nil
	}
	return "user", nil
}

// ForbidsRSA reports whether an enterprise forbids RSA keys for new accounts
// (Keeper's forbidKeyType2).
func ForbidsRSA(ctx context.Context, q querier, enterpriseID int32) (bool, error) {
	var forbid bool
	err := q.QueryRowContext(ctx, `SELECT forbid_rsa FROM enterprises WHERE id = ?`, enterpriseID).Scan(&forbid)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrNotFound
	}
	return forbid, err
}

// SetForbidRSA switches an enterprise's "forbid RSA keys" setting.
func SetForbidRSA(ctx context.Context, tx *sql.Tx, enterpriseID int32, forbid bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE enterprises SET forbid_rsa = ? WHERE id = ?`, forbid, enterpriseID)
	return err
}

// AccountFlags is what a provisioned account holds beyond its login.
type AccountFlags struct {
	RSAPublic          []byte
	UsersDataKey       []byte // the account's data key encrypted to the enterprise EC key
	MustChangePassword bool
	ProvisionedBy      string // the administrator who provisioned the account
	ProvisionedAt      int64  // epoch ms
}

// PutAccountFlags stores an account's flags.
func PutAccountFlags(ctx context.Context, tx *sql.Tx, username string, f *AccountFlags) error {
	if f.ProvisionedAt == 0 {
		f.ProvisionedAt = time.Now().UnixMilli()
	}
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO account_flags (username, rsa_public, enterprise_users_data_key,
		must_change_password, provisioned_by, provisioned_at) VALUES (?,?,?,?,?,?)`, username, f.RSAPublic, f.UsersDataKey,
		f.MustChangePassword, f.ProvisionedBy, f.ProvisionedAt)
	return err
}

// LoadAccountFlags returns an account's flags; an account without any (a
// seeded one) gets the zero flags.
func LoadAccountFlags(ctx context.Context, q querier, username string) (*AccountFlags, error) {
	f := &AccountFlags{}
	err := q.QueryRowContext(ctx, `SELECT rsa_public, enterprise_users_data_key, must_change_password, provisioned_by,
		provisioned_at FROM account_flags WHERE username = ?`, username).Scan(&f.RSAPublic, &f.UsersDataKey,
		&f.MustChangePassword, &f.ProvisionedBy, &f.ProvisionedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil
	}
	return f, err
}

// SetMasterPassword replaces an account's auth verifier and encryption
// params, clears its must-change-master-password flag and lifts the
// restriction of its sessions: the password change they were opened for is
// done.
func SetMasterPassword(ctx context.Context, tx *sql.Tx, username string, verifier, params []byte) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET auth_verifier = ?, encryption_params = ? WHERE username = ?`,
		verifier, params, username); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE account_flags SET must_change_password = 0 WHERE username = ?`, username); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET token_type = 0 WHERE username = ?`, username)
	return err
}
