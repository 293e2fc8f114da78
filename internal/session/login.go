package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// LoginOptions are the choices of the `login` command.
type LoginOptions struct {
	Username string
	Password string // empty: ask (or fail without a terminal)
	NewLogin bool   // ignore the clone code
}

// Login logs in (dropping any session and MC switch) and persists the
// device, user and clone code to config.json.
func (m *Manager) Login(ctx context.Context, o LoginOptions) error {
	m.reset()
	c, err := m.Client()
	if err != nil {
		return err
	}
	username := strings.ToLower(strings.TrimSpace(o.Username))
	if username == "" {
		username = m.Username()
	}
	var dev *auth.Device
	if m.cfg.DeviceToken != "" && m.cfg.PrivateKey != "" {
		tok, err1 := crypto.Base64URLDecode(m.cfg.DeviceToken)
		key, err2 := crypto.Base64URLDecode(m.cfg.PrivateKey)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("config %s: device_token or private_key is not base64url", m.opts.ConfigPath)
		}
		dev = &auth.Device{Token: tok, PrivateKey: key}
	}
	var clone []byte
	// The clone code belongs to the config's user; another email starts fresh.
	if m.cfg.CloneCode != "" && !o.NewLogin && !m.opts.NewLogin && (username == "" || username == strings.ToLower(m.cfg.User)) {
		clone, _ = crypto.Base64URLDecode(m.cfg.CloneCode)
	}
	if username == "" && clone == nil {
		return ErrNoCredentials
	}
	password := o.Password
	if password == "" && m.opts.Password != "" && (username == "" || m.opts.User == "" || strings.EqualFold(username, m.opts.User) || strings.EqualFold(username, m.cfg.User)) {
		password = m.opts.Password
	}
	if password == "" && m.cfg.Password != "" && strings.EqualFold(username, m.cfg.User) {
		password = m.cfg.Password
	}
	ask := func(ctx context.Context, user string) (string, error) {
		if password != "" {
			return password, nil
		}
		if m.opts.PromptPassword == nil {
			return "", ErrNoCredentials
		}
		return m.opts.PromptPassword(ctx, user)
	}
	sess, err := auth.Login(ctx, c, auth.Options{Username: username, Password: ask, Device: dev, CloneCode: clone,
		NewLogin: o.NewLogin || m.opts.NewLogin, Persist: m.persist})
	if err != nil {
		var step *auth.StepError
		if errors.As(err, &step) && step.Step == "username" && username == "" {
			return ErrNoCredentials
		}
		return err
	}
	m.sess = sess
	if sess.Summary.PersistentLogin && !sess.Summary.DataKeyOnDevice {
		// Commander registers the device data key after every login.
		_ = sess.RegisterDataKey(ctx, c)
	}
	return nil
}

// persist writes what a login step wants kept into config.json.
func (m *Manager) persist(st auth.State) error {
	if st.Device != nil {
		m.cfg.DeviceToken = crypto.Base64URLEncode(st.Device.Token)
		m.cfg.PrivateKey = crypto.Base64URLEncode(st.Device.PrivateKey)
	}
	if st.Username != "" {
		m.cfg.User = st.Username
	}
	if len(st.CloneCode) > 0 {
		m.cfg.CloneCode = crypto.Base64URLEncode(st.CloneCode)
	}
	if m.cfg.Server == "" || m.opts.Server != "" {
		m.cfg.Server = m.Server()
	}
	if m.opts.ConfigPath == "" {
		return nil
	}
	return m.cfg.Save(m.opts.ConfigPath)
}

// EnsureLogin logs in on demand: persistent login without a prompt when the
// config allows it, else the password (prompted on a terminal only).
func (m *Manager) EnsureLogin(ctx context.Context) error {
	if m.sess != nil {
		return nil
	}
	return m.Login(ctx, LoginOptions{})
}

// Logout ends the session on the server and forgets it locally; config.json
// keeps the device and clone code, as Commander does.
func (m *Manager) Logout(ctx context.Context) error {
	if m.sess == nil {
		return nil
	}
	c, err := m.Client()
	if err == nil {
		err = m.sess.Logout(ctx, c)
	}
	m.reset()
	return err
}

