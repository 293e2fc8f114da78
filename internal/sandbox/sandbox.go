// Package sandbox runs keeper-sandbox, a local Keeper-compatible server:
// SQLite state, HTTPS on loopback with a self-signed certificate, a server
// P-256 envelope key kept in the database and a seeded demo MSP tenant.
// End-to-end tests and `make run` start it through Start.
package sandbox

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/server"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Options configure a sandbox.
type Options struct {
	DBPath        string        // SQLite file; its directory (created 0700) also holds cert.pem and key.pem
	Listen        string        // address, default 127.0.0.1:8443 (tests use 127.0.0.1:0)
	HTTP          bool          // plain HTTP instead of HTTPS
	AdminPassword string        // demo admin password for a fresh database
	Iterations    int           // PBKDF2 iterations of seeded passwords
	SessionIdle   time.Duration // session idle expiry; default 1h
	KeyID         int32         // server key id clients must use; default 7
	PageSize      int           // enterprise sync page size
	VaultPageSize int           // vault sync_down page size (records, folders, placements per page)
	// MinIterations is the lowest PBKDF2 iteration count accepted in an auth
	// verifier or encryption params a client uploads (provisioning, master
	// password change); default 1,000,000 as Keeper's cloud requires.
	MinIterations int
	// ReservedDomains are reserved on start, besides the demo tenants' own
	// (seed.DemoDomains), and stay reserved.
	ReservedDomains []ReservedDomain
	Faults          server.Faults // fault injection
	Log             io.Writer     // request log; nil for none
	Limits          Limits        // timeouts and request limits (httpserver.go)
}

// Sandbox is a running keeper-sandbox.
type Sandbox struct {
	st     *store.Store
	srv    *server.Server
	http   *http.Server
	ln     net.Listener
	url    string
	keyID  int32
	pub    []byte
	caFile string
	done   chan error
	// The purge loop: closed by Close, and closed by the loop when it ends.
	stopPurge, purged chan struct{}
	closeOnce         sync.Once
}

// ReservedDomain is an email domain an enterprise reserves: its users can be
// provisioned without email verification (enterprise_user_provision).
type ReservedDomain struct {
	EnterpriseID int32
	Domain       string
}

// DefaultListen is where `keeper-sandbox serve` listens by default.
const DefaultListen = "127.0.0.1:8443"

// Start opens (and on first use seeds) the database and starts serving.
func Start(ctx context.Context, o Options) (*Sandbox, error) {
	if o.DBPath == "" {
		return nil, errors.New("sandbox: a database path is required")
	}
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.SessionIdle == 0 {
		o.SessionIdle = time.Hour
	}
	if o.KeyID == 0 {
		o.KeyID = 7
	}
	st, err := store.Open(o.DBPath)
	if err != nil {
		return nil, err
	}
	sb, err := start(ctx, st, o)
	if err != nil {
		st.Close()
		return nil, err
	}
	return sb, nil
}

