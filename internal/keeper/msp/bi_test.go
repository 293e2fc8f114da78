package msp

import (
	"context"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
)

// dayMS is the UTC midnight of a day in milliseconds, as BI dates are.
func dayMS(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).UnixMilli()
}

// The BI ids of the fixtures: plans and file plans as MSP_PLANS and
// MSP_FILE_PLANS number them; add-ons as the mapping below.
var (
	plan1   = Unit{UnitPlan, 1}     // business
	plan2   = Unit{UnitPlan, 2}     // businessPlus
	plan10  = Unit{UnitPlan, 10}    // enterprise
	fp4     = Unit{UnitFilePlan, 4} // 100GB
	fp7     = Unit{UnitFilePlan, 7} // 1TB
	chat    = Unit{UnitAddOn, 2}    // chat
	kcm     = Unit{UnitAddOn, 11}   // connection_manager
	mapping = map[int32]string{2: "chat", 11: "connection_manager", 12: "not_in_commander"}
)

// march2024 is the hand-computed fixture (31 days):
//   - Alpha (1): business, 10 licences, 100GB, chat with 3 units, every day.
//   - Bravo (2): enterprise, 5 licences, 1TB, KCM with 2 units, days 1-15
//     (removed in the middle of the month).
//   - Charlie (3): no licences on days 1-10, then business with 4 licences.
//
// Records come day by day, Alpha, Bravo, Charlie.
func march2024() *bipb.ReportingDailySnapshotResponse {
	rs := &bipb.ReportingDailySnapshotResponse{McEnterprises: []*bipb.SnapshotMcEnterprise{
		{Id: 1, Name: "Alpha"}, {Id: 2, Name: "Bravo"}, {Id: 3, Name: "Charlie"}}}
	for d := 1; d <= 31; d++ {
		date := dayMS(2024, time.March, d)
		rs.Records = append(rs.Records, &bipb.SnapshotRecord{Date: date, McEnterpriseId: 1, MaxLicenseCount: 10,
			MaxBasePlanId: 1, MaxFilePlanTypeId: 4, Addons: []*bipb.SnapshotRecord_Addon{{MaxAddonId: 2, Units: 3}}})
		if d <= 15 {
			rs.Records = append(rs.Records, &bipb.SnapshotRecord{Date: date, McEnterpriseId: 2, MaxLicenseCount: 5,
				MaxBasePlanId: 10, MaxFilePlanTypeId: 7, Addons: []*bipb.SnapshotRecord_Addon{{MaxAddonId: 11, Units: 2}}})
		}
		if d <= 10 {
			// No licences: the plan and add-ons are ignored, the day counts.
			rs.Records = append(rs.Records, &bipb.SnapshotRecord{Date: date, McEnterpriseId: 3, MaxBasePlanId: 1,
				Addons: []*bipb.SnapshotRecord_Addon{{MaxAddonId: 2, Units: 9}}})
		} else {
			rs.Records = append(rs.Records, &bipb.SnapshotRecord{Date: date, McEnterpriseId: 3, MaxLicenseCount: 4, MaxBasePlanId: 1})
		}
	}
	return rs
}

