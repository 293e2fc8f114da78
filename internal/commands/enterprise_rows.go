package commands

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// index precomputes the links enterprise-info needs.
type index struct {
	e            *enterprise.Enterprise
	nodeUsers    map[int64][]string
	nodeTeams    map[int64][]string
	nodeRoles    map[int64][]string
	userTeams    map[int64][]string
	userRoles    map[int64]map[int64]bool
	teamUsers    map[string][]string
	teamRoles    map[string][]string
	roleUsers    map[int64][]string
	roleTeams    map[int64][]string
	roleManaged  map[int64][]string
	userAliases  map[int64][]string
	managedRoles map[int64]bool
}

func newIndex(e *enterprise.Enterprise) *index {
	ix := &index{e: e, nodeUsers: map[int64][]string{}, nodeTeams: map[int64][]string{}, nodeRoles: map[int64][]string{},
		userTeams: map[int64][]string{}, userRoles: map[int64]map[int64]bool{}, teamUsers: map[string][]string{},
		teamRoles: map[string][]string{}, roleUsers: map[int64][]string{}, roleTeams: map[int64][]string{},
		roleManaged: map[int64][]string{}, userAliases: map[int64][]string{}, managedRoles: map[int64]bool{}}
	for _, u := range e.Users {
		ix.nodeUsers[u.NodeId] = append(ix.nodeUsers[u.NodeId], u.Username)
	}
	for _, t := range e.Teams {
		ix.nodeTeams[t.NodeId] = append(ix.nodeTeams[t.NodeId], t.Name)
	}
	for _, r := range e.Roles {
		ix.nodeRoles[r.NodeId] = append(ix.nodeRoles[r.NodeId], r.Name)
	}
	addRole := func(user, role int64) {
		if ix.userRoles[user] == nil {
			ix.userRoles[user] = map[int64]bool{}
		}
		ix.userRoles[user][role] = true
	}
	for _, tu := range e.TeamUsers {
		uid := crypto.Base64URLEncode(tu.TeamUid)
		if t, ok := e.Teams[uid]; ok {
			ix.userTeams[tu.EnterpriseUserId] = append(ix.userTeams[tu.EnterpriseUserId], t.Name)
		}
		if u, ok := e.Users[tu.EnterpriseUserId]; ok {
			ix.teamUsers[uid] = append(ix.teamUsers[uid], u.Username)
		}
	}
	for _, ru := range e.RoleUsers {
		addRole(ru.EnterpriseUserId, ru.RoleId)
		if u, ok := e.Users[ru.EnterpriseUserId]; ok {
			ix.roleUsers[ru.RoleId] = append(ix.roleUsers[ru.RoleId], u.Username)
		}
	}
	for _, rt := range e.RoleTeams {
		uid := crypto.Base64URLEncode(rt.TeamUid)
		if r, ok := e.Roles[rt.RoleId]; ok {
			ix.teamRoles[uid] = append(ix.teamRoles[uid], r.Name)
		}
		if t, ok := e.Teams[uid]; ok {
			ix.roleTeams[rt.RoleId] = append(ix.roleTeams[rt.RoleId], t.Name)
		}
		// Roles reach users through their teams too.
		for _, tu := range e.TeamUsers {
			if string(tu.TeamUid) == string(rt.TeamUid) {
				addRole(tu.EnterpriseUserId, rt.RoleId)
			}
		}
	}
	for _, mn := range e.ManagedNodes {
		ix.managedRoles[mn.RoleId] = true
		ix.roleManaged[mn.RoleId] = append(ix.roleManaged[mn.RoleId], e.NodePath(mn.ManagedNodeId))
	}
	for _, a := range e.UserAliases {
		if u, ok := e.Users[a.EnterpriseUserId]; ok && !strings.EqualFold(u.Username, a.Username) {
			ix.userAliases[a.EnterpriseUserId] = append(ix.userAliases[a.EnterpriseUserId], a.Username)
		}
	}
	return ix
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

func (ix *index) nodeRow(n *enterprise.Node) map[string]any {
	v := map[string]any{"node_id": n.NodeId, "name": n.Name, "user_count": len(ix.nodeUsers[n.NodeId]),
		"users": sorted(ix.nodeUsers[n.NodeId]), "team_count": len(ix.nodeTeams[n.NodeId]), "teams": sorted(ix.nodeTeams[n.NodeId]),
		"role_count": len(ix.nodeRoles[n.NodeId]), "roles": sorted(ix.nodeRoles[n.NodeId]), "isolated": n.RestrictVisibility}
	if n.ParentId != 0 {
		v["parent_node"], v["parent_id"] = ix.e.NodePath(n.ParentId), n.ParentId
	}
	return v
}

var transferStatus = map[int32]string{1: "Not required", 2: "Pending transfer", 3: "Partially accepted", 4: "Transfer accepted"}

func (ix *index) userRow(u *enterprise.User) map[string]any {
	status := userStatus(u)
	var roles []string
	for id := range ix.userRoles[u.EnterpriseUserId] {
		if r, ok := ix.e.Roles[id]; ok {
			roles = append(roles, r.Name)
		}
	}
	v := map[string]any{"user_id": u.EnterpriseUserId, "email": u.Username, "name": u.Name, "status": status,
		"transfer_status": transferStatus[int32(u.TransferAcceptanceStatus)], "node": ix.e.NodePath(u.NodeId),
		"team_count": len(ix.userTeams[u.EnterpriseUserId]), "teams": sorted(ix.userTeams[u.EnterpriseUserId]),
		"role_count": len(roles), "roles": sorted(roles), "alias": sorted(ix.userAliases[u.EnterpriseUserId]),
		"2fa_enabled": u.TfaEnabled, "job_title": u.JobTitle}
	return v
}

func (ix *index) teamRow(t *enterprise.Team) map[string]any {
	restricts := []byte("      ")
	if t.RestrictView {
		restricts[0] = 'R'
	}
	if t.RestrictEdit {
		restricts[2] = 'W'
	}
	if t.RestrictShare {
		restricts[4] = 'S'
	}
	return map[string]any{"team_uid": t.UID, "name": t.Name, "restricts": strings.TrimRight(string(restricts), " "),
		"node": ix.e.NodePath(t.NodeId), "user_count": len(ix.teamUsers[t.UID]), "users": sorted(ix.teamUsers[t.UID]),
		"role_count": len(ix.teamRoles[t.UID]), "roles": sorted(ix.teamRoles[t.UID])}
}

func (ix *index) roleRow(r *enterprise.Role) map[string]any {
	var enf []string
	for k := range ix.e.RoleEnforcements[r.RoleId] {
		enf = append(enf, k)
	}
	return map[string]any{"role_id": r.RoleId, "name": r.Name, "visible_below": r.VisibleBelow, "default_role": r.NewUserInherit,
		"admin": ix.managedRoles[r.RoleId], "node": ix.e.NodePath(r.NodeId), "user_count": len(ix.roleUsers[r.RoleId]),
		"users": sorted(ix.roleUsers[r.RoleId]), "team_count": len(ix.roleTeams[r.RoleId]), "teams": sorted(ix.roleTeams[r.RoleId]),
		"enforcement_count": len(enf), "enforcements": sorted(enf), "managed_node_count": len(ix.roleManaged[r.RoleId]),
		"managed_nodes": sorted(ix.roleManaged[r.RoleId])}
}

// plural formats Commander's "N user(s)" counters.
func plural(n int, what string) string { return fmt.Sprintf("%d %s(s)", n, what) }
