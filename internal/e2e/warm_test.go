package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
	"github.com/keeper-go/keeper/internal/session"
)

// mspParts is what msp-info asks the model for.
const mspParts = enterprise.PartLicenses | enterprise.PartManagedCompanies | enterprise.PartNodes

// TestWarmRunSkipsAccountSummary: with persistent login and a warm cache, a
// new process loads the MSP in two requests (start_login and one
// incremental sync) without the account summary, decoding only the parts
// it asked for; whoami's LiveSession then fetches the live summary once.
// The first (cold) process fetches the summary, as the cache has no facts
// yet.
func TestWarmRunSkipsAccountSummary(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	path := persistentConfig(t, sb)
	ctx := context.Background()

	cold := manager(t, path, nil)
	before := sb.Requests()
	if _, err := cold.MSP(enterprise.WithParts(ctx, mspParts), false); err != nil {
		t.Fatal(err)
	}
	// start_login, account_summary, get_enterprise_data_keys, sync.
	if n := sb.Requests() - before; n != 4 || !cold.Session().HasSummary() {
		t.Fatalf("cold run: %d requests, summary %v", n, cold.Session().HasSummary())
	}

	warm := manager(t, path, nil)
	before = sb.Requests()
	e, err := warm.MSP(enterprise.WithParts(ctx, mspParts), false)
	if err != nil {
		t.Fatal(err)
	}
	if n := sb.Requests() - before; n != 2 {
		t.Fatalf("warm run sent %d requests, want 2 (start_login, sync)", n)
	}
	if warm.Session().HasSummary() {
		t.Fatal("the warm run loaded the account summary")
	}
	if e.ID != seed.MSPEnterpriseID || len(e.ManagedCompanies) != 5 || len(e.Users) != 0 || !e.Has(mspParts) ||
		e.Has(enterprise.PartUsers) {
		t.Fatalf("warm model: id %d, %d mcs, %d users decoded", e.ID, len(e.ManagedCompanies), len(e.Users))
	}
	// Anything else is decoded on demand from the same load.
	if u, err := e.User("alice.smith@msp.sandbox"); err != nil || u.Name != "Alice Smith" {
		t.Fatalf("user on demand: %v %v", u, err)
	}
	if full, err := warm.Enterprise(ctx, false); err != nil || full != e || len(full.Users) != 41 || len(full.Roles) != 4 {
		t.Fatalf("full model after a narrow one: %v", err)
	}
	before = sb.Requests()
	s, err := warm.LiveSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := sb.Requests() - before; n != 1 || !s.HasSummary() || !s.Summary.IsEnterpriseAdmin ||
		s.Summary.EnterpriseID != seed.MSPEnterpriseID || s.Summary.RSAKey == nil || !s.Summary.DataKeyOnDevice {
		t.Fatalf("live summary: %d requests, %+v", n, s.Summary)
	}
	if _, err := warm.LiveSession(ctx); err != nil || sb.Requests()-before != 1 {
		t.Fatal("the summary was fetched twice")
	}
}