func (m *Manager) reset() {
	m.sess, m.ent, m.mc = nil, nil, nil
	m.mcs = map[int32]*MC{}
}

// Renew handles an expired session in a long-running shell: it drops the
// session and logs in again, which succeeds silently with persistent login.
func (m *Manager) Renew(ctx context.Context) error {
	m.reset()
	return m.EnsureLogin(ctx)
}

// Do runs fn and, if the session expired, renews it once and retries.
func (m *Manager) Do(ctx context.Context, fn func() error) error {
	err := fn()
	if errors.Is(err, auth.ErrSessionExpired) {
		if rerr := m.Renew(ctx); rerr != nil {
			return fmt.Errorf("the session expired and could not be renewed: %w", rerr)
		}
		if m.opts.Notify != nil {
			m.opts.Notify("Session expired; logged in again")
		}
		return fn()
	}
	return err
}

// Enterprise returns the enterprise data of the current context (the MC
// after switch-to-mc), loading or syncing it as needed.
func (m *Manager) Enterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if err := m.EnsureLogin(ctx); err != nil {
		return nil, err
	}
	if !m.sess.Summary.IsEnterpriseAdmin {
		return nil, ErrNotAdmin
	}
	c, err := m.Client()
	if err != nil {
		return nil, err
	}
	if m.mc != nil {
		if m.mc.Enterprise == nil || refresh {
			mc := m.mc
			e, _, err := enterprise.Load(ctx, c, enterprise.Keys{SessionToken: mc.Token, DataKey: m.sess.DataKey,
				TreeKey: mc.TreeKey, EnterpriseID: mc.ID}, nil)
			if errors.Is(err, auth.ErrSessionExpired) {
				// The managed-company session is gone; the caller renews the
				// account session and the user switches again.
				return nil, fmt.Errorf("the managed company session expired; run switch-to-mc again: %w", err)
			}
			if err != nil {
				return nil, err
			}
			mc.Enterprise = e
		}
		return m.mc.Enterprise, nil
	}
	if m.ent == nil || refresh {
		var e *enterprise.Enterprise
		err := m.Do(ctx, func() error {
			var err error
			e, _, err = enterprise.Load(ctx, c, m.keys(), m.cache())
			return err
		})
		if err != nil {
			return nil, err
		}
		m.ent = e
	}
	return m.ent, nil
}

// DropEnterpriseCache forgets cached enterprise data (enterprise-down -f).
func (m *Manager) DropEnterpriseCache() error {
	m.ent = nil
	if c := m.cache(); c != nil {
		return c.Remove()
	}
	return nil
}

func (m *Manager) keys() enterprise.Keys {
	s := m.sess
	return enterprise.Keys{SessionToken: s.SessionToken, DataKey: s.DataKey, RSAKey: s.Summary.RSAKey, ECKey: s.Summary.ECKey,
		EnterpriseID: s.Summary.EnterpriseID}
}

// MSP returns the MSP's own enterprise data, refusing non-MSPs and
// sessions switched into a managed company (as Commander does).
func (m *Manager) MSP(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	e, err := m.Enterprise(ctx, refresh)
	if err != nil {
		return nil, err
	}
	if m.mc != nil || !e.IsMSP() {
		return nil, ErrNotMSP
	}
	return e, nil
}

// SwitchToMC switches the enterprise context to a managed company.
func (m *Manager) SwitchToMC(ctx context.Context, nameOrID string) (*MC, error) {
	if m.mc != nil {
		return nil, fmt.Errorf("already switched to managed company id=%d; run switch-to-msp first", m.mc.ID)
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
	c, err := m.Client()
	if err != nil {
		return nil, err
	}
	tok, tree, err := enterprise.LoginToMC(ctx, c, m.sess.SessionToken, mc.McEnterpriseId, e.TreeKey)
	if err != nil {
		return nil, err
	}
	sw := &MC{ID: mc.McEnterpriseId, Name: mc.McEnterpriseName, Token: tok, TreeKey: tree}
	m.mcs[sw.ID], m.mc = sw, sw
	return sw, nil
}

// SwitchToMSP returns to the MSP context; it reports false if not switched.
func (m *Manager) SwitchToMSP() bool {
	if m.mc == nil {
		return false
	}
	m.mc = nil
	return true
}
