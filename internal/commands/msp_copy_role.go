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
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/report"
)

type mspCopyRoleOptions struct {
	base
	Op     mspOperator
	Status func(string, ...any)
	Roles  []string
	Report report.Options
}

func newMSPCopyRoleCmd(f *Factory, runF func(context.Context, *mspCopyRoleOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-copy-role", Group: GroupMSP, Needs: command.NeedMSPAdmin,
		Summary: "Copy role with enforcements to a Managed Company",
		Args:    "MC...",
		Long: "Copies MSP roles to managed companies: a role of the same name (case-insensitive) is created at the " +
			"company's root when missing, and its enforcements are made equal to the MSP role's (added, changed " +
			"and removed). Users, teams, managed nodes and privileges are not copied. One row per company and " +
			"role says what was done; a role that could not be copied makes the command fail after the others.",
		Completions: map[string]command.CompletionKind{"": command.CompleteMC, "role": command.CompleteRole},
		Examples: []string{
			`msp-copy-role SmithCoMC --role="Desktop Users"`,
			`msp-copy-role "Acme Dental" 3862 -r "Desktop Users" -r Helpdesk --format json`,
		},
		JSON: copyRoleJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspCopyRoleOptions{Op: f.Session, Status: f.status()}
			fs.StringArrayVarP(&o.Roles, "role", "r", nil, "MSP `ROLE` (name or id) to copy, repeatable")
			command.MarkRequired(fs, "role")
			o.Report.AddFlags(fs)
			return runner(o, runF, mspCopyRoleRun)
		},
	}
}

// copyRoleJSON is one managed company and role in msp-copy-role's report.
// status is created, updated, in sync, skipped or failed; role_id is the
// role in the company (0 when there is none); message holds the reason of
// a skip or failure, and warnings about enforcements not copied.
type copyRoleJSON struct {
	CompanyID   int32  `json:"company_id"`
	CompanyName string `json:"company_name"`
	Role        string `json:"role"`
	RoleID      int64  `json:"role_id"`
	Status      string `json:"status"`
	Added       int    `json:"added"`
	Changed     int    `json:"changed"`
	Removed     int    `json:"removed"`
	Message     string `json:"message,omitempty"`
}

const (
	copyCreated = "created"
	copyUpdated = "updated"
	copyInSync  = "in sync"
	copySkipped = "skipped"
	copyFailed  = "failed"
)

func mspCopyRoleRun(ctx context.Context, o *mspCopyRoleOptions) error {
	const cmd = "msp-copy-role"
	if err := o.Report.Validate(); err != nil {
		return err
	}
	e, err := o.Op.MSP(ctx, false)
	if err != nil {
		return err
	}
	var roles []*enterprise.Role
	seenRole := map[int64]bool{}
	for _, name := range o.Roles {
		r, err := e.Role(name)
		if err != nil {
			return fmt.Errorf("%s: %w", cmd, err)
		}
		if !seenRole[r.RoleId] {
			seenRole[r.RoleId] = true
			roles = append(roles, r)
		}
	}
	var mcs []*pb.ManagedCompany
	seenMC := map[int32]bool{}
	for _, name := range o.Args {
		mc, err := e.ManagedCompany(name)
		if err != nil {
			return fmt.Errorf("%s: Managed Company %q not found", cmd, name)
		}
		if !seenMC[mc.McEnterpriseId] {
			seenMC[mc.McEnterpriseId] = true
			mcs = append(mcs, mc)
		}
	}

	var rows []copyRoleJSON
	for _, mc := range mcs {
		mcRows := make([]copyRoleJSON, len(roles))
		for i, r := range roles {
			mcRows[i] = copyRoleJSON{CompanyID: mc.McEnterpriseId, CompanyName: mc.McEnterpriseName, Role: r.Name}
		}
		err := o.Op.InMC(ctx, strconv.Itoa(int(mc.McEnterpriseId)), func(ctx context.Context) error {
			return copyRoles(ctx, o.Op, e, roles, mcRows)
		})
		failed, skipped := 0, 0
		for i := range mcRows {
			if err != nil && mcRows[i].Status != copySkipped { // nothing was sent
				mcRows[i].Status, mcRows[i].Message = copyFailed, err.Error()
			}
			switch mcRows[i].Status {
			case copyFailed:
				failed++
			case copySkipped:
				skipped++
			}
		}
		switch {
		case failed > 0:
			o.Status("MC %d: %d of %d role(s) failed", mc.McEnterpriseId, failed, len(mcRows))
		case skipped > 0:
			o.Status("MC %d: %d of %d role(s) skipped", mc.McEnterpriseId, skipped, len(mcRows))
		default:
			o.Status("MC %d: Roles are in sync", mc.McEnterpriseId)
		}
		rows = append(rows, mcRows...)
	}

	r := report.Report{Headers: []string{"company_id", "company_name", "role", "role_id", "status", "added", "changed", "removed", "message"},
		JSON: rows}
	failed := 0
	for _, row := range rows {
		roleID := any(row.RoleID)
		if row.RoleID == 0 {
			roleID = nil
		}
		r.Rows = append(r.Rows, []any{row.CompanyID, row.CompanyName, row.Role, roleID, row.Status, row.Added, row.Changed, row.Removed, row.Message})
		if row.Status == copyFailed {
			failed++
		}
	}
	if err := report.Render(o.Env.Out, o.Env.Err, r, o.Report); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%s: %d of %d role copies failed (see the report)", cmd, failed, len(rows))
	}
	return nil
}

