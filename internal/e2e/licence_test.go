package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// mspLicence returns the MSP licence (lic_status starting with msp, as
// Commander's is_msp decides) and its pool availability per product.
func mspLicence(t *testing.T, e *enterprise.Enterprise) (*enterprisepb.License, map[string]int32) {
	t.Helper()
	for _, l := range e.Licenses {
		if strings.HasPrefix(l.LicenseStatus, "msp") {
			pool := map[string]int32{}
			for _, p := range l.MspPool {
				pool[p.ProductId] = p.AvailableSeats
			}
			return l, pool
		}
	}
	t.Fatal("no msp licence")
	return nil, nil
}

// setMCSeats changes a managed company's seats directly in the store, as an
// msp-update would, at a new revision of the MSP.
func setMCSeats(t *testing.T, sb *sandboxtest.Env, mcID int32, seats int32) {
	t.Helper()
	ctx := context.Background()
	err := sb.Store().Tx(ctx, func(tx *sql.Tx) error {
		rev, err := store.BumpRev(ctx, tx, seed.MSPEnterpriseID)
		if err != nil {
			return err
		}
		kind := int32(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES)
		e, err := store.GetEntity(ctx, tx, seed.MSPEnterpriseID, kind, fmt.Sprint(mcID))
		if err != nil {
			return err
		}
		var mc enterprisepb.ManagedCompany
		if err := proto.Unmarshal(e.Data, &mc); err != nil {
			return err
		}
		mc.NumberOfSeats = seats
		if e.Data, err = proto.Marshal(&mc); err != nil {
			return err
		}
		return store.PutEntity(ctx, tx, seed.MSPEnterpriseID, rev, *e)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLicenceSeatsFollowData: the MSP licence's seatsAllocated (active
// users), seatsPending (invited users) and each pool's availableSeats
// (seats minus the seats of limited MCs on that product) are counted from
// the data, and a change to users or MCs re-sends the licence on the next
// incremental sync.
func TestLicenceSeatsFollowData(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	cache := &enterprise.Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "test"}
	e, _, err := enterprise.Load(ctx, c, keys(s), cache)
	if err != nil {
		t.Fatal(err)
	}
	// Demo tenant: admin + 30 active + 2 locked (2 disabled hold no seat),
	// 6 invited; pools minus Acme 25 business, Bluebird 50 businessPlus,
	// Delta 100 enterprisePlus, Evergreen 5 businessStarter; Cobalt is
	// unlimited and consumes nothing.
	lic, pool := mspLicence(t, e)
	want := map[string]int32{"business": 175, "businessPlus": 100, "businessStarter": 45, "enterprise": 300, "enterprisePlus": 150}
	if lic.SeatsAllocated != 33 || lic.SeatsPending != 6 || fmt.Sprint(pool) != fmt.Sprint(want) {
		t.Fatalf("seeded licence: allocated %d pending %d pool %v, want 33 6 %v", lic.SeatsAllocated, lic.SeatsPending, pool, want)
	}

	// Invite a user (with an allocated id), remove an active one, grow an MC.
	var alloc enterprise.AllocatedIDs
	if err := c.Execute(ctx, s.JSON(), enterprise.AllocateIDs{NumberRequested: 1}, &alloc); err != nil {
		t.Fatal(err)
	}
	newID := alloc.BaseID
	alice, err := e.User("alice.smith@msp.sandbox")
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.ExecuteBatch(ctx, s.JSON(), raws(
		map[string]any{"command": "enterprise_user_add", "enterprise_user_id": newID, "node_id": e.Root().NodeId,
			"enterprise_user_username": "newcomer@msp.sandbox"},
		map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": alice.EnterpriseUserId},
	))
	if err != nil || !res[0].OK() || !res[1].OK() {
		t.Fatalf("user changes: %v %+v", err, res)
	}
	setMCSeats(t, sb, 2001, 40) // Acme Dental, business: 25 -> 40

	want["business"] = 160
	for _, full := range []bool{false, true} {
		var cc *enterprise.Cache
		if !full {
			cc = cache
		}
		e2, st, err := enterprise.Load(ctx, c, keys(s), cc)
		if err != nil {
			t.Fatal(err)
		}
		if st.FromDisk == full {
			t.Fatalf("full=%v: load fromDisk=%v", full, st.FromDisk)
		}
		lic, pool := mspLicence(t, e2)
		if lic.SeatsAllocated != 32 || lic.SeatsPending != 7 || fmt.Sprint(pool) != fmt.Sprint(want) {
			t.Errorf("full=%v: allocated %d pending %d pool %v, want 32 7 %v", full, lic.SeatsAllocated, lic.SeatsPending, pool, want)
		}
	}
}
