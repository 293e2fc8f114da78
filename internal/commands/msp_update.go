package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/msp"
)

type mspUpdateOptions struct {
	base
	Writer       mspWriter
	Status       func(string, ...any)
	Node         string
	Name         string
	Plan         string
	Seats        string
	FilePlan     string
	AddAddOns    []string
	RemoveAddOns []string
}

func newMSPUpdateCmd(f *Factory, runF func(context.Context, *mspUpdateOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-update", Aliases: []string{"mu"}, Group: GroupMSP,
		// No Needs: the run checks its input first and then loads the MSP's
		// data, which logs in on demand and refuses non-MSPs as NeedMSPAdmin does.
		Summary: "Modify a Managed Company license",
		Args:    "MC",
		Long: "Changes a managed company's name, node, plan, seats, file storage plan or add-ons; what is not " +
			"given stays as it is (the request is a full replacement built from the current values). " +
			"--add-product is accepted for --plan, as Keeper's documentation spells it.",
		LegacyShort: map[string]string{"-aa": "--add-addon", "-ra": "--remove-addon"},
		Completions: map[string]command.CompletionKind{"": command.CompleteMC, "node": command.CompleteNode},
		Examples: []string{
			"msp-update mc2 --add-product business",
			"msp-update --node 23613730193410 mc2",
			`mu "Acme Dental" -s 25 -f 1tb -aa connection_manager:5 -aa remote_browser_isolation -ra chat`,
			`msp-update 3862 --name "Acme Dental Group"`,
		},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspUpdateOptions{Writer: f.Session, Status: f.status()}
			fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
				if name == "add-product" {
					name = "plan"
				}
				return pflag.NormalizedName(name)
			})
			fs.StringVar(&o.Node, "node", "", "move the company under MSP `NODE` (name or id)")
			fs.StringVarP(&o.Name, "name", "n", "", "rename the company to `NAME`")
			fs.StringVarP(&o.Plan, "plan", "p", "", "license `PLAN`: "+planCodes())
			fs.StringVarP(&o.Seats, "seats", "s", "", "maximum licences `SEATS`; -1 for unlimited")
			fs.StringVarP(&o.FilePlan, "file-plan", "f", "", "file storage `FILE_PLAN`: "+filePlanNames())
			fs.StringArrayVar(&o.AddAddOns, "add-addon", nil, "add or change add-on `ADDON[:SEATS]`, repeatable; -aa also works")
			fs.StringArrayVar(&o.RemoveAddOns, "remove-addon", nil, "remove add-on `ADDON`, repeatable; -ra also works")
			return runner(o, runF, mspUpdateRun)
		},
	}
}

func mspUpdateRun(ctx context.Context, o *mspUpdateOptions) error {
	const cmd = "msp-update"
	if o.Node == "" && o.Name == "" && o.Plan == "" && o.Seats == "" && o.FilePlan == "" &&
		len(o.AddAddOns) == 0 && len(o.RemoveAddOns) == 0 {
		return command.Usagef(cmd, "nothing to change: give --name, --node, --plan, --seats, --file-plan, --add-addon or --remove-addon")
	}
	if o.Name != "" && strings.TrimSpace(o.Name) == "" {
		return command.Usagef(cmd, "--name: the new name is empty")
	}
	var ch msp.Change
	if o.Plan != "" {
		p, err := msp.ParsePlan(o.Plan)
		if err != nil {
			return mspError(cmd, "--plan", err)
		}
		ch.Plan = &p
	}
	if o.Seats != "" {
		n, err := msp.ParseSeats(o.Seats)
		if err != nil {
			return mspError(cmd, "--seats", err)
		}
		ch.Seats = &n
	}
	if o.FilePlan != "" {
		fp, err := msp.ParseFilePlan(o.FilePlan)
		if err != nil {
			return mspError(cmd, "--file-plan", err)
		}
		ch.FilePlan = &fp
	}
	var err error
	if ch.AddAddOns, err = parseAddOns(o.AddAddOns); err != nil {
		return mspError(cmd, "--add-addon", err)
	}
	for _, s := range o.RemoveAddOns {
		name, _, _ := strings.Cut(s, ":")
		a, err := msp.ParseAddOn(name)
		if err != nil {
			return mspError(cmd, "--remove-addon", err)
		}
		ch.RemoveAddOns = append(ch.RemoveAddOns, a.AddOn)
	}

	e, err := o.Writer.MSP(ctx, false)
	if err != nil {
		return err
	}
	mc, err := e.ManagedCompany(o.Args[0])
	if err != nil {
		return fmt.Errorf("%s: Managed Company %q not found", cmd, o.Args[0])
	}
	permits := msp.Permits{P: e.MSPPermits()}
	var checks []error
	if ch.Plan != nil {
		checks = append(checks, permits.Plan(*ch.Plan))
	}
	if ch.Seats != nil {
		checks = append(checks, permits.Seats(*ch.Seats))
	}
	if ch.FilePlan != nil {
		checks = append(checks, permits.FilePlan(*ch.FilePlan))
	}
	for _, a := range ch.AddAddOns {
		checks = append(checks, permits.AddOn(a.AddOn))
	}
	if err := firstError(checks); err != nil {
		return mspError(cmd, "", err)
	}
	if o.Name != "" {
		if other := mcByName(e, o.Name); other != nil && other.McEnterpriseId != mc.McEnterpriseId {
			return fmt.Errorf("%s: managed company %q already exists (ID=%d)", cmd, other.McEnterpriseName, other.McEnterpriseId)
		}
		ch.Name = o.Name
	}
	if o.Node != "" {
		if ch.NodeID, err = mspNode(e, o.Node); err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
	}
	for _, a := range ch.RemoveAddOns {
		if !msp.HasAddOn(mc, a) {
			o.Status("Add-on %q is not enabled for %q; nothing to remove", a, mc.McEnterpriseName)
		}
	}
	rq, err := msp.NewUpdate(mc, ch)
	if err != nil {
		return mspError(cmd, "", err)
	}
	if err := o.Writer.Do(ctx, rq, &msp.EnterpriseReply{}); err != nil {
		return err
	}
	o.Status("Successfully updated '%s' id=%d", rq.EnterpriseName, rq.EnterpriseID)
	return nil
}
