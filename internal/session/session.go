// Package session is the authenticated state of one keeper process: the
// config file, the REST client, the logged-in account, the enterprise data
// and the managed-company context an MSP admin switched to. Commands reach
// Keeper only through it, so login on demand, persistent login and session
// renewal live in one place.
package session

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/keeper/vault"
)

// DefaultServer is Keeper's US region.
const DefaultServer = "keepersecurity.com"

// ErrNoCredentials means a login needs a password and there is no way to get
// one (no terminal, no --password, no KEEPER_PASSWORD).
var ErrNoCredentials = errors.New("not logged in: a master password is needed but there is no terminal to ask for it (use persistent login, --password or KEEPER_PASSWORD)")

// ErrNotAdmin refuses enterprise commands to non-administrators.
var ErrNotAdmin = errors.New("this command is restricted to Keeper Enterprise administrators")

// ErrNotMSP refuses MSP commands outside an MSP.
var ErrNotMSP = errors.New("this command is restricted to Keeper MSP administrators logged in to the MSP company; if you switched to a managed company, run switch-to-msp first")

// ErrInMC refuses the commands that work in the logged-in account's own
// enterprise (distributor) while switched into a managed company, where
// Commander refuses every MSP and distributor command.
var ErrInMC = errors.New("this command works in the account's own enterprise; run switch-to-msp first")

// Options configure a Manager.
type Options struct {
	ConfigPath     string
	Config         *config.Config
	Server         string // --server override
	User           string // --user override
	Password       string // --password or KEEPER_PASSWORD
	NewLogin       bool
	FailOnThrottle bool
	// PromptPassword asks for the master password on a terminal; nil when
	// there is none.
	PromptPassword func(ctx context.Context, username string) (string, error)
	Notify         func(msg string) // status lines for stderr
	Debug          io.Writer
	Proxy          string // --proxy override of the config's proxy
	// Progress is where long enterprise loads (a cold sync of a big
	// tenant, page after page) draw a progress bar: stderr when it is a
	// terminal, nil otherwise (nothing is drawn).
	Progress io.Writer
}

// Manager holds the process's session state: the account session, the
// enterprise data of the admin's own enterprise and the managed company
// switched to, if any. It is not safe for concurrent use.
type Manager struct {
	opts   Options
	cfg    *config.Config
	client *rest.Client
	sess   *auth.Session
	ent    *enterprise.Enterprise
	loader *enterprise.Loader
	mc     *MC
	mcs    map[int32]*MC
	vault  *vault.Vault // the account's own vault, once used
}

// New returns a Manager; nothing is sent until a command needs it.
func New(o Options) *Manager {
	cfg := o.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	return &Manager{opts: o, cfg: cfg, mcs: map[int32]*MC{}}
}

// Config returns the loaded config (never print it: it holds secrets).
func (m *Manager) Config() *config.Config { return m.cfg }

// ConfigPath returns the config file path.
func (m *Manager) ConfigPath() string { return m.opts.ConfigPath }

// Server returns the server the client talks to.
func (m *Manager) Server() string {
	switch {
	case m.opts.Server != "":
		return m.opts.Server
	case m.cfg.Server != "":
		return m.cfg.Server
	}
	return DefaultServer
}

// SetServer changes the server while logged out (the `server` command).
func (m *Manager) SetServer(s string) error {
	if m.sess != nil {
		return errors.New("cannot change Keeper region while logged in")
	}
	m.opts.Server, m.client = s, nil
	return nil
}

// Username is the account email known from flags or config.
func (m *Manager) Username() string {
	if m.sess != nil {
		return m.sess.Username
	}
	if m.opts.User != "" {
		return strings.ToLower(m.opts.User)
	}
	return m.cfg.User
}

// LoggedIn reports whether a session exists.
func (m *Manager) LoggedIn() bool { return m.sess != nil }

// Session returns the account session (nil when logged out).
func (m *Manager) Session() *auth.Session { return m.sess }

// Client returns the REST client, building it from config on first use.
func (m *Manager) Client() (*rest.Client, error) {
	if m.client != nil {
		return m.client, nil
	}
	hc, err := m.httpClient()
	if err != nil {
		return nil, err
	}
	o := rest.Options{Server: m.Server(), HTTPClient: hc, FailOnThrottle: m.opts.FailOnThrottle, Notify: m.opts.Notify, Debug: m.opts.Debug}
	if m.cfg.FailOnThrottle != nil && *m.cfg.FailOnThrottle {
		o.FailOnThrottle = true
	}
	if m.cfg.ServerPublicKey != "" && m.opts.Server == "" {
		pub, err := crypto.Base64URLDecode(m.cfg.ServerPublicKey)
		if err != nil {
			return nil, fmt.Errorf("config %s: server_public_key is not base64url", m.opts.ConfigPath)
		}
		id := int32(m.cfg.ServerKeyID)
		if id == 0 {
			id = rest.DefaultServerKeyID
		}
		o.ServerKeyID, o.KeyOverride = id, &rest.ServerKey{ID: id, Public: pub}
	} else if m.cfg.ServerKeyID != 0 {
		o.ServerKeyID = int32(m.cfg.ServerKeyID)
	}
	c, err := rest.New(o)
	if err != nil {
		return nil, err
	}
	m.client = c
	return c, nil
}

func (m *Manager) httpClient() (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSHandshakeTimeout = 15 * time.Second
	if m.cfg.CAFile != "" && m.opts.Server == "" {
		pem, err := os.ReadFile(m.cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("config %s: ca_file: %w", m.opts.ConfigPath, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("config %s: ca_file %s holds no PEM certificate", m.opts.ConfigPath, m.cfg.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	if proxy := m.proxy(); proxy != "" {
		u, err := url.Parse(proxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("config %s: invalid proxy URL", m.opts.ConfigPath)
		}
		tr.Proxy = http.ProxyURL(u)
	}
	return &http.Client{Transport: tr, Timeout: 120 * time.Second}, nil
}

func (m *Manager) proxy() string {
	if m.opts.Proxy != "" {
		return m.opts.Proxy
	}
	return m.cfg.Proxy
}

// RoundTrips is the number of HTTP requests sent so far.
func (m *Manager) RoundTrips() int64 {
	if m.client == nil {
		return 0
	}
	return m.client.RoundTrips()
}

// cachePath is the enterprise cache file next to the config.
func (m *Manager) cachePath() string {
	return filepath.Join(filepath.Dir(m.opts.ConfigPath), "keeper-enterprise.cache")
}

// cache is the enterprise cache of the logged-in account. The owner names
// server and account; the enterprise id is kept inside with the account
// facts (a warm run knows it before any account summary), and a cache of
// another enterprise is dropped by the loader once a summary says so.
func (m *Manager) cache() *enterprise.Cache {
	if m.opts.ConfigPath == "" || m.sess == nil {
		return nil
	}
	owner := strings.Join([]string{m.Server(), m.sess.Username, hex.EncodeToString(m.sess.AccountUID)}, "|")
	return &enterprise.Cache{Path: m.cachePath(), Owner: owner}
}

// SetDebug turns protocol logging on (w non-nil) or off; the client is
// rebuilt on the next request, the session stays.
func (m *Manager) SetDebug(w io.Writer) {
	m.opts.Debug, m.client = w, nil
}

// Debugging reports whether protocol logging is on.
func (m *Manager) Debugging() bool { return m.opts.Debug != nil }
