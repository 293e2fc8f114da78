package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Account is a login-capable user: what the server needs to check a
// password (the auth verifier) and the encrypted key material it hands back.
type Account struct {
	Username         string
	EnterpriseID     int32
	EnterpriseUserID int64
	AccountUID       []byte
	AuthVerifier     []byte // 52-byte verifier: version, iterations, salt, derived key
	EncryptionParams []byte // 100-byte data key blob (BY_PASSWORD)
	RSAPrivateEnc    []byte
	ECCPrivateEnc    []byte
	ECCPublic        []byte
	ClientKeyEnc     []byte
	TreeKeyEnc       string // enterprise tree key encrypted for this admin (b64url)
	TreeKeyType      int32
	IsAdmin          bool
	PersistentLogin  bool
	LogoutTimerMS    int64
	// IPDisableAutoApprove and SecurityKeysNoUserVerify are the settings
	// ip_disable_auto_approve and security_keys_no_user_verify.
	IPDisableAutoApprove     bool
	SecurityKeysNoUserVerify bool
}

// PutAccount inserts or replaces an account.
func PutAccount(ctx context.Context, tx *sql.Tx, a *Account) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO accounts (username, enterprise_id, enterprise_user_id, account_uid,
		auth_verifier, encryption_params, rsa_private_enc, ecc_private_enc, ecc_public, client_key_enc, tree_key_enc,
		tree_key_type, is_admin, persistent_login, logout_timer_ms, ip_disable_auto_approve, security_keys_no_user_verify)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.Username, a.EnterpriseID, a.EnterpriseUserID, a.AccountUID, a.AuthVerifier, a.EncryptionParams, a.RSAPrivateEnc,
		a.ECCPrivateEnc, a.ECCPublic, a.ClientKeyEnc, a.TreeKeyEnc, a.TreeKeyType, a.IsAdmin, a.PersistentLogin, a.LogoutTimerMS,
		a.IPDisableAutoApprove, a.SecurityKeysNoUserVerify)
	return err
}

// GetAccount loads an account by (lower-case) username.
func (s *Store) GetAccount(ctx context.Context, username string) (*Account, error) {
	return LoadAccount(ctx, s.db, username)
}

// LoadAccount loads an account by (lower-case) username through q (a write
// transaction reads with its own tx).
func LoadAccount(ctx context.Context, q querier, username string) (*Account, error) {
	a := &Account{}
	err := q.QueryRowContext(ctx, `SELECT username, enterprise_id, enterprise_user_id, account_uid, auth_verifier,
		encryption_params, rsa_private_enc, ecc_private_enc, ecc_public, client_key_enc, tree_key_enc, tree_key_type,
		is_admin, persistent_login, logout_timer_ms, ip_disable_auto_approve, security_keys_no_user_verify
		FROM accounts WHERE username = ?`, username).Scan(
		&a.Username, &a.EnterpriseID, &a.EnterpriseUserID, &a.AccountUID, &a.AuthVerifier, &a.EncryptionParams,
		&a.RSAPrivateEnc, &a.ECCPrivateEnc, &a.ECCPublic, &a.ClientKeyEnc, &a.TreeKeyEnc, &a.TreeKeyType, &a.IsAdmin,
		&a.PersistentLogin, &a.LogoutTimerMS, &a.IPDisableAutoApprove, &a.SecurityKeysNoUserVerify)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return a, err
}

// SetUserSetting updates persistent_login or logout_timer_ms.
func (s *Store) SetUserSetting(ctx context.Context, username string, persistent *bool, logoutMS *int64) error {
	if persistent != nil {
		if _, err := s.w.ExecContext(ctx, `UPDATE accounts SET persistent_login = ? WHERE username = ?`, *persistent, username); err != nil {
			return err
		}
	}
	if logoutMS != nil {
		_, err := s.w.ExecContext(ctx, `UPDATE accounts SET logout_timer_ms = ? WHERE username = ?`, *logoutMS, username)
		return err
	}
	return nil
}

// SetAccountFlag sets one of the boolean account settings
// ip_disable_auto_approve and security_keys_no_user_verify.
func (s *Store) SetAccountFlag(ctx context.Context, username, setting string, on bool) error {
	column, ok := map[string]string{"ip_disable_auto_approve": "ip_disable_auto_approve",
		"security_keys_no_user_verify": "security_keys_no_user_verify"}[setting]
	if !ok {
		return fmt.Errorf("store: %q is not a boolean account setting", setting)
	}
	_, err := s.w.ExecContext(ctx, `UPDATE accounts SET `+column+` = ? WHERE username = ?`, on, username)
	return err
}

// Device is a registered client device.
type Device struct {
	Token      string // b64url of the opaque device token
	PublicKey  []byte
	Name       string
	Username   string // the account that last logged in on it
	DataKeyEnc []byte // data key encrypted to PublicKey (persistent login)
	CloneCode  string // current clone code (b64url), "" when none
}

// PutDevice registers a device.
func (s *Store) PutDevice(ctx context.Context, d *Device) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO devices (token, public_key, name, created) VALUES (?,?,?,?)`,
		d.Token, d.PublicKey, d.Name, time.Now().Unix())
	return err
}

// GetDevice loads a device by token.
func (s *Store) GetDevice(ctx context.Context, token string) (*Device, error) {
	d := &Device{Token: token}
	var user, clone sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT public_key, name, username, data_key_enc, clone_code FROM devices WHERE token = ?`,
		token).Scan(&d.PublicKey, &d.Name, &user, &d.DataKeyEnc, &clone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	d.Username, d.CloneCode = user.String, clone.String
	return d, err
}

// DevicesOf lists the devices an account has logged in on.
func (s *Store) DevicesOf(ctx context.Context, username string) ([]Device, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT token, public_key, name, data_key_enc FROM devices WHERE username = ? ORDER BY created`, username)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d := Device{Username: username}
		if err := rows.Scan(&d.Token, &d.PublicKey, &d.Name, &d.DataKeyEnc); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RenameDevice sets a device's name; it reports false when there is no
// device with that token.
func (s *Store) RenameDevice(ctx context.Context, token, name string) (bool, error) {
	r, err := s.w.ExecContext(ctx, `UPDATE devices SET name = ? WHERE token = ?`, name, token)
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// BindDevice records a login of username on the device with a new clone code.
// Switching accounts on a device drops its deposited data key.
func (s *Store) BindDevice(ctx context.Context, token, username, cloneCode string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE devices SET data_key_enc = CASE WHEN username IS ? THEN data_key_enc END,
		username = ?, clone_code = ? WHERE token = ?`, username, username, cloneCode, token)
	return err
}

// SetDeviceDataKey deposits the data key encrypted to the device key. It
// reports false when one is already present.
func (s *Store) SetDeviceDataKey(ctx context.Context, token string, enc []byte) (bool, error) {
	r, err := s.w.ExecContext(ctx, `UPDATE devices SET data_key_enc = ? WHERE token = ? AND data_key_enc IS NULL`, enc, token)
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}
