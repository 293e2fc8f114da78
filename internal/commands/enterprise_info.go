package commands

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/report"
)

// Listing columns (brief 02 §3.2): defaults, then every supported extra in
// display order.
var eiColumns = map[string]struct{ first, defaults, all []string }{
	"nodes": {[]string{"node_id", "name"}, []string{"parent_node", "parent_id", "user_count", "team_count", "role_count"},
		[]string{"parent_node", "parent_id", "user_count", "users", "team_count", "teams", "role_count", "roles", "isolated"}},
	"users": {[]string{"user_id", "email"}, []string{"name", "status", "transfer_status", "node"},
		[]string{"name", "status", "transfer_status", "node", "team_count", "teams", "role_count", "roles", "alias", "2fa_enabled", "job_title"}},
	"teams": {[]string{"team_uid", "name"}, []string{"restricts", "node", "user_count"},
		[]string{"restricts", "node", "user_count", "users", "role_count", "roles"}},
	"roles": {[]string{"role_id", "name"}, []string{"default_role", "admin", "node", "user_count"},
		[]string{"visible_below", "default_role", "admin", "node", "user_count", "users", "team_count", "teams",
			"enforcement_count", "enforcements", "managed_node_count", "managed_nodes"}},
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
// columns and every supported extra of each listing.
func eiJSONKeys() []string {
	seen := map[string]bool{}
	var keys []string
	for _, kind := range []string{"nodes", "users", "teams", "roles"} {
		c := eiColumns[kind]
		for _, k := range append(append([]string(nil), c.first...), c.all...) {
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
	e, err := o.Source.Enterprise(ctx, false)
	if err != nil {
		return err
	}
	scope, err := nodeScope(e, o.Node)
	if err != nil {
		return err
	}
	if !o.Quiet {
		fmt.Fprintf(env.Err, "Enterprise name: %s\n\n", e.Name)
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
	if kind == "" {
		return writeTree(env.Out, e, scope, o.Verbose)
	}
	cols := pickColumns(env.Err, kind, o.Columns)
	r := listing(e, kind, cols, scope)
	if len(o.Args) == 1 {
		r.Rows = filterRows(r.Rows, o.Args[0])
	}
	return report.Render(env.Out, env.Err, r, o.Report)
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

func pickColumns(errw io.Writer, kind, spec string) []string {
	def := eiColumns[kind]
	if spec == "" {
		return append(append([]string(nil), def.first...), def.defaults...)
	}
	spec = strings.TrimSpace(spec)
	if i := strings.IndexByte(spec, '('); i >= 0 && strings.HasSuffix(spec, ")") {
		spec = spec[i+1 : len(spec)-1]
	}
	want := map[string]bool{}
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
		if want[a] {
			cols = append(cols, a)
		}
	}
	return cols
}

func filterRows(rows [][]any, pattern string) [][]any {
	p := strings.ToLower(pattern)
	var out [][]any
	for _, r := range rows {
		for _, c := range r {
			if strings.Contains(strings.ToLower(fmt.Sprint(c)), p) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func listing(e *enterprise.Enterprise, kind string, cols []string, scope map[int64]bool) report.Report {
	ix := newIndex(e)
	r := report.Report{Headers: cols, TitleFunc: report.CapitalizeWords}
	var keyed []struct {
		key string
		row []any
	}
	add := func(key string, vals map[string]any) {
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = vals[c]
		}
		keyed = append(keyed, struct {
			key string
			row []any
		}{strings.ToLower(key), row})
	}
	switch kind {
	case "nodes":
		for _, n := range e.Nodes {
			if scope[n.NodeId] {
				add(n.Name, ix.nodeRow(n))
			}
		}
	case "users":
		r.TitleFunc = nil // users use field_to_title (User ID, 2FA Enabled)
		for _, u := range e.Users {
			if scope[u.NodeId] {
				add(u.Username, ix.userRow(u))
			}
		}
	case "teams":
		for _, t := range e.Teams {
			if scope[t.NodeId] {
				add(t.Name, ix.teamRow(t))
			}
		}
	case "roles":
		for _, ro := range e.Roles {
			if scope[ro.NodeId] {
				add(ro.Name, ix.roleRow(ro))
			}
		}
	}
	sort.SliceStable(keyed, func(i, j int) bool { return keyed[i].key < keyed[j].key })
	for _, k := range keyed {
		r.Rows = append(r.Rows, k.row)
	}
	return r
}
