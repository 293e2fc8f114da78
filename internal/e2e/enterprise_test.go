package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

func login(t testing.TB, c *rest.Client) *auth.Session {
	t.Helper()
	s, err := auth.Login(context.Background(), c, auth.Options{Username: seed.AdminEmail, Password: pw(sandboxtest.Password)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keys(s *auth.Session) enterprise.Keys {
	return enterprise.Keys{SessionToken: s.SessionToken, DataKey: s.DataKey, RSAKey: s.Summary.RSAKey, ECKey: s.Summary.ECKey,
		EnterpriseID: s.Summary.EnterpriseID}
}

func TestEnterpriseLoadAndIncrementalSync(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	cache := &enterprise.Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "test"}
	e, st, err := enterprise.Load(ctx, c, keys(s), cache)
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != seed.MSPName || !e.IsMSP() || len(e.Nodes) != 6 || len(e.Users) != 41 || len(e.Roles) != 4 || len(e.Teams) != 3 || len(e.ManagedCompanies) != 5 {
		t.Fatalf("loaded %q msp=%v nodes=%d users=%d roles=%d teams=%d mcs=%d", e.Name, e.IsMSP(), len(e.Nodes), len(e.Users),
			len(e.Roles), len(e.Teams), len(e.ManagedCompanies))
	}
	if st.FromDisk {
		t.Fatal("first load claims a cache")
	}
	if n, err := e.Node("europe"); err != nil || e.NodePath(n.NodeId) != `Demo MSP\Europe` {
		t.Fatalf("node lookup: %v %v", n, err)
	}
	if n, err := e.Node(`Demo MSP\Europe\Berlin`); err != nil || n.Name != "Berlin" {
		t.Fatalf("path lookup: %v", err)
	}
	if u, err := e.User("ALICE.SMITH@msp.sandbox"); err != nil || u.Name != "Alice Smith" {
		t.Fatalf("user lookup: %v %v", u, err)
	}
	if u, err := e.User("bruno@msp-old.sandbox"); err != nil || u.Username != "bruno.smith@msp.sandbox" {
		t.Fatalf("alias lookup: %v", err)
	}
	if mc, err := e.ManagedCompany("cobalt legal"); err != nil || mc.NumberOfSeats != seed.Unlimited {
		t.Fatalf("mc lookup: %v", err)
	}
	if r, err := e.Role("Keeper Administrator"); err != nil || r.NodeId != e.Root().NodeId {
		t.Fatalf("role lookup: %v", err)
	}

	// A change made through a JSON command arrives through an incremental sync.
	var alloc enterprise.AllocatedIDs
	if err := c.Execute(ctx, s.JSON(), enterprise.AllocateIDs{NumberRequested: 1}, &alloc); err != nil {
		t.Fatal(err)
	}
	enc, err := enterprise.EncryptData(e.TreeKey, "Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	asia, _ := e.Node("Asia Pacific")
	res, err := c.ExecuteBatch(ctx, s.JSON(), []rest.Command{enterprise.NodeAdd{NodeID: alloc.BaseID, ParentID: asia.NodeId, EncryptedData: enc}})
	if err != nil || !res[0].OK() {
		t.Fatalf("node_add: %v %+v", err, res)
	}
	before := c.RoundTrips()
	e2, st2, err := enterprise.Load(ctx, c, keys(s), cache)
	if err != nil {
		t.Fatal(err)
	}
	if !st2.FromDisk || c.RoundTrips()-before != 1 {
		t.Fatalf("warm load: fromDisk=%v round trips=%d, want cache and 1", st2.FromDisk, c.RoundTrips()-before)
	}
	if n, err := e2.Node("Tokyo"); err != nil || e2.NodePath(n.NodeId) != `Demo MSP\Asia Pacific\Tokyo` || len(e2.Users) != 41 {
		t.Fatalf("incremental sync missed the new node: %v", err)
	}
	// Deletes arrive as tombstones.
	if err := c.Execute(ctx, s.JSON(), enterprise.NodeDelete{NodeID: alloc.BaseID}, nil); err != nil {
		t.Fatal(err)
	}
	e3, _, err := enterprise.Load(ctx, c, keys(s), cache)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e3.Node("Tokyo"); err == nil || len(e3.Nodes) != 6 {
		t.Fatal("deleted node still present after incremental sync")
	}
	if fi, err := os.Stat(cache.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file mode: %v %v", fi, err)
	}
	// A corrupt cache is ignored (full sync), never an error.
	if err := os.WriteFile(cache.Path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if e4, st4, err := enterprise.Load(ctx, c, keys(s), cache); err != nil || st4.FromDisk || len(e4.Users) != 41 {
		t.Fatalf("corrupt cache: %v fromDisk=%v", err, st4.FromDisk)
	}
}

func TestManagedCompanyLogin(t *testing.T) {
	m := newMSPEnv(t)
	ctx, c, s, e := m.ctx, m.c, m.s, m.e
	mc, _ := e.ManagedCompany("Acme Dental")
	tok, treeKey, err := msp.LoginToMC(ctx, c, s.SessionToken, mc.McEnterpriseId, e)
	if err != nil {
		t.Fatal(err)
	}
	mce, _, err := enterprise.Load(ctx, c, enterprise.Keys{SessionToken: tok, DataKey: s.DataKey, TreeKey: treeKey, EnterpriseID: mc.McEnterpriseId}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mce.Name != "Acme Dental" || len(mce.Users) != 6 || mce.Root() == nil {
		t.Fatalf("mc enterprise %q users=%d", mce.Name, len(mce.Users))
	}
}

func TestPagedLoad(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.PageSize = 7 })
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	e, st, err := enterprise.Load(ctx, c, keys(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages < 10 || len(e.Users) != 41 || len(e.ManagedCompanies) != 5 {
		t.Fatalf("paged load: %d pages, %d users", st.Pages, len(e.Users))
	}
}
