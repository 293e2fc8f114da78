package commands

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/report"
)

// enterprise-node follows Commander's commands/enterprise.py
// EnterpriseNodeCommand: --add (node_add), --delete (node_delete), --name
// and --parent on existing nodes (node_update), --toggle-isolated (REST
// enterprise/set_restrict_visibility); without an action it shows the nodes.

type enterpriseNodeOptions struct {
	base
	Writer         enterpriseWriter
	REST           restCaller
	Status         func(string, ...any)
	Confirm        confirmer
	Add, Delete    bool
	ToggleIsolated bool
	Force          bool
	Parent, Name   string
	Report         report.Options
}

func newEnterpriseNodeCmd(f *Factory, runF func(context.Context, *enterpriseNodeOptions) error) *command.Command {
	return &command.Command{
		Name: "enterprise-node", Aliases: []string{"en"}, Group: GroupEnterprise,
		// No Needs: the input is checked first; loading the enterprise logs in
		// and refuses non-administrators.
		Summary: "Manage enterprise nodes",
		Args:    "NODE...",
		Long: "NODE is a node name, id or backslash path (Acme\\Sales). With --add the names are new nodes under --parent " +
			"(default the root); existing names are skipped. --name renames, --parent alone moves, --delete removes empty " +
			"nodes, --toggle-isolated switches node isolation. Without an action the nodes are shown.",
		Completions: map[string]command.CompletionKind{"": command.CompleteNode, "parent": command.CompleteNode},
		Examples: []string{"en --add Sales Support", "en --add East --parent Sales", "en Sales --name 'Sales EMEA'",
			"en East --parent Support", "en --delete East -f", "en Sales --toggle-isolated", "en Sales --format json"},
		JSON: enNodeJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &enterpriseNodeOptions{Writer: f.Session, REST: f.Session, Status: f.status(), Confirm: f.Confirm}
			fs.BoolVar(&o.Add, "add", false, "create the nodes")
			fs.StringVar(&o.Parent, "parent", "", "parent `NODE` of new nodes; on existing nodes, move them under it")
			fs.StringVar(&o.Name, "name", "", "rename the node to `NAME`")
			fs.BoolVar(&o.Delete, "delete", false, "delete the nodes (they must be empty)")
			fs.BoolVar(&o.ToggleIsolated, "toggle-isolated", false, "switch node isolation (restrict visibility) on or off")
			fs.BoolVarP(&o.Force, "force", "f", false, "do not ask for confirmation")
			o.Report.AddFlags(fs)
			return runner(o, runF, enterpriseNodeRun)
		},
	}
}

// enNodeJSON is one node in enterprise-node --format json.
type enNodeJSON struct {
	NodeID   int64    `json:"node_id"`
	Name     string   `json:"name"`
	Path     string   `json:"path"`
	ParentID int64    `json:"parent_id,omitempty"`
	Isolated bool     `json:"isolated"`
	Subnodes []string `json:"subnodes"`
	Users    []string `json:"users"`
	Roles    []string `json:"roles"`
	Teams    []string `json:"teams"`
}

const enCmd = "enterprise-node"

func (o *enterpriseNodeOptions) validate() error {
	actions := 0
	for _, on := range []bool{o.Add, o.Delete, o.ToggleIsolated} {
		if on {
			actions++
		}
	}
	switch {
	case o.Add && o.Delete:
		return command.Usagef(enCmd, "--add and --delete are mutually exclusive")
	case actions > 1:
		return command.Usagef(enCmd, "--toggle-isolated cannot be combined with --add or --delete")
	case o.Add && o.Name != "":
		return command.Usagef(enCmd, "--name renames an existing node; with --add the NODE arguments are the new names")
	case (o.Delete || o.ToggleIsolated) && (o.Name != "" || o.Parent != ""):
		return command.Usagef(enCmd, "--name and --parent cannot be combined with --delete or --toggle-isolated")
	case o.Name != "" && len(o.Args) > 1:
		return command.Usagef(enCmd, "--name renames one node at a time")
	}
	if err := checkNames(enCmd, "node", o.Args...); err != nil {
		return err
	}
	if o.Name != "" {
		if err := checkNames(enCmd, "node", o.Name); err != nil {
			return err
		}
	}
	return o.Report.Validate()
}

func enterpriseNodeRun(ctx context.Context, o *enterpriseNodeOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	e, err := o.Writer.Enterprise(ctx, false)
	if err != nil {
		return err
	}
	out := newOutcome(enCmd, o.Status, o.Env.Err)
	if o.Add {
		return nodeAdd(ctx, o, e, out)
	}
	nodes, err := resolveAll(enCmd, o.Env.Err, o.Args, e.Node, func(n *enterprise.Node) string { return strconv.FormatInt(n.NodeId, 10) })
	if err != nil {
		return err
	}
	switch {
	case o.Delete:
		return nodeDelete(ctx, o, e, nodes, out)
	case o.ToggleIsolated:
		return nodeToggleIsolated(ctx, o, nodes, out)
	case o.Name != "" || o.Parent != "":
		return nodeUpdate(ctx, o, e, nodes, out)
	}
	return nodeView(o, e, nodes)
}

