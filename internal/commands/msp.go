package commands

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/report"
)

func mspInfoCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "msp-info", Aliases: []string{"mi"}, Group: GroupMSP, Needs: command.NeedMSPAdmin,
		Summary:     "Displays MSP details, including MC info and pricing",
		Usage:       "[-v] [-r] [-mc MC] [--format table|csv|json] [--output FILE]",
		LegacyShort: map[string]string{"-mc": "--managed-company"},
		Completions: map[string]command.CompletionKind{"managed-company": command.CompleteMC},
		Examples:    []string{"msp-info", "msp-info -v --format json", "mi -mc 'Acme Dental'", "msp-info -r"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			var o report.Options
			verbose := fs.BoolP("verbose", "v", false, "print details (node id and path, plan code, add-on list)")
			restriction := fs.BoolP("restriction", "r", false, "print the MSP's permits (restrictions)")
			mc := fs.String("managed-company", "", "show one managed company (name or id); -mc also works")
			o.AddFlags(fs)
			return func(ctx context.Context, env *command.Env, args []string) error {
				if len(args) > 0 {
					return command.Usagef("msp-info", "unexpected argument %q", args[0])
				}
				e, err := d.M.MSP(ctx, false)
				if err != nil {
					return err
				}
				if *restriction {
					return permitsReport(env, e, o)
				}
				if e.ManagedCompanies == nil {
					d.status("No Managed Companies")
					return nil
				}
				r, err := mcReport(e, *verbose, *mc)
				if err != nil {
					return err
				}
				return report.Render(env.Out, env.Err, r, o)
			}
		},
	}
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

// mcReport is msp-info's managed-company table (brief 03 §5.2).
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
	}
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

func mspDownCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "msp-down", Aliases: []string{"md"}, Group: GroupMSP, Needs: command.NeedMSPAdmin,
		Summary: "Download current MSP data from the Keeper Cloud",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return func(ctx context.Context, env *command.Env, args []string) error {
				_, err := d.M.MSP(ctx, true)
				return err
			}
		},
	}
}

func switchToMCCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "switch-to-mc", Group: GroupMSP, Needs: command.NeedLogin,
		Summary:     "Switch user's context to a Managed Company",
		Usage:       "MC",
		Completions: map[string]command.CompletionKind{"": command.CompleteMC},
		Examples:    []string{"switch-to-mc 'Acme Dental'", "switch-to-mc ${last_mc_id}"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return func(ctx context.Context, env *command.Env, args []string) error {
				if len(args) != 1 {
					return command.Usagef("switch-to-mc", "expected one managed company name or id")
				}
				mc, err := d.M.SwitchToMC(ctx, args[0])
				if err != nil {
					return err
				}
				if _, err := d.M.Enterprise(ctx, false); err != nil {
					d.M.SwitchToMSP()
					return err
				}
				d.status("Switched to MC '%s'", mc.Name)
				return nil
			}
		},
	}
}

func switchToMSPCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "switch-to-msp", Group: GroupEnterprise, Needs: command.NeedLogin,
		Summary: "Switch user's context back to the MSP tenant",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return func(ctx context.Context, env *command.Env, args []string) error {
				if !d.M.SwitchToMSP() {
					return fmt.Errorf("switch-to-msp: Already MSP")
				}
				d.status("Switched back to MSP")
				return nil
			}
		},
	}
}