func TestStatementWholeMonth(t *testing.T) {
	got := NewMonth(march2024()).Statement(StatementOptions{})
	// licenses, days, avg, initial, final, max per unit, by hand:
	//   business: Alpha 10×31 + Charlie 4×21 = 394; 394/31 = 12.709… → 12.71;
	//     first days 10 + 0 (Charlie's empty day 1); last days 10 + 4; days 11-31 14.
	//   enterprise: Bravo 5×15 = 75; 75/31 = 2.419… → 2.42; Bravo's own first
	//     and last day (the 15th) count, as in Commander.
	//   100GB: 10×31 = 310 → 10.0.  1TB: 5×15 = 75 → 2.42.
	//   chat: 3×31 = 93 → 3.0 (Charlie's 9 units on empty days never count).
	//   KCM: 2×15 = 30; 30/31 = 0.967… → 0.97.
	want := []StatementLine{
		{Unit: plan1, Licenses: 394, Days: 31, AvgPerDay: 12.71, Initial: 10, Final: 14, Max: 14},
		{Unit: plan10, Licenses: 75, Days: 31, AvgPerDay: 2.42, Initial: 5, Final: 5, Max: 5},
		{Unit: fp4, Licenses: 310, Days: 31, AvgPerDay: 10, Initial: 10, Final: 10, Max: 10},
		{Unit: fp7, Licenses: 75, Days: 31, AvgPerDay: 2.42, Initial: 5, Final: 5, Max: 5},
		{Unit: chat, Licenses: 93, Days: 31, AvgPerDay: 3, Initial: 3, Final: 3, Max: 3},
		{Unit: kcm, Licenses: 30, Days: 31, AvgPerDay: 0.97, Initial: 2, Final: 2, Max: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("statement\n got %+v\nwant %+v", got, want)
	}
}

func TestStatementByCompany(t *testing.T) {
	got := NewMonth(march2024()).Statement(StatementOptions{ByCompany: true})
	// Each company divides by its own reported days of the unit.
	want := []StatementLine{
		{MC: 1, Unit: plan1, Licenses: 310, Days: 31, AvgPerDay: 10, Initial: 10, Final: 10, Max: 10},
		{MC: 1, Unit: fp4, Licenses: 310, Days: 31, AvgPerDay: 10, Initial: 10, Final: 10, Max: 10},
		{MC: 1, Unit: chat, Licenses: 93, Days: 31, AvgPerDay: 3, Initial: 3, Final: 3, Max: 3},
		{MC: 2, Unit: plan10, Licenses: 75, Days: 15, AvgPerDay: 5, Initial: 5, Final: 5, Max: 5},
		{MC: 2, Unit: fp7, Licenses: 75, Days: 15, AvgPerDay: 5, Initial: 5, Final: 5, Max: 5},
		{MC: 2, Unit: kcm, Licenses: 30, Days: 15, AvgPerDay: 2, Initial: 2, Final: 2, Max: 2},
		// Charlie: 4×21 over the 21 days it had the plan; its first day
		// (no licences) gives an initial count of 0.
		{MC: 3, Unit: plan1, Licenses: 84, Days: 21, AvgPerDay: 4, Initial: 0, Final: 4, Max: 4},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("statement -c\n got %+v\nwant %+v", got, want)
	}
}

func TestStatementByDate(t *testing.T) {
	m := NewMonth(march2024())
	got := m.Statement(StatementOptions{ByDate: true})
	day := func(d int) int64 { return dayMS(2024, time.March, d) / 86400000 }
	// Per day the companies are summed; no averages or bounds.
	var d1, d11, d16 []StatementLine
	for _, l := range got {
		switch l.Day {
		case day(1):
			d1 = append(d1, l)
		case day(11):
			d11 = append(d11, l)
		case day(16):
			d16 = append(d16, l)
		}
	}
	if len(got) != 15*6+16*3 {
		t.Fatalf("%d lines", len(got))
	}
	if !reflect.DeepEqual(d1, []StatementLine{{Day: day(1), Unit: plan1, Licenses: 10}, {Day: day(1), Unit: plan10, Licenses: 5},
		{Day: day(1), Unit: fp4, Licenses: 10}, {Day: day(1), Unit: fp7, Licenses: 5}, {Day: day(1), Unit: chat, Licenses: 3},
		{Day: day(1), Unit: kcm, Licenses: 2}}) {
		t.Fatalf("day 1: %+v", d1)
	}
	if d11[0] != (StatementLine{Day: day(11), Unit: plan1, Licenses: 14}) || len(d11) != 6 {
		t.Fatalf("day 11: %+v", d11)
	}
	if !reflect.DeepEqual(d16, []StatementLine{{Day: day(16), Unit: plan1, Licenses: 14}, {Day: day(16), Unit: fp4, Licenses: 10},
		{Day: day(16), Unit: chat, Licenses: 3}}) {
		t.Fatalf("day 16 (Bravo gone): %+v", d16)
	}
	if got[0].Day != day(1) || DayDate(got[0].Day).Format("2006-01-02") != "2024-03-01" {
		t.Fatalf("first day %v", DayDate(got[0].Day))
	}

	both := m.Statement(StatementOptions{ByDate: true, ByCompany: true})
	if len(both) != 31*3+15*3+21 || both[0] != (StatementLine{Day: day(1), MC: 1, Unit: plan1, Licenses: 10}) ||
		both[3] != (StatementLine{Day: day(1), MC: 2, Unit: plan10, Licenses: 5}) {
		t.Fatalf("-d -c: %d %+v", len(both), both[:4])
	}
}

// TestStatementMonthLengths: a month of 28, 29, 30 and 31 days with one
// company whose licences grow by one a day (1 on the 1st ... n on the
// last): n(n+1)/2 licences over n reported days.
func TestStatementMonthLengths(t *testing.T) {
	for _, c := range []struct {
		year  int
		month time.Month
		days  int64
		avg   float64
	}{
		{2023, time.February, 28, 14.5}, // 406/28
		{2024, time.February, 29, 15},   // 435/29
		{2024, time.April, 30, 15.5},    // 465/30
		{2024, time.December, 31, 16},   // 496/31
	} {
		rs := &bipb.ReportingDailySnapshotResponse{}
		for d := 1; ; d++ {
			date := time.Date(c.year, c.month, d, 0, 0, 0, 0, time.UTC)
			if date.Month() != c.month {
				break
			}
			// Some time into the day: the UTC date is what counts.
			rs.Records = append(rs.Records, &bipb.SnapshotRecord{Date: date.UnixMilli() + 3_600_000*int64(d%24),
				McEnterpriseId: 7, MaxLicenseCount: int32(d), MaxBasePlanId: 2})
		}
		got := NewMonth(rs).Statement(StatementOptions{})
		want := []StatementLine{{Unit: plan2, Licenses: c.days * (c.days + 1) / 2, Days: c.days, AvgPerDay: c.avg,
			Initial: 1, Final: c.days, Max: c.days}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d-%02d\n got %+v\nwant %+v", c.year, c.month, got, want)
		}
	}
}

func TestStatementEdges(t *testing.T) {
	// No data: no lines (Commander's 30-day fallback divides nothing).
	if got := NewMonth(&bipb.ReportingDailySnapshotResponse{}).Statement(StatementOptions{}); len(got) != 0 {
		t.Fatalf("empty: %+v", got)
	}
	// Only days without licences: no lines either.
	rs := &bipb.ReportingDailySnapshotResponse{Records: []*bipb.SnapshotRecord{
		{Date: dayMS(2024, 5, 1), McEnterpriseId: 1, MaxBasePlanId: 1}}}
	if got := NewMonth(rs).Statement(StatementOptions{}); len(got) != 0 {
		t.Fatalf("no licences: %+v", got)
	}
	// Every company starts the month without licences: initial is 0
	// (Commander's reduce() over no first snapshots raises TypeError).
	rs = &bipb.ReportingDailySnapshotResponse{Records: []*bipb.SnapshotRecord{
		{Date: dayMS(2024, 5, 1), McEnterpriseId: 1, MaxBasePlanId: 1},
		{Date: dayMS(2024, 5, 2), McEnterpriseId: 1, MaxBasePlanId: 1, MaxLicenseCount: 6},
		{Date: dayMS(2024, 5, 3), McEnterpriseId: 1, MaxBasePlanId: 1, MaxLicenseCount: 3},
	}}
	want := []StatementLine{{Unit: plan1, Licenses: 9, Days: 3, AvgPerDay: 3, Initial: 0, Final: 3, Max: 6}}
	if got := NewMonth(rs).Statement(StatementOptions{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("late start\n got %+v\nwant %+v", got, want)
	}
	// A second record for the same company and day replaces the first in
	// its place; 10/3 rounds to 3.33.
	rs = &bipb.ReportingDailySnapshotResponse{Records: []*bipb.SnapshotRecord{
		{Date: dayMS(2024, 5, 1), McEnterpriseId: 2, MaxBasePlanId: 1, MaxLicenseCount: 1},
		{Date: dayMS(2024, 5, 1), McEnterpriseId: 1, MaxBasePlanId: 1, MaxLicenseCount: 1},
		{Date: dayMS(2024, 5, 3), McEnterpriseId: 1, MaxBasePlanId: 1, MaxLicenseCount: 4},
		{Date: dayMS(2024, 5, 1) + 5000, McEnterpriseId: 2, MaxBasePlanId: 1, MaxLicenseCount: 5},
	}}
	m := NewMonth(rs)
	if len(m.Snapshots) != 3 || m.Snapshots[0].MC != 2 || m.Snapshots[0].Units[plan1] != 5 {
		t.Fatalf("snapshots %+v", m.Snapshots)
	}
	want = []StatementLine{{Unit: plan1, Licenses: 10, Days: 3, AvgPerDay: 3.33, Initial: 6, Final: 9, Max: 6}}
	if got := m.Statement(StatementOptions{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("replaced record\n got %+v\nwant %+v", got, want)
	}
}

// TestUnitClassification: Commander's MSPBillingReportCommand (is_plan_id,
// is_storage_plan_id, is_addon_id) leaves keys 100 and 10000 unclassified
// (file plan or add-on id 1) and folds file plan 100 into add-on 1; units
// keep their kind here.
func TestUnitClassification(t *testing.T) {
	rs := &bipb.ReportingDailySnapshotResponse{Records: []*bipb.SnapshotRecord{{Date: dayMS(2024, 1, 1), McEnterpriseId: 1,
		MaxLicenseCount: 2, MaxBasePlanId: 11, MaxFilePlanTypeId: 100,
		Addons: []*bipb.SnapshotRecord_Addon{{MaxAddonId: 1, Units: 4}, {MaxAddonId: 0, Units: 8}}}}}
	lines := NewMonth(rs).Statement(StatementOptions{})
	addOns := map[int32]string{1: "chat"}
	var labels []string
	for _, l := range lines {
		labels = append(labels, l.Unit.Label(addOns))
	}
	// enterprisePlus (11), file plan 100 (key 10000, unknown: its id) and
	// add-on 1 (key 10000 too: kinds order the tie) → KeeperChat.
	if !reflect.DeepEqual(labels, []string{"Enterprise Plus", "100", "KeeperChat"}) ||
		lines[1].Licenses != 2 || lines[2].Licenses != 4 {
		t.Fatalf("%v %+v", labels, lines)
	}
	for u, want := range map[Unit]string{{UnitFilePlan, 1}: "1", {UnitAddOn, 12}: "12", {UnitPlan, 3}: "Business Starter",
		{UnitFilePlan, 8}: "10TB", {UnitAddOn, 11}: "Keeper Connection Manager (KCM)", {UnitAddOn, 99}: "99"} {
		if got := u.Label(mapping); got != want {
			t.Errorf("%+v: %q, want %q", u, got, want)
		}
	}
}

func TestRound2(t *testing.T) {
	for in, want := range map[float64]float64{2.675: 2.67, 0.125: 0.12, 0.375: 0.38, 394.0 / 31: 12.71, 2.0 / 3: 0.67, 5: 5, 1.005: 1} {
		if got := Round2(in); got != want {
			t.Errorf("Round2(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestPricing(t *testing.T) {
	cost := func(a float64, per bipb.Cost_AmountPer, cur bipb.Cost_Currency) *bipb.Cost {
		return &bipb.Cost{Amount: a, AmountPer: per, Currency: cur}
	}
	rs := &bipb.SubscriptionMcPricingResponse{
		BasePlans: []*bipb.BasePlan{{Id: 1, Cost: cost(45, bipb.Cost_USER_MONTH, bipb.Cost_USD)}, {Id: 99, Cost: cost(1, 0, 0)}},
		Addons:    []*bipb.Addon{{Id: 11, Cost: cost(3.75, bipb.Cost_USER_MONTH, bipb.Cost_EUR)}, {Id: 5, Cost: cost(2, 0, 0)}},
		FilePlans: []*bipb.FilePlan{{Id: 7, Cost: cost(10, bipb.Cost_MONTH, bipb.Cost_AUD)}, {Id: 1, Cost: cost(2, 0, 0)}},
	}
	p := NewPricing(rs, mapping)
	want := Pricing{
		Plans:     map[string]Price{"business": {45, bipb.Cost_USER_MONTH, bipb.Cost_USD}},
		AddOns:    map[string]Price{"connection_manager": {3.75, bipb.Cost_USER_MONTH, bipb.Cost_EUR}},
		FilePlans: map[string]Price{"STORAGE_1TB": {10, bipb.Cost_MONTH, bipb.Cost_AUD}},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("%+v", p)
	}
	if pr, ok := kcm.Price(p, mapping); !ok || pr.Amount != 3.75 {
		t.Fatalf("kcm price %+v %v", pr, ok)
	}
	if _, ok := fp4.Price(p, mapping); ok {
		t.Fatal("100GB has no price")
	}
	for _, c := range []struct {
		p          Price
		cur, label string
	}{
		{Price{Currency: 0, Unit: 0}, "UNKNOWN", "UNKNOWN"},
		{Price{Currency: bipb.Cost_CAD, Unit: bipb.Cost_ENDPOINT_YEAR}, "CAD", "ENDPOINT_YEAR"},
		{Price{Currency: 42, Unit: 42}, "42", "42"},
	} {
		if c.p.CurrencyName() != c.cur || c.p.UnitName() != c.label {
			t.Errorf("%+v: %s %s", c.p, c.p.CurrencyName(), c.p.UnitName())
		}
	}
}

// biFake answers the BI endpoints and records what was asked.
type biFake struct {
	asked []string
	rqs   []proto.Message
}

func (f *biFake) Call(_ context.Context, endpoint string, rq, rs proto.Message) error {
	f.asked = append(f.asked, endpoint)
	f.rqs = append(f.rqs, rq)
	var ans proto.Message
	switch endpoint {
	case BIMappingAddons:
		ans = &bipb.MappingAddonsResponse{Addons: []*bipb.MappingItem{{Id: 2, Name: "chat"}}}
	case BIMcPricing:
		ans = &bipb.SubscriptionMcPricingResponse{BasePlans: []*bipb.BasePlan{{Id: 10, Cost: &bipb.Cost{Amount: 5}}}}
	case BIDailySnapshot:
		ans = march2024()
	}
	b, _ := proto.Marshal(ans)
	return proto.Unmarshal(b, rs)
}

func TestBICalls(t *testing.T) {
	f := &biFake{}
	ctx := context.Background()
	m, err := AddOnMapping(ctx, f)
	if err != nil || !reflect.DeepEqual(m, map[int32]string{2: "chat"}) {
		t.Fatalf("%v %v", m, err)
	}
	p, err := GetPricing(ctx, f, m)
	if err != nil || p.Plans["enterprise"].Amount != 5 {
		t.Fatalf("%+v %v", p, err)
	}
	month, err := DailySnapshots(ctx, f, 2024, 3)
	if err != nil || len(month.Snapshots) != 31*2+15 || month.Companies[2] != "Bravo" {
		t.Fatalf("%v", err)
	}
	if _, err := DailySnapshots(ctx, f, 2024, 13); err == nil {
		t.Fatal("month 13")
	}
	want := []string{"/bi_api/v2/enterprise_console/mapping/addons", "/bi_api/v2/enterprise_console/subscription/mc_pricing",
		"/bi_api/v2/enterprise_console/reporting/daily_snapshot"}
	if !reflect.DeepEqual(f.asked, want) {
		t.Fatalf("%v", f.asked)
	}
	if rq := f.rqs[2].(*bipb.ReportingDailySnapshotRequest); rq.Year != 2024 || rq.Month != 3 {
		t.Fatalf("%v", rq)
	}
}
