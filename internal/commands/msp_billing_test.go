package commands

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// biMSP is the demo MSP with Keeper's BI service: the add-on mapping, a
// price list and the daily snapshots of one month, and the licence
// adjustment log for Query.
type biMSP struct {
	*fakeEnterprise
	snapshots *bipb.ReportingDailySnapshotResponse
	pricing   *bipb.SubscriptionMcPricingResponse
	biErr     error
	queries   []rest.Command
	log       any
	queryErr  error
}

func newBIMSP() *biMSP {
	b := &biMSP{fakeEnterprise: &fakeEnterprise{e: demoEnterprise()}, snapshots: billingMonthFixture(), pricing: priceList()}
	b.rest = func(_ int32, endpoint string, _ proto.Message) (proto.Message, error) {
		if b.biErr != nil {
			return nil, b.biErr
		}
		switch endpoint {
		case msp.BIMappingAddons:
			return &bipb.MappingAddonsResponse{Addons: []*bipb.MappingItem{{Id: 2, Name: "chat"}, {Id: 11, Name: "connection_manager"},
				{Id: 9, Name: "secrets_manager"}, {Id: 30, Name: "future_addon"}}}, nil
		case msp.BIMcPricing:
			return b.pricing, nil
		case msp.BIDailySnapshot:
			return b.snapshots, nil
		}
		return nil, errors.New("unexpected endpoint " + endpoint)
	}
	return b
}

func (b *biMSP) Query(_ context.Context, cmd rest.Command, out any) error {
	b.queries = append(b.queries, cmd)
	if b.queryErr != nil {
		return b.queryErr
	}
	raw, _ := json.Marshal(b.log)
	return json.Unmarshal(raw, out)
}

func (b *biMSP) endpoints() []string {
	var out []string
	for _, c := range b.calls {
		out = append(out, c.Endpoint)
	}
	return out
}

var _ mspQuerier = (*biMSP)(nil)

func cost(a float64, per bipb.Cost_AmountPer, cur bipb.Cost_Currency) *bipb.Cost {
	return &bipb.Cost{Amount: a, AmountPer: per, Currency: cur}
}

// priceList lists, in an order of its own: enterprise and business, KCM
// before chat, 10TB and 100GB, an add-on Commander does not know and ids
// nothing maps.
func priceList() *bipb.SubscriptionMcPricingResponse {
	return &bipb.SubscriptionMcPricingResponse{
		BasePlans: []*bipb.BasePlan{{Id: 10, Cost: cost(60, bipb.Cost_USER_MONTH, bipb.Cost_USD)},
			{Id: 1, Cost: cost(45, bipb.Cost_USER_MONTH, bipb.Cost_USD)}, {Id: 77, Cost: cost(1, 0, 0)}},
		Addons: []*bipb.Addon{{Id: 11, Cost: cost(3.75, bipb.Cost_USER_MONTH, bipb.Cost_EUR)},
			{Id: 2, Cost: cost(1, bipb.Cost_MONTH, bipb.Cost_GBP)}, {Id: 9, Cost: cost(0.5, bipb.Cost_USER_CONSUMED_MONTH, bipb.Cost_USD)},
			{Id: 30, Cost: cost(9, 0, 0)}, {Id: 31, Cost: cost(9, 0, 0)}},
		FilePlans: []*bipb.FilePlan{{Id: 8, Cost: cost(2.5, bipb.Cost_ENDPOINT_MONTH, bipb.Cost_AUD)},
			{Id: 4, Cost: cost(1, 0, 0)}},
	}
}