// copyRoles runs in the managed company's context: it creates the missing
// roles under the company's root and syncs their enforcements, in one
// execute batch, filling rows (one per source role). An error means
// nothing was sent; the results of a sent batch are in rows.
func copyRoles(ctx context.Context, w enterpriseWriter, src *enterprise.Enterprise, roles []*enterprise.Role, rows []copyRoleJSON) error {
	mcE, err := w.Enterprise(ctx, true)
	if err != nil {
		return err
	}
	root := mcE.Root()
	if root == nil {
		return errors.New("the managed company has no root node")
	}
	dst := make([]*enterprise.Role, len(roles))
	missing := 0
	for i, r := range roles {
		if strings.TrimSpace(r.Name) == "" {
			rows[i].Status, rows[i].Message = copySkipped, "the MSP role has no name"
			continue
		}
		var found []*enterprise.Role
		for _, mr := range mcE.Roles {
			if strings.EqualFold(mr.Name, r.Name) {
				found = append(found, mr)
			}
		}
		switch len(found) {
		case 0:
			missing++
		case 1:
			dst[i] = found[0]
		default:
			rows[i].Status, rows[i].Message = copySkipped, fmt.Sprintf("there are %d roles named %q in the company", len(found), r.Name)
		}
	}
	var nextID int64
	if missing > 0 {
		if nextID, err = w.AllocateIDs(ctx, missing); err != nil {
			return err
		}
	}

	var cmds []rest.Command
	owner := []int{} // row of each command
	for i, r := range roles {
		if rows[i].Status != "" {
			continue
		}
		var have map[string]string
		if dst[i] != nil {
			rows[i].RoleID = dst[i].RoleId
			have = mcE.RoleEnforcements[dst[i].RoleId]
		} else {
			rows[i].RoleID = nextID
			nextID++
			data, err := enterprise.EncryptData(mcE.TreeKey, r.Name)
			if err != nil {
				return err
			}
			cmds = append(cmds, enterprise.RoleAdd{RoleID: rows[i].RoleID, NodeID: root.NodeId, EncryptedData: data,
				VisibleBelow: r.VisibleBelow, NewUserInherit: r.NewUserInherit})
			owner = append(owner, i)
		}
		enfs, warnings := msp.SyncEnforcements(rows[i].RoleID, src.RoleEnforcements[r.RoleId], have)
		rows[i].Message = strings.Join(warnings, "; ")
		for _, c := range enfs {
			cmds = append(cmds, c)
			owner = append(owner, i)
			switch c.Op {
			case "add":
				rows[i].Added++
			case "update":
				rows[i].Changed++
			case "remove":
				rows[i].Removed++
			}
		}
		switch {
		case dst[i] == nil:
			rows[i].Status = copyCreated
		case len(enfs) > 0:
			rows[i].Status = copyUpdated
		default:
			rows[i].Status = copyInSync
		}
	}
	if len(cmds) == 0 {
		return nil
	}
	results, err := w.Execute(ctx, cmds...)
	for j, i := range owner {
		var cerr error
		switch {
		case j < len(results):
			cerr = results[j].Err(cmds[j].CommandName())
		case err != nil:
			cerr = fmt.Errorf("%s: not done: %w", cmds[j].CommandName(), err)
		}
		if cerr != nil && rows[i].Status != copyFailed {
			rows[i].Status, rows[i].Message = copyFailed, cerr.Error()
		}
	}
	return nil
}
