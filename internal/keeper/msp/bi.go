package msp

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
)

// The BI ("business intelligence") calls behind msp-info --pricing and
// msp-billing-report (Commander's commands/msp.py: MSPMixin.get_msp_addons,
// MSPMixin.get_msp_pricing, MSPBillingReportCommand.get_daily_snapshots).
// They live outside /api/rest/: Commander's bi_url builds
// <scheme>://<host>/bi_api/v2/enterprise_console/<name> from the server's
// address. The REST client sends an endpoint that starts with "/" to that
// absolute path on the same server, with the usual encrypted envelope and
// session token (plain-http sandboxes included, which Commander's
// rest_api.execute_rest misses because it only treats "https://" as
// absolute).
const biBase = "/bi_api/v2/enterprise_console/"

// BI endpoints.
const (
	BIMappingAddons = biBase + "mapping/addons"
	BIMcPricing     = biBase + "subscription/mc_pricing"
	BIDailySnapshot = biBase + "reporting/daily_snapshot"
)

// AddOnMapping reads mapping/addons: the BI id of each add-on mapped to its
// code (connection_manager, ...).
func AddOnMapping(ctx context.Context, c RESTCaller) (map[int32]string, error) {
	var rs bipb.MappingAddonsResponse
	if err := c.Call(ctx, BIMappingAddons, &bipb.MappingAddonsRequest{}, &rs); err != nil {
		return nil, err
	}
	out := make(map[int32]string, len(rs.Addons))
	for _, a := range rs.Addons {
		out[a.Id] = a.Name
	}
	return out, nil
}

// Price is one entry of the MSP price list.
type Price struct {
	Amount   float64
	Unit     bipb.Cost_AmountPer
	Currency bipb.Cost_Currency
}

// CurrencyName is the name of the currency as Commander's BI_pb2.Currency
// spells it (0 is UNKNOWN); a value the enum does not know is its number.
func (p Price) CurrencyName() string {
	if p.Currency == bipb.Cost_UNKNOWN_CURRENCY {
		return "UNKNOWN"
	}
	if n, ok := bipb.Cost_Currency_name[int32(p.Currency)]; ok {
		return n
	}
	return strconv.Itoa(int(p.Currency))
}

// UnitName is the name of the unit (Cost.AmountPer); a value the enum does
// not know is its number.
func (p Price) UnitName() string {
	if n, ok := bipb.Cost_AmountPer_name[int32(p.Unit)]; ok {
		return n
	}
	return strconv.Itoa(int(p.Unit))
}

// Pricing is the MSP price list (subscription/mc_pricing) by code: base
// plans through MSP_PLANS ids, file plans through MSP_FILE_PLANS ids and
// add-ons through the mapping/addons ids; entries with ids none of those
// know are dropped, as Commander drops them.
type Pricing struct {
	Plans     map[string]Price // by plan code (business, ...)
	AddOns    map[string]Price // by add-on code (mapping/addons name)
	FilePlans map[string]Price // by file plan code (STORAGE_1TB, ...)
}

// NewPricing maps a subscription/mc_pricing reply (see Pricing).
func NewPricing(rs *bipb.SubscriptionMcPricingResponse, addOns map[int32]string) Pricing {
	p := Pricing{Plans: map[string]Price{}, AddOns: map[string]Price{}, FilePlans: map[string]Price{}}
	price := func(c *bipb.Cost) Price {
		return Price{Amount: c.GetAmount(), Unit: c.GetAmountPer(), Currency: c.GetCurrency()}
	}
	for _, b := range rs.GetBasePlans() {
		if pl, ok := PlanByID(b.Id); ok {
			p.Plans[pl.Code] = price(b.Cost)
		}
	}
	for _, a := range rs.GetAddons() {
		if code, ok := addOns[a.Id]; ok {
			p.AddOns[code] = price(a.Cost)
		}
	}
	for _, f := range rs.GetFilePlans() {
		if fp, ok := FilePlanByID(f.Id); ok {
			p.FilePlans[fp.Code] = price(f.Cost)
		}
	}
	return p
}

