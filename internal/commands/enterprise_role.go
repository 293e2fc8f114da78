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
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/report"
)

// enterprise-role follows Commander's commands/enterprise.py
// EnterpriseRoleCommand (and enterprise_common.py's role user and role team
// helpers): --add (role_add, with -aa role_managed_node_add), --delete
// (role_delete), --name/--new-user/--node on existing roles (role_update),
// -au/-ru (role_user_add/remove), -at/-rt (REST enterprise/role_team_add and
// role_team_remove); without an action it shows the roles.

type enterpriseRoleOptions struct {
	base
	Writer                enterpriseWriter
	REST                  restCaller
	Status                func(string, ...any)
	Confirm               confirmer
	Add, Delete, Force    bool
	Node, Name            string
	NewUser, Cascade      onOff
	AddUsers, RemoveUsers []string
	AddTeams, RemoveTeams []string
	AddAdmins             []string
	Report                report.Options
}

func newEnterpriseRoleCmd(f *Factory, runF func(context.Context, *enterpriseRoleOptions) error) *command.Command {
	return &command.Command{
		Name: "enterprise-role", Aliases: []string{"er"}, Group: GroupEnterprise,
		// No Needs: the input is checked first; loading the enterprise logs in
		// and refuses non-administrators.
		Summary: "Manage enterprise roles",
		Args:    "ROLE...",
		Long: "ROLE is a role name (case-insensitive) or id; with a name shared by several roles, --node picks the one " +
			"in that node. --add creates roles in --node (default the root), -aa makes a new role an admin role of " +
			"NODE. --name, --new-user and --node change existing roles; -au/-ru and -at/-rt change their users and " +
			"teams. Without an action the roles are shown.",
		LegacyShort: map[string]string{"-au": "--add-user", "-ru": "--remove-user", "-at": "--add-team",
			"-rt": "--remove-team", "-aa": "--add-admin"},
		Completions: map[string]command.CompletionKind{"": command.CompleteRole, "node": command.CompleteNode,
			"add-admin": command.CompleteNode, "add-user": command.CompleteUser, "remove-user": command.CompleteUser,
			"add-team": command.CompleteTeam, "remove-team": command.CompleteTeam},
		Examples: []string{"er --add Auditors --node Europe --new-user on", "er --add 'Europe Admins' -aa Europe --cascade on",
			"er Auditors -au anna@example.com -at Helpdesk", "er Auditors --name 'Internal Auditors'", "er --delete Auditors -f",
			"er Auditors --format json"},
		JSON: erRoleJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &enterpriseRoleOptions{Writer: f.Session, REST: f.Session, Status: f.status(), Confirm: f.Confirm}
			fs.BoolVar(&o.Add, "add", false, "create the roles")
			fs.StringVar(&o.Node, "node", "", "`NODE` of new roles; on existing roles, move them there")
			fs.Var(&o.NewUser, "new-user", "assign the role to new users (`on|off`)")
			fs.StringArrayVar(&o.AddAdmins, "add-admin", nil, "with --add: make the new roles admin roles of `NODE` (-aa; repeatable)")
			fs.Var(&o.Cascade, "cascade", "with -aa: manage the subnodes too (`on|off`)")
			fs.StringVar(&o.Name, "name", "", "rename the role to `NAME`")
			fs.BoolVar(&o.Delete, "delete", false, "delete the roles")
			fs.StringArrayVar(&o.AddUsers, "add-user", nil, "add the user `EMAIL` to the roles (-au; repeatable)")
			fs.StringArrayVar(&o.RemoveUsers, "remove-user", nil, "remove the user `EMAIL` from the roles (-ru; repeatable)")
			fs.StringArrayVar(&o.AddTeams, "add-team", nil, "add the team `TEAM` to the roles (-at; repeatable)")
			fs.StringArrayVar(&o.RemoveTeams, "remove-team", nil, "remove the team `TEAM` from the roles (-rt; repeatable)")
			fs.BoolVarP(&o.Force, "force", "f", false, "do not ask for confirmation")
			o.Report.AddFlags(fs)
			return runner(o, runF, enterpriseRoleRun)
		},
	}
}

