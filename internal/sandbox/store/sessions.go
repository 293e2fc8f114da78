package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
)

// Tokens are stored only as their SHA-256 (hex): a copy of the database
// does not hand out live login or session tokens.
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
	// Parent is the token of the session this one was opened from
	// (login_to_mc), nil for a login. A session ends with its parent, and
	// using it counts as activity of the parent too.
	Parent []byte
	// TokenType is the session's restriction (Keeper's SessionTokenType):
	// 0 none, 1 ACCOUNT_RECOVERY (the master password must be changed first).
	TokenType int32
}

// PutSession stores a new session token.
func (s *Store) PutSession(ctx context.Context, token []byte, sess *Session) error {
	var parent any
	if sess.Parent != nil {
		parent = hashToken(sess.Parent)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, username, device_token, enterprise_id, last_used, parent_hash,
		token_type) VALUES (?,?,?,?,?,?,?)`, hashToken(token), sess.Username, sess.DeviceToken, sess.EnterpriseID, time.Now().UnixMilli(),
		parent, sess.TokenType)
	return err
}

// TouchSession returns the session and marks it (and the session it was
// opened from) used, or ErrNotFound. A session idle for longer than idle is
// deleted, with the sessions opened from it, and reported as expired.
func (s *Store) TouchSession(ctx context.Context, token []byte, idle time.Duration) (*Session, bool, error) {
	h := hashToken(token)
	sess := &Session{}
	var last int64
	err := s.db.QueryRowContext(ctx, `SELECT username, device_token, enterprise_id, last_used, token_type FROM sessions
		WHERE token_hash = ?`, h).Scan(&sess.Username, &sess.DeviceToken, &sess.EnterpriseID, &last, &sess.TokenType)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, ErrNotFound
	}
	if err != nil {
		return nil, false, err
	}
	now := time.Now()
	if idle > 0 && now.Sub(time.UnixMilli(last)) > idle {
		_, _ = s.w.ExecContext(ctx, deleteSessions(`SELECT ?`), h)
		return nil, true, ErrNotFound
	}
	_, err = s.w.ExecContext(ctx, `UPDATE sessions SET last_used = ? WHERE token_hash = ?
		OR token_hash = (SELECT parent_hash FROM sessions WHERE token_hash = ?)`, now.UnixMilli(), h, h)
	sess.LastUsed = now
	return sess, false, err
}

// deleteSessions is a statement deleting the sessions whose token hashes
// roots (a SELECT) yields and every session opened from them, recursively.
func deleteSessions(roots string) string {
	return `WITH RECURSIVE doomed(h) AS (` + roots + ` UNION SELECT sessions.token_hash FROM sessions
		JOIN doomed ON sessions.parent_hash = doomed.h) DELETE FROM sessions WHERE token_hash IN doomed`
}

// DeleteSession ends a session (logout) and the sessions opened from it
// (managed-company sessions).
func (s *Store) DeleteSession(ctx context.Context, token []byte) error {
	_, err := s.w.ExecContext(ctx, deleteSessions(`SELECT ?`), hashToken(token))
	return err
}

// PurgeExpired deletes expired login tokens, sessions idle for longer than
// idle (none when idle is 0) and every session opened from a deleted one.
// It returns how many sessions it deleted.
func (s *Store) PurgeExpired(ctx context.Context, idle time.Duration) (int64, error) {
	now := time.Now()
	cutoff := int64(-1) // no session is idle when idle is 0
	if idle > 0 {
		cutoff = now.Add(-idle).UnixMilli()
	}
	var n int64
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_tokens WHERE expires < ?`, now.Unix()); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, deleteSessions(`SELECT token_hash FROM sessions WHERE last_used < ?
			UNION SELECT token_hash FROM sessions WHERE parent_hash IS NOT NULL
				AND parent_hash NOT IN (SELECT token_hash FROM sessions)`), cutoff)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return n, err
}
