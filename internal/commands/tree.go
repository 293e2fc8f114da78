package commands

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// treeNode is one line of the ASCII tree and its children.
type treeNode struct {
	label    string
	children []*treeNode
}

// treeCap is where Commander's tree stops listing roles and teams of a node:
// after the entry at index treeCap it adds "N More Role(s)" with N counted
// from that index, so one more than are left.
const treeCap = 50

// writeTree prints enterprise-info's tree view as Commander's
// EnterpriseInfoCommand builds it (keepercommander/commands/enterprise.py)
// and Python's asciitree LeftAligned draws it (" +-- child",
// " |   +-- grandchild"). A top node is labelled with its plain name (the
// enterprise name for the root), child nodes as "[Name]"; with verbose the
// id goes inside: "[Name (id)]"; an isolated node gets " |Isolated| ".
// Several top nodes hang under an empty root line.
func writeTree(w io.Writer, v *eiView, scope map[int64]bool, verbose bool) error {
	var roots []*enterprise.Node
	for _, n := range v.nodes {
		if n.ParentId == 0 || !scope[n.ParentId] {
			roots = append(roots, n)
		}
	}
	sortBy(roots, func(n *enterprise.Node) string { return n.Name })
	var top []*treeNode
	for _, r := range roots {
		label := r.Name
		if verbose {
			label += fmt.Sprintf(" (%d)", r.NodeId)
		}
		if r.RestrictVisibility {
			label += " |Isolated| "
		}
		top = append(top, &treeNode{label: label, children: v.treeChildren(r, verbose, 0)})
	}
	var b strings.Builder
	switch len(top) {
	case 0:
	case 1:
		b.WriteString(top[0].label + "\n")
		printChildren(&b, top[0].children, " ")
	default:
		b.WriteString("\n")
		printChildren(&b, top, " ")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sortBy sorts s stably by key in code point order, as Python's sort does.
func sortBy[T any](s []T, key func(T) string) {
	sort.SliceStable(s, func(i, j int) bool { return key(s[i]) < key(s[j]) })
}

// treeChildren is what hangs under node n: its child nodes by name, then
// its users, roles, teams and queued teams (counters, or with verbose the
// entries themselves).
func (v *eiView) treeChildren(n *enterprise.Node, verbose bool, depth int) []*treeNode {
	var out []*treeNode
	if depth < 100 {
		var kids []*enterprise.Node
		for _, c := range v.nodes {
			if c.ParentId == n.NodeId && c.NodeId != n.NodeId {
				kids = append(kids, c)
			}
		}
		sortBy(kids, func(c *enterprise.Node) string { return c.Name })
		for _, c := range kids {
			name := c.Name
			if verbose {
				name += fmt.Sprintf(" (%d)", c.NodeId)
			}
			label := "[" + name + "]"
			if c.RestrictVisibility {
				label += " |Isolated| "
			}
			out = append(out, &treeNode{label: label, children: v.treeChildren(c, verbose, depth+1)})
		}
	}
	users, roles, teams, queued := v.nodeUsers[n.NodeId], v.nodeRoles[n.NodeId], v.nodeTeams[n.NodeId], v.nodeQueued[n.NodeId]
	if !verbose {
		for _, c := range []struct {
			n    int
			what string
		}{{len(users), "user"}, {len(roles), "role"}, {len(teams), "team"}, {len(queued), "queued team"}} {
			if c.n > 0 {
				out = append(out, &treeNode{label: plural(c.n, c.what)})
			}
		}
		return out
	}
	group := func(title, more string, labels []string, capped bool) {
		if len(labels) == 0 {
			return
		}
		g := &treeNode{label: title}
		for i, s := range labels {
			g.children = append(g.children, &treeNode{label: s})
			if capped && i >= treeCap {
				g.children = append(g.children, &treeNode{label: fmt.Sprintf("%d More %s", len(labels)-i, more)})
				break
			}
		}
		out = append(out, g)
	}
	us := append([]*enterprise.User(nil), users...)
	sortBy(us, func(u *enterprise.User) string { return u.Username })
	rs := append([]*enterprise.Role(nil), roles...)
	sortBy(rs, func(r *enterprise.Role) string { return r.Name })
	ts := append([]*enterprise.Team(nil), teams...)
	sortBy(ts, func(t *enterprise.Team) string { return t.Name })
	qs := append([]*enterprise.QueuedTeam(nil), queued...)
	sortBy(qs, func(q *enterprise.QueuedTeam) string { return q.Name })
	var ul, rl, tl, ql []string
	for _, u := range us {
		ul = append(ul, fmt.Sprintf("%s (%d)", u.Username, u.EnterpriseUserId))
	}
	for _, r := range rs {
		rl = append(rl, fmt.Sprintf("%s (%d)", r.Name, r.RoleId))
	}
	for _, t := range ts {
		tl = append(tl, fmt.Sprintf("%s (%s)", t.Name, t.UID))
	}
	for _, q := range qs {
		ql = append(ql, fmt.Sprintf("%s (%s)", q.Name, q.UID))
	}
	group("User(s)", "", ul, false)
	group("Role(s)", "Role(s)", rl, true)
	group("Teams(s)", "Team(s)", tl, true)
	group("Queued Teams(s)", "Queued Team(s)", ql, true)
	return out
}

func printChildren(b *strings.Builder, children []*treeNode, prefix string) {
	for i, c := range children {
		b.WriteString(prefix + "+-- " + c.label + "\n")
		next := prefix + "|   "
		if i == len(children)-1 {
			next = prefix + "    "
		}
		printChildren(b, c.children, next)
	}
}