// erRoleJSON is one role in enterprise-role --format json (after
// Commander's EnterpriseRoleCommand.dump_role_json, flattened to names).
type erRoleJSON struct {
	RoleID       int64    `json:"role_id"`
	Name         string   `json:"name"`
	NodeID       int64    `json:"node_id"`
	Node         string   `json:"node"`
	DefaultRole  bool     `json:"default_role"`
	Admin        bool     `json:"admin"`
	Users        []string `json:"users"`
	Teams        []string `json:"teams"`
	ManagedNodes []string `json:"managed_nodes"`
	Enforcements []string `json:"enforcements"`
}

const erCmd = "enterprise-role"

func (o *enterpriseRoleOptions) members() bool {
	return len(o.AddUsers)+len(o.RemoveUsers)+len(o.AddTeams)+len(o.RemoveTeams) > 0
}

func (o *enterpriseRoleOptions) validate() error {
	switch {
	case o.Add && o.Delete:
		return command.Usagef(erCmd, "--add and --delete are mutually exclusive")
	case o.Add && o.Name != "":
		return command.Usagef(erCmd, "--name renames an existing role; with --add the ROLE arguments are the new names")
	case o.Add && o.members():
		return command.Usagef(erCmd, "-au/-ru/-at/-rt change existing roles; run them after --add")
	case len(o.AddAdmins) > 0 && !o.Add:
		return command.Usagef(erCmd, "-aa/--add-admin works with --add (new roles) only")
	case o.Cascade.set && len(o.AddAdmins) == 0:
		return command.Usagef(erCmd, "--cascade goes with -aa/--add-admin")
	case o.Delete && (o.Name != "" || o.NewUser.set || o.members()):
		return command.Usagef(erCmd, "--delete cannot be combined with other changes")
	case o.members() && (o.Name != "" || o.NewUser.set):
		return command.Usagef(erCmd, "change users and teams (-au/-ru/-at/-rt) and --name/--new-user in separate commands")
	case o.Name != "" && len(o.Args) > 1:
		return command.Usagef(erCmd, "--name renames one role at a time")
	}
	if err := checkNames(erCmd, "role", o.Args...); err != nil {
		return err
	}
	if o.Name != "" {
		if err := checkNames(erCmd, "role", o.Name); err != nil {
			return err
		}
	}
	return o.Report.Validate()
}

func enterpriseRoleRun(ctx context.Context, o *enterpriseRoleOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	e, err := o.Writer.Enterprise(ctx, false)
	if err != nil {
		return err
	}
	var node *enterprise.Node
	if o.Node != "" {
		if node, err = e.Node(o.Node); err != nil {
			return fmt.Errorf("%s: %w", erCmd, err)
		}
	}
	out := newOutcome(erCmd, o.Status, o.Env.Err)
	if o.Add {
		return roleAdd(ctx, o, e, node, out)
	}
	roles, err := resolveAll(erCmd, o.Env.Err, o.Args, func(name string) (*enterprise.Role, error) { return findRole(e, name, node) },
		func(r *enterprise.Role) string { return strconv.FormatInt(r.RoleId, 10) })
	if err != nil {
		return err
	}
	switch {
	case o.Delete:
		return roleDelete(ctx, o, roles, out)
	case o.members():
		return roleMembers(ctx, o, e, roles, out)
	case o.Name != "" || o.NewUser.set || node != nil:
		return roleUpdate(ctx, o, e, roles, node, out)
	}
	return roleView(o, e, roles)
}

// findRole resolves a role by id or name; when several roles share the
// name, the one in node wins (Commander's enterprise-role does the same).
func findRole(e *enterprise.Enterprise, name string, node *enterprise.Node) (*enterprise.Role, error) {
	r, err := e.Role(name)
	var amb *enterprise.AmbiguousError
	if err == nil || node == nil || !errors.As(err, &amb) {
		return r, err
	}
	var in []*enterprise.Role
	for _, r := range e.Roles {
		if strings.EqualFold(r.Name, name) && r.NodeId == node.NodeId {
			in = append(in, r)
		}
	}
	if len(in) == 1 {
		return in[0], nil
	}
	return nil, err
}

