package server

import (
	"slices"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
)

// TestBICatalogue: the BI ids are Commander's (plans 1, 2, 3, 10, 11; file
// plans 4, 7, 8), every MSP add-on has exactly one id, all of them 2 or
// more and distinct, and every price is a positive USD amount in a unit
// Commander names (plans per user and month).
func TestBICatalogue(t *testing.T) {
	wantPlans := map[string]int32{"business": 1, "businessPlus": 2, "businessStarter": 3, "enterprise": 10, "enterprisePlus": 11}
	for _, p := range mcPlans {
		if id := biID(biPlans, p.code); id != wantPlans[p.code] {
			t.Errorf("plan %s: BI id %d, want %d", p.code, id, wantPlans[p.code])
		}
	}
	for _, p := range biPlans {
		if p.per != bipb.Cost_USER_MONTH || p.amount <= 0 {
			t.Errorf("plan %s priced %v per %v", p.code, p.amount, p.per)
		}
	}
	for _, f := range storagePlans {
		if id := biID(biFilePlans, f.code); id != f.id {
			t.Errorf("file plan %s: BI id %d, want %d", f.code, id, f.id)
		}
	}
	if len(biFilePlans) != len(storagePlans) || len(biPlans) != len(mcPlans) {
		t.Errorf("%d plans and %d file plans priced", len(biPlans), len(biFilePlans))
	}
	var ids []int32
	for _, a := range biAddOns {
		if _, known := mcAddOns[a.code]; !known {
			t.Errorf("priced add-on %q is not an MSP add-on", a.code)
		}
		if a.id < 2 || slices.Contains(ids, a.id) {
			t.Errorf("add-on %s: id %d (below 2 or repeated)", a.code, a.id)
		}
		ids = append(ids, a.id)
		allowed := []bipb.Cost_AmountPer{bipb.Cost_MONTH, bipb.Cost_USER_MONTH, bipb.Cost_USER_CONSUMED_MONTH}
		if a.amount <= 0 || !slices.Contains(allowed, a.per) || a.cost().Currency != bipb.Cost_USD {
			t.Errorf("add-on %s priced %v", a.code, a.cost())
		}
	}
	for code := range mcAddOns {
		if biID(biAddOns, code) == 0 {
			t.Errorf("add-on %s has no BI id", code)
		}
	}
}
