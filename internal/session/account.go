package session

import (
	"context"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// Account runs fn with the logged-in account session, its account summary
// loaded, and the REST client (account settings, device registration); an
// expired session is renewed once and fn runs again.
func (m *Manager) Account(ctx context.Context, fn func(s *auth.Session, c *rest.Client) error) error {
	c, err := m.Client()
	if err != nil {
		return err
	}
	return m.accountCall(ctx, func([]byte) error {
		if !m.sess.HasSummary() {
			if err := m.sess.LoadSummary(ctx, c); err != nil {
				return err
			}
		}
		return fn(m.sess, c)
	})
}