// adminRoles is the set of roles that manage a node.
func adminRoles(e *enterprise.Enterprise) map[int64]bool {
	admin := map[int64]bool{}
	for _, mn := range e.ManagedNodes {
		admin[mn.RoleId] = true
	}
	return admin
}

// roleAdd creates the roles not there yet in --node or the root (one id
// allocation for all), and with -aa makes each new role an admin role of
// the given nodes. A new role has no members, so its tree_keys list is
// empty, as Commander sends it.
func roleAdd(ctx context.Context, o *enterpriseRoleOptions, e *enterprise.Enterprise, node *enterprise.Node, out *outcome) error {
	if node == nil {
		if node = e.Root(); node == nil {
			return fmt.Errorf("%s: the enterprise has no root node; give --node", erCmd)
		}
	}
	admins, err := resolveAll(erCmd, o.Env.Err, o.AddAdmins, e.Node, func(n *enterprise.Node) string { return strconv.FormatInt(n.NodeId, 10) })
	if err != nil {
		return err
	}
	var fresh []string
	seen := map[string]bool{}
	for _, name := range o.Args {
		var amb *enterprise.AmbiguousError
		if _, err := e.Role(name); err == nil || errors.As(err, &amb) {
			out.skip("Role '%s' already exists: Skipping", name)
			continue
		}
		if key := strings.ToLower(name); !seen[key] {
			seen[key] = true
			fresh = append(fresh, name)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	encrypted := make([]string, len(fresh))
	for i, name := range fresh {
		if encrypted[i], err = enterprise.EncryptData(e.TreeKey, name); err != nil {
			return fmt.Errorf("%s: %w", erCmd, err)
		}
	}
	first, err := o.Writer.AllocateIDs(ctx, len(fresh))
	if err != nil {
		return err
	}
	var changes []change
	for i, name := range fresh {
		id := first + int64(i)
		changes = append(changes, change{
			cmd: enterprise.RoleAdd{RoleID: id, NodeID: node.NodeId, EncryptedData: encrypted[i], NewUserInherit: o.NewUser.on},
			ok:  fmt.Sprintf("'%s' role created with Role ID: %d", name, id), failed: fmt.Sprintf("Failed to create role '%s'", name)})
	}
	scope := "node"
	if o.Cascade.on {
		scope = "node and subnodes"
	}
	for i, name := range fresh {
		for _, n := range admins {
			changes = append(changes, change{
				cmd: enterprise.ManagedNodeAdd{RoleID: first + int64(i), ManagedNodeID: n.NodeId, CascadeNodeManagement: o.Cascade.on,
					TreeKeys: []enterprise.TreeKey{}},
				ok:     fmt.Sprintf("Granted admin privileges for '%s' role on '%s' %s", name, n.Name, scope),
				failed: fmt.Sprintf("Failed to grant admin privileges for '%s' role on '%s' %s", name, n.Name, scope)})
		}
	}
	if _, err := out.send(ctx, o.Writer, changes); err != nil {
		return err
	}
	return out.err()
}

// roleDelete deletes the roles after confirmation.
func roleDelete(ctx context.Context, o *enterpriseRoleOptions, roles []*enterprise.Role, out *outcome) error {
	items := make([]deletion, len(roles))
	for i, r := range roles {
		items[i] = deletion{label: r.Name, name: r.Name, cmd: enterprise.RoleDelete{RoleID: r.RoleId}}
	}
	return deleteAll(ctx, o.Writer, o.Confirm, o.Force, erCmd, "role", items, out)
}

// roleUpdate renames (--name), moves (--node) or switches --new-user on
// existing roles with role_update; the stored encrypted name is sent back
// unchanged unless --name is given.
func roleUpdate(ctx context.Context, o *enterpriseRoleOptions, e *enterprise.Enterprise, roles []*enterprise.Role, node *enterprise.Node, out *outcome) error {
	var changes []change
	for _, r := range roles {
		nodeID := r.NodeId
		if node != nil {
			nodeID = node.NodeId
		}
		if o.Name == "" && !o.NewUser.set && nodeID == r.NodeId {
			out.skip("Role '%s' is already in node '%s': Skipping", r.Name, e.NodePath(nodeID))
			continue
		}
		upd := enterprise.RoleUpdate{RoleID: r.RoleId, NodeID: nodeID, EncryptedData: r.EncryptedData}
		if o.Name != "" {
			enc, err := enterprise.EncryptData(e.TreeKey, o.Name)
			if err != nil {
				return fmt.Errorf("%s: %w", erCmd, err)
			}
			upd.EncryptedData = enc
		}
		if o.NewUser.set {
			on := o.NewUser.on
			upd.NewUserInherit = &on
		}
		changes = append(changes, change{cmd: upd,
			ok: fmt.Sprintf("'%s' role is updated", r.Name), failed: fmt.Sprintf("'%s' role is not updated", r.Name)})
	}
	if _, err := out.send(ctx, o.Writer, changes); err != nil {
		return err
	}
	return out.err()
}

// roleMembers changes role users (role_user_add/remove in one batch) and
// role teams (REST role_team_remove, then role_team_add, one call each), as
// Commander's enterprise_common.py change_role_teams and
// get_role_users_change_batch do. Teams are not added to admin roles, and
// users are not added to admin roles here: that needs the tree key
// encrypted to the user's public key, which enterprise-user --add-role does.
func roleMembers(ctx context.Context, o *enterpriseRoleOptions, e *enterprise.Enterprise, roles []*enterprise.Role, out *outcome) error {
	userKey := func(u *enterprise.User) string { return strconv.FormatInt(u.EnterpriseUserId, 10) }
	teamKey := func(t *enterprise.Team) string { return t.UID }
	addUsers, err := resolveAll(erCmd, o.Env.Err, o.AddUsers, e.User, userKey)
	if err != nil {
		return err
	}
	removeUsers, err := resolveAll(erCmd, o.Env.Err, o.RemoveUsers, e.User, userKey)
	if err != nil {
		return err
	}
	addTeams, err := resolveAll(erCmd, o.Env.Err, o.AddTeams, e.Team, teamKey)
	if err != nil {
		return err
	}
	removeTeams, err := resolveAll(erCmd, o.Env.Err, o.RemoveTeams, e.Team, teamKey)
	if err != nil {
		return err
	}
	admin := adminRoles(e)
	inRole := map[string]bool{}
	for _, ru := range e.RoleUsers {
		inRole[fmt.Sprintf("%d:%d", ru.RoleId, ru.EnterpriseUserId)] = true
	}
	for _, rt := range e.RoleTeams {
		inRole[fmt.Sprintf("%d:%x", rt.RoleId, rt.TeamUid)] = true
	}
	type linkBatch struct {
		endpoint string
		rq       *pb.RoleTeams
		ok       []string
		failed   []string
	}
	remove := &linkBatch{endpoint: "enterprise/role_team_remove", rq: &pb.RoleTeams{}}
	add := &linkBatch{endpoint: "enterprise/role_team_add", rq: &pb.RoleTeams{}}
	var changes []change
	for _, r := range roles {
		for _, t := range removeTeams {
			if !inRole[fmt.Sprintf("%d:%x", r.RoleId, t.TeamUid)] {
				out.skip("Team '%s' is not in role '%s': Skipping", t.Name, r.Name)
				continue
			}
			remove.rq.RoleTeam = append(remove.rq.RoleTeam, &pb.RoleTeam{RoleId: r.RoleId, TeamUid: t.TeamUid})
			remove.ok = append(remove.ok, fmt.Sprintf("'%s' role removed from team '%s'", r.Name, t.Name))
			remove.failed = append(remove.failed, fmt.Sprintf("'%s' role failed to be removed from team '%s'", r.Name, t.Name))
		}
		for _, t := range addTeams {
			switch {
			case admin[r.RoleId]:
				out.fail("Team '%s' not added to role '%s': teams cannot be assigned to roles with administrative permissions", t.Name, r.Name)
				continue
			case inRole[fmt.Sprintf("%d:%x", r.RoleId, t.TeamUid)]:
				out.skip("Team '%s' is already in role '%s': Skipping", t.Name, r.Name)
				continue
			}
			add.rq.RoleTeam = append(add.rq.RoleTeam, &pb.RoleTeam{RoleId: r.RoleId, TeamUid: t.TeamUid})
			add.ok = append(add.ok, fmt.Sprintf("'%s' role assigned to team '%s'", r.Name, t.Name))
			add.failed = append(add.failed, fmt.Sprintf("'%s' role failed to be assigned to team '%s'", r.Name, t.Name))
		}
		for _, u := range removeUsers {
			if !inRole[fmt.Sprintf("%d:%d", r.RoleId, u.EnterpriseUserId)] {
				out.skip("User %s is not in role '%s': Skipping", u.Username, r.Name)
				continue
			}
			changes = append(changes, change{cmd: enterprise.RoleUserRemove{RoleID: r.RoleId, EnterpriseUserID: u.EnterpriseUserId},
				ok:     fmt.Sprintf("'%s' role removed from %s", r.Name, u.Username),
				failed: fmt.Sprintf("'%s' role failed to be removed from %s", r.Name, u.Username)})
		}
		for _, u := range addUsers {
			switch {
			case admin[r.RoleId]:
				out.fail("User %s not added to role '%s': it is an admin role; adding users to an admin role is done with enterprise-user --add-role",
					u.Username, r.Name)
				continue
			case inRole[fmt.Sprintf("%d:%d", r.RoleId, u.EnterpriseUserId)]:
				out.skip("User %s is already in role '%s': Skipping", u.Username, r.Name)
				continue
			}
			changes = append(changes, change{cmd: enterprise.RoleUserAdd{RoleID: r.RoleId, EnterpriseUserID: u.EnterpriseUserId},
				ok:     fmt.Sprintf("'%s' role assigned to %s", r.Name, u.Username),
				failed: fmt.Sprintf("'%s' role failed to be assigned to %s", r.Name, u.Username)})
		}
	}
	restOK := false
	for _, b := range []*linkBatch{remove, add} {
		if len(b.rq.RoleTeam) == 0 {
			continue
		}
		if err := o.REST.Call(ctx, b.endpoint, b.rq, nil); err != nil {
			for _, f := range b.failed {
				out.serverFail(err, "%s: %s", f, restMessage(err))
			}
			continue
		}
		restOK = true
		for _, s := range b.ok {
			out.done("%s", s)
		}
	}
	succeeded, err := out.send(ctx, o.Writer, changes)
	if err != nil {
		return err
	}
	if restOK && succeeded == 0 {
		if err := o.REST.Refresh(ctx); err != nil {
			return fmt.Errorf("the change was made, but reloading the enterprise data failed: %w", err)
		}
	}
	return out.err()
}

// roleView shows the roles: node, default role, users, teams, managed nodes
// and enforcements.
func roleView(o *enterpriseRoleOptions, e *enterprise.Enterprise, roles []*enterprise.Role) error {
	ix := newIndex(e)
	r := report.Report{Headers: []string{"role_id", "name", "node", "default_role", "admin", "users", "teams", "managed_nodes", "enforcements"},
		TitleFunc: report.CapitalizeWords}
	var js []erRoleJSON
	for _, ro := range roles {
		var enf []string
		for k := range e.RoleEnforcements[ro.RoleId] {
			enf = append(enf, k)
		}
		j := erRoleJSON{RoleID: ro.RoleId, Name: ro.Name, NodeID: ro.NodeId, Node: e.NodePath(ro.NodeId), DefaultRole: ro.NewUserInherit,
			Admin: ix.managedRoles[ro.RoleId], Users: nonNil(sorted(ix.roleUsers[ro.RoleId])), Teams: nonNil(sorted(ix.roleTeams[ro.RoleId])),
			ManagedNodes: nonNil(sorted(ix.roleManaged[ro.RoleId])), Enforcements: nonNil(sorted(enf))}
		r.Rows = append(r.Rows, []any{j.RoleID, j.Name, j.Node, j.DefaultRole, j.Admin, j.Users, j.Teams, j.ManagedNodes, j.Enforcements})
		js = append(js, j)
	}
	r.JSON = js
	return report.Render(o.Env.Out, o.Env.Err, r, o.Report)
}
