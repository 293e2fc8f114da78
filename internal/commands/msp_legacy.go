package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/report"
)

// msp-legacy-report: the licence adjustment log of an MSP on the legacy
// (seat pool) billing model (Commander's commands/msp.py
// MSPLegacyReportCommand).

// legacyRanges are the --range values, in Commander's order.
var legacyRanges = []string{"today", "yesterday", "last_7_days", "last_30_days", "month_to_date", "last_month",
	"year_to_date", "last_year"}

type mspLegacyOptions struct {
	base
	Source mspQuerier
	Status func(string, ...any)
	Now    func() time.Time
	Range  string
	From   string
	To     string
	Report report.Options
}

func newMSPLegacyReportCmd(f *Factory, runF func(context.Context, *mspLegacyOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-legacy-report", Aliases: []string{"mlr"}, Group: GroupMSP,
		// No Needs: the dates are checked first, then the MSP's data is
		// loaded, which logs in on demand and refuses non-MSPs.
		Summary: "Generate MSP legacy billing report",
		Long: "Lists the licence adjustments of the managed companies (seats and plans allocated, changed or " +
			"removed) in a period: --range (default last_30_days), or --from and --to together, each a date " +
			"(YYYY-MM-DD, local time; --to includes the whole day up to 23:59:59) or Unix seconds. CSV and " +
			"JSON use the snake_case column names.",
		Examples: []string{"msp-legacy-report", "mlr --range last_month", "mlr --from 2024-01-01 --to 2024-03-31 --format csv",
			"msp-legacy-report --from 1704067200 --to 1711929599 --format json"},
		JSON: legacyJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspLegacyOptions{Source: f.Session, Status: f.status(), Now: time.Now}
			fs.StringVar(&o.Range, "range", "last_30_days", "pre-defined `RANGE`: "+strings.Join(legacyRanges, ", "))
			fs.StringVar(&o.From, "from", "", "report from `DATE` (YYYY-MM-DD or Unix seconds); with --to")
			fs.StringVar(&o.To, "to", "", "report until `DATE` (YYYY-MM-DD or Unix seconds); with --from")
			o.Report.AddFlags(fs)
			return runner(o, runF, mspLegacyRun)
		},
	}
}

// legacyJSON is one licence adjustment in msp-legacy-report --format json.
type legacyJSON struct {
	ID                  int64  `json:"id"`
	Time                string `json:"time"`
	CompanyID           int32  `json:"company_id"`
	CompanyName         string `json:"company_name"`
	Status              string `json:"status"`
	NumberOfAllocations int32  `json:"number_of_allocations"`
	Plan                string `json:"plan"`
	TransactionNotes    string `json:"transaction_notes"`
	PriceEstimate       string `json:"price_estimate"`
}

// dayStart and dayEnd are the first and the last millisecond
// (23:59:59.999) of t's day in t's location. Commander ends its days at
// 11:59:59 (AM), dropping the afternoon (commands/msp.py
// date_range_str_to_dates and MSPLegacyReportCommand).
func dayStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

func dayEnd(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, int(999*time.Millisecond), t.Location())
}

// legacyRange turns --range into a period around now (in now's location),
// as Commander's date_range_str_to_dates does, with whole end days and
// last_month counted back across a year (January gives December of the
// year before, with its own length).
func legacyRange(rng string, now time.Time) (from, to time.Time, err error) {
	today := dayStart(now)
	switch rng {
	case "today":
		return today, dayEnd(now), nil
	case "yesterday":
		y := today.AddDate(0, 0, -1)
		return y, dayEnd(y), nil
	case "last_7_days":
		return today.AddDate(0, 0, -7), dayEnd(now), nil
	case "last_30_days":
		return today.AddDate(0, 0, -30), dayEnd(now), nil
	case "month_to_date":
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()), dayEnd(now), nil
	case "last_month":
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
		return first.AddDate(0, -1, 0), dayEnd(first.AddDate(0, 0, -1)), nil
	case "year_to_date":
		return time.Date(now.Year(), 1, 1, 0, 0, 0, 0, now.Location()), dayEnd(now), nil
	case "last_year":
		y := now.Year() - 1
		return time.Date(y, 1, 1, 0, 0, 0, 0, now.Location()), dayEnd(time.Date(y, 12, 31, 0, 0, 0, 0, now.Location())), nil
	}
	return time.Time{}, time.Time{}, command.Usagef("msp-legacy-report", "Given range %q is not supported. Supported ranges: %s",
		rng, strings.Join(legacyRanges, ", "))
}

