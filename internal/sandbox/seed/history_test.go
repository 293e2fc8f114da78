package seed

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// TestDemoHistoryEndsInTheSeededState: every demo MC's last history step is
// what its ManagedCompany entity has, so billing snapshots agree with
// msp-info.
func TestDemoHistoryEndsInTheSeededState(t *testing.T) {
	check := func(specs []mcSpec, steps func(mcSpec) []mcStep) {
		t.Helper()
		for _, s := range specs {
			list := steps(s)
			if len(list) == 0 {
				t.Errorf("%s has no history", s.name)
				continue
			}
			last := list[len(list)-1]
			var want []string
			for _, a := range s.addOns {
				code := a.Name
				if a.Seats > 0 {
					code += ":" + strconv.Itoa(int(a.Seats))
				}
				want = append(want, code)
			}
			if last.removed || last.plan != s.plan || last.seats != s.seats || last.filePlan != s.filePlan ||
				addOnWords(last.addOns) != addOnWords(want) {
				t.Errorf("%s: history ends in %+v, the MC has %s %d %s %v", s.name, last, s.plan, s.seats, s.filePlan, want)
			}
			for _, st := range list {
				if st.month < -3 || st.month > -1 || st.day < 1 || st.day > 28 {
					t.Errorf("%s: step %+v outside the three months before seeding", s.name, st)
				}
			}
		}
	}
	check(demoMCs, func(s mcSpec) []mcStep { return demoHistory[s.id] })
	for _, m := range smallMSPs {
		check(m.mcs, func(s mcSpec) []mcStep { return addedStep(s, 7) })
	}
	if h := demoHistory[removedMC.id]; len(h) == 0 || !h[len(h)-1].removed {
		t.Errorf("the removed demo MC's history: %+v", h)
	}
}

// TestSeededHistory: seeded on 31 March, every demo MC has history rows in
// December, January and February (across the year and past a 31st), the
// removed MC is removed, the log has a row per step, and the distributor
// manages the three MSPs, each MC of the smaller two added in December.
func TestSeededHistory(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	now := time.Date(2027, 3, 31, 23, 30, 0, 0, time.UTC)
	if err := Demo(ctx, st, Options{Password: testPassword, Iterations: 1000, Now: now}); err != nil {
		t.Fatal(err)
	}
	hist, err := store.MCPlanHistory(ctx, st.DB(), MSPEnterpriseID)
	if err != nil {
		t.Fatal(err)
	}
	first := map[int32]time.Time{}
	for _, h := range hist {
		d := time.UnixMilli(h.Date).UTC()
		if !d.Before(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("history row dated %s, in the month of seeding", d)
		}
		if _, ok := first[h.MCEnterpriseID]; !ok {
			first[h.MCEnterpriseID] = d
		}
		if h.Removed && (h.MCEnterpriseID != removedMC.id || d.Month() != time.January) {
			t.Errorf("removal of %d on %s", h.MCEnterpriseID, d)
		}
	}
	// Each MC is added in December (snapshots carry its state forward
	// through January and February).
	for _, s := range append(slices.Clone(demoMCs), removedMC) {
		if d := first[s.id]; d.Year() != 2026 || d.Month() != time.December {
			t.Errorf("%s added %s, want December 2026", s.name, d)
		}
	}
	if removed, err := store.EnterpriseRemoved(ctx, st.DB(), removedMC.id); err != nil || !removed {
		t.Errorf("removed demo MC: %v %v", removed, err)
	}
	log, err := store.LicenceLog(ctx, st.DB(), MSPEnterpriseID, 0, now.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, h := range demoHistory {
		steps += len(h)
	}
	if len(log) != steps || len(hist) != steps {
		t.Errorf("%d log rows and %d history rows, want %d", len(log), len(hist), steps)
	}
	if !slices.IsSortedFunc(log, func(a, b store.LicenceLogEntry) int { return int(a.ID - b.ID) }) {
		t.Error("log rows not in id order")
	}

	ent, err := store.GetEnterprise(ctx, st.DB(), DistributorEnterpriseID)
	if err != nil || !ent.Distributor || ent.Name != DistributorName {
		t.Fatalf("distributor: %+v %v", ent, err)
	}
	msps, err := store.ManagedMSPs(ctx, st.DB(), DistributorEnterpriseID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int32
	for _, m := range msps {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []int32{MSPEnterpriseID, BobsMSPID, MyMSPID}) {
		t.Errorf("distributor's MSPs %v", ids)
	}
	acct, err := st.GetAccount(ctx, DistributorAdminEmail)
	if err != nil || acct.EnterpriseID != DistributorEnterpriseID || !acct.IsAdmin {
		t.Fatalf("distributor admin: %+v %v", acct, err)
	}
	if _, err := TreeKeyFor(acct, testPassword); err != nil {
		t.Errorf("distributor admin tree key: %v", err)
	}
	for _, m := range smallMSPs {
		mcs, err := store.FindEntities(ctx, st.DB(), m.id, int32(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES), "")
		if err != nil || len(mcs) != len(m.mcs) {
			t.Errorf("%s: %d MCs %v", m.name, len(mcs), err)
		}
		lics, err := store.FindEntities(ctx, st.DB(), m.id, int32(enterprisepb.EnterpriseDataEntity_LICENSES), "")
		if err != nil || len(lics) != 1 {
			t.Fatalf("%s: %d licences %v", m.name, len(lics), err)
		}
		var l enterprisepb.License
		if err := proto.Unmarshal(lics[0].Data, &l); err != nil {
			t.Fatal(err)
		}
		if l.LicenseStatus != "msp" || l.ManagedBy.GetEnterpriseId() != DistributorEnterpriseID || !l.MspPermits.GetRestricted() {
			t.Errorf("%s licence: %v", m.name, &l)
		}
		h, err := store.MCPlanHistory(ctx, st.DB(), m.id)
		if err != nil || len(h) != len(m.mcs) || time.UnixMilli(h[0].Date).UTC().Month() != time.December {
			t.Errorf("%s history: %+v %v", m.name, h, err)
		}
	}
}