// nodeAdd creates the nodes not there yet under --parent or the root, with
// one id allocation for all of them.
func nodeAdd(ctx context.Context, o *enterpriseNodeOptions, e *enterprise.Enterprise, out *outcome) error {
	parent := e.Root()
	if o.Parent != "" {
		p, err := e.Node(o.Parent)
		if err != nil {
			return fmt.Errorf("%s: parent: %w", enCmd, err)
		}
		parent = p
	}
	if parent == nil {
		return fmt.Errorf("%s: the enterprise has no root node; give --parent", enCmd)
	}
	var fresh []string
	seen := map[string]bool{}
	for _, name := range o.Args {
		var amb *enterprise.AmbiguousError
		if _, err := e.Node(name); err == nil || errors.As(err, &amb) {
			out.skip("Node '%s' already exists: Skipping.", name)
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
	changes := make([]change, 0, len(fresh))
	encrypted := make([]string, len(fresh))
	for i, name := range fresh {
		enc, err := enterprise.EncryptData(e.TreeKey, name)
		if err != nil {
			return fmt.Errorf("%s: %w", enCmd, err)
		}
		encrypted[i] = enc
	}
	first, err := o.Writer.AllocateIDs(ctx, len(fresh))
	if err != nil {
		return err
	}
	for i, name := range fresh {
		id := first + int64(i)
		changes = append(changes, change{
			cmd: enterprise.NodeAdd{NodeID: id, ParentID: parent.NodeId, EncryptedData: encrypted[i]},
			ok:  fmt.Sprintf("Node '%s' is created with Node ID: %d", name, id), failed: fmt.Sprintf("Failed to create node '%s'", name)})
	}
	if _, err := out.send(ctx, o.Writer, changes); err != nil {
		return err
	}
	return out.err()
}

// nodeDelete deletes empty nodes after confirmation. A node that still holds
// subnodes, users, roles or teams is refused with what it holds (nodes
// deleted in the same command do not count); the rest are deleted deepest
// first, as Commander orders them.
func nodeDelete(ctx context.Context, o *enterpriseNodeOptions, e *enterprise.Enterprise, nodes []*enterprise.Node, out *outcome) error {
	deleting := map[int64]bool{}
	for _, n := range nodes {
		deleting[n.NodeId] = true
	}
	var ok []*enterprise.Node
	for _, n := range nodes {
		if n.ParentId == 0 {
			out.fail("'%s' is the root node and cannot be deleted", n.Name)
			continue
		}
		if held := nodeContents(e, n.NodeId, deleting); len(held) > 0 {
			out.fail("'%s' node is not deleted: it still holds %s; move or delete them first", n.Name, strings.Join(held, "; "))
			continue
		}
		ok = append(ok, n)
	}
	if len(ok) == 0 {
		return out.err()
	}
	depth := func(n *enterprise.Node) int { return strings.Count(e.NodePath(n.NodeId), "\\") }
	sort.SliceStable(ok, func(i, j int) bool { return depth(ok[i]) > depth(ok[j]) })
	items := make([]deletion, len(ok))
	for i, n := range ok {
		items[i] = deletion{label: e.NodePath(n.NodeId), name: n.Name, cmd: enterprise.NodeDelete{NodeID: n.NodeId}}
	}
	return deleteAll(ctx, o.Writer, o.Confirm, o.Force, enCmd, "node", items, out)
}

// nodeContents lists what node id still holds, leaving out subnodes that
// are being deleted too.
func nodeContents(e *enterprise.Enterprise, id int64, deleting map[int64]bool) []string {
	var subnodes, users, roles, teams []string
	for _, c := range e.Children(id) {
		if !deleting[c.NodeId] {
			subnodes = append(subnodes, c.Name)
		}
	}
	for _, u := range e.Users {
		if u.NodeId == id {
			users = append(users, u.Username)
		}
	}
	for _, r := range e.Roles {
		if r.NodeId == id {
			roles = append(roles, r.Name)
		}
	}
	for _, t := range e.Teams {
		if t.NodeId == id {
			teams = append(teams, t.Name)
		}
	}
	for _, q := range e.QueuedTeams {
		if q.NodeId == id {
			teams = append(teams, q.Name+" (queued)")
		}
	}
	var held []string
	for _, g := range []struct {
		what  string
		names []string
	}{{"subnode", subnodes}, {"user", users}, {"role", roles}, {"team", teams}} {
		if len(g.names) > 0 {
			held = append(held, fmt.Sprintf("%s: %s", plural(len(g.names), g.what), shortList(sorted(g.names), 5)))
		}
	}
	return held
}

// shortList joins up to limit names and says how many more there are.
func shortList(names []string, limit int) string {
	if len(names) <= limit {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:limit], ", "), len(names)-limit)
}

