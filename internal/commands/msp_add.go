package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/report"
)

type mspAddOptions struct {
	base
	Writer   mspWriter
	Status   func(string, ...any)
	Node     string
	Seats    string
	Plan     string
	FilePlan string
	AddOns   []string
	Report   report.Options
}

func newMSPAddCmd(f *Factory, runF func(context.Context, *mspAddOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-add", Aliases: []string{"ma"}, Group: GroupMSP,
		// No Needs: the run checks its input first and then loads the MSP's
		// data, which logs in on demand and refuses non-MSPs as NeedMSPAdmin does.
		Summary: "Add a Managed Company to the tenant",
		Args:    "NAME",
		Long: "Creates a managed company under the MSP. Its id is printed on stdout and kept in ${last_mc_id} for the " +
			"next lines of a shell or batch session. Every value is checked, and the MSP licence's permits " +
			"(msp-info -r) applied, before anything is sent; a company of the same name (case-insensitive) is an error.",
		Completions: map[string]command.CompletionKind{"node": command.CompleteNode},
		Examples: []string{
			`msp-add --seats=10 --plan=enterprise "MC Name"`,
			`ma "Acme Dental" -p business -s -1 -f 1TB -a enterprise_breach_watch -a connection_manager:5`,
			`msp-add "Acme Dental" -p business --format json`,
			`switch-to-mc ${last_mc_id}`,
		},
		JSON: mspAddJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspAddOptions{Writer: f.Session, Status: f.status()}
			fs.StringVar(&o.Node, "node", "", "MSP `NODE` (name or id) the company goes under; default the root")
			fs.StringVarP(&o.Seats, "seats", "s", "0", "maximum licences `SEATS`; -1 for unlimited")
			fs.StringVarP(&o.Plan, "plan", "p", "", "license `PLAN`: "+planCodes())
			fs.StringVarP(&o.FilePlan, "file-plan", "f", "", "file storage `FILE_PLAN`: "+filePlanNames())
			fs.StringArrayVarP(&o.AddOns, "addon", "a", nil, "add-on `ADDON[:SEATS]`, repeatable: "+addOnCodes())
			command.MarkRequired(fs, "plan")
			o.Report.AddFlags(fs)
			return runner(o, runF, mspAddRun)
		},
	}
}

// mspAddJSON is msp-add --format json: the new company.
type mspAddJSON struct {
	CompanyID   int32  `json:"company_id"`
	CompanyName string `json:"company_name"`
}

func mspAddRun(ctx context.Context, o *mspAddOptions) error {
	const cmd = "msp-add"
	if err := o.Report.Validate(); err != nil {
		return err
	}
	name := o.Args[0]
	if strings.TrimSpace(name) == "" {
		return command.Usagef(cmd, "the managed company name is empty")
	}
	nc := msp.NewCompany{Name: name}
	var err error
	if nc.Plan, err = msp.ParsePlan(o.Plan); err != nil {
		return mspError(cmd, "--plan", err)
	}
	if nc.Seats, err = msp.ParseSeats(o.Seats); err != nil {
		return mspError(cmd, "--seats", err)
	}
	if o.FilePlan != "" {
		fp, err := msp.ParseFilePlan(o.FilePlan)
		if err != nil {
			return mspError(cmd, "--file-plan", err)
		}
		nc.FilePlan = &fp
	}
	if o.AddOns != nil {
		if nc.AddOns, err = parseAddOns(o.AddOns); err != nil {
			return mspError(cmd, "--addon", err)
		}
		if err := msp.CheckAddOnSet(nc.AddOns); err != nil {
			return mspError(cmd, "--addon", err)
		}
	}

	e, err := o.Writer.MSP(ctx, false)
	if err != nil {
		return err
	}
	permits := msp.Permits{P: e.MSPPermits()}
	checks := []error{permits.Plan(nc.Plan), permits.Seats(nc.Seats)}
	if nc.FilePlan != nil {
		checks = append(checks, permits.FilePlan(*nc.FilePlan))
	}
	for _, a := range nc.AddOns {
		checks = append(checks, permits.AddOn(a.AddOn))
	}
	if err := firstError(checks); err != nil {
		return mspError(cmd, "", err)
	}
	if mc := mcByName(e, name); mc != nil {
		return fmt.Errorf("%s: managed company %q already exists (ID=%d)", cmd, mc.McEnterpriseName, mc.McEnterpriseId)
	}
	if nc.NodeID, err = mspNode(e, o.Node); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}

	rq, err := msp.NewRegistration(e.TreeKey, nc)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	var reply msp.EnterpriseReply
	err = o.Writer.Do(ctx, rq, &reply)
	if reply.EnterpriseID == 0 {
		if err != nil {
			return err
		}
		return fmt.Errorf("%s: the server accepted managed company %q but returned no id; see msp-info", cmd, name)
	}
	if o.Env.Vars != nil {
		o.Env.Vars["last_mc_id"] = strconv.Itoa(int(reply.EnterpriseID))
	}
	o.Status("Managed company \"%s\" added. ID=%d", name, reply.EnterpriseID)
	if err != nil {
		return err // added, but the sync afterwards failed
	}
	if o.Report.Format == report.Table && o.Report.Output == "" {
		_, err := fmt.Fprintln(o.Env.Out, reply.EnterpriseID)
		return err
	}
	return report.Render(o.Env.Out, o.Env.Err, report.Report{
		Headers: []string{"company_id", "company_name"},
		Rows:    [][]any{{reply.EnterpriseID, name}},
		JSON:    mspAddJSON{CompanyID: reply.EnterpriseID, CompanyName: name},
	}, o.Report)
}