// GetPricing reads subscription/mc_pricing and maps it with the add-on
// mapping (AddOnMapping).
func GetPricing(ctx context.Context, c RESTCaller, addOns map[int32]string) (Pricing, error) {
	var rs bipb.SubscriptionMcPricingResponse
	if err := c.Call(ctx, BIMcPricing, &bipb.SubscriptionMcPricingRequest{}, &rs); err != nil {
		return Pricing{}, err
	}
	return NewPricing(&rs, addOns), nil
}

// PlanByID finds a plan by its BI id.
func PlanByID(id int32) (Plan, bool) {
	for _, p := range Plans {
		if p.ID == id {
			return p, true
		}
	}
	return Plan{}, false
}

// FilePlanByID finds an MSP file plan by its BI id.
func FilePlanByID(id int32) (FilePlan, bool) {
	for _, f := range FilePlans {
		if f.ID == id {
			return f, true
		}
	}
	return FilePlan{}, false
}

// UnitKind is what a billed unit counts.
type UnitKind int

// The kinds of billed units.
const (
	UnitPlan UnitKind = iota + 1
	UnitFilePlan
	UnitAddOn
)

// Unit is one billed product of a daily snapshot: a base plan, a file plan
// or an add-on, by BI id.
//
// Commander folds the three into one integer key (plan id, file plan id ×
// 100, add-on id × 10000) and classifies the key by range afterwards,
// which leaves 100 and 10000 in no class (a file plan or add-on with BI id
// 1 is printed as its raw key) and lets file plan 100 and add-on 1 collide.
// Keeping the kind makes every id land in its class; the integer key only
// orders the products as Commander lists them.
type Unit struct {
	Kind UnitKind
	ID   int32
}

// key is Commander's integer key of the unit.
func (u Unit) key() int64 {
	switch u.Kind {
	case UnitFilePlan:
		return int64(u.ID) * 100
	case UnitAddOn:
		return int64(u.ID) * 10000
	}
	return int64(u.ID)
}

// less orders units by Commander's key, then by kind.
func (u Unit) less(v Unit) bool {
	if a, b := u.key(), v.key(); a != b {
		return a < b
	}
	return u.Kind < v.Kind
}

// Code is the unit's product code: the plan code, the file plan code or
// the add-on code from the mapping; "" when unknown. Prices are looked up
// by it.
func (u Unit) Code(addOns map[int32]string) string {
	switch u.Kind {
	case UnitPlan:
		if p, ok := PlanByID(u.ID); ok {
			return p.Code
		}
	case UnitFilePlan:
		if f, ok := FilePlanByID(u.ID); ok {
			return f.Code
		}
	case UnitAddOn:
		if code, ok := addOns[u.ID]; ok && AddOnIndex(code) >= 0 {
			return code
		}
	}
	return ""
}

// Label is the product column of the billing statement: the plan, file
// plan or add-on display name (add-ons through the mapping and
// MSP_ADDONS), else the BI id.
func (u Unit) Label(addOns map[int32]string) string {
	code := u.Code(addOns)
	switch {
	case code == "":
		return strconv.Itoa(int(u.ID))
	case u.Kind == UnitPlan:
		p, _ := PlanByCode(code)
		return p.Display
	case u.Kind == UnitFilePlan:
		f, _ := FilePlanByName(code)
		return f.Display
	}
	return AddOnDisplay(code)
}

// Price finds the unit's price in the list.
func (u Unit) Price(p Pricing, addOns map[int32]string) (Price, bool) {
	code := u.Code(addOns)
	if code == "" {
		return Price{}, false
	}
	var pr Price
	var ok bool
	switch u.Kind {
	case UnitPlan:
		pr, ok = p.Plans[code]
	case UnitFilePlan:
		pr, ok = p.FilePlans[code]
	default:
		pr, ok = p.AddOns[code]
	}
	return pr, ok
}

