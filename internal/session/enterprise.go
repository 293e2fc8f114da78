package session

import (
	"context"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// Enterprise returns the enterprise data of the current context (the MC
// after switch-to-mc), loading it on first use; refresh syncs what changed
// since the last load.
func (m *Manager) Enterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if err := m.EnsureLogin(ctx); err != nil {
		return nil, err
	}
	if !m.sess.Summary.IsEnterpriseAdmin {
		return nil, ErrNotAdmin
	}
	if mc := m.mc; mc != nil {
		if mc.Enterprise == nil || refresh {
			if err := m.sync(ctx); err != nil {
				return nil, err
			}
		}
		return mc.Enterprise, nil
	}
	if m.ent == nil || refresh {
		if err := m.sync(ctx); err != nil {
			return nil, err
		}
	}
	return m.ent, nil
}

// sync brings the current context's enterprise data up to date: one
// incremental get_enterprise_data_for_user after the first load.
func (m *Manager) sync(ctx context.Context) error {
	c, err := m.Client()
	if err != nil {
		return err
	}
	if mc := m.mc; mc != nil {
		return m.contextCall(ctx, func(tok []byte) error {
			mc.loader.Keys.SessionToken = tok
			e, _, err := mc.loader.Load(ctx, c)
			if err == nil {
				mc.Enterprise = e
			}
			return err
		})
	}
	return m.accountCall(ctx, func(tok []byte) error {
		if m.loader == nil {
			m.loader = &enterprise.Loader{Keys: m.keys(), Cache: m.cache()}
		}
		m.loader.Keys.SessionToken = tok
		e, st, err := m.loader.Load(ctx, c)
		if err == nil {
			m.ent = e
			if st.Changed || !fileExists(m.namesPath()) {
				m.saveNames(e)
			}
		}
		return err
	})
}

// DropEnterpriseCache forgets cached enterprise data (enterprise-down -f).
func (m *Manager) DropEnterpriseCache() error {
	if m.mc != nil {
		m.mc.loader.Forget()
		m.mc.Enterprise = nil
		return nil
	}
	m.ent = nil
	if m.loader != nil {
		m.loader.Forget()
	}
	if c := m.cache(); c != nil {
		return c.Remove()
	}
	return nil
}

func (m *Manager) keys() enterprise.Keys {
	s := m.sess
	return enterprise.Keys{SessionToken: s.SessionToken, DataKey: s.DataKey, RSAKey: s.Summary.RSAKey, ECKey: s.Summary.ECKey,
		EnterpriseID: s.Summary.EnterpriseID, CreateKeyPairs: true, ForbidRSA: s.Summary.ForbidRSA}
}

// MSP returns the MSP's own enterprise data, refusing non-MSPs and
// sessions switched into a managed company (as Commander does).
func (m *Manager) MSP(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if m.mc != nil {
		return nil, ErrNotMSP
	}
	e, err := m.Enterprise(ctx, refresh)
	if err != nil {
		return nil, err
	}
	if !e.IsMSP() {
		return nil, ErrNotMSP
	}
	return e, nil
}

// AccountEnterprise returns the logged-in account's own enterprise data
// (a distributor's, which need not be an MSP), refusing sessions switched
// into a managed company: there REST calls would carry the company's token.
func (m *Manager) AccountEnterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if m.mc != nil {
		return nil, ErrInMC
	}
	return m.Enterprise(ctx, refresh)
}

// LoadedEnterprise returns the enterprise data of the current context if
// already loaded, without any request.
func (m *Manager) LoadedEnterprise() *enterprise.Enterprise {
	if m.mc != nil {
		return m.mc.Enterprise
	}
	return m.ent
}

// LoadedMSP returns the MSP's own enterprise data if loaded.
func (m *Manager) LoadedMSP() *enterprise.Enterprise { return m.ent }
