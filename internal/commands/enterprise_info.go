package commands

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/report"
)

// Listing columns (Commander SUPPORTED_*_COLUMNS in
// keepercommander/commands/enterprise.py): the first two, the defaults, then
// every supported extra in display order. "provisioning" is not a column of
// its own: it adds provisioningColumns (those with data) at the end.
var eiColumns = map[string]struct{ first, defaults, all []string }{
	"nodes": {[]string{"node_id", "name"}, []string{"parent_node", "parent_id", "user_count", "team_count", "role_count"},
		[]string{"parent_node", "parent_id", "user_count", "users", "team_count", "teams", "role_count", "roles", "provisioning", "isolated"}},
	"users": {[]string{"user_id", "email"}, []string{"name", "status", "transfer_status", "node"},
		[]string{"name", "status", "transfer_status", "node", "team_count", "teams", "role_count", "roles", "alias", "2fa_enabled", "job_title"}},
	"teams": {[]string{"team_uid", "name"}, []string{"restricts", "node", "user_count"},
		[]string{"restricts", "node", "user_count", "users", "queued_user_count", "queued_users", "role_count", "roles"}},
	"roles": {[]string{"role_id", "name"}, []string{"default_role", "admin", "node", "user_count"},
		[]string{"visible_below", "default_role", "admin", "node", "user_count", "users", "team_count", "teams",
			"enforcement_count", "enforcements", "managed_node_count", "managed_nodes", "managed_nodes_permissions"}},
}

type enterpriseInfoOptions struct {
	base
	Source                     enterpriseSource
	Nodes, Users, Teams, Roles bool
	Verbose, Quiet             bool
	Node, Columns              string
	Report                     report.Options
}

func newEnterpriseInfoCmd(f *Factory, runF func(context.Context, *enterpriseInfoOptions) error) *command.Command {
	return &command.Command{
		Name: "enterprise-info", Aliases: []string{"ei"}, Group: GroupEnterprise, Needs: command.NeedEnterpriseAdmin,
		Summary:     "Display a tree structure of your enterprise",
		Args:        "[PATTERN]",
		Long:        "With -n, -u, -t or -r one listing (the first of nodes, users, teams, roles); without, the node tree. PATTERN keeps rows with a cell containing it.",
		Completions: map[string]command.CompletionKind{"node": command.CompleteNode},
		Examples:    []string{"ei", "ei --users", "ei -u --columns teams,roles --format csv", "ei --roles admin", "ei --node Europe -v"},
		JSON:        eiJSONKeys(),
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &enterpriseInfoOptions{Source: f.Session}
			fs.BoolVarP(&o.Nodes, "nodes", "n", false, "list nodes")
			fs.BoolVarP(&o.Users, "users", "u", false, "list users")
			fs.BoolVarP(&o.Teams, "teams", "t", false, "list teams")
			fs.BoolVarP(&o.Roles, "roles", "r", false, "list roles")
			fs.BoolVarP(&o.Verbose, "verbose", "v", false, "tree: show users, roles and teams with ids")
			fs.BoolVarP(&o.Quiet, "quiet", "q", false, "do not print the enterprise name")
			fs.StringVar(&o.Node, "node", "", "limit to a `NODE` (name, id or path) and its descendants")
			fs.StringVar(&o.Columns, "columns", "", "comma-separated extra `COLUMNS` of the listing")
			o.Report.AddFlags(fs)
			return runner(o, runF, enterpriseInfoRun)
		},
	}
}

