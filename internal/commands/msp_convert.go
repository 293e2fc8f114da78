package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/msp"
)

type mspConvertOptions struct {
	base
	Op     mspOperator
	Status func(string, ...any)
	Seats  string
	Plan   string
}

func newMSPConvertNodeCmd(f *Factory, runF func(context.Context, *mspConvertOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-convert-node", Group: GroupMSP,
		// No Needs: the run checks its input first and then loads the MSP's
		// data, which logs in on demand and refuses non-MSPs as NeedMSPAdmin does.
		Summary: "Converts MSP node into Managed Company.",
		Args:    "NODE",
		Long: "Moves a node of the MSP, with its subtree and the roles, teams and users in it, into a managed " +
			"company named after the node (created unless one of that name exists). Provisioning (bridge, SCIM, " +
			"SSO, email), managed companies, queued teams and invited users on those nodes, and memberships that " +
			"cross the node's boundary, must be removed first: they are all listed and nothing is changed. " +
			"Seats default to the number of users moved (at least 1). The new company's id is kept in ${last_mc_id}.",
		Completions: map[string]command.CompletionKind{"": command.CompleteNode},
		Examples: []string{
			`msp-convert-node "Dental Clinic"`,
			"msp-convert-node 23613730193410 --seats 25 --plan enterprise",
		},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspConvertOptions{Op: f.Session, Status: f.status()}
			fs.StringVarP(&o.Seats, "seats", "s", "", "number of `SEATS`; default and minimum: the users moved")
			fs.StringVarP(&o.Plan, "plan", "p", "business", "license `PLAN`: "+planCodes())
			return runner(o, runF, mspConvertRun)
		},
	}
}

func mspConvertRun(ctx context.Context, o *mspConvertOptions) error {
	const cmd = "msp-convert-node"
	plan, err := msp.ParsePlan(o.Plan)
	if err != nil {
		return mspError(cmd, "--plan", err)
	}
	var seats int32
	if o.Seats != "" {
		if seats, err = msp.ParseSeats(o.Seats); err != nil {
			return mspError(cmd, "--seats", err)
		}
		if seats == msp.Unlimited {
			return command.Usagef(cmd, "--seats: unlimited seats are not supported here; give a number")
		}
	}

	e, err := o.Op.MSP(ctx, false)
	if err != nil {
		return err
	}
	node, err := e.Node(o.Args[0])
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if root := e.Root(); node.ParentId == 0 || (root != nil && node.NodeId == root.NodeId) {
		return fmt.Errorf("%s: root node cannot be converted", cmd)
	}
	if strings.TrimSpace(node.Name) == "" {
		return fmt.Errorf("%s: node %d has no name to give the managed company", cmd, node.NodeId)
	}
	cv := msp.PlanConversion(e, node)
	if len(cv.Problems) > 0 {
		for _, p := range cv.Problems {
			fmt.Fprintln(o.Env.Err, p)
		}
		return fmt.Errorf("%s: node \"%s\" cannot be converted yet: %d problem(s) listed above", cmd, e.NodePath(node.NodeId), len(cv.Problems))
	}
	if n := int32(len(cv.Users)); seats < n {
		seats = n
	}
	if seats == 0 {
		seats = 1
	}
	existing := mcByName(e, node.Name)
	if existing == nil {
		if err := (msp.Permits{P: e.MSPPermits()}).Plan(plan); err != nil {
			return mspError(cmd, "", err)
		}
	}

	// Everything read from the MSP comes before anything is changed.
	roleKeys, err := msp.RoleKeys(ctx, o.Op, e.TreeKey, cv.AdminRoles)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	dataKeys, err := cv.UserDataKeys(ctx, o.Op)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	needEC := msp.NeedsECKeys(dataKeys)
	if needEC && e.ECKey == nil {
		return fmt.Errorf("%s: the users' data keys need the MSP enterprise EC key, which is missing", cmd)
	}

	var mcID int32
	if existing != nil {
		mcID = existing.McEnterpriseId
		o.Status("Managed company %q (ID=%d) exists; moving node %q into it", existing.McEnterpriseName, mcID, node.Name)
	} else {
		rootID, err := mspNode(e, "")
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		rq, err := msp.NewRegistration(e.TreeKey, msp.NewCompany{Name: node.Name, NodeID: rootID, Plan: plan, Seats: seats})
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		var reply msp.EnterpriseReply
		err = o.Op.Do(ctx, rq, &reply)
		if reply.EnterpriseID == 0 {
			if err == nil {
				err = fmt.Errorf("%s: the server accepted managed company %q but returned no id; see msp-info", cmd, node.Name)
			}
			return err
		}
		mcID = reply.EnterpriseID
		o.Status("Managed company \"%s\" added. ID=%d", node.Name, mcID)
		if err != nil {
			return err
		}
	}
	if o.Env.Vars != nil {
		o.Env.Vars["last_mc_id"] = strconv.Itoa(int(mcID))
	}

	to := msp.Target{CompanyID: mcID}
	err = o.Op.InMC(ctx, strconv.Itoa(int(mcID)), func(ctx context.Context) error {
		mcEnt, err := o.Op.Enterprise(ctx, false)
		if err != nil {
			return err
		}
		to.TreeKey = mcEnt.TreeKey
		if needEC {
			to.ECPublicKey, err = msp.EnterpriseECPublicKey(ctx, o.Op, to.TreeKey)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: managed company %d: %w", cmd, mcID, err)
	}
	rq, err := cv.Request(e, to, roleKeys, dataKeys)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := msp.ConvertNode(ctx, o.Op, rq); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	o.Status("Node \"%s\" was converted to Managed Company. ID=%d", node.Name, mcID)
	if _, err := o.Op.MSP(ctx, true); err != nil {
		return fmt.Errorf("%s: the node was converted, but reloading the MSP's data failed: %w", cmd, err)
	}
	// The company's data was loaded before the move; bring it up to date
	// for a later switch-to-mc.
	err = o.Op.InMC(ctx, strconv.Itoa(int(mcID)), func(ctx context.Context) error {
		_, err := o.Op.Enterprise(ctx, true)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: the node was converted, but reloading the company's data failed: %w", cmd, err)
	}
	return nil
}
