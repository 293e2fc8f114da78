package commands

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// eiView is enterprise-info's picture of the enterprise inside a node scope,
// built like the nodes, users, teams, queued_teams and roles dicts of
// Commander's EnterpriseInfoCommand.execute
// (keepercommander/commands/enterprise.py): entities outside the scope are
// left out, and every list is in server order (the order the enterprise
// model keeps, see enterprise.Raw.Seq). Link lists (team and role members)
// also hold ids outside the scope; those print as the bare id.
type eiView struct {
	e      *enterprise.Enterprise
	nodes  []*enterprise.Node
	users  []*enterprise.User
	teams  []*enterprise.Team
	queued []*enterprise.QueuedTeam
	roles  []*enterprise.Role

	user map[int64]*enterprise.User
	team map[string]*enterprise.Team
	role map[int64]*enterprise.Role

	nodeUsers  map[int64][]*enterprise.User
	nodeTeams  map[int64][]*enterprise.Team
	nodeQueued map[int64][]*enterprise.QueuedTeam
	nodeRoles  map[int64][]*enterprise.Role
	teamUsers  map[string][]int64 // members of teams in scope
	teamQueued map[string][]int64 // users waiting to join a team or queued team in scope
	teamRoles  map[string][]int64 // roles of teams in scope
	roleUsers  map[int64][]int64
	roleTeams  map[int64][]string // team uids
	admin      map[int64]bool     // roles with a managed node
	userTeams  map[int64][]*enterprise.Team
	userRoles  map[int64]map[int64]bool // direct and through the user's teams
}

// inOrder returns the values of m that keep reports true, by seq (then by
// key, so equal numbers still give a stable order).
func inOrder[K comparable, V any](m map[K]V, seq func(V) int, keep func(V) bool) []V {
	// A loaded model numbers its entities 0..n-1: place each at its number
	// instead of sorting (100,000 users).
	slots := make([]V, len(m))
	filled := make([]bool, len(m))
	dense := true
	for _, v := range m {
		s := seq(v)
		if s < 0 || s >= len(m) || filled[s] {
			dense = false
			break
		}
		slots[s], filled[s] = v, true
	}
	if dense {
		out := slots[:0]
		for _, v := range slots {
			if keep(v) {
				out = append(out, v)
			}
		}
		return out
	}
	type kv struct {
		k string
		v V
	}
	var all []kv
	for k, v := range m {
		if keep(v) {
			all = append(all, kv{fmt.Sprint(k), v})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if si, sj := seq(all[i].v), seq(all[j].v); si != sj {
			return si < sj
		}
		return all[i].k < all[j].k
	})
	out := make([]V, len(all))
	for i, x := range all {
		out[i] = x.v
	}
	return out
}

