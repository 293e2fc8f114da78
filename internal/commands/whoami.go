package commands

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/report"
	"github.com/keeper-go/keeper/internal/session"
)

// whoamiSource is what whoami reads: the logged-in session, the server, the
// managed company switched to and, for enterprise admins, the enterprise
// data whose licences fill the Enterprise License section.
type whoamiSource interface {
	LiveSession(ctx context.Context) (*auth.Session, error)
	Server() string
	CurrentMC() *session.MC
	Enterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error)
}

type whoamiOptions struct {
	base
	Source  whoamiSource
	Verbose bool
	JSON    bool
	// Now is the clock for the licence expiry countdown; nil is time.Now.
	Now func() time.Time
}

func newWhoamiCmd(f *Factory, runF func(context.Context, *whoamiOptions) error) *command.Command {
	return &command.Command{
		Name: "whoami", Group: GroupAccount, Needs: command.NeedLogin,
		Summary: "Display information about the currently logged in user",
		JSON:    whoami{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &whoamiOptions{Source: f.Session}
			fs.BoolVarP(&o.Verbose, "verbose", "v", false, "more details")
			fs.BoolVar(&o.JSON, "json", false, "print JSON")
			return runner(o, runF, whoamiRun)
		},
	}
}

// whoami is whoami --json's output, with Commander's keys in Commander's
// order (keepercommander/commands/utils.py WhoamiCommand); managed_company
// is ours. Keys Commander leaves out are omitted here too: admin for
// non-enterprise accounts, the storage keys without a storage plan,
// reporting_and_alerts and enterprise_licenses for non-admins.
type whoami struct {
	LoggedIn           bool    `json:"logged_in"`
	User               string  `json:"user"`
	Server             string  `json:"server"`
	DataCenter         string  `json:"data_center"`
	Environment        string  `json:"environment,omitempty"`
	Admin              *bool   `json:"admin,omitempty"`
	AccountType        string  `json:"account_type,omitempty"`
	RenewalDate        *string `json:"renewal_date,omitempty"`
	StorageCapacity    string  `json:"storage_capacity,omitempty"`
	StorageUsage       string  `json:"storage_usage,omitempty"`
	StorageRenewalDate string  `json:"storage_renewal_date,omitempty"`
	BreachWatch        *bool   `json:"breachwatch,omitempty"`
	ReportingAndAlerts *bool   `json:"reporting_and_alerts,omitempty"`
	// The vault counts of -v. Commander takes them from its vault cache
	// (record_cache, shared_folder_cache and team_cache after sync_down, with
	// records whose keys do not resolve dropped); keeper syncs no vault and
	// account_summary carries no counts, so these stay unset and the Vault
	// Stats section is not printed rather than showing numbers that could
	// differ from Commander's.
	RecordsCount       *int            `json:"records_count,omitempty"`
	SharedFoldersCount *int            `json:"shared_folders_count,omitempty"`
	TeamsCount         *int            `json:"teams_count,omitempty"`
	EnterpriseLicenses []whoamiLicense `json:"enterprise_licenses,omitempty"`
	ManagedCompany     string          `json:"managed_company,omitempty"`
}

// whoamiLicense is one enterprise licence of whoami.
type whoamiLicense struct {
	BasePlan          string      `json:"base_plan"`
	LicenseExpires    string      `json:"license_expires,omitempty"`
	UserLicenses      whoamiSeats `json:"user_licenses"`
	SecureFileStorage string      `json:"secure_file_storage"`
	AddOns            []string    `json:"add_ons,omitempty"`
}

type whoamiSeats struct {
	Plan    int32 `json:"plan"`
	Active  int32 `json:"active"`
	Invited int32 `json:"invited"`
}