// billingMonthFixture is March 2024 (31 days): Alpha (5001, business × 10,
// 100GB, chat 3) every day; Zulu (5002, enterprise × 5, KCM 2) on days
// 1-15 only, with 1TB, which has no price.
func billingMonthFixture() *bipb.ReportingDailySnapshotResponse {
	rs := &bipb.ReportingDailySnapshotResponse{McEnterprises: []*bipb.SnapshotMcEnterprise{{Id: 5001, Name: "Alpha Dental"},
		{Id: 5002, Name: "Zulu Legal"}}}
	for d := 1; d <= 31; d++ {
		date := time.Date(2024, time.March, d, 0, 0, 0, 0, time.UTC).UnixMilli()
		rs.Records = append(rs.Records, &bipb.SnapshotRecord{Date: date, McEnterpriseId: 5001, MaxLicenseCount: 10, MaxBasePlanId: 1,
			MaxFilePlanTypeId: 4, Addons: []*bipb.SnapshotRecord_Addon{{MaxAddonId: 2, Units: 3}}})
		if d <= 15 {
			rs.Records = append(rs.Records, &bipb.SnapshotRecord{Date: date, McEnterpriseId: 5002, MaxLicenseCount: 5,
				MaxBasePlanId: 10, MaxFilePlanTypeId: 7, Addons: []*bipb.SnapshotRecord_Addon{{MaxAddonId: 11, Units: 2}}})
		}
	}
	return rs
}

func runBilling(t *testing.T, src *biMSP, line string, now time.Time) (string, string, error) {
	t.Helper()
	return runLine(t, newMSPBillingReportCmd(&Factory{}, func(ctx context.Context, o *mspBillingOptions) error {
		o.Source, o.Now = src, func() time.Time { return now }
		return mspBillingRun(ctx, o)
	}), line)
}

var march15 = time.Date(2024, time.April, 15, 12, 0, 0, 0, time.Local)

func TestMSPBillingReportTable(t *testing.T) {
	src := newBIMSP()
	out, _, err := runBilling(t, src, "mbr --month 2024-03", march15)
	if err != nil {
		t.Fatal(err)
	}
	// business 310/31 = 10.0; enterprise 75/31 = 2.419 → 2.42 (Zulu's own
	// first and last day count); 100GB 10.0; 1TB as enterprise, without
	// a price; chat 3.0; KCM 30/31 → 0.97.
	want := `
Consumption Billing Statement: March 2024

Product                            Licenses  Rate          Avg Per Day    Initial Licenses    Final Licenses    Max Licenses
-------------------------------  ----------  ----------  -------------  ------------------  ----------------  --------------
Business                                310  $45.0               10                     10                10              10
Enterprise                               75  $60.0                2.42                   5                 5               5
100GB                                   310  UNKNOWN1.0          10                     10                10              10
1TB                                      75                       2.42                   5                 5               5
KeeperChat                               93  £1.0                 3                      3                 3               3
Keeper Connection Manager (KCM)          30  €3.75                0.97                   2                 2               2
`
	if out != want {
		t.Fatalf("table\n%s\nwant\n%s", out, want)
	}
	if got := src.endpoints(); !reflect.DeepEqual(got, []string{"/bi_api/v2/enterprise_console/reporting/daily_snapshot",
		"/bi_api/v2/enterprise_console/mapping/addons", "/bi_api/v2/enterprise_console/subscription/mc_pricing"}) {
		t.Fatalf("calls %v", got)
	}
	if rq := src.calls[0].Rq.(*bipb.ReportingDailySnapshotRequest); rq.Year != 2024 || rq.Month != 3 {
		t.Fatalf("request %v", rq)
	}
}