func newEIView(e *enterprise.Enterprise, scope map[int64]bool) *eiView {
	v := &eiView{e: e, user: map[int64]*enterprise.User{}, team: map[string]*enterprise.Team{}, role: map[int64]*enterprise.Role{},
		nodeUsers: map[int64][]*enterprise.User{}, nodeTeams: map[int64][]*enterprise.Team{},
		nodeQueued: map[int64][]*enterprise.QueuedTeam{}, nodeRoles: map[int64][]*enterprise.Role{},
		teamUsers: map[string][]int64{}, teamQueued: map[string][]int64{}, teamRoles: map[string][]int64{},
		roleUsers: map[int64][]int64{}, roleTeams: map[int64][]string{}, admin: map[int64]bool{},
		userTeams: map[int64][]*enterprise.Team{}, userRoles: map[int64]map[int64]bool{}}
	v.nodes = inOrder(e.Nodes, func(n *enterprise.Node) int { return n.Seq }, func(n *enterprise.Node) bool { return scope[n.NodeId] })
	v.users = inOrder(e.Users, func(u *enterprise.User) int { return u.Seq }, func(u *enterprise.User) bool { return scope[u.NodeId] })
	v.teams = inOrder(e.Teams, func(t *enterprise.Team) int { return t.Seq }, func(t *enterprise.Team) bool { return scope[t.NodeId] })
	v.queued = inOrder(e.QueuedTeams, func(q *enterprise.QueuedTeam) int { return q.Seq },
		func(q *enterprise.QueuedTeam) bool { return scope[q.NodeId] })
	v.roles = inOrder(e.Roles, func(r *enterprise.Role) int { return r.Seq }, func(r *enterprise.Role) bool { return scope[r.NodeId] })
	for _, u := range v.users {
		v.user[u.EnterpriseUserId] = u
		v.nodeUsers[u.NodeId] = append(v.nodeUsers[u.NodeId], u)
	}
	for _, t := range v.teams {
		v.team[t.UID] = t
		v.nodeTeams[t.NodeId] = append(v.nodeTeams[t.NodeId], t)
	}
	queued := map[string]bool{}
	for _, q := range v.queued {
		queued[q.UID] = true
		v.nodeQueued[q.NodeId] = append(v.nodeQueued[q.NodeId], q)
	}
	for _, r := range v.roles {
		v.role[r.RoleId] = r
		v.nodeRoles[r.NodeId] = append(v.nodeRoles[r.NodeId], r)
	}
	for _, tu := range e.TeamUsers {
		if uid := crypto.Base64URLEncode(tu.TeamUid); v.team[uid] != nil {
			v.teamUsers[uid] = append(v.teamUsers[uid], tu.EnterpriseUserId)
		}
	}
	for _, qu := range e.QueuedTeamUsers {
		if uid := crypto.Base64URLEncode(qu.TeamUid); queued[uid] || v.team[uid] != nil {
			v.teamQueued[uid] = append(v.teamQueued[uid], qu.Users...)
		}
	}
	for _, ru := range e.RoleUsers {
		if v.role[ru.RoleId] != nil {
			v.roleUsers[ru.RoleId] = append(v.roleUsers[ru.RoleId], ru.EnterpriseUserId)
		}
	}
	for _, rt := range e.RoleTeams {
		uid := crypto.Base64URLEncode(rt.TeamUid)
		if v.role[rt.RoleId] != nil {
			v.roleTeams[rt.RoleId] = append(v.roleTeams[rt.RoleId], uid)
		}
		if v.team[uid] != nil {
			v.teamRoles[uid] = append(v.teamRoles[uid], rt.RoleId)
		}
	}
	for _, mn := range e.ManagedNodes {
		if v.role[mn.RoleId] != nil {
			v.admin[mn.RoleId] = true
		}
	}
	v.memberships()
	return v
}

// memberships fills userTeams (teams in scope, in order) and userRoles
// (roles in scope, direct or through a team in scope).
func (v *eiView) memberships() {
	for _, t := range v.teams {
		seen := map[int64]bool{}
		for _, u := range v.teamUsers[t.UID] {
			if !seen[u] {
				seen[u] = true
				v.userTeams[u] = append(v.userTeams[u], t)
			}
		}
	}
	grant := func(user, role int64) {
		if v.userRoles[user] == nil {
			v.userRoles[user] = map[int64]bool{}
		}
		v.userRoles[user][role] = true
	}
	for _, r := range v.roles {
		for _, u := range v.roleUsers[r.RoleId] {
			grant(u, r.RoleId)
		}
		for _, uid := range v.roleTeams[r.RoleId] {
			for _, u := range v.teamUsers[uid] {
				grant(u, r.RoleId)
			}
		}
	}
}

// emails names users as Commander's user_email does: the username of a
// user in scope, else the id.
func (v *eiView) emails(ids []int64) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if u := v.user[id]; u != nil {
			out = append(out, u.Username)
		} else {
			out = append(out, strconv.FormatInt(id, 10))
		}
	}
	return out
}

// teamNames names the teams in scope among uids, in the given order.
func (v *eiView) teamNames(uids []string) []string {
	out := []string{}
	for _, uid := range uids {
		if t := v.team[uid]; t != nil {
			out = append(out, t.Name)
		}
	}
	return out
}

// roleNames names the roles in scope among ids, in the given order.
func (v *eiView) roleNames(ids []int64) []string {
	out := []string{}
	for _, id := range ids {
		if r := v.role[id]; r != nil {
			out = append(out, r.Name)
		}
	}
	return out
}
