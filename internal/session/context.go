package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
)

// MC is a managed company the MSP admin switched to: its own session
// token, tree key and enterprise data.
type MC struct {
	ID         int32
	Name       string
	Enterprise *enterprise.Enterprise // nil until loaded

	token  []byte
	loader *enterprise.Loader
}

// Token is the managed-company session token (never print it).
func (mc *MC) Token() []byte { return mc.token }

// CurrentMC returns the managed company switched to, or nil.
func (m *Manager) CurrentMC() *MC { return m.mc }

// SwitchToMC switches the enterprise context to a managed company. Every
// enterprise read and write then goes to that company, across session
// renewals, until SwitchToMSP.
func (m *Manager) SwitchToMC(ctx context.Context, nameOrID string) (*MC, error) {
	if m.mc != nil {
		return nil, fmt.Errorf("already switched to managed company %q (id %d); run switch-to-msp first", m.mc.Name, m.mc.ID)
	}
	e, err := m.MSP(ctx, false)
	if err != nil {
		return nil, err
	}
	mc, err := e.ManagedCompany(nameOrID)
	if err != nil {
		return nil, err
	}
	if cached, ok := m.mcs[mc.McEnterpriseId]; ok {
		m.mc = cached
		return cached, nil
	}
	sw := &MC{ID: mc.McEnterpriseId, Name: mc.McEnterpriseName}
	err = m.accountCall(ctx, func(tok []byte) error { return m.openMC(ctx, sw, tok) })
	if err != nil {
		return nil, err
	}
	m.mcs[sw.ID], m.mc = sw, sw
	return sw, nil
}

// openMC logs in to the managed company with the account token tok.
func (m *Manager) openMC(ctx context.Context, mc *MC, tok []byte) error {
	c, err := m.Client()
	if err != nil {
		return err
	}
	token, treeKey, err := msp.LoginToMC(ctx, c, tok, mc.ID, m.ent)
	if err != nil {
		return err
	}
	mc.token = token
	if mc.loader == nil {
		mc.loader = &enterprise.Loader{Keys: enterprise.Keys{DataKey: m.sess.DataKey, TreeKey: treeKey, EnterpriseID: mc.ID,
			CreateKeyPairs: true, ForbidRSA: m.sess.Summary.ForbidRSA}}
	}
	mc.loader.Keys.SessionToken, mc.loader.Keys.TreeKey = token, treeKey
	return nil
}

// SwitchToMSP returns to the MSP context; it reports false if not switched.
func (m *Manager) SwitchToMSP() bool {
	if m.mc == nil {
		return false
	}
	m.mc = nil
	return true
}

// accountCall runs fn with the account session token. If the session
// expired, it is renewed once (persistent login, or the password when one is
// available) and fn runs again: an expired session is a refusal, so nothing
// fn sent was carried out and sending it again is safe.
func (m *Manager) accountCall(ctx context.Context, fn func(tok []byte) error) error {
	if err := m.EnsureLogin(ctx); err != nil {
		return err
	}
	err := fn(m.sess.SessionToken)
	if !errors.Is(err, auth.ErrSessionExpired) {
		return err
	}
	if rerr := m.renew(ctx, false); rerr != nil {
		return rerr
	}
	return fn(m.sess.SessionToken)
}

// contextCall runs fn with the token of the current context: the managed
// company's after switch-to-mc, else the account's. On an expired session
// it renews that context (never falling back to the MSP) and runs fn once
// more.
func (m *Manager) contextCall(ctx context.Context, fn func(tok []byte) error) error {
	if m.mc == nil {
		return m.accountCall(ctx, fn)
	}
	mc := m.mc
	err := fn(mc.token)
	if !errors.Is(err, auth.ErrSessionExpired) {
		return err
	}
	if rerr := m.renew(ctx, true); rerr != nil {
		return rerr
	}
	return fn(mc.token)
}

// renew restores an expired session. In a managed company it first logs in
// to the company again (its session may have ended alone); if the account
// session is gone too it logs in again and then reopens the same company.
// This is the only renewal path of the process.
func (m *Manager) renew(ctx context.Context, inMC bool) error {
	if inMC && m.sess != nil {
		err := m.openMC(ctx, m.mc, m.sess.SessionToken)
		if err == nil {
			return nil
		}
		if !errors.Is(err, auth.ErrSessionExpired) {
			return fmt.Errorf("managed company %q: %w", m.mc.Name, err)
		}
	}
	if err := m.login(ctx, LoginOptions{}); err != nil {
		return fmt.Errorf("the session expired and could not be renewed: %w", err)
	}
	if inMC {
		if err := m.openMC(ctx, m.mc, m.sess.SessionToken); err != nil {
			return fmt.Errorf("the session expired; managed company %q could not be reopened: %w", m.mc.Name, err)
		}
	}
	if m.opts.Notify != nil {
		m.opts.Notify("Session expired; logged in again")
	}
	return nil
}

// InMC runs fn in the context of a managed company of the MSP (name or
// id, as switch-to-mc takes it) and returns to the MSP context afterwards,
// whatever fn returns: commands that act on several companies from the MSP
// (msp-copy-role, msp-convert-node) use it instead of leaving the process
// switched. Inside fn every enterprise read, write and REST call goes to
// the company. It refuses when already switched to a company.
func (m *Manager) InMC(ctx context.Context, nameOrID string, fn func(ctx context.Context) error) error {
	if _, err := m.SwitchToMC(ctx, nameOrID); err != nil {
		return err
	}
	defer m.SwitchToMSP()
	return fn(ctx)
}
