package commands

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/report"
)

// msp-billing-report: the consumption billing statement of one month from
// Keeper's BI daily snapshots (Commander's commands/msp.py
// MSPBillingReportCommand).

type mspBillingOptions struct {
	base
	Source      mspReader
	Now         func() time.Time
	Month       string
	ShowDate    bool
	ShowCompany bool
	Report      report.Options
}

func newMSPBillingReportCmd(f *Factory, runF func(context.Context, *mspBillingOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-billing-report", Aliases: []string{"mbr"}, Group: GroupMSP,
		// No Needs: --month is checked first, then the MSP's data is loaded,
		// which logs in on demand and refuses non-MSPs as NeedMSPAdmin does.
		Summary: "Generate MSP billing reports",
		Long: "Prints the consumption billing statement of a month (default: last month, local time): per product " +
			"(plan, file plan, add-on) the licences summed over the daily snapshots, the rate, and without -d the " +
			"average per day, the first, last and highest daily count. -d breaks it down by day, -c by managed " +
			"company (the average then divides by the days the company had the product; otherwise by the days " +
			"from the first to the last snapshot of the month). CSV and JSON use the snake_case column names; " +
			"JSON has no title and leaves out the columns the breakdown does not have.",
		Examples: []string{"msp-billing-report", "mbr --month 2022-02", "mbr --month 2024-03 -c --format csv --output march.csv",
			"msp-billing-report -d -c --format json"},
		JSON: billingJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspBillingOptions{Source: f.Session, Now: time.Now}
			fs.StringVar(&o.Month, "month", "", "`YYYY-MM` month of the report (default: last month)")
			fs.BoolVarP(&o.ShowDate, "show-date", "d", false, "break the report down by date")
			fs.BoolVarP(&o.ShowCompany, "show-company", "c", false, "break the report down by managed company")
			o.Report.AddFlags(fs)
			return runner(o, runF, mspBillingRun)
		},
	}
}

// billingJSON is one line of msp-billing-report --format json. date is
// there with -d, company and company_id with -c, the averages and counts
// without -d.
type billingJSON struct {
	Date            *string         `json:"date,omitempty"`
	Company         *string         `json:"company,omitempty"`
	CompanyID       *int32          `json:"company_id,omitempty"`
	Product         string          `json:"product"`
	Licenses        int64           `json:"licenses"`
	Rate            string          `json:"rate"`
	AvgPerDay       *report.PyFloat `json:"avg_per_day,omitempty"`
	InitialLicenses *int64          `json:"initial_licenses,omitempty"`
	FinalLicenses   *int64          `json:"final_licenses,omitempty"`
	MaxLicenses     *int64          `json:"max_licenses,omitempty"`
}

var monthArg = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)

// billingMonth reads --month (YYYY-MM; empty: the month before now's).
func billingMonth(s string, now time.Time) (year int, month time.Month, err error) {
	if s == "" {
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -1, 0)
		return first.Year(), first.Month(), nil
	}
	m := monthArg.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, command.Usagef("msp-billing-report", "Given month %q is not valid. YYYY-MM", s)
	}
	year, _ = strconv.Atoi(m[1])
	mon, _ := strconv.Atoi(m[2])
	if year < 1 || mon < 1 || mon > 12 {
		return 0, 0, command.Usagef("msp-billing-report", "Given month %q is not valid. YYYY-MM", s)
	}
	return year, time.Month(mon), nil
}

func mspBillingRun(ctx context.Context, o *mspBillingOptions) error {
	const cmd = "msp-billing-report"
	if err := o.Report.Validate(); err != nil {
		return err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	year, month, err := billingMonth(o.Month, now())
	if err != nil {
		return err
	}
	if _, err := o.Source.MSP(ctx, false); err != nil {
		return err
	}
	snap, err := msp.DailySnapshots(ctx, o.Source, year, int(month))
	if err != nil {
		return fmt.Errorf("%s: the daily snapshots: %w", cmd, err)
	}
	pricing, addOns, err := mspPricing(ctx, o.Source)
	if err != nil {
		return fmt.Errorf("%s: the price list: %w", cmd, err)
	}
	r := billingReport(snap, pricing, addOns, msp.StatementOptions{ByDate: o.ShowDate, ByCompany: o.ShowCompany})
	r.Title = fmt.Sprintf("Consumption Billing Statement: %s %d", month, year)
	return report.Render(o.Env.Out, o.Env.Err, r, o.Report)
}

// billingReport lays the statement out as Commander does: [date],
// [company, company_id], product, licenses, rate, and without -d
// avg_per_day, initial_licenses, final_licenses, max_licenses. Headers
// are title-cased for a table only.
func billingReport(m *msp.Month, p msp.Pricing, addOns map[int32]string, o msp.StatementOptions) report.Report {
	var headers []string
	if o.ByDate {
		headers = append(headers, "date")
	}
	if o.ByCompany {
		headers = append(headers, "company", "company_id")
	}
	headers = append(headers, "product", "licenses", "rate")
	if !o.ByDate {
		headers = append(headers, "avg_per_day", "initial_licenses", "final_licenses", "max_licenses")
	}
	r := report.Report{Headers: headers, RawCSVHeaders: true}
	out := []billingJSON{}
	for _, l := range m.Statement(o) {
		var row []any
		j := billingJSON{Product: l.Unit.Label(addOns), Licenses: l.Licenses}
		if pr, ok := l.Unit.Price(p, addOns); ok {
			j.Rate = priceText(pr, false)
		}
		if o.ByDate {
			d := msp.DayDate(l.Day).Format("2006-01-02")
			j.Date = &d
			row = append(row, d)
		}
		if o.ByCompany {
			name, id := m.Companies[l.MC], l.MC
			j.Company, j.CompanyID = &name, &id
			row = append(row, name, id)
		}
		row = append(row, j.Product, j.Licenses, j.Rate)
		if !o.ByDate {
			avg := report.PyFloat(l.AvgPerDay)
			initial, final, most := l.Initial, l.Final, l.Max
			j.AvgPerDay, j.InitialLicenses, j.FinalLicenses, j.MaxLicenses = &avg, &initial, &final, &most
			row = append(row, l.AvgPerDay, initial, final, most)
		}
		r.Rows = append(r.Rows, row)
		out = append(out, j)
	}
	r.JSON = out
	return r
}
