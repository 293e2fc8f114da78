package commands

import (
	"sort"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// orgIndex names what each node, role and team holds, for the detail
// views of enterprise-node, -role and -team; it is built on the same view
// of the enterprise as enterprise-info (eiView), over every node.
type orgIndex struct {
	nodeUsers, nodeRoles, nodeTeams map[int64][]string
	roleUsers, roleTeams            map[int64][]string
	roleManaged                     map[int64][]string
	managedRoles                    map[int64]bool
	teamUsers, teamRoles            map[string][]string
}

func newIndex(e *enterprise.Enterprise) *orgIndex {
	all := map[int64]bool{}
	for id := range e.Nodes {
		all[id] = true
	}
	v := newEIView(e, all)
	ix := &orgIndex{nodeUsers: map[int64][]string{}, nodeRoles: map[int64][]string{}, nodeTeams: map[int64][]string{},
		roleUsers: map[int64][]string{}, roleTeams: map[int64][]string{}, roleManaged: map[int64][]string{},
		managedRoles: v.admin, teamUsers: map[string][]string{}, teamRoles: map[string][]string{}}
	for node, us := range v.nodeUsers {
		for _, u := range us {
			ix.nodeUsers[node] = append(ix.nodeUsers[node], u.Username)
		}
	}
	for node, rs := range v.nodeRoles {
		for _, r := range rs {
			ix.nodeRoles[node] = append(ix.nodeRoles[node], r.Name)
		}
	}
	for node, ts := range v.nodeTeams {
		for _, t := range ts {
			ix.nodeTeams[node] = append(ix.nodeTeams[node], t.Name)
		}
	}
	for role, ids := range v.roleUsers {
		ix.roleUsers[role] = v.emails(ids)
	}
	for role, uids := range v.roleTeams {
		ix.roleTeams[role] = v.teamNames(uids)
	}
	for uid, ids := range v.teamUsers {
		ix.teamUsers[uid] = v.emails(ids)
	}
	for uid, ids := range v.teamRoles {
		ix.teamRoles[uid] = v.roleNames(ids)
	}
	for _, mn := range e.ManagedNodes {
		ix.roleManaged[mn.RoleId] = append(ix.roleManaged[mn.RoleId], e.NodePath(mn.ManagedNodeId))
	}
	return ix
}

// sorted returns a copy of s sorted case-insensitively.
func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}
