package store

import (
	"context"
	"database/sql"
	"time"
)

// Mail is one message the sandbox would have sent (an invitation): it is
// kept in the outbox table instead, for `keeper-sandbox outbox`.
type Mail struct {
	ID               int64
	EnterpriseID     int32
	EnterpriseUserID int64
	To               string
	Subject          string
	Link             string
	Created          time.Time
}

// AddMail appends a message to the outbox.
func AddMail(ctx context.Context, tx *sql.Tx, m *Mail) error {
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	return tx.QueryRowContext(ctx, `INSERT INTO outbox (enterprise_id, enterprise_user_id, to_addr, subject, link, created)
		VALUES (?,?,?,?,?,?) RETURNING id`, m.EnterpriseID, m.EnterpriseUserID, m.To, m.Subject, m.Link,
		m.Created.UnixMilli()).Scan(&m.ID)
}

// Outbox lists the outbox, oldest first.
func (s *Store) Outbox(ctx context.Context) ([]Mail, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, enterprise_id, enterprise_user_id, to_addr, subject, link, created
		FROM outbox ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var m Mail
		var ms int64
		if err := rows.Scan(&m.ID, &m.EnterpriseID, &m.EnterpriseUserID, &m.To, &m.Subject, &m.Link, &ms); err != nil {
			return nil, err
		}
		m.Created = time.UnixMilli(ms)
		out = append(out, m)
	}
	return out, rows.Err()
}