// legacyDate reads --from or --to: Unix seconds, or a YYYY-MM-DD date in
// loc at the start of the day (--from) or its end (--to).
func legacyDate(flag, s string, end bool, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > 253402300799 { // up to 9999-12-31
			return time.Time{}, command.Usagef("msp-legacy-report", "--%s: %q is out of range", flag, s)
		}
		return time.Unix(n, 0).In(loc), nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, command.Usagef("msp-legacy-report", "--%s: %q is not a date (YYYY-MM-DD) or Unix seconds", flag, s)
	}
	if end {
		return dayEnd(d), nil
	}
	return d, nil
}

// legacyPeriod is the period the options ask for: --from and --to when
// both are given, else --range.
func legacyPeriod(o *mspLegacyOptions, now time.Time) (from, to time.Time, err error) {
	if _, _, err := legacyRange(o.Range, now); err != nil {
		return from, to, err // a bad --range is refused whatever else is given, as Commander's choices do
	}
	if o.From != "" && o.To != "" {
		if from, err = legacyDate("from", o.From, false, now.Location()); err != nil {
			return
		}
		if to, err = legacyDate("to", o.To, true, now.Location()); err != nil {
			return
		}
		if to.Before(from) {
			return from, to, command.Usagef("msp-legacy-report", "--to %s is before --from %s", o.To, o.From)
		}
		return from, to, nil
	}
	if (o.From != "") != (o.To != "") && o.Status != nil {
		o.Status("--from and --to are used together only; reporting --range %s", o.Range)
	}
	return legacyRange(o.Range, now)
}

func mspLegacyRun(ctx context.Context, o *mspLegacyOptions) error {
	if err := o.Report.Validate(); err != nil {
		return err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	from, to, err := legacyPeriod(o, now())
	if err != nil {
		return err
	}
	if _, err := o.Source.MSP(ctx, false); err != nil {
		return err
	}
	var rs msp.LicenseLogReply
	if err := o.Source.Query(ctx, msp.LicenseLog{From: from.UnixMilli(), To: to.UnixMilli()}, &rs); err != nil {
		return fmt.Errorf("msp-legacy-report: %w", err)
	}
	return report.Render(o.Env.Out, o.Env.Err, legacyReport(rs.Log), o.Report)
}

// legacyReport lists the log as Commander does; headers are title-cased
// for a table only.
func legacyReport(log []msp.LicenseLogEntry) report.Report {
	r := report.Report{Headers: []string{"id", "time", "company_id", "company_name", "status", "number_of_allocations", "plan",
		"transaction_notes", "price_estimate"}, RawCSVHeaders: true}
	out := []legacyJSON{}
	for _, l := range log {
		j := legacyJSON{ID: l.ID, Time: l.Date, CompanyID: l.EnterpriseID, CompanyName: l.EnterpriseName, Status: l.Status,
			NumberOfAllocations: l.NewNumberOfSeats, Plan: l.NewProductType, TransactionNotes: l.Note, PriceEstimate: l.Price}
		r.Rows = append(r.Rows, []any{j.ID, j.Time, j.CompanyID, j.CompanyName, j.Status, j.NumberOfAllocations, j.Plan,
			j.TransactionNotes, j.PriceEstimate})
		out = append(out, j)
	}
	r.JSON = out
	return r
}