// TestCacheEncryptedThroughSession: the cache the session writes next to
// the config holds no username, name or enterprise name in clear, is 0600,
// and a cache that does not open (here: damaged) only costs a full sync.
func TestCacheEncryptedThroughSession(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	path := persistentConfig(t, sb)
	ctx := context.Background()
	if _, err := manager(t, path, nil).Enterprise(ctx, false); err != nil {
		t.Fatal(err)
	}
	cachePath := filepath.Join(filepath.Dir(path), "keeper-enterprise.cache")
	b, err := os.ReadFile(cachePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{seed.AdminEmail, "alice.smith@msp.sandbox", "msp.sandbox", seed.MSPName, "Acme Dental", "Helpdesk"} {
		if bytes.Contains(b, []byte(clear)) {
			t.Errorf("the enterprise cache holds %q in clear", clear)
		}
	}
	if fi, err := os.Stat(cachePath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache mode %v %v", fi, err)
	}
	b[len(b)-3] ^= 1
	if err := os.WriteFile(cachePath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	m := manager(t, path, nil)
	before := sb.Requests()
	e, err := m.Enterprise(ctx, false)
	if err != nil || len(e.Users) != 41 {
		t.Fatalf("load over a damaged cache: %v", err)
	}
	// start_login, account_summary (no facts without a cache), keys, sync.
	if n := sb.Requests() - before; n != 4 {
		t.Fatalf("a damaged cache was used: %d requests", n)
	}
}

// TestSummaryFactsFollowTheAccount: a warm run trusts the cached facts,
// but once a live summary is loaded its enterprise id wins: a cache of
// another enterprise id is dropped and the load is a full one.
func TestSummaryFactsFollowTheAccount(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	path := persistentConfig(t, sb)
	ctx := context.Background()
	if _, err := manager(t, path, nil).Enterprise(ctx, false); err != nil {
		t.Fatal(err)
	}
	m := manager(t, path, nil)
	if _, err := m.LiveSession(ctx); err != nil {
		t.Fatal(err)
	}
	m.Session().Summary.EnterpriseID = seed.MSPEnterpriseID + 1 // as if the account had moved
	before := sb.Requests()
	e, err := m.Enterprise(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := sb.Requests() - before; n != 2 || e.ID != seed.MSPEnterpriseID+1 {
		t.Fatalf("a cache of another enterprise was used: %d requests (want keys and a full sync), id %d", n, e.ID)
	}
}

// TestBigLoadShowsProgress: a load of many pages draws a counter on the
// Progress writer (stderr on a terminal); without one nothing is drawn,
// and a one-page load draws nothing either.
func TestBigLoadShowsProgress(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.PageSize = 7 })
	path := persistentConfig(t, sb)
	ctx := context.Background()
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var bar bytes.Buffer
	m := session.New(session.Options{ConfigPath: path, Config: cfg, Progress: &bar})
	if _, err := m.Enterprise(ctx, false); err != nil {
		t.Fatal(err)
	}
	if out := bar.String(); !strings.Contains(out, "Loading enterprise data") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("no progress drawn: %q", out)
	}
	bar.Reset()
	if _, err := m.Enterprise(ctx, true); err != nil || bar.Len() != 0 {
		t.Fatalf("a one-page sync drew %q (%v)", bar.String(), err)
	}
	_ = os.Remove(filepath.Join(filepath.Dir(path), "keeper-enterprise.cache"))
	if _, err := manager(t, path, nil).Enterprise(ctx, false); err != nil {
		t.Fatal(err) // no Progress writer: nothing to check but that it works
	}
}

// TestDemotedAdminWithWarmCache: the cached facts say administrator, the
// server now refuses the sync; the session loads the live summary, answers
// ErrNotAdmin as it did when every login loaded the summary, and removes
// the cache of data the account may no longer see.
func TestDemotedAdminWithWarmCache(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	path := persistentConfig(t, sb)
	ctx := context.Background()
	if _, err := manager(t, path, nil).Enterprise(ctx, false); err != nil {
		t.Fatal(err)
	}
	cachePath := filepath.Join(filepath.Dir(path), "keeper-enterprise.cache")
	err := sb.Store().Tx(ctx, func(tx *sql.Tx) error {
		a, err := store.LoadAccount(ctx, tx, seed.AdminEmail)
		if err != nil {
			return err
		}
		a.IsAdmin = false
		return store.PutAccount(ctx, tx, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := manager(t, path, nil).Enterprise(ctx, false); !errors.Is(err, session.ErrNotAdmin) {
		t.Fatalf("demoted admin: %v, want ErrNotAdmin", err)
	}
	if _, err := os.Stat(cachePath); !os.IsNotExist(err) {
		t.Fatalf("the cache outlived the admin rights: %v", err)
	}
	if _, err := manager(t, path, nil).Enterprise(ctx, false); !errors.Is(err, session.ErrNotAdmin) {
		t.Fatalf("demoted admin, no cache: %v", err)
	}
}