// nodeToggleIsolated flips each node's isolation with one REST call per
// node, then syncs once if any call succeeded.
func nodeToggleIsolated(ctx context.Context, o *enterpriseNodeOptions, nodes []*enterprise.Node, out *outcome) error {
	changed := 0
	var stop error
	for _, n := range nodes {
		if stop != nil {
			out.fail("node '%s': isolation not toggled: not sent after the failure above", n.Name)
			continue
		}
		err := o.REST.Call(ctx, "enterprise/set_restrict_visibility", &pb.SetRestrictVisibilityRequest{NodeId: n.NodeId}, nil)
		if err != nil {
			out.serverFail(err, "node '%s': toggle isolation failed: %s", n.Name, restMessage(err))
			var api *rest.APIError
			if !errors.As(err, &api) {
				stop = err
			}
			continue
		}
		changed++
		if n.RestrictVisibility {
			out.done("'%s' node is no longer isolated", n.Name)
		} else {
			out.done("'%s' node is isolated", n.Name)
		}
	}
	if changed > 0 {
		if err := o.REST.Refresh(ctx); err != nil {
			return fmt.Errorf("the change was made, but reloading the enterprise data failed: %w", err)
		}
	}
	if stop != nil {
		return stop
	}
	return out.err()
}

// nodeUpdate renames (--name, re-encrypting the display name) or moves
// (--parent) existing nodes with node_update. A move under the node itself
// or one of its subnodes is refused here, before the server sees it.
func nodeUpdate(ctx context.Context, o *enterpriseNodeOptions, e *enterprise.Enterprise, nodes []*enterprise.Node, out *outcome) error {
	var parent *enterprise.Node
	if o.Parent != "" {
		p, err := e.Node(o.Parent)
		if err != nil {
			return fmt.Errorf("%s: parent: %w", enCmd, err)
		}
		parent = p
	}
	var changes []change
	for _, n := range nodes {
		parentID := n.ParentId
		if parent != nil {
			switch {
			case n.ParentId == 0:
				out.fail("'%s' is the root node and cannot be moved", n.Name)
				continue
			case isUnder(e, parent.NodeId, n.NodeId):
				out.fail("Cannot move node '%s' under itself or one of its subnodes ('%s')", n.Name, e.NodePath(parent.NodeId))
				continue
			case n.ParentId == parent.NodeId && o.Name == "":
				out.skip("Node '%s' is already under '%s': Skipping.", n.Name, e.NodePath(parent.NodeId))
				continue
			}
			parentID = parent.NodeId
		}
		enc := n.EncryptedData
		if o.Name != "" {
			var err error
			if enc, err = enterprise.EncryptData(e.TreeKey, o.Name); err != nil {
				return fmt.Errorf("%s: %w", enCmd, err)
			}
		}
		changes = append(changes, change{cmd: enterprise.NodeUpdate{NodeID: n.NodeId, ParentID: parentID, EncryptedData: enc},
			ok: fmt.Sprintf("'%s' node is updated", n.Name), failed: fmt.Sprintf("'%s' node is not updated", n.Name)})
	}
	if _, err := out.send(ctx, o.Writer, changes); err != nil {
		return err
	}
	return out.err()
}

// isUnder reports whether node id is ancestor or lies below it, walking
// parent links up from id.
func isUnder(e *enterprise.Enterprise, id, ancestor int64) bool {
	for steps := 0; steps <= len(e.Nodes) && id != 0; steps++ {
		if id == ancestor {
			return true
		}
		n, ok := e.Nodes[id]
		if !ok {
			return false
		}
		id = n.ParentId
	}
	return false
}

// nodeView shows the nodes: path, isolation and what each holds.
func nodeView(o *enterpriseNodeOptions, e *enterprise.Enterprise, nodes []*enterprise.Node) error {
	ix := newIndex(e)
	r := report.Report{Headers: []string{"node_id", "name", "path", "parent_id", "isolated", "subnodes", "users", "roles", "teams"},
		TitleFunc: report.CapitalizeWords}
	var js []enNodeJSON
	for _, n := range nodes {
		var subnodes []string
		for _, c := range e.Children(n.NodeId) {
			subnodes = append(subnodes, c.Name)
		}
		j := enNodeJSON{NodeID: n.NodeId, Name: n.Name, Path: e.NodePath(n.NodeId), ParentID: n.ParentId,
			Isolated: n.RestrictVisibility, Subnodes: nonNil(subnodes), Users: nonNil(sorted(ix.nodeUsers[n.NodeId])),
			Roles: nonNil(sorted(ix.nodeRoles[n.NodeId])), Teams: nonNil(sorted(ix.nodeTeams[n.NodeId]))}
		var parent any
		if n.ParentId != 0 {
			parent = n.ParentId
		}
		r.Rows = append(r.Rows, []any{j.NodeID, j.Name, j.Path, parent, j.Isolated, j.Subnodes, j.Users, j.Roles, j.Teams})
		js = append(js, j)
	}
	r.JSON = js
	return report.Render(o.Env.Out, o.Env.Err, r, o.Report)
}
