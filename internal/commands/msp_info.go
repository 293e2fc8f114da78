package commands

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/report"
)

type mspInfoOptions struct {
	base
	Source      mspReader
	Status      func(string, ...any)
	Verbose     bool
	Restriction bool
	Pricing     bool
	Licenses    bool
	MC          string
	Report      report.Options
}

func newMSPInfoCmd(f *Factory, runF func(context.Context, *mspInfoOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-info", Aliases: []string{"mi"}, Group: GroupMSP, Needs: command.NeedMSPAdmin,
		Summary:     "Displays MSP details, including MC info and pricing",
		LegacyShort: map[string]string{"-mc": "--managed-company"},
		Completions: map[string]command.CompletionKind{"managed-company": command.CompleteMC},
		Long: "Lists the managed companies. In table format the MSP's plans and licences (the seat pool of " +
			"each MSP licence) come first; --licenses lists only those, in any format (JSON keys: " +
			strings.Join(command.JSONKeys(poolJSON{}), ", ") + "). -p/--pricing lists the MSP price list " +
			"(products, add-ons and file plans with their price per unit; JSON keys: " +
			strings.Join(command.JSONKeys(priceJSON{}), ", ") + "); -r/--restriction the MSP's permits, " +
			"and it wins over -p.",
		Examples: []string{"msp-info", "msp-info -v --format json", "mi -mc 'Acme Dental'", "msp-info -r",
			"msp-info --licenses --format csv", "msp-info -p", "mi --pricing --format json"},
		JSON: mcJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspInfoOptions{Source: f.Session, Status: f.status()}
			fs.BoolVarP(&o.Verbose, "verbose", "v", false, "print details (node id and path, plan code, add-on list)")
			fs.BoolVarP(&o.Pricing, "pricing", "p", false, "print the MSP price list")
			fs.BoolVarP(&o.Restriction, "restriction", "r", false, "print the MSP's permits (restrictions); wins over -p")
			fs.BoolVar(&o.Licenses, "licenses", false, "print the MSP's plans and licences (seat pool) only")
			fs.StringVar(&o.MC, "managed-company", "", "show one managed company `MC` (name or id); -mc also works")
			o.Report.AddFlags(fs)
			return runner(o, runF, mspInfoRun)
		},
	}
}

// mcJSON is one managed company in msp-info --format json. With -v, node
// is the node id, node_name its path and addons the list of add-ons;
// without, node is the path and addons their number (as Commander).
type mcJSON struct {
	CompanyID   int32  `json:"company_id"`
	CompanyName string `json:"company_name"`
	Node        string `json:"node"`
	NodeName    string `json:"node_name,omitempty"`
	Plan        string `json:"plan"`
	Storage     string `json:"storage,omitempty"`
	Addons      any    `json:"addons"`
	Allocated   int64  `json:"allocated"`
	Active      int32  `json:"active"`
}

func mspInfoRun(ctx context.Context, o *mspInfoOptions) error {
	if err := o.Report.Validate(); err != nil {
		return err
	}
	if o.Restriction && o.Licenses {
		return command.Usagef("msp-info", "-r/--restriction and --licenses are exclusive")
	}
	if o.Pricing && o.Licenses {
		return command.Usagef("msp-info", "-p/--pricing and --licenses are exclusive")
	}
	// msp-info reads licences, managed companies and node paths: a big
	// tenant's users are never decoded.
	e, err := o.Source.MSP(enterprise.WithParts(ctx, enterprise.PartLicenses|enterprise.PartManagedCompanies|enterprise.PartNodes), false)
	if err != nil {
		return err
	}
	if o.Restriction {
		return permitsReport(o.Env, e, o.Report)
	}
	if o.Pricing {
		p, _, err := mspPricing(ctx, o.Source)
		if err != nil {
			return fmt.Errorf("msp-info: the price list: %w", err)
		}
		return report.Render(o.Env.Out, o.Env.Err, pricingReport(p), o.Report)
	}
	if o.Licenses {
		return report.Render(o.Env.Out, o.Env.Err, poolReport(e), o.Report)
	}
	if e.ManagedCompanies == nil {
		o.Status("No Managed Companies")
	}
	r, err := mcReport(e, o.Verbose, o.MC)
	if err != nil {
		return err
	}
	// The table starts with the plans and licences, as Commander's msp-info
	// printed them before the consumption billing model (display.py
	// format_msp_licenses); the machine formats stay a plain list of
	// companies, and --licenses gives the pool on its own.
	var pools string
	if o.Report.Format == report.Table && o.MC == "" {
		pools = poolTables(e)
	}
	r.Title = pools
	if e.ManagedCompanies == nil && o.Report.Format != report.JSON {
		if pools == "" {
			return nil
		}
		r = poolReport(e) // the pool alone
		r.Title = poolTitle
	}
	return report.Render(o.Env.Out, o.Env.Err, r, o.Report)
}