// eiJSONKeys documents every key a listing can carry in JSON: the first
// columns and every supported extra of each listing, with "provisioning"
// replaced by the columns it expands to.
func eiJSONKeys() []string {
	seen := map[string]bool{"provisioning": true}
	var keys []string
	for _, kind := range []string{"nodes", "users", "teams", "roles"} {
		c := eiColumns[kind]
		all := append(append([]string(nil), c.first...), c.all...)
		if kind == "nodes" {
			all = append(all, provisioningColumns...)
		}
		for _, k := range all {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func enterpriseInfoRun(ctx context.Context, o *enterpriseInfoOptions) error {
	env := o.Env
	if err := o.Report.Validate(); err != nil {
		return err
	}
	kind := ""
	switch {
	case o.Nodes:
		kind = "nodes"
	case o.Users:
		kind = "users"
	case o.Teams:
		kind = "teams"
	case o.Roles:
		kind = "roles"
	}
	// Display names of users cost a decryption each and only the users
	// listing shows them.
	parts := enterprise.PartAll
	if kind != "users" {
		parts &^= enterprise.PartUserNames
	}
	// The nodes listing needs the users themselves only for the users
	// column (see below); user_count comes from Enterprise.UserCounts,
	// which reads just the node of each user record.
	if kind == "nodes" {
		parts &^= enterprise.PartUsers
	}
	e, err := o.Source.Enterprise(enterprise.WithParts(ctx, parts), false)
	if err != nil {
		return err
	}
	scope, err := nodeScope(e, o.Node)
	if err != nil {
		return err
	}
	if !o.Quiet {
		fmt.Fprintf(env.Err, "Enterprise name: %s\n", e.Name)
	}
	if o.Node != "" {
		fmt.Fprintf(env.Err, "Output is limited to %q node\n", strings.ToLower(o.Node))
	}
	if !o.Quiet {
		fmt.Fprintln(env.Err)
	}
	if kind == "" {
		return writeTree(env.Out, newEIView(e, scope), scope, o.Verbose)
	}
	cols := pickColumns(env.Err, e, kind, o.Columns)
	if slices.Contains(cols, "users") {
		e.Ensure(enterprise.PartUsers)
	}
	v := newEIView(e, scope)
	pattern := ""
	if len(o.Args) == 1 {
		pattern = o.Args[0]
	}
	return report.Render(env.Out, env.Err, v.listing(kind, cols, pattern, o.Report.Format == report.JSON), o.Report)
}

// nodeScope is the set of nodes a listing covers: everything, or --node and
// its descendants.
func nodeScope(e *enterprise.Enterprise, name string) (map[int64]bool, error) {
	scope := map[int64]bool{}
	if name == "" {
		for id := range e.Nodes {
			scope[id] = true
		}
		return scope, nil
	}
	n, err := e.Node(name)
	if err != nil {
		return nil, err
	}
	var walk func(id int64, depth int)
	walk = func(id int64, depth int) {
		if scope[id] || depth > 100 {
			return
		}
		scope[id] = true
		for _, c := range e.Children(id) {
			walk(c.NodeId, depth+1)
		}
	}
	walk(n.NodeId, 0)
	return scope, nil
}

// pickColumns returns the listing's columns: the first two, then the
// requested (or default) extras in display order. As in Commander, the
// teams default adds queued_user_count when any team has queued users,
// and provisioning expands to the provisioning columns with data.
func pickColumns(errw io.Writer, e *enterprise.Enterprise, kind, spec string) []string {
	def := eiColumns[kind]
	want := map[string]bool{}
	if spec == "" {
		for _, c := range def.defaults {
			want[c] = true
		}
		want["queued_user_count"] = kind == "teams" && len(e.QueuedTeamUsers) > 0
	}
	spec = strings.TrimSpace(spec)
	if i := strings.IndexByte(spec, '('); i >= 0 && strings.HasSuffix(spec, ")") {
		spec = spec[i+1 : len(spec)-1]
	}
	for _, c := range strings.Split(spec, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		known := false
		for _, a := range def.all {
			known = known || a == c
		}
		if !known {
			fmt.Fprintf(errw, "warning: unknown column %q; supported: %s\n", c, strings.Join(def.all, ", "))
			continue
		}
		want[c] = true
	}
	cols := append([]string(nil), def.first...)
	for _, a := range def.all {
		if want[a] && a != "provisioning" {
			cols = append(cols, a)
		}
	}
	if want["provisioning"] {
		prov := provisioning(e)
		for _, c := range provisioningColumns {
			if prov[c] != nil {
				cols = append(cols, c)
			}
		}
	}
	return cols
}

// matches is Commander's listing pattern test: some non-empty cell whose
// str() contains the pattern, case-insensitively.
func matches(row []any, pattern string) bool {
	p := strings.ToLower(pattern)
	for _, c := range row {
		if report.PyTruthy(c) && strings.Contains(strings.ToLower(report.PyStr(c)), p) {
			return true
		}
	}
	return false
}

// listing builds one listing in Commander's row order: entities in server
// order (teams before queued teams), filtered by pattern, then stably
// sorted by the name/email column (code point order).
func (v *eiView) listing(kind string, cols []string, pattern string, asJSON bool) report.Report {
	r := report.Report{Headers: cols, TitleFunc: report.CapitalizeWords}
	var rows []map[string]any
	switch kind {
	case "nodes":
		prov, counts := provisioning(v.e), v.e.UserCounts()
		for _, n := range v.nodes {
			rows = append(rows, v.nodeRow(n, prov, counts))
		}
	case "users":
		r.TitleFunc = nil // users use field_to_title (User ID, 2FA Enabled)
		for _, u := range v.users {
			rows = append(rows, v.userRow(u))
		}
	case "teams":
		for _, t := range v.teams {
			rows = append(rows, v.teamRow(t))
		}
		for _, q := range v.queued {
			rows = append(rows, v.queuedTeamRow(q))
		}
	case "roles":
		for _, ro := range v.roles {
			rows = append(rows, v.roleRow(ro, asJSON))
		}
	}
	for _, vals := range rows {
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = vals[c]
		}
		if pattern == "" || matches(row, pattern) {
			r.Rows = append(r.Rows, row)
		}
	}
	sort.SliceStable(r.Rows, func(i, j int) bool { return fmt.Sprint(r.Rows[i][1]) < fmt.Sprint(r.Rows[j][1]) })
	return r
}
