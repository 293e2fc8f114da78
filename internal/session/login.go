package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/fsutil"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
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
	return m.login(ctx, o)
}

// login replaces the account session, keeping the enterprise data and the
// managed-company context (session renewal relies on that).
//
// Parallel keeper processes share one config and the server rotates the
// clone code at every login, so the login runs under an advisory lock on
// the config, starts from the credentials on disk (another process may have
// rotated them a moment ago) and writes the new clone code before
// releasing the lock.
func (m *Manager) login(ctx context.Context, o LoginOptions) error {
	m.sess = nil
	c, err := m.Client()
	if err != nil {
		return err
	}
	if path := m.opts.ConfigPath; path != "" {
		// The lock lives next to the config: a first login creates the
		// directory (0700, as config.Save would).
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("config directory: %w", err)
		}
		unlock, err := fsutil.Lock(path + ".lock")
		if err != nil {
			return err
		}
		defer unlock()
		if err := m.reloadCredentials(); err != nil {
			return err
		}
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
	// The account summary waits for a command that needs it (LiveSession,
	// a cold enterprise load) when persistent login recovered the data key.
	sess, err := auth.Login(ctx, c, auth.Options{Username: username, Password: ask, Device: dev, CloneCode: clone,
		NewLogin: o.NewLogin || m.opts.NewLogin, Persist: m.persist, LazySummary: true})
	if err != nil {
		var step *auth.StepError
		if errors.As(err, &step) && step.Step == "username" && username == "" {
			return ErrNoCredentials
		}
		return err
	}
	m.sess = sess
	if m.loader != nil {
		m.loader.Keys.SessionToken = sess.SessionToken
	}
	// Commander registers the device data key after every login. Without a
	// summary the data key came from this device, which therefore holds it.
	if sess.HasSummary() && sess.Summary.PersistentLogin && !sess.Summary.DataKeyOnDevice {
		_ = sess.RegisterDataKey(ctx, c)
	}
	return nil
}

// LiveSession returns the logged-in session with its account summary,
// logging in on demand and sending login/account_summary the first time a
// session needs it (whoami, this-device, key policies).
func (m *Manager) LiveSession(ctx context.Context) (*auth.Session, error) {
	if err := m.EnsureLogin(ctx); err != nil {
		return nil, err
	}
	if err := m.ensureSummary(ctx); err != nil {
		return nil, err
	}
	return m.sess, nil
}

// ensureSummary loads the account summary if this session skipped it.
func (m *Manager) ensureSummary(ctx context.Context) error {
	if m.sess == nil || m.sess.HasSummary() {
		return nil
	}
	c, err := m.Client()
	if err != nil {
		return err
	}
	return m.accountCall(ctx, func([]byte) error {
		if m.sess.HasSummary() { // a renewal by password loaded it
			return nil
		}
		return m.sess.LoadSummary(ctx, c)
	})
}

// reloadCredentials takes the persistent-login credentials from the config
// file as it is now on disk (another process may have logged in since this
// one read it). Called with the config lock held.
func (m *Manager) reloadCredentials() error {
	fresh, _, err := config.Load(m.opts.ConfigPath)
	if err != nil {
		return err
	}
	m.cfg.DeviceToken, m.cfg.PrivateKey, m.cfg.CloneCode = fresh.DeviceToken, fresh.PrivateKey, fresh.CloneCode
	if fresh.User != "" {
		m.cfg.User = fresh.User
	}
	return nil
}

// persist writes what a login step wants kept into config.json: it merges
// the device, user and clone code into the file as it is on disk, so keys
// another process wrote meanwhile survive. Called with the config lock held.
func (m *Manager) persist(st auth.State) error {
	apply := func(c *config.Config) {
		if st.Device != nil {
			c.DeviceToken = crypto.Base64URLEncode(st.Device.Token)
			c.PrivateKey = crypto.Base64URLEncode(st.Device.PrivateKey)
		}
		if st.Username != "" {
			c.User = st.Username
		}
		if len(st.CloneCode) > 0 {
			c.CloneCode = crypto.Base64URLEncode(st.CloneCode)
		}
		if c.Server == "" || m.opts.Server != "" {
			c.Server = m.Server()
		}
	}
	apply(m.cfg)
	if m.opts.ConfigPath == "" {
		return nil
	}
	disk, _, err := config.Load(m.opts.ConfigPath)
	if err != nil {
		return err
	}
	apply(disk)
	return disk.Save(m.opts.ConfigPath)
}

// EnsureLogin logs in on demand: persistent login without a prompt when the
// config allows it, else the password (prompted on a terminal only).
func (m *Manager) EnsureLogin(ctx context.Context) error {
	if m.sess != nil {
		return nil
	}
	return m.login(ctx, LoginOptions{})
}

// TryLogin logs in if that needs no password to be asked: persistent
// login, or a password given up front. When a password would have to be
// asked it returns ErrNoCredentials and leaves the prompt to the next
// EnsureLogin.
func (m *Manager) TryLogin(ctx context.Context) error {
	if m.sess != nil {
		return nil
	}
	prompt := m.opts.PromptPassword
	m.opts.PromptPassword = nil
	defer func() { m.opts.PromptPassword = prompt }()
	return m.login(ctx, LoginOptions{})
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
	m.sess, m.ent, m.mc, m.loader, m.vault = nil, nil, nil, nil, nil
	m.mcs = map[int32]*MC{}
}