func whoamiRun(ctx context.Context, o *whoamiOptions) error {
	s, err := o.Source.LiveSession(ctx)
	if err != nil {
		return err
	}
	sum := &s.Summary
	host := serverHost(o.Source.Server())
	dc, envName := dataCenter(host)
	out := whoami{LoggedIn: true, User: s.Username, Server: host, DataCenter: dc, Environment: envName}
	if lic := sum.License; lic != nil {
		if sum.AccountType == 2 {
			out.Admin = ptr(sum.IsEnterpriseAdmin)
		}
		out.AccountType = accountType(sum.AccountType, lic.ProductTypeName)
		out.RenewalDate = ptr(lic.ExpirationDate)
		if lic.BytesTotal != 0 {
			out.StorageCapacity = fmt.Sprintf("%dGB", lic.BytesTotal>>30)
			out.StorageUsage = fmt.Sprintf("%d%%", floorDiv(lic.BytesUsed*100, lic.BytesTotal))
			out.StorageRenewalDate = lic.StorageExpirationDate
		}
		out.BreachWatch = ptr(lic.BreachWatchEnabled)
		if sum.IsEnterpriseAdmin {
			out.ReportingAndAlerts = ptr(lic.AuditAndReporting)
		}
	}
	if mc := o.Source.CurrentMC(); mc != nil {
		out.ManagedCompany = mc.Name
	}
	if sum.IsEnterpriseAdmin {
		e, err := o.Source.Enterprise(enterprise.WithParts(ctx, enterprise.PartLicenses), false)
		if err != nil {
			return fmt.Errorf("enterprise license: %w", err)
		}
		now := time.Now
		if o.Now != nil {
			now = o.Now
		}
		for _, l := range e.Licenses {
			out.EnterpriseLicenses = append(out.EnterpriseLicenses, licenceView(l, now()))
		}
	}
	w := o.Env.Out
	if o.JSON {
		b, err := report.PyDumps(out, 2)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	printWhoami(w, &out, sum.IsEnterpriseAdmin)
	return nil
}

// printWhoami writes the text view: Commander's sections and labels
// (right-aligned in 22 columns), without its colours and rules.
func printWhoami(w io.Writer, out *whoami, admin bool) {
	line := func(k, v string) { fmt.Fprintf(w, "%22s: %s\n", k, v) }
	yesNo := func(b bool) string {
		if b {
			return "Yes"
		}
		return "No"
	}
	fmt.Fprintln(w, "User Info")
	line("User", out.User)
	line("Server", out.Server)
	line("Data Center", out.DataCenter)
	if out.Environment != "" {
		line("Environment", out.Environment)
	}
	if out.Admin != nil {
		line("Admin", yesNo(*out.Admin))
	}
	if out.ManagedCompany != "" {
		line("Managed Company", out.ManagedCompany)
	}
	if out.RenewalDate != nil {
		fmt.Fprintln(w, "\nAccount")
		line("Account Type", out.AccountType)
		line("Renewal Date", *out.RenewalDate)
		if out.StorageCapacity != "" {
			line("Storage Capacity", out.StorageCapacity)
			line("Usage", out.StorageUsage)
			line("Storage Renewal Date", out.StorageRenewalDate)
		}
		line("BreachWatch", yesNo(*out.BreachWatch))
		if out.ReportingAndAlerts != nil {
			line("Reporting & Alerts", yesNo(*out.ReportingAndAlerts))
		}
	}
	if !admin {
		return
	}
	fmt.Fprintln(w, "\nEnterprise License")
	for _, l := range out.EnterpriseLicenses {
		line("Base Plan", l.BasePlan)
		if l.LicenseExpires != "" {
			line("Expires", l.LicenseExpires)
		}
		// Text shows the unlimited sentinel as "Unlimited"; JSON keeps the number.
		plan := fmt.Sprint(l.UserLicenses.Plan)
		if l.UserLicenses.Plan >= msp.Unlimited {
			plan = "Unlimited"
		}
		line("User Licenses", fmt.Sprintf("Plan: %s  Active: %d  Invited: %d", plan, l.UserLicenses.Active, l.UserLicenses.Invited))
		line("Secure File Storage", l.SecureFileStorage)
		for j, a := range l.AddOns {
			label := ""
			if j == 0 {
				label = "Add-ons"
			}
			line(label, a)
		}
	}
}

// licenceView is one enterprise licence as Commander's whoami shows it:
// base plan from product type and tier, the expiry of paid licences, seat
// counts, file plan and enabled add-ons.
func licenceView(l *pb.License, now time.Time) whoamiLicense {
	v := whoamiLicense{BasePlan: basePlan(l.ProductTypeId, l.Tier, l.Distributor),
		UserLicenses: whoamiSeats{Plan: l.NumberOfSeats, Active: l.SeatsAllocated, Invited: l.SeatsPending}}
	if l.Paid && l.Expiration/1000 > 0 {
		v.LicenseExpires = licenceExpires(l.Expiration, now)
	}
	// Commander keeps file_plan only when filePlanTypeId > 0
	// (keepercommander/enterprise.py), so "no storage" and trial show blank.
	if l.FilePlanTypeId > 0 {
		for _, p := range msp.EnterpriseFilePlans {
			if p.ID == l.FilePlanTypeId {
				v.SecureFileStorage = p.Display
			}
		}
	}
	for _, a := range l.AddOns {
		if !a.Enabled {
			continue
		}
		name := msp.AddOnDisplay(a.Name)
		switch {
		case a.Name == "secrets_manager" && a.ApiCallCount > 0:
			name += fmt.Sprintf(" (%s API calls)", thousands(int64(a.ApiCallCount)))
		case a.Name == "connection_manager" && a.Seats > 0:
			name += fmt.Sprintf(" (%d licenses)", a.Seats)
		}
		v.AddOns = append(v.AddOns, name)
	}
	return v
}

// basePlan names a licence's plan from its product type (Commander's
// whoami table: 3/5 business or enterprise by tier, 9/10 managed MSP or
// distributor, 11/12 Keeper MSP, 8 a managed company; 5, 10 and 12 are
// trials).
func basePlan(product, tier int32, distributor bool) string {
	tiered := func() string {
		if tier == 1 {
			return "Enterprise"
		}
		return "Business"
	}
	var plan string
	switch product {
	case 3, 5:
		plan = tiered()
	case 9, 10:
		plan = "Managed MSP"
		if distributor {
			plan = "Distributor"
		}
	case 11, 12:
		plan = "Keeper MSP"
	case 8:
		// Commander's JSON branch lacks the parentheses ('MC ' +
		// 'Enterprise' if tier == 1 else 'Business'), so its JSON says
		// "Business" for an MC business licence; the text is right and both
		// use it here.
		plan = "MC " + tiered()
	default:
		plan = "Unknown"
	}
	if product == 5 || product == 10 || product == 12 {
		plan += " Trial"
	}
	return plan
}

// licenceExpires is Commander's Expires value: the local date one day
// after the expiration timestamp, with the whole days left (Python's
// floored timedelta.days of naive local times) or "(expired)".
func licenceExpires(ms int64, now time.Time) string {
	naive := func(t time.Time) time.Time {
		t = t.In(now.Location())
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	dt := naive(time.Unix(ms/1000, 0)).AddDate(0, 0, 1)
	days := int64(math.Floor(dt.Sub(naive(now)).Hours() / 24))
	s := dt.Format(time.DateOnly)
	if days > 0 {
		return fmt.Sprintf("%s (in %d days)", s, days)
	}
	return s + " (expired)"
}

// thousands formats n with comma separators (Python's f'{n:,}').
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ptr[T any](v T) *T { return &v }
