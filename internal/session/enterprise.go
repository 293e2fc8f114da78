package session

import (
	"context"
	"errors"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/progress"
)

// Enterprise returns the enterprise data of the current context (the MC
// after switch-to-mc), loading it on first use; refresh syncs what changed
// since the last load. The model decodes the parts ctx asks for
// (enterprise.WithParts; all by default) and the rest on demand.
//
// With a warm cache and a persistent login no account summary is needed:
// the cache holds the facts of the summary a load uses (administrator,
// enterprise id), so the load is one incremental sync.
func (m *Manager) Enterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if err := m.EnsureLogin(ctx); err != nil {
		return nil, err
	}
	admin, err := m.enterpriseAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !admin {
		return nil, ErrNotAdmin
	}
	e := m.ent
	if mc := m.mc; mc != nil {
		e = mc.Enterprise
	}
	if e == nil || refresh {
		if err := m.sync(ctx); err != nil {
			return nil, m.notAdminAnyMore(ctx, err)
		}
		e = m.LoadedEnterprise()
	}
	e.Ensure(enterprise.PartsOf(ctx))
	return e, nil
}

// enterpriseAdmin says whether the account administers an enterprise: from
// the account summary when this session has it, else from the facts
// cached with the enterprise data, else from a summary loaded now.
func (m *Manager) enterpriseAdmin(ctx context.Context) (bool, error) {
	if !m.sess.HasSummary() {
		if f, ok := m.accountLoader().Cached(); ok {
			return f.EnterpriseAdmin, nil
		}
		if err := m.ensureSummary(ctx); err != nil {
			return false, err
		}
	}
	return m.sess.Summary.IsEnterpriseAdmin, nil
}

// notAdminAnyMore turns a refused sync into ErrNotAdmin when the admin
// check trusted facts cached by an earlier process and the account summary,
// loaded now, says the account no longer administers the enterprise; the
// cache of data the account may no longer see is removed. Any other error
// is returned as it is.
func (m *Manager) notAdminAnyMore(ctx context.Context, err error) error {
	var api *rest.APIError
	if m.mc != nil || m.sess == nil || m.sess.HasSummary() || !errors.As(err, &api) {
		return err
	}
	if serr := m.ensureSummary(ctx); serr != nil || m.sess.Summary.IsEnterpriseAdmin {
		return err
	}
	m.ent, m.loader = nil, nil
	if c := m.cache(); c != nil {
		_ = c.Remove()
	}
	return ErrNotAdmin
}

// accountLoader returns the loader of the account's own enterprise.
func (m *Manager) accountLoader() *enterprise.Loader {
	if m.loader == nil {
		m.loader = &enterprise.Loader{Keys: m.keys(), Cache: m.cache()}
	}
	return m.loader
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
			mc.loader.Progress = m.loadProgress()
			e, _, err := mc.loader.Load(ctx, c)
			if err == nil {
				mc.Enterprise = e
			}
			return err
		})
	}
	return m.accountCall(ctx, func(tok []byte) error {
		l := m.accountLoader()
		if _, cached := l.Cached(); !cached && !m.sess.HasSummary() {
			// A load from scratch may need the account's key pairs (tree
			// key types 2 and 4), and the cache keeps the summary's facts.
			if err := m.sess.LoadSummary(ctx, c); err != nil {
				return err
			}
		}
		l.Keys = m.keys()
		l.Keys.SessionToken = tok
		if s := m.sess; s.HasSummary() {
			l.Account = &enterprise.AccountFacts{EnterpriseAdmin: s.Summary.IsEnterpriseAdmin, EnterpriseID: s.Summary.EnterpriseID}
		}
		l.Progress = m.loadProgress()
		e, st, err := l.Load(ctx, c)
		if err == nil {
			m.ent = e
			if st.Changed || !fileExists(m.namesPath()) {
				m.saveNames(e)
			}
		}
		return err
	})
}

// loadProgress draws a progress bar for a load that takes more than one
// page, when Options.Progress is set.
func (m *Manager) loadProgress() func(pages, entities int, more bool) {
	w := m.opts.Progress
	if w == nil {
		return nil
	}
	var bar progress.Bar
	seen := 0
	return func(pages, entities int, more bool) {
		if bar == nil && more {
			bar = progress.NewUnbounded(w, true, "Loading enterprise data")
		}
		if bar != nil {
			bar.Add(entities - seen)
			seen = entities
			if !more {
				bar.Finish()
			}
		}
	}
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

// keys are the loader's credentials; without a summary the key pairs are
// missing (a warm load does not need them) and the enterprise id comes
// from the cache.
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
