package e2e

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// bi calls a BI endpoint (an absolute path, as Commander's bi_url builds
// it) with a session token.
func (m *mspEnv) bi(token []byte, name string, rq, rs proto.Message) error {
	return m.c.Call(m.ctx, "/bi_api/v2/enterprise_console/"+name, rq, rs, rest.WithSessionToken(token))
}

// snapshot asks reporting/daily_snapshot for a month under the MSP session
// and indexes the records by MC id and day of the month.
func (m *mspEnv) snapshot(t time.Time) (map[int32]map[int]*bipb.SnapshotRecord, map[int32]string) {
	m.t.Helper()
	var rs bipb.ReportingDailySnapshotResponse
	if err := m.bi(m.s.SessionToken, "reporting/daily_snapshot",
		&bipb.ReportingDailySnapshotRequest{Year: int32(t.Year()), Month: int32(t.Month())}, &rs); err != nil {
		m.t.Fatal(err)
	}
	recs := map[int32]map[int]*bipb.SnapshotRecord{}
	for _, r := range rs.Records {
		d := time.UnixMilli(r.Date).UTC()
		if d.Year() != t.Year() || d.Month() != t.Month() || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 {
			m.t.Errorf("record of %d dated %s", r.McEnterpriseId, d)
		}
		if recs[r.McEnterpriseId] == nil {
			recs[r.McEnterpriseId] = map[int]*bipb.SnapshotRecord{}
		}
		recs[r.McEnterpriseId][d.Day()] = r
	}
	names := map[int32]string{}
	for _, e := range rs.McEnterprises {
		names[e.Id] = e.Name
	}
	return recs, names
}

// recordText is a record as licences/plan/file plan then add-on:units.
func recordText(r *bipb.SnapshotRecord) string {
	if r == nil {
		return "none"
	}
	s := fmt.Sprintf("%d/%d/%d", r.MaxLicenseCount, r.MaxBasePlanId, r.MaxFilePlanTypeId)
	for _, a := range r.Addons {
		s += fmt.Sprintf(" %d:%d", a.MaxAddonId, a.Units)
	}
	return s
}

// TestBIMappingAndPricing: mapping/addons gives every MSP add-on one id of
// 2 or more and the file plans their MSP ids; mc_pricing prices the five
// plans (ids 1, 2, 3, 10, 11), every mapped add-on and the three file plans
// in USD. Only the MSP's own session gets them: a managed-company session
// is refused, and the BI paths are not reachable under /api/rest/.
func TestBIMappingAndPricing(t *testing.T) {
	m := newMSPEnv(t)
	var mapping bipb.MappingAddonsResponse
	if err := m.bi(m.s.SessionToken, "mapping/addons", &bipb.MappingAddonsRequest{}, &mapping); err != nil {
		t.Fatal(err)
	}
	addOnIDs := map[int32]string{}
	for _, a := range mapping.Addons {
		if a.Id < 2 || addOnIDs[a.Id] != "" {
			t.Errorf("add-on %s has id %d", a.Name, a.Id)
		}
		addOnIDs[a.Id] = a.Name
	}
	mapped := map[string]bool{}
	for _, name := range addOnIDs {
		mapped[name] = true
	}
	for _, a := range msp.AddOns {
		if !mapped[a.Code] {
			t.Errorf("add-on %s is not mapped", a.Code)
		}
	}
	if len(addOnIDs) != len(msp.AddOns) {
		t.Errorf("%d add-ons mapped, want %d", len(addOnIDs), len(msp.AddOns))
	}
	var files []string
	for _, f := range mapping.FilePlans {
		files = append(files, fmt.Sprintf("%d=%s", f.Id, f.Name))
	}
	if want := []string{"4=STORAGE_100GB", "7=STORAGE_1TB", "8=STORAGE_10TB"}; !slices.Equal(files, want) {
		t.Errorf("file plans %v", files)
	}

	var pricing bipb.SubscriptionMcPricingResponse
	if err := m.bi(m.s.SessionToken, "subscription/mc_pricing", &bipb.SubscriptionMcPricingRequest{}, &pricing); err != nil {
		t.Fatal(err)
	}
	var plans []int32
	for _, p := range pricing.BasePlans {
		plans = append(plans, p.Id)
		if p.Cost.AmountPer != bipb.Cost_USER_MONTH || p.Cost.Currency != bipb.Cost_USD || p.Cost.Amount <= 0 {
			t.Errorf("plan %d costs %v", p.Id, p.Cost)
		}
	}
	if !slices.Equal(plans, []int32{1, 2, 3, 10, 11}) {
		t.Errorf("priced plans %v", plans)
	}
	for _, a := range pricing.Addons {
		if addOnIDs[a.Id] == "" || a.Cost.Currency != bipb.Cost_USD || a.Cost.Amount <= 0 {
			t.Errorf("priced add-on %d (%q): %v", a.Id, addOnIDs[a.Id], a.Cost)
		}
	}
	if len(pricing.Addons) != len(addOnIDs) || len(pricing.FilePlans) != 3 {
		t.Errorf("%d add-ons and %d file plans priced", len(pricing.Addons), len(pricing.FilePlans))
	}
	if err := m.c.Call(m.ctx, "bi_api/v2/enterprise_console/mapping/addons", &bipb.MappingAddonsRequest{}, &mapping,
		rest.WithSessionToken(m.s.SessionToken)); !errors.Is(err, &rest.APIError{Code: "not_found"}) {
		t.Errorf("BI under /api/rest/: %v", err)
	}

	tok, _, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, 2001, m.e)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mapping/addons", "subscription/mc_pricing", "reporting/daily_snapshot"} {
		if err := m.bi(tok, name, &bipb.MappingAddonsRequest{}, &mapping); !errors.Is(err, &rest.APIError{Code: "access_denied"}) {
			t.Errorf("%s under an MC session: %v", name, err)
		}
	}
}

