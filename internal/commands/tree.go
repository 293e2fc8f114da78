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

// writeTree prints enterprise-info's tree view in the style of Python's
// asciitree LeftAligned (" +-- child", " |   +-- grandchild").
func writeTree(w io.Writer, e *enterprise.Enterprise, scope map[int64]bool, verbose bool) error {
	ix := newIndex(e)
	var build func(n *enterprise.Node, depth int) *treeNode
	build = func(n *enterprise.Node, depth int) *treeNode {
		label := n.Name
		if depth > 0 {
			label = "[" + label + "]"
		}
		if verbose {
			label += fmt.Sprintf(" (%d)", n.NodeId)
		}
		if n.RestrictVisibility {
			label += " |Isolated| "
		}
		t := &treeNode{label: label}
		if depth > 100 {
			return t
		}
		for _, c := range e.Children(n.NodeId) {
			if scope[c.NodeId] {
				t.children = append(t.children, build(c, depth+1))
			}
		}
		users, roles, teams := ix.nodeUsers[n.NodeId], ix.nodeRoles[n.NodeId], ix.nodeTeams[n.NodeId]
		if !verbose {
			for _, c := range []struct {
				n    int
				what string
			}{{len(users), "user"}, {len(roles), "role"}, {len(teams), "team"}} {
				if c.n > 0 {
					t.children = append(t.children, &treeNode{label: plural(c.n, c.what)})
				}
			}
			return t
		}
		group := func(title string, items []string) {
			if len(items) > 0 {
				g := &treeNode{label: title}
				for _, s := range items {
					g.children = append(g.children, &treeNode{label: s})
				}
				t.children = append(t.children, g)
			}
		}
		var us, rs, ts []string
		for _, u := range e.Users {
			if u.NodeId == n.NodeId {
				us = append(us, fmt.Sprintf("%s (%d)", u.Username, u.EnterpriseUserId))
			}
		}
		for _, r := range e.Roles {
			if r.NodeId == n.NodeId {
				rs = append(rs, fmt.Sprintf("%s (%d)", r.Name, r.RoleId))
			}
		}
		for _, tm := range e.Teams {
			if tm.NodeId == n.NodeId {
				ts = append(ts, fmt.Sprintf("%s (%s)", tm.Name, tm.UID))
			}
		}
		sort.Strings(us)
		sort.Strings(rs)
		sort.Strings(ts)
		group("User(s)", us)
		group("Role(s)", rs)
		group("Teams(s)", ts)
		return t
	}
	var roots []*enterprise.Node
	for id := range scope {
		n := e.Nodes[id]
		if n != nil && (n.ParentId == 0 || !scope[n.ParentId]) {
			roots = append(roots, n)
		}
	}
	sort.Slice(roots, func(i, j int) bool { return strings.ToLower(roots[i].Name) < strings.ToLower(roots[j].Name) })
	var b strings.Builder
	for _, r := range roots {
		depth := 0
		if r.ParentId != 0 {
			depth = 1 // a --node scope: show the top node bracketed like any child
		}
		t := build(r, depth)
		b.WriteString(t.label + "\n")
		printChildren(&b, t.children, " ")
	}
	_, err := io.WriteString(w, b.String())
	return err
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