// DaySnapshot is one managed company's usage on one day.
type DaySnapshot struct {
	MC    int32
	Day   int64 // days since 1970-01-01, UTC
	Units map[Unit]int64
}

// Date is the snapshot's day at UTC midnight.
func (d *DaySnapshot) Date() time.Time { return DayDate(d.Day) }

// DayDate turns a day number (days since 1970-01-01) into its date.
func DayDate(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// Month is a month of daily snapshots as Commander keeps them: one entry
// per managed company and UTC day, a later record of the same pair
// replacing the earlier one in its place, in the order the pairs first
// arrived.
type Month struct {
	Snapshots []*DaySnapshot
	Companies map[int32]string // managed company names
}

// NewMonth reads a reporting/daily_snapshot reply. A record's units are
// its base plan and file plan, each counted maxLicenseCount times, and its
// add-ons with their units; a record with no licences (maxLicenseCount 0)
// has no units but still counts as a reported day.
func NewMonth(rs *bipb.ReportingDailySnapshotResponse) *Month {
	m := &Month{Companies: map[int32]string{}}
	for _, c := range rs.GetMcEnterprises() {
		m.Companies[c.Id] = c.Name
	}
	type key struct {
		mc  int32
		day int64
	}
	at := map[key]int{}
	for _, r := range rs.GetRecords() {
		units := map[Unit]int64{}
		if r.MaxLicenseCount > 0 {
			if r.MaxBasePlanId > 0 {
				units[Unit{UnitPlan, r.MaxBasePlanId}] = int64(r.MaxLicenseCount)
			}
			if r.MaxFilePlanTypeId > 0 {
				units[Unit{UnitFilePlan, r.MaxFilePlanTypeId}] = int64(r.MaxLicenseCount)
			}
			for _, a := range r.Addons {
				if a.MaxAddonId > 0 {
					units[Unit{UnitAddOn, a.MaxAddonId}] = a.Units
				}
			}
		}
		// Commander: datetime.fromtimestamp(date // 1000, tz=utc).date()
		day := floorDiv(floorDiv(r.Date, 1000), 86400)
		k := key{r.McEnterpriseId, day}
		if i, ok := at[k]; ok {
			m.Snapshots[i].Units = units
			continue
		}
		at[k] = len(m.Snapshots)
		m.Snapshots = append(m.Snapshots, &DaySnapshot{MC: r.McEnterpriseId, Day: day, Units: units})
	}
	return m
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// DailySnapshots reads reporting/daily_snapshot for one month.
func DailySnapshots(ctx context.Context, c RESTCaller, year, month int) (*Month, error) {
	if month < 1 || month > 12 {
		return nil, fmt.Errorf("month %d is not 1 to 12", month)
	}
	var rs bipb.ReportingDailySnapshotResponse
	if err := c.Call(ctx, BIDailySnapshot, &bipb.ReportingDailySnapshotRequest{Month: int32(month), Year: int32(year)}, &rs); err != nil {
		return nil, err
	}
	return NewMonth(&rs), nil
}

// StatementLine is one row of the consumption billing statement.
type StatementLine struct {
	Day  int64 // with ByDate
	MC   int32 // with ByCompany
	Unit Unit
	// Licenses is the unit's daily quantity summed over the group.
	Licenses int64
	// The rest is set without ByDate only. Days divides Licenses into
	// AvgPerDay: with ByCompany the days the company reported the unit,
	// else the days from the first to the last snapshot of the month.
	Days      int64
	AvgPerDay float64
	// Initial and Final are the unit's quantity on the first and last
	// snapshot of the company (ByCompany), else those of every company
	// summed; Max is the largest daily total (of the company).
	Initial, Final, Max int64
}

// StatementOptions choose the breakdown (msp-billing-report -d and -c).
type StatementOptions struct {
	ByDate    bool
	ByCompany bool
}

// Statement computes the consumption billing statement as Commander's
// MSPBillingReportCommand.execute does: snapshots are grouped by (company
// if ByCompany, day if ByDate); groups come in the order they first
// appear and their units in Commander's key order.
func (m *Month) Statement(o StatementOptions) []StatementLine {
	type gkey struct {
		mc  int32
		day int64
	}
	type sum struct{ qty, days int64 }
	var order []gkey
	groups := map[gkey]map[Unit]*sum{}
	for _, s := range m.Snapshots {
		k := gkey{}
		if o.ByCompany {
			k.mc = s.MC
		}
		if o.ByDate {
			k.day = s.Day
		}
		g, ok := groups[k]
		if !ok {
			g = map[Unit]*sum{}
			groups[k] = g
			order = append(order, k)
		}
		for u, q := range s.Units {
			if g[u] == nil {
				g[u] = &sum{}
			}
			g[u].qty += q
			g[u].days++
		}
	}
	reported := m.reportedDays()
	var out []StatementLine
	for _, k := range order {
		g := groups[k]
		units := make([]Unit, 0, len(g))
		for u := range g {
			units = append(units, u)
		}
		sort.Slice(units, func(i, j int) bool { return units[i].less(units[j]) })
		var first, last map[Unit]int64
		if !o.ByDate {
			first, last = m.bounds(k.mc, o.ByCompany)
		}
		for _, u := range units {
			l := StatementLine{Day: k.day, MC: k.mc, Unit: u, Licenses: g[u].qty}
			if !o.ByDate {
				l.Days = reported
				if o.ByCompany {
					l.Days = g[u].days
				}
				l.AvgPerDay = Round2(float64(l.Licenses) / float64(l.Days))
				l.Initial, l.Final = first[u], last[u]
				l.Max = m.maxDaily(u, k.mc, o.ByCompany)
			}
			out = append(out, l)
		}
	}
	return out
}

// reportedDays is Commander's get_num_reported_days: the days from the
// first to the last snapshot, 30 when there is none.
func (m *Month) reportedDays() int64 {
	if len(m.Snapshots) == 0 {
		return 30
	}
	lo, hi := m.Snapshots[0].Day, m.Snapshots[0].Day
	for _, s := range m.Snapshots {
		lo, hi = min(lo, s.Day), max(hi, s.Day)
	}
	return hi - lo + 1
}

// bounds are the first and last day's units of company mc (onlyMC), or
// the first and last day's units of every company summed: a company added
// or removed during the month counts with its own first or last day.
func (m *Month) bounds(mc int32, onlyMC bool) (first, last map[Unit]int64) {
	type span struct{ lo, hi *DaySnapshot }
	spans := map[int32]*span{}
	var mcs []int32
	for _, s := range m.Snapshots {
		if onlyMC && s.MC != mc {
			continue
		}
		sp := spans[s.MC]
		if sp == nil {
			sp = &span{s, s}
			spans[s.MC] = sp
			mcs = append(mcs, s.MC)
			continue
		}
		if s.Day < sp.lo.Day {
			sp.lo = s
		}
		if s.Day > sp.hi.Day {
			sp.hi = s
		}
	}
	first, last = map[Unit]int64{}, map[Unit]int64{}
	for _, id := range mcs {
		for u, q := range spans[id].lo.Units {
			first[u] += q
		}
		for u, q := range spans[id].hi.Units {
			last[u] += q
		}
	}
	return first, last
}

// maxDaily is the largest total of unit u on one day, over the companies
// (or company mc alone when onlyMC).
func (m *Month) maxDaily(u Unit, mc int32, onlyMC bool) int64 {
	totals := map[int64]int64{}
	best, seen := int64(0), false
	for _, s := range m.Snapshots {
		if onlyMC && s.MC != mc {
			continue
		}
		totals[s.Day] += s.Units[u]
	}
	for _, t := range totals {
		if !seen || t > best {
			best, seen = t, true
		}
	}
	return best
}

// Round2 rounds to two decimals as Python's round(x, 2) does: the nearest
// value to the exact binary number, ties to even (round(2.675, 2) is 2.67).
func Round2(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return v
}