// poolJSON is one plan of an MSP licence's seat pool in
// msp-info --licenses --format json.
type poolJSON struct {
	PlanID            string `json:"plan_id"`
	AvailableLicenses int32  `json:"available_licenses"`
	TotalLicenses     int32  `json:"total_licenses"`
	Stash             int32  `json:"stash"`
}

// poolReport is msp-info --licenses: every MSP licence's pool, one row
// per plan.
func poolReport(e *enterprise.Enterprise) report.Report {
	r := report.Report{Headers: []string{"plan_id", "available_licenses", "total_licenses", "stash"}, RowNumbers: true,
		TitleFunc: report.CapitalizeWords}
	out := []poolJSON{}
	for _, l := range e.Licenses {
		for _, p := range l.MspPool {
			r.Rows = append(r.Rows, []any{p.ProductId, p.AvailableSeats, p.Seats, p.Stash})
			out = append(out, poolJSON{PlanID: p.ProductId, AvailableLicenses: p.AvailableSeats, TotalLicenses: p.Seats, Stash: p.Stash})
		}
	}
	r.JSON = out
	return r
}

const poolTitle = "MSP Plans and Licenses\n-----------------------"

// poolTables renders the "MSP Plans and Licenses" section of the msp-info
// table, the title of the companies' table: one table per licence with a
// pool ("License # N" above each when there are several); "" when no
// licence has one.
func poolTables(e *enterprise.Enterprise) string {
	var withPool []*pb.License
	for _, l := range e.Licenses {
		if len(l.MspPool) > 0 {
			withPool = append(withPool, l)
		}
	}
	if len(withPool) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(poolTitle + "\n")
	for i, l := range withPool {
		if len(withPool) > 1 {
			fmt.Fprintf(&b, "License # %d\n", i+1)
		}
		one := &enterprise.Enterprise{Licenses: []*pb.License{l}}
		_ = report.Render(&b, io.Discard, poolReport(one), report.Options{Format: report.Table})
		if i < len(withPool)-1 {
			b.WriteString("\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// mspPlanDisplay maps a plan code to its display name (raw code if unknown).
func planDisplay(code string) string {
	if p, ok := msp.PlanByCode(code); ok && p.Code == code {
		return p.Display
	}
	return code
}

func filePlanDisplay(code string) string {
	for _, f := range msp.FilePlans {
		if f.Code == code {
			return f.Display
		}
	}
	return code
}

// mcReport is msp-info's managed-company table (Commander keepercommander/commands/msp.py MSPInfoCommand).
func mcReport(e *enterprise.Enterprise, verbose bool, filter string) (report.Report, error) {
	mcs := e.SortedManagedCompanies()
	if filter != "" {
		mc, err := e.ManagedCompany(filter)
		if err != nil {
			return report.Report{}, fmt.Errorf("msp-info: Managed Company %q not found", filter)
		}
		mcs = []*pb.ManagedCompany{mc}
	}
	headers := []string{"company_id", "company_name", "node"}
	if verbose {
		headers = append(headers, "node_name")
	}
	headers = append(headers, "plan", "storage", "addons", "allocated", "active")
	r := report.Report{Headers: headers, RowNumbers: true}
	out := make([]mcJSON, 0, len(mcs))
	for _, mc := range mcs {
		seats := int64(mc.NumberOfSeats)
		if seats > msp.Unlimited-1 {
			seats = -1
		}
		row := []any{mc.McEnterpriseId, mc.McEnterpriseName}
		if verbose {
			row = append(row, strconv.FormatInt(mc.MspNodeId, 10), e.NodePath(mc.MspNodeId), mc.ProductId)
		} else {
			row = append(row, e.NodePath(mc.MspNodeId), planDisplay(mc.ProductId))
		}
		row = append(row, filePlanDisplay(mc.FilePlanType))
		if verbose {
			row = append(row, addOnList(mc.AddOns))
		} else {
			row = append(row, len(mc.AddOns))
		}
		row = append(row, seats, mc.NumberOfUsers)
		r.Rows = append(r.Rows, row)
		j := mcJSON{CompanyID: mc.McEnterpriseId, CompanyName: mc.McEnterpriseName, Node: e.NodePath(mc.MspNodeId),
			Plan: planDisplay(mc.ProductId), Storage: filePlanDisplay(mc.FilePlanType), Addons: len(mc.AddOns),
			Allocated: seats, Active: mc.NumberOfUsers}
		if verbose {
			j.Node, j.NodeName, j.Plan, j.Addons = strconv.FormatInt(mc.MspNodeId, 10), e.NodePath(mc.MspNodeId), mc.ProductId, addOnList(mc.AddOns)
		}
		out = append(out, j)
	}
	r.JSON = out
	return r, nil
}

// addOnList names an MC's add-ons in MSP_ADDONS order, seat-capable ones
// with seats as name:N (unlimited as -1).
func addOnList(addOns []*pb.LicenseAddOn) []string {
	sorted := append([]*pb.LicenseAddOn(nil), addOns...)
	sort.SliceStable(sorted, func(i, j int) bool { return msp.AddOnIndex(sorted[i].Name) < msp.AddOnIndex(sorted[j].Name) })
	var out []string
	for _, a := range sorted {
		name := a.Name
		if i := msp.AddOnIndex(a.Name); i >= 0 && msp.AddOns[i].Seats && a.Seats > 0 {
			seats := int64(a.Seats)
			if a.Seats == msp.Unlimited {
				seats = -1
			}
			name = fmt.Sprintf("%s:%d", name, seats)
		}
		out = append(out, name)
	}
	return out
}

// permitsReport is msp-info -r.
func permitsReport(env *command.Env, e *enterprise.Enterprise, o report.Options) error {
	p := e.MSPPermits()
	if p == nil {
		fmt.Fprintln(env.Err, "MSP has no restrictions")
		return nil
	}
	var products, addOns []string
	for _, code := range p.AllowedMcProducts {
		disp := ""
		if pl, ok := msp.PlanByCode(code); ok {
			disp = pl.Display
		}
		products = append(products, fmt.Sprintf("%s (%s)", code, disp))
	}
	for _, code := range p.AllowedAddOns {
		short := ""
		if i := msp.AddOnIndex(code); i >= 0 {
			short = msp.AddOns[i].Short
		}
		addOns = append(addOns, fmt.Sprintf("%s (%s)", code, short))
	}
	r := report.Report{Headers: []string{"Permit Name", "Value"}, TitleFunc: report.Verbatim, Rows: [][]any{
		{"Allow Unlimited Licenses", p.AllowUnlimitedLicenses},
		{"Allowed Products", products},
		{"Allowed Add-Ons", addOns},
		{"Max File Storage plan", filePlanDisplay(p.MaxFilePlanType)},
	}}
	return report.Render(env.Out, env.Err, r, o)
}