func TestMSPBillingReportFormats(t *testing.T) {
	src := newBIMSP()
	out, _, err := runBilling(t, src, "mbr --month 2024-03 -c --format csv", march15)
	if err != nil {
		t.Fatal(err)
	}
	// CSV: the title framed by empty rows, snake_case headers (Commander
	// title-cases them for a table only), Python floats.
	want := "\r\nConsumption Billing Statement: March 2024\r\n\r\n" +
		"company,company_id,product,licenses,rate,avg_per_day,initial_licenses,final_licenses,max_licenses\r\n" +
		"Alpha Dental,5001,Business,310,$45.0,10.0,10,10,10\r\n" +
		"Alpha Dental,5001,100GB,310,UNKNOWN1.0,10.0,10,10,10\r\n" +
		"Alpha Dental,5001,KeeperChat,93,£1.0,3.0,3,3,3\r\n" +
		"Zulu Legal,5002,Enterprise,75,$60.0,5.0,5,5,5\r\n" +
		"Zulu Legal,5002,1TB,75,,5.0,5,5,5\r\n" +
		"Zulu Legal,5002,Keeper Connection Manager (KCM),30,€3.75,2.0,2,2,2\r\n"
	if out != want {
		t.Fatalf("csv\n%q\nwant\n%q", out, want)
	}

	out, _, err = runBilling(t, src, "mbr --month 2024-03 --format json", march15)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"avg_per_day": 10.0,`) || !strings.Contains(out, `"rate": "\u20ac3.75"`) ||
		!strings.Contains(out, `"rate": "",`) || strings.Contains(out, "Consumption") {
		t.Fatalf("json:\n%s", out)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 6 {
		t.Fatalf("%v\n%s", err, out)
	}
	if keys := sortedKeys(rows[0]); strings.Join(keys, ",") != "avg_per_day,final_licenses,initial_licenses,licenses,max_licenses,product,rate" {
		t.Fatalf("keys without -d/-c: %v", keys)
	}
	if rows[1]["product"] != "Enterprise" || rows[1]["avg_per_day"] != 2.42 || rows[1]["licenses"] != float64(75) {
		t.Fatalf("row %v", rows[1])
	}

	out, _, err = runBilling(t, src, "mbr --month 2024-03 -d -c --format json", march15)
	if err != nil {
		t.Fatal(err)
	}
	rows = nil
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 31*3+15*3 {
		t.Fatalf("%v %d", err, len(rows))
	}
	if keys := sortedKeys(rows[0]); strings.Join(keys, ",") != "company,company_id,date,licenses,product,rate" ||
		rows[0]["date"] != "2024-03-01" || rows[0]["company"] != "Alpha Dental" || rows[0]["company_id"] != float64(5001) {
		t.Fatalf("-d -c row: %v", rows[0])
	}

	out, _, err = runBilling(t, src, "mbr --month 2024-03 -d", march15)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	if lines[3] != "Date        Product                            Licenses  Rate" ||
		lines[5] != "2024-03-01  Business                                 10  $45.0" {
		t.Fatalf("-d table:\n%s", out)
	}

	dir := t.TempDir()
	_, errOut, err := runBilling(t, src, "mbr --month 2024-03 --format csv --output "+filepath.Join(dir, "march"), march15)
	if err != nil || !strings.Contains(errOut, "Report path:") {
		t.Fatalf("%v %s", err, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "march.csv")); err != nil || !strings.Contains(string(b), "product,licenses,rate") {
		t.Fatalf("%v %s", err, b)
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestMSPBillingMonth(t *testing.T) {
	for _, bad := range []string{"2024-13", "2024-0", "24-01", "2024/01", "march", "2024-03-01", "0000-01", " 2024-01"} {
		src := newBIMSP()
		_, _, err := runBilling(t, src, "mbr --month '"+bad+"'", march15)
		usageErr(t, err, `Given month "`+bad+`" is not valid. YYYY-MM`)
		if len(src.calls) != 0 {
			t.Fatalf("%s: calls %v", bad, src.endpoints())
		}
	}
	// Without --month: the month before, in local time, across a year.
	for _, c := range []struct {
		now         time.Time
		year, month int32
	}{
		{time.Date(2024, time.January, 1, 0, 30, 0, 0, time.Local), 2023, 12},
		{time.Date(2024, time.March, 31, 23, 0, 0, 0, time.Local), 2024, 2},
		{time.Date(2024, time.December, 15, 0, 0, 0, 0, time.Local), 2024, 11},
	} {
		src := newBIMSP()
		if _, _, err := runBilling(t, src, "msp-billing-report", c.now); err != nil {
			t.Fatal(err)
		}
		rq := src.calls[0].Rq.(*bipb.ReportingDailySnapshotRequest)
		if rq.Year != c.year || rq.Month != c.month {
			t.Errorf("%v: asked %d-%d", c.now, rq.Year, rq.Month)
		}
	}
	src := newBIMSP()
	if _, _, err := runBilling(t, src, "mbr --month 2024-3", march15); err != nil ||
		src.calls[0].Rq.(*bipb.ReportingDailySnapshotRequest).Month != 3 {
		t.Fatalf("2024-3: %v", err)
	}
	out, _, _ := runBilling(t, src, "mbr --month 1999-07", march15)
	if !strings.Contains(out, "Consumption Billing Statement: July 1999") {
		t.Fatalf("title %q", out)
	}
}

func TestMSPBillingRefusalsAndErrors(t *testing.T) {
	src := newBIMSP()
	src.notMSP = true
	if _, _, err := runBilling(t, src, "mbr", march15); !errors.Is(err, errNotMSPForTest) || len(src.calls) != 0 {
		t.Fatalf("not an MSP: %v %v", err, src.endpoints())
	}
	src = newBIMSP()
	src.biErr = &rest.APIError{Endpoint: msp.BIDailySnapshot, Code: "access_denied", Message: "no"}
	_, _, err := runBilling(t, src, "mbr", march15)
	var api *rest.APIError
	if !errors.As(err, &api) || !strings.Contains(err.Error(), "msp-billing-report: the daily snapshots") {
		t.Fatalf("%v", err)
	}
	// No snapshots: the title and an empty table.
	src = newBIMSP()
	src.snapshots = &bipb.ReportingDailySnapshotResponse{}
	out, _, err := runBilling(t, src, "mbr --month 2024-02", march15)
	if err != nil || !strings.Contains(out, "February 2024") || !strings.Contains(out, "Product    Licenses") {
		t.Fatalf("%v\n%s", err, out)
	}
	out, _, _ = runBilling(t, src, "mbr --month 2024-02 --format json", march15)
	if out != "[]\n" {
		t.Fatalf("empty json %q", out)
	}
}

func runInfo(t *testing.T, src *biMSP, line string) (string, string, error) {
	t.Helper()
	return runLine(t, newMSPInfoCmd(&Factory{}, func(ctx context.Context, o *mspInfoOptions) error {
		o.Source, o.Status = src, func(string, ...any) {}
		return mspInfoRun(ctx, o)
	}), line)
}

func TestMSPInfoPricing(t *testing.T) {
	src := newBIMSP()
	src.pricing.FilePlans = append(src.pricing.FilePlans, &bipb.FilePlan{Id: 7, Cost: cost(12.25, 42, 42)})
	out, _, err := runInfo(t, src, "mi -p")
	if err != nil {
		t.Fatal(err)
	}
	// Products in MSP_PLANS order, add-ons in MSP_ADDONS order, file plans
	// in MSP_FILE_PLANS order, whatever the server's order; ids nothing
	// maps (plan 77, add-on 31) and add-ons Commander does not know are
	// left out.
	want := `Category    Name                             Code                Price
----------  -------------------------------  ------------------  ------------------------
Product     Business                         business            $45.0/user/month
Product     Enterprise                       enterprise          $60.0/user/month
Addon       KeeperChat                       chat                £1.0/month
Addon       Keeper Secrets Manager (KSM)     secrets_manager     $0.5/50k API calls/month
Addon       Keeper Connection Manager (KCM)  connection_manager  €3.75/user/month
File Plan   100GB                            STORAGE_100GB       UNKNOWN1.0/UNKNOWN
File Plan   1TB                              STORAGE_1TB         4212.25/42
File Plan   10TB                             STORAGE_10TB        AUD2.5/ENDPOINT_MONTH
`
	if out != want {
		t.Fatalf("pricing\n%s\nwant\n%s", out, want)
	}
	if got := src.endpoints(); !reflect.DeepEqual(got, []string{msp.BIMappingAddons, msp.BIMcPricing}) {
		t.Fatalf("calls %v", got)
	}

	out, _, err = runInfo(t, src, "msp-info --pricing --format json")
	var rows []priceJSON
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 8 ||
		rows[4] != (priceJSON{Category: "Addon", Name: "Keeper Connection Manager (KCM)", Code: "connection_manager", Price: "€3.75/user/month"}) ||
		!strings.Contains(out, `"price": "\u20ac3.75/user/month"`) {
		t.Fatalf("%v\n%s", err, out)
	}
	out, _, err = runInfo(t, src, "mi -p --format csv")
	if err != nil || !strings.HasPrefix(out, "Category,Name,Code,Price\r\nProduct,Business,business,$45.0/user/month\r\n") {
		t.Fatalf("%v\n%q", err, out)
	}

	// -r wins over -p, and asks nothing of the BI service.
	src = newBIMSP()
	out, _, err = runInfo(t, src, "mi -p -r")
	if err != nil || !strings.Contains(out, "Allow Unlimited Licenses") || len(src.calls) != 0 {
		t.Fatalf("%v %v\n%s", err, src.endpoints(), out)
	}
	_, _, err = runInfo(t, src, "mi -p --licenses")
	usageErr(t, err, "-p/--pricing and --licenses are exclusive")

	src.biErr = errors.New("boom")
	if _, _, err := runInfo(t, src, "mi -p"); err == nil || !strings.Contains(err.Error(), "msp-info: the price list: boom") {
		t.Fatalf("%v", err)
	}
}

func TestPriceText(t *testing.T) {
	for _, c := range []struct {
		p          msp.Price
		short, all string
	}{
		{msp.Price{Amount: 45, Unit: bipb.Cost_USER_MONTH, Currency: bipb.Cost_USD}, "$45.0", "$45.0/user/month"},
		{msp.Price{Amount: 3.75, Unit: bipb.Cost_MONTH, Currency: bipb.Cost_EUR}, "€3.75", "€3.75/month"},
		{msp.Price{Amount: 0.1, Unit: bipb.Cost_USER_CONSUMED_MONTH, Currency: bipb.Cost_GBP}, "£0.1", "£0.1/50k API calls/month"},
		{msp.Price{Amount: 1000, Unit: bipb.Cost_USER_YEAR, Currency: bipb.Cost_JPY}, "¥1000.0", "¥1000.0/USER_YEAR"},
		{msp.Price{Amount: 2, Unit: bipb.Cost_YEAR, Currency: bipb.Cost_CAD}, "CAD2.0", "CAD2.0/YEAR"},
		{msp.Price{Amount: 1e16}, "UNKNOWN1e+16", "UNKNOWN1e+16/UNKNOWN"},
	} {
		if s, a := priceText(c.p, false), priceText(c.p, true); s != c.short || a != c.all {
			t.Errorf("%+v: %q %q", c.p, s, a)
		}
	}
}

func runLegacy(t *testing.T, src *biMSP, line string, now time.Time) (string, []string, error) {
	t.Helper()
	var status []string
	out, _, err := runLine(t, newMSPLegacyReportCmd(&Factory{}, func(ctx context.Context, o *mspLegacyOptions) error {
		o.Source, o.Now = src, func() time.Time { return now }
		o.Status = func(f string, a ...any) { status = append(status, f) }
		return mspLegacyRun(ctx, o)
	}), line)
	return out, status, err
}

func TestLegacyRange(t *testing.T) {
	loc := time.FixedZone("X", -5*3600)
	at := func(y int, m time.Month, d, h, mi, s, ms int) time.Time {
		return time.Date(y, m, d, h, mi, s, ms*int(time.Millisecond), loc)
	}
	end := func(y int, m time.Month, d int) time.Time { return at(y, m, d, 23, 59, 59, 999) }
	now := at(2024, time.January, 10, 15, 4, 5, 0)
	for _, c := range []struct {
		rng      string
		now      time.Time
		from, to time.Time
	}{
		{"today", now, at(2024, 1, 10, 0, 0, 0, 0), end(2024, 1, 10)},
		{"yesterday", now, at(2024, 1, 9, 0, 0, 0, 0), end(2024, 1, 9)},
		{"last_7_days", now, at(2024, 1, 3, 0, 0, 0, 0), end(2024, 1, 10)},
		{"last_30_days", now, at(2023, 12, 11, 0, 0, 0, 0), end(2024, 1, 10)},
		{"month_to_date", now, at(2024, 1, 1, 0, 0, 0, 0), end(2024, 1, 10)},
		// January: December of the year before (Commander keeps the year).
		{"last_month", now, at(2023, 12, 1, 0, 0, 0, 0), end(2023, 12, 31)},
		{"year_to_date", now, at(2024, 1, 1, 0, 0, 0, 0), end(2024, 1, 10)},
		{"last_year", now, at(2023, 1, 1, 0, 0, 0, 0), end(2023, 12, 31)},
		// The 31st: February, 29 days in 2024, 28 in 2023 (Commander
		// raises on these dates).
		{"last_month", at(2024, 3, 31, 9, 0, 0, 0), at(2024, 2, 1, 0, 0, 0, 0), end(2024, 2, 29)},
		{"last_month", at(2023, 3, 30, 9, 0, 0, 0), at(2023, 2, 1, 0, 0, 0, 0), end(2023, 2, 28)},
		{"last_month", at(2024, 5, 31, 9, 0, 0, 0), at(2024, 4, 1, 0, 0, 0, 0), end(2024, 4, 30)},
		{"yesterday", at(2024, 3, 1, 0, 0, 1, 0), at(2024, 2, 29, 0, 0, 0, 0), end(2024, 2, 29)},
	} {
		from, to, err := legacyRange(c.rng, c.now)
		if err != nil || !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("%s at %v: %v – %v (%v), want %v – %v", c.rng, c.now, from, to, err, c.from, c.to)
		}
	}
	_, _, err := legacyRange("last_week", now)
	usageErr(t, err, `Given range "last_week" is not supported. Supported ranges: today, yesterday`)

	// Days are wall-clock days: across a daylight saving change the
	// start is still midnight.
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		from, to, _ := legacyRange("last_7_days", time.Date(2024, time.March, 12, 8, 0, 0, 0, ny))
		if from != time.Date(2024, time.March, 5, 0, 0, 0, 0, ny) || to.Hour() != 23 || to.Sub(from) != 8*24*time.Hour-time.Hour-time.Millisecond {
			t.Errorf("DST: %v – %v", from, to)
		}
	}
}

func TestMSPLegacyReport(t *testing.T) {
	src := newBIMSP()
	src.log = map[string]any{"log": []map[string]any{
		{"id": 11, "date": "2024-03-01 10:00:00", "enterprise_id": 5001, "enterprise_name": "Alpha Dental", "status": "Allocated",
			"new_number_of_seats": 10, "new_product_type": "business", "note": "new company", "price": "$450.00"},
		{"id": 12, "date": 1709287200000, "enterprise_id": 5002, "enterprise_name": "Zulu Legal", "status": "Removed",
			"new_number_of_seats": 0, "new_product_type": "enterprise", "note": "", "price": 12.5},
	}}
	loc := time.Local
	now := time.Date(2024, time.March, 20, 17, 30, 0, 0, loc)
	out, status, err := runLegacy(t, src, "mlr --from 2024-03-01 --to 2024-03-31", now)
	if err != nil || len(status) != 0 {
		t.Fatal(err, status)
	}
	// Values as the server sent them: a date in milliseconds, a numeric
	// price.
	want := `  ID  Time                   Company ID  Company Name    Status       Number Of Allocations  Plan        Transaction Notes    Price Estimate
----  -------------------  ------------  --------------  ---------  -----------------------  ----------  -------------------  ----------------
  11  2024-03-01 10:00:00          5001  Alpha Dental    Allocated                       10  business    new company          $450.00
  12  1709287200000                5002  Zulu Legal      Removed                          0  enterprise                       12.5
`
	if out != want {
		t.Fatalf("table\n%s\nwant\n%s", out, want)
	}
	if len(src.queries) != 1 || src.batches != 0 || src.refresh != 0 {
		t.Fatalf("one query and no write or sync: %v %d %d", src.queries, src.batches, src.refresh)
	}
	q := src.queries[0].(msp.LicenseLog)
	if q.From != time.Date(2024, 3, 1, 0, 0, 0, 0, loc).UnixMilli() || q.To != time.Date(2024, 3, 31, 23, 59, 59, 999e6, loc).UnixMilli() ||
		q.CommandName() != "get_mc_license_adjustment_log" {
		t.Fatalf("query %+v", q)
	}

	out, _, err = runLegacy(t, src, "mlr --format csv", now)
	if err != nil || !strings.HasPrefix(out, "id,time,company_id,company_name,status,number_of_allocations,plan,transaction_notes,price_estimate\r\n"+
		"11,2024-03-01 10:00:00,5001,Alpha Dental,Allocated,10,business,new company,$450.00\r\n") {
		t.Fatalf("%v\n%q", err, out)
	}
	q = src.queries[1].(msp.LicenseLog)
	if q.From != time.Date(2024, 2, 19, 0, 0, 0, 0, loc).UnixMilli() || q.To != time.Date(2024, 3, 20, 23, 59, 59, 999e6, loc).UnixMilli() {
		t.Fatalf("default last_30_days %+v", q)
	}

	out, _, err = runLegacy(t, src, "mlr --range today --format json", now)
	var rows []legacyJSON
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 ||
		rows[1] != (legacyJSON{ID: 12, Time: "1709287200000", CompanyID: 5002, CompanyName: "Zulu Legal", Status: "Removed",
			Plan: "enterprise", PriceEstimate: "12.5"}) {
		t.Fatalf("%v\n%s", err, out)
	}

	// Unix seconds are taken as they are; --from and --to win over --range.
	if _, _, err := runLegacy(t, src, "mlr --range today --from 1704067200 --to 1711929599", now); err != nil {
		t.Fatal(err)
	}
	if q := src.queries[3].(msp.LicenseLog); q.From != 1704067200000 || q.To != 1711929599000 {
		t.Fatalf("unix %+v", q)
	}
	// One of them alone: said, and the range is used.
	_, status, err = runLegacy(t, src, "mlr --from 2024-03-01", now)
	if err != nil || len(status) != 1 || !strings.Contains(status[0], "used together only") {
		t.Fatalf("%v %v", err, status)
	}
	for line, msg := range map[string]string{
		"mlr --from 2024-02-30 --to 2024-03-01": `--from: "2024-02-30" is not a date`,
		"mlr --from 2024-03-01 --to tomorrow":   `--to: "tomorrow" is not a date`,
		"mlr --from 2024-03-02 --to 2024-03-01": "--to 2024-03-01 is before --from 2024-03-02",
		"mlr --range fortnight":                 `Given range "fortnight" is not supported`,
		"mlr --range x --from 1 --to 2":         `Given range "x" is not supported`,
		"mlr --from -5 --to 2":                  `--from: "-5" is out of range`,
	} {
		n := len(src.queries)
		_, _, err := runLegacy(t, src, line, now)
		usageErr(t, err, msg)
		if len(src.queries) != n {
			t.Fatalf("%s: sent a query", line)
		}
	}
	src.notMSP = true
	if _, _, err := runLegacy(t, src, "mlr", now); !errors.Is(err, errNotMSPForTest) {
		t.Fatalf("%v", err)
	}
	src.notMSP = false
	src.queryErr = &rest.APIError{Endpoint: "get_mc_license_adjustment_log", Code: "access_denied"}
	if _, _, err := runLegacy(t, src, "mlr", now); err == nil || !strings.Contains(err.Error(), "msp-legacy-report:") {
		t.Fatalf("%v", err)
	}
}

func TestMSPBillingAndLegacyFlags(t *testing.T) {
	build := func(runF func(context.Context, *mspBillingOptions) error) *command.Command {
		return newMSPBillingReportCmd(noFactory, runF)
	}
	o, err := capture(t, build, "mbr --month 2022-02 -d -c --format csv --output x")
	if err != nil || o.Month != "2022-02" || !o.ShowDate || !o.ShowCompany || o.Report.Output != "x" {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = capture(t, build, "mbr extra")
	usageErr(t, err, `unexpected argument "extra"`)
	lb := func(runF func(context.Context, *mspLegacyOptions) error) *command.Command {
		return newMSPLegacyReportCmd(noFactory, runF)
	}
	lo, err := capture(t, lb, "mlr")
	if err != nil || lo.Range != "last_30_days" {
		t.Fatalf("%+v %v", lo, err)
	}
	lo, err = capture(t, lb, "msp-legacy-report --range last_month --from 2024-01-01 --to 2024-01-31")
	if err != nil || lo.Range != "last_month" || lo.From != "2024-01-01" || lo.To != "2024-01-31" {
		t.Fatalf("%+v %v", lo, err)
	}
}