func start(ctx context.Context, st *store.Store, o Options) (*Sandbox, error) {
	seeded, err := seed.IsSeeded(ctx, st)
	if err != nil {
		return nil, err
	}
	if !seeded {
		if err := seed.Demo(ctx, st, seed.Options{Password: o.AdminPassword, Iterations: o.Iterations}); err != nil {
			return nil, fmt.Errorf("seed demo tenant: %w", err)
		}
	}
	if err := reserveDomains(ctx, st, o.ReservedDomains); err != nil {
		return nil, err
	}
	key, err := serverKey(ctx, st)
	if err != nil {
		return nil, err
	}
	srv := server.New(st, server.Options{KeyID: o.KeyID, Key: key, SessionIdle: o.SessionIdle, PageSize: o.PageSize,
		VaultPageSize: o.VaultPageSize, MinIterations: o.MinIterations, Faults: o.Faults, Log: o.Log})
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	sb := &Sandbox{st: st, srv: srv, ln: ln, keyID: o.KeyID, pub: crypto.ECPublicKeyBytes(key.PublicKey()), done: make(chan error, 1)}
	sb.http = newHTTPServer(srv, o.Limits)
	scheme := "http"
	if !o.HTTP {
		cert, caFile, err := loadOrCreateCert(filepath.Dir(o.DBPath))
		if err != nil {
			ln.Close()
			return nil, err
		}
		sb.caFile = caFile
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	sb.url = scheme + "://" + sb.ln.Addr().String()
	go func() { sb.done <- sb.http.Serve(ln) }()
	sb.stopPurge, sb.purged = make(chan struct{}), make(chan struct{})
	go sb.purge(o.SessionIdle, o.Log)
	return sb, nil
}

// reserveDomains reserves the demo tenants' domains and extra ones.
func reserveDomains(ctx context.Context, st *store.Store, extra []ReservedDomain) error {
	if err := seed.ReserveDemoDomains(ctx, st); err != nil {
		return fmt.Errorf("reserve demo domains: %w", err)
	}
	return st.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range extra {
			if err := store.ReserveDomain(ctx, tx, r.EnterpriseID, r.Domain); err != nil {
				return fmt.Errorf("reserve domain: %w", err)
			}
		}
		return nil
	})
}

// purgeInterval is how often expired sessions and login tokens are deleted:
// half the idle limit, between 50ms (tests) and a minute.
func purgeInterval(idle time.Duration) time.Duration {
	return min(max(idle/2, 50*time.Millisecond), time.Minute)
}

// purge deletes expired sessions (with the managed-company sessions opened
// from them) and login tokens until Close.
func (s *Sandbox) purge(idle time.Duration, log io.Writer) {
	defer close(s.purged)
	t := time.NewTicker(purgeInterval(idle))
	defer t.Stop()
	for {
		if _, err := s.st.PurgeExpired(context.Background(), idle); err != nil && log != nil {
			fmt.Fprintf(log, "%s purge expired sessions: %v\n", time.Now().Format("15:04:05.000"), err)
		}
		select {
		case <-s.stopPurge:
			return
		case <-t.C:
		}
	}
}

// serverKey loads the server's P-256 envelope key, creating it on first use.
func serverKey(ctx context.Context, st *store.Store) (*ecdhKey, error) {
	raw, err := st.Setting(ctx, "server_ec_private_key")
	if errors.Is(err, store.ErrNotFound) {
		k, err := crypto.GenerateECKey()
		if err != nil {
			return nil, err
		}
		if err := st.SetSetting(ctx, "server_ec_private_key", crypto.ECPrivateKeyBytes(k)); err != nil {
			return nil, err
		}
		return k, nil
	}
	if err != nil {
		return nil, err
	}
	return crypto.LoadECPrivateKey(raw)
}

// URL is the base URL clients use (https://127.0.0.1:PORT).
func (s *Sandbox) URL() string { return s.url }

// KeyID is the server key id clients must wrap transmission keys to.
func (s *Sandbox) KeyID() int32 { return s.keyID }

// PublicKey is the server's 65-byte P-256 public key for KeyID.
func (s *Sandbox) PublicKey() []byte { return s.pub }

// CAFile is the PEM certificate clients should trust ("" over plain HTTP).
func (s *Sandbox) CAFile() string { return s.caFile }

// Store exposes the database (tests and the seed command).
func (s *Sandbox) Store() *store.Store { return s.st }

// SetFaults changes fault injection while running.
func (s *Sandbox) SetFaults(f server.Faults) { s.srv.SetFaults(f) }

// Close stops serving and closes the database.
func (s *Sandbox) Close() error {
	s.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.closeOnce.Do(func() {
		close(s.stopPurge)
		<-s.purged
	})
	if cerr := s.st.Close(); err == nil {
		err = cerr
	}
	return err
}

// Requests returns how many API requests the sandbox has received (round
// trips, for benchmarks).
func (s *Sandbox) Requests() int64 { return s.srv.Requests() }
