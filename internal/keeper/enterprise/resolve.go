package enterprise

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// AmbiguousError lists the candidates when a name matches several entities.
type AmbiguousError struct {
	What       string // "node", "role" ...
	Name       string
	Candidates []string // "Name (id)"
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("more than one %s named %q: %s; use the id", e.What, e.Name, strings.Join(e.Candidates, ", "))
}

// NotFoundError says a name or id matched nothing.
type NotFoundError struct{ What, Name string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.What, e.Name) }

// Root returns the root node: the node whose id's low 32 bits are 2, else
// the first node without a parent.
func (e *Enterprise) Root() *Node {
	e.Ensure(PartNodes)
	var fallback *Node
	for _, n := range e.Nodes {
		if n.NodeId&0xFFFFFFFF == 2 {
			return n
		}
		if n.ParentId == 0 && (fallback == nil || n.NodeId < fallback.NodeId) {
			fallback = n
		}
	}
	return fallback
}

// NodePath joins display names from the root down with a backslash.
func (e *Enterprise) NodePath(id int64) string {
	e.Ensure(PartNodes)
	var parts []string
	for seen := 0; seen < 1000; seen++ {
		n, ok := e.Nodes[id]
		if !ok {
			break
		}
		parts = append(parts, n.Name)
		if n.ParentId == 0 {
			break
		}
		id = n.ParentId
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "\\")
}

// IsMSP reports whether any license status starts with "msp".
func (e *Enterprise) IsMSP() bool {
	e.Ensure(PartLicenses)
	for _, l := range e.Licenses {
		if strings.HasPrefix(l.LicenseStatus, "msp") {
			return true
		}
	}
	return false
}

// MSPPermits returns the permits of the first license that has them
// restricted, or nil.
func (e *Enterprise) MSPPermits() *pb.MSPPermits {
	e.Ensure(PartLicenses)
	for _, l := range e.Licenses {
		if p := l.MspPermits; p != nil && p.Restricted {
			return p
		}
	}
	return nil
}

// Node resolves a node by id, display name (case-insensitive) or backslash
// path from the root.
func (e *Enterprise) Node(name string) (*Node, error) {
	e.Ensure(PartNodes)
	if id, err := strconv.ParseInt(name, 10, 64); err == nil {
		if n, ok := e.Nodes[id]; ok {
			return n, nil
		}
	}
	var found []*Node
	for _, n := range e.Nodes {
		if strings.EqualFold(n.Name, name) || (strings.Contains(name, "\\") && strings.EqualFold(e.NodePath(n.NodeId), name)) {
			found = append(found, n)
		}
	}
	return only("node", name, found, func(n *Node) string { return fmt.Sprintf("%s (%d)", e.NodePath(n.NodeId), n.NodeId) })
}

// Role resolves a role by id or display name (case-insensitive).
func (e *Enterprise) Role(name string) (*Role, error) {
	e.Ensure(PartRoles)
	if id, err := strconv.ParseInt(name, 10, 64); err == nil {
		if r, ok := e.Roles[id]; ok {
			return r, nil
		}
	}
	var found []*Role
	for _, r := range e.Roles {
		if strings.EqualFold(r.Name, name) {
			found = append(found, r)
		}
	}
	return only("role", name, found, func(r *Role) string { return fmt.Sprintf("%s (%d)", r.Name, r.RoleId) })
}

// Team resolves a team by uid or name (case-insensitive).
func (e *Enterprise) Team(name string) (*Team, error) {
	e.Ensure(PartTeams)
	if t, ok := e.Teams[name]; ok {
		return t, nil
	}
	var found []*Team
	for _, t := range e.Teams {
		if strings.EqualFold(t.Name, name) {
			found = append(found, t)
		}
	}
	return only("team", name, found, func(t *Team) string { return fmt.Sprintf("%s (%s)", t.Name, t.UID) })
}

// User resolves a user by enterprise user id, email or alias
// (case-insensitive).
func (e *Enterprise) User(name string) (*User, error) {
	e.Ensure(PartUserNames | PartUserAliases)
	if id, err := strconv.ParseInt(name, 10, 64); err == nil {
		if u, ok := e.Users[id]; ok {
			return u, nil
		}
	}
	for _, u := range e.Users {
		if strings.EqualFold(u.Username, name) {
			return u, nil
		}
	}
	for _, a := range e.UserAliases {
		if strings.EqualFold(a.Username, name) {
			if u, ok := e.Users[a.EnterpriseUserId]; ok {
				return u, nil
			}
		}
	}
	return nil, &NotFoundError{What: "user", Name: name}
}

// ManagedCompany finds an MC as Commander does: an integer-looking argument
// matches the id only, anything else the name case-insensitively.
func (e *Enterprise) ManagedCompany(name string) (*pb.ManagedCompany, error) {
	e.Ensure(PartManagedCompanies)
	s := strings.TrimSpace(name)
	if id, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 32); err == nil {
		if mc, ok := e.ManagedCompanies[int32(id)]; ok {
			return mc, nil
		}
		return nil, &NotFoundError{What: "managed company", Name: name}
	}
	for _, mc := range e.SortedManagedCompanies() {
		if strings.EqualFold(mc.McEnterpriseName, s) {
			return mc, nil
		}
	}
	return nil, &NotFoundError{What: "managed company", Name: name}
}

// SortedManagedCompanies lists MCs by lower-cased name, then id.
func (e *Enterprise) SortedManagedCompanies() []*pb.ManagedCompany {
	e.Ensure(PartManagedCompanies)
	type keyed struct {
		key string // lower-cased name, computed once per company
		mc  *pb.ManagedCompany
	}
	all := make([]keyed, 0, len(e.ManagedCompanies))
	for _, mc := range e.ManagedCompanies {
		all = append(all, keyed{strings.ToLower(mc.McEnterpriseName), mc})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].key != all[j].key {
			return all[i].key < all[j].key
		}
		return all[i].mc.McEnterpriseId < all[j].mc.McEnterpriseId
	})
	out := make([]*pb.ManagedCompany, len(all))
	for i, k := range all {
		out[i] = k.mc
	}
	return out
}

// Children returns the child nodes of a node.
func (e *Enterprise) Children(id int64) []*Node {
	e.Ensure(PartNodes)
	var out []*Node
	for _, n := range e.Nodes {
		if n.ParentId == id && n.NodeId != id {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// only returns the single match, or a not-found or ambiguity error listing
// the candidates by label.
func only[T any](what, name string, found []T, label func(T) string) (T, error) {
	var zero T
	switch len(found) {
	case 0:
		return zero, &NotFoundError{What: what, Name: name}
	case 1:
		return found[0], nil
	}
	amb := &AmbiguousError{What: what, Name: name}
	for _, f := range found {
		amb.Candidates = append(amb.Candidates, label(f))
	}
	sort.Strings(amb.Candidates)
	return zero, amb
}
