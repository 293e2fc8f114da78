package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
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
}

// PutAccount inserts or replaces an account.
func PutAccount(ctx context.Context, tx *sql.Tx, a *Account) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO accounts (username, enterprise_id, enterprise_user_id, account_uid,
		auth_verifier, encryption_params, rsa_private_enc, ecc_private_enc, ecc_public, client_key_enc, tree_key_enc,
		tree_key_type, is_admin, persistent_login, logout_timer_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.Username, a.EnterpriseID, a.EnterpriseUserID, a.AccountUID, a.AuthVerifier, a.EncryptionParams, a.RSAPrivateEnc,
		a.ECCPrivateEnc, a.ECCPublic, a.ClientKeyEnc, a.TreeKeyEnc, a.TreeKeyType, a.IsAdmin, a.PersistentLogin, a.LogoutTimerMS)
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
		is_admin, persistent_login, logout_timer_ms FROM accounts WHERE username = ?`, username).Scan(
		&a.Username, &a.EnterpriseID, &a.EnterpriseUserID, &a.AccountUID, &a.AuthVerifier, &a.EncryptionParams,
		&a.RSAPrivateEnc, &a.ECCPrivateEnc, &a.ECCPublic, &a.ClientKeyEnc, &a.TreeKeyEnc, &a.TreeKeyType, &a.IsAdmin,
		&a.PersistentLogin, &a.LogoutTimerMS)
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

func hashToken(token []byte) string {
	h := sha256.Sum256(token)
	return hex.EncodeToString(h[:])
}

// PutLoginToken remembers a login-in-progress token.
func (s *Store) PutLoginToken(ctx context.Context, token []byte, username, device string, ttl time.Duration) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO login_tokens (token_hash, username, device_token, expires) VALUES (?,?,?,?)`,
		hashToken(token), username, device, time.Now().Add(ttl).Unix())
	return err
}

// TakeLoginToken consumes a login token, returning its username and device.
func (s *Store) TakeLoginToken(ctx context.Context, token []byte) (username, device string, err error) {
	var expires int64
	err = s.w.QueryRowContext(ctx, `DELETE FROM login_tokens WHERE token_hash = ? RETURNING username, device_token, expires`,
		hashToken(token)).Scan(&username, &device, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && time.Now().Unix() > expires) {
		return "", "", ErrNotFound
	}
	return username, device, err
}

// Session is an authenticated session, stored by token hash.
type Session struct {
	Username     string
	DeviceToken  string
	EnterpriseID int32 // the enterprise the session acts on (an MC after login_to_mc)
	LastUsed     time.Time
}

// PutSession stores a new session token.
func (s *Store) PutSession(ctx context.Context, token []byte, sess *Session) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, username, device_token, enterprise_id, last_used) VALUES (?,?,?,?,?)`,
		hashToken(token), sess.Username, sess.DeviceToken, sess.EnterpriseID, time.Now().UnixMilli())
	return err
}

// TouchSession returns the session and marks it used, or ErrNotFound. A
// session idle for longer than idle is deleted and reported as expired.
func (s *Store) TouchSession(ctx context.Context, token []byte, idle time.Duration) (*Session, bool, error) {
	h := hashToken(token)
	sess := &Session{}
	var last int64
	err := s.db.QueryRowContext(ctx, `SELECT username, device_token, enterprise_id, last_used FROM sessions WHERE token_hash = ?`, h).
		Scan(&sess.Username, &sess.DeviceToken, &sess.EnterpriseID, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, ErrNotFound
	}
	if err != nil {
		return nil, false, err
	}
	now := time.Now()
	if idle > 0 && now.Sub(time.UnixMilli(last)) > idle {
		_, _ = s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h)
		return nil, true, ErrNotFound
	}
	_, err = s.w.ExecContext(ctx, `UPDATE sessions SET last_used = ? WHERE token_hash = ?`, now.UnixMilli(), h)
	sess.LastUsed = now
	return sess, false, err
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token []byte) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
	return err
}
