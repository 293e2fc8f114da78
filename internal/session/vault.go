package session

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/keeper/vault"
)

// Vault returns the logged-in account's own vault, syncing it on first use
// and, with sync, bringing it up to date (one incremental vault/sync_down).
// The vault is the account's also after switch-to-mc: records an admin
// stores belong to the admin, not to the managed company.
func (m *Manager) Vault(ctx context.Context, sync bool) (*vault.Vault, error) {
	if err := m.EnsureLogin(ctx); err != nil {
		return nil, err
	}
	if m.vault == nil {
		if err := m.ensureSummary(ctx); err != nil { // the account's key pairs
			return nil, err
		}
		s := m.sess
		m.vault = vault.New(vault.Keys{DataKey: s.DataKey, RSAKey: s.Summary.RSAKey, ECKey: s.Summary.ECKey})
	}
	if sync || !m.vault.Synced() {
		if err := m.vault.Sync(ctx, vault.CallerFunc(m.VaultCall)); err != nil {
			return nil, err
		}
	}
	return m.vault, nil
}

// VaultCall sends one REST request with the account's session token (the
// vault endpoints), renewing an expired session once.
func (m *Manager) VaultCall(ctx context.Context, endpoint string, req, resp proto.Message) error {
	c, err := m.Client()
	if err != nil {
		return err
	}
	return m.accountCall(ctx, func(tok []byte) error {
		return c.Call(ctx, endpoint, req, resp, rest.WithSessionToken(tok))
	})
}