// mspError labels an error of the msp package: input errors are usage
// errors (exit 2), refusals by the MSP's permits and the rest plain ones.
func mspError(cmd, flag string, err error) error {
	var ie *msp.InputError
	if errors.As(err, &ie) {
		if flag != "" {
			return command.Usagef(cmd, "%s: %s", flag, ie.Msg)
		}
		return command.Usagef(cmd, "%s", ie.Msg)
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parseAddOns reads ADDON[:SEATS] values; a later value for the same
// add-on replaces an earlier one.
func parseAddOns(specs []string) ([]msp.AddOnRequest, error) {
	out := []msp.AddOnRequest{}
	pos := map[string]int{}
	for _, s := range specs {
		a, err := msp.ParseAddOn(s)
		if err != nil {
			return nil, err
		}
		if i, ok := pos[a.AddOn]; ok {
			out[i] = a
			continue
		}
		pos[a.AddOn] = len(out)
		out = append(out, a)
	}
	return out, nil
}

// mcByName finds a managed company by name only (case-insensitive): a
// name made of digits is still a name here.
func mcByName(e *enterprise.Enterprise, name string) *pb.ManagedCompany {
	for _, mc := range e.SortedManagedCompanies() {
		if strings.EqualFold(strings.TrimSpace(mc.McEnterpriseName), strings.TrimSpace(name)) {
			return mc
		}
	}
	return nil
}

// mspNode resolves --node in the MSP tree; empty means the root.
func mspNode(e *enterprise.Enterprise, name string) (int64, error) {
	if name == "" {
		root := e.Root()
		if root == nil {
			return 0, errors.New("no root node was found; specify --node")
		}
		return root.NodeId, nil
	}
	n, err := e.Node(name)
	if err != nil {
		return 0, fmt.Errorf("--node: %w", err)
	}
	return n.NodeId, nil
}

func planCodes() string {
	codes := make([]string, len(msp.Plans))
	for i, p := range msp.Plans {
		codes[i] = p.Code
	}
	return strings.Join(codes, ", ")
}

func filePlanNames() string {
	names := make([]string, len(msp.FilePlans))
	for i, f := range msp.FilePlans {
		names[i] = strings.ToLower(f.Display)
	}
	return strings.Join(names, ", ")
}

func addOnCodes() string {
	codes := make([]string, len(msp.AddOns))
	for i, a := range msp.AddOns {
		codes[i] = a.Code
		if a.Seats {
			codes[i] += ":N"
		}
	}
	return strings.Join(codes, ", ")
}