// TestBIDailySnapshotFollowsChanges: this month's snapshot has today's
// record of an MC registered minutes ago (its seats, plan, storage and
// add-ons by BI id: seat add-ons count seats, others licences), shows an
// update made today as the day's maximum, keeps an MC removed today for
// today only, and carries every demo MC through every day so far.
func TestBIDailySnapshotFollowsChanges(t *testing.T) {
	m := newMSPEnv(t)
	r := m.reg("Snapshot Co", "business", 7)
	r.AddOns = []msp.AddOnRequest{{AddOn: "connection_manager", Seats: 2}, {AddOn: "compliance_report"}}
	fresh := m.add(r)
	gone := m.add(m.reg("Gone Co", "enterprise", 3))
	wantCodes(t, m.run(msp.Update{EnterpriseID: gone, EnterpriseName: "Gone Co", ProductID: "enterprise", Seats: 9,
		AddOns: []msp.AddOnRequest{}}, msp.Remove{EnterpriseID: gone}), "", "")

	now := time.Now().UTC()
	recs, names := m.snapshot(now)
	today := now.Day()
	if got := recordText(recs[fresh][today]); got != "7/1/4 10:7 12:2" || names[fresh] != "Snapshot Co" {
		t.Errorf("today's record of the new MC: %s, name %q", got, names[fresh])
	}
	if got := recordText(recs[gone][today]); got != "9/10/4" || len(recs[gone]) != 1 || names[gone] != "Gone Co" {
		t.Errorf("MC updated and removed today: %s on %d days", got, len(recs[gone]))
	}
	if len(recs[fresh]) != 1 {
		t.Errorf("the new MC has %d records this month", len(recs[fresh]))
	}
	for _, id := range []int32{2001, 2002, 2003, 2004, 2005} {
		if len(recs[id]) != today || names[id] == "" {
			t.Errorf("demo MC %d: %d records this month, want %d", id, len(recs[id]), today)
		}
	}
	if got := recordText(recs[2001][today]); got != "25/1/4 9:25" {
		t.Errorf("Acme Dental today: %s", got)
	}
	if _, ok := recs[2006]; ok {
		t.Error("the MC removed before this month has records")
	}
}

// TestBIDailySnapshotSeededMonths: a fresh sandbox has a statement for
// each of the three months before this one, from the seeded history: each
// demo MC from the day it was added, the MC removed two months back up to
// its removal day only, the changes on the days they were made.
func TestBIDailySnapshotSeededMonths(t *testing.T) {
	m := newMSPEnv(t)
	y, mo, _ := time.Now().UTC().Date()
	month := func(k int) time.Time { return time.Date(y, mo-time.Month(k), 1, 0, 0, 0, 0, time.UTC) }
	days := func(t time.Time) int { return t.AddDate(0, 1, -1).Day() }

	m3, _ := m.snapshot(month(3))
	for id, added := range map[int32]int{2001: 2, 2002: 3, 2003: 4, 2004: 5, 2005: 6, 2006: 1} {
		if len(m3[id]) != days(month(3))-added+1 || m3[id][added-1] != nil || m3[id][added] == nil {
			t.Errorf("three months back, MC %d added on the %d: %d records", id, added, len(m3[id]))
		}
	}
	if got := recordText(m3[2001][2]); got != "15/1/4" {
		t.Errorf("Acme Dental when added: %s", got)
	}
	m2, names := m.snapshot(month(2))
	if len(m2[2006]) != 14 || m2[2006][14] == nil || names[2006] != "Foxtrot Retail" {
		t.Errorf("the MC removed on the 14th two months back: %d records", len(m2[2006]))
	}
	if got, want := recordText(m2[2002][5]), "40/2/7 3:40"; got != want {
		t.Errorf("Bluebird on the day it moved to businessPlus: %s, want %s", got, want)
	}
	if got, want := recordText(m2[2002][4]), "40/1/4 3:40"; got != want {
		t.Errorf("Bluebird the day before: %s, want %s", got, want)
	}
	m1, _ := m.snapshot(month(1))
	if _, ok := m1[2006]; ok {
		t.Error("the removed MC has records after its removal month")
	}
	for _, id := range []int32{2001, 2002, 2003, 2004, 2005} {
		if len(m2[id]) != days(month(2)) || len(m1[id]) != days(month(1)) {
			t.Errorf("MC %d: %d and %d records in the last two months", id, len(m2[id]), len(m1[id]))
		}
	}
	last := days(month(1))
	if got, want := recordText(m1[2003][last]), "4/10/8 12:5 15:10"; got != want {
		t.Errorf("Cobalt Legal (unlimited, 4 active users) at the end of last month: %s, want %s", got, want)
	}
}
