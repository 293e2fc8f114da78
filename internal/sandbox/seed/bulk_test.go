package seed

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

const testPassword = "Bulk-Test-1!"

func demoStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := Demo(context.Background(), st, Options{Password: testPassword, Iterations: 1000}); err != nil {
		t.Fatal(err)
	}
	return st
}

// users maps enterprise user id to username for the MSP's live users.
func users(t *testing.T, st *store.Store) map[int64]string {
	t.Helper()
	rows, err := store.FindEntities(context.Background(), st.DB(), MSPEnterpriseID, int32(enterprisepb.EnterpriseDataEntity_USERS), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, r := range rows {
		var u enterprisepb.User
		if err := proto.Unmarshal(r.Data, &u); err != nil {
			t.Fatal(err)
		}
		out[u.EnterpriseUserId] = u.Username
	}
	return out
}

func countMCs(t *testing.T, st *store.Store) int {
	t.Helper()
	n, err := store.CountEntities(context.Background(), st.DB(), MSPEnterpriseID, int32(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBulkOnlyAdds: bulk seeding a fresh demo tenant (twice) adds users and
// managed companies and leaves every demo user, the admin first, in place.
func TestBulkOnlyAdds(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	demo := users(t, st)
	if len(demo) != 41 || demo[int64(MSPEnterpriseID)<<32+uAdmin] != AdminEmail {
		t.Fatalf("demo seed: %d users, admin slot %q", len(demo), demo[int64(MSPEnterpriseID)<<32+uAdmin])
	}
	for round, want := range []struct{ users, mcs int }{{41 + 50, 5 + 3}, {41 + 100, 5 + 6}} {
		if err := Bulk(ctx, st, testPassword, 50, 3); err != nil {
			t.Fatalf("bulk round %d: %v", round+1, err)
		}
		now := users(t, st)
		for id, name := range demo {
			if now[id] != name {
				t.Fatalf("bulk round %d replaced user %d %q with %q", round+1, id, name, now[id])
			}
		}
		seen := map[string]bool{}
		for _, name := range now {
			if seen[strings.ToLower(name)] {
				t.Fatalf("bulk round %d: username %s used twice", round+1, name)
			}
			seen[strings.ToLower(name)] = true
		}
		if len(now) != want.users || countMCs(t, st) != want.mcs {
			t.Fatalf("after bulk round %d: %d users, %d managed companies; want %d and %d", round+1, len(now), countMCs(t, st),
				want.users, want.mcs)
		}
	}
	// The licence grew a seat per user and its business pool the seats of
	// the 6 companies; their ids came from the server's enterprise counter.
	e, err := store.GetEntity(ctx, st.DB(), MSPEnterpriseID, int32(enterprisepb.EnterpriseDataEntity_LICENSES),
		fmt.Sprint(int64(MSPEnterpriseID)<<32+1))
	if err != nil {
		t.Fatal(err)
	}
	var lic enterprisepb.License
	if err := proto.Unmarshal(e.Data, &lic); err != nil {
		t.Fatal(err)
	}
	pools := map[string]int32{}
	for _, p := range lic.MspPool {
		pools[p.ProductId] = p.Seats
	}
	if lic.NumberOfSeats != MSPSeats+100 || pools["business"] != 200+6*bulkMCSeats || pools["businessPlus"] != 150 {
		t.Errorf("licence after bulk: %d seats, pools %v", lic.NumberOfSeats, pools)
	}
	mcs, err := store.FindEntities(ctx, st.DB(), MSPEnterpriseID, int32(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES), "")
	if err != nil {
		t.Fatal(err)
	}
	var next int32
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		next, err = store.NewEnterpriseID(ctx, tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range mcs {
		var mc enterprisepb.ManagedCompany
		if err := proto.Unmarshal(r.Data, &mc); err != nil {
			t.Fatal(err)
		}
		if id := mc.McEnterpriseId; id > 2005 && (id < store.FirstNewEnterpriseID || id >= next) {
			t.Errorf("bulk company id %d outside the counter's range [%d, %d)", id, store.FirstNewEnterpriseID, next)
		}
	}
	acct, err := st.GetAccount(ctx, AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TreeKeyFor(acct, testPassword); err != nil || acct.EnterpriseUserID != int64(MSPEnterpriseID)<<32+uAdmin {
		t.Fatalf("admin account after bulk: user id %d, tree key: %v", acct.EnterpriseUserID, err)
	}
}
