package commands

import (
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// The row builders return every column of a listing by name, with the
// values Commander's EnterpriseInfoCommand puts in its rows
// (keepercommander/commands/enterprise.py): nil where Commander has None
// (left out of JSON), lists in server order.

// provisioningColumns are what the nodes listing's "provisioning" column
// expands to, in Commander's order; each appears only when the enterprise
// has data of its kind.
var provisioningColumns = []string{"email_provisioning", "bridge_provisioning", "scim_provisioning", "sso_provisioning"}

// provisioning maps each provisioning column with data to node id → value
// (email domain, bridge status, SCIM status, SSO service name; the last
// entry of a node wins, as in Commander's dict comprehension).
func provisioning(e *enterprise.Enterprise) map[string]map[int64]string {
	out := map[string]map[int64]string{}
	add := func(col string, node int64, val string) {
		if out[col] == nil {
			out[col] = map[int64]string{}
		}
		out[col][node] = val
	}
	for _, p := range e.EmailProvisions {
		add("email_provisioning", p.NodeId, p.Domain)
	}
	for _, b := range e.Bridges {
		add("bridge_provisioning", b.NodeId, b.Status)
	}
	for _, s := range e.Scims {
		add("scim_provisioning", s.NodeId, s.Status)
	}
	for _, s := range e.SsoServices {
		add("sso_provisioning", s.NodeId, s.Name)
	}
	return out
}

// nodeRow is a node's row; userCounts is Enterprise.UserCounts (the users
// column lists v's users, which are decoded only when it is shown).
func (v *eiView) nodeRow(n *enterprise.Node, prov map[string]map[int64]string, userCounts map[int64]int) map[string]any {
	users, teams, roles := []string{}, []string{}, []string{}
	for _, u := range v.nodeUsers[n.NodeId] {
		users = append(users, u.Username)
	}
	for _, t := range v.nodeTeams[n.NodeId] {
		teams = append(teams, t.Name)
	}
	for _, r := range v.nodeRoles[n.NodeId] {
		roles = append(roles, r.Name)
	}
	row := map[string]any{"node_id": n.NodeId, "name": n.Name, "parent_node": "", "user_count": userCounts[n.NodeId], "users": users,
		"team_count": len(teams), "teams": teams, "role_count": len(roles), "roles": roles, "isolated": n.RestrictVisibility}
	if n.ParentId > 0 {
		row["parent_node"], row["parent_id"] = v.e.NodePath(n.ParentId), n.ParentId
	}
	for col, byNode := range prov {
		if val, ok := byNode[n.NodeId]; ok {
			row[col] = val
		}
	}
	return row
}

var transferStatus = map[int32]string{1: "Not required", 2: "Pending transfer", 3: "Partially accepted", 4: "Transfer accepted"}

// userStatus is Commander's get_user_status_dict acct_status.
func userStatus(u *enterprise.User) string {
	status := "Active"
	if u.Status == "invited" {
		status = "Invited"
	}
	if u.Lock > 0 {
		status = map[int32]string{1: "Locked", 2: "Locked by IdP"}[u.Lock]
	}
	return status
}

func (v *eiView) userRow(u *enterprise.User) map[string]any {
	id := u.EnterpriseUserId
	teams := []string{}
	for _, t := range v.userTeams[id] {
		teams = append(teams, t.Name)
	}
	// Commander collects the roles in a set, which iterates in hash order;
	// we keep the roles' server order.
	roles := []string{}
	for _, r := range v.roles {
		if v.userRoles[id][r.RoleId] {
			roles = append(roles, r.Name)
		}
	}
	aliases := []string{}
	for _, a := range v.e.UserAliases {
		if a.EnterpriseUserId == id && a.Username != u.Username {
			aliases = append(aliases, a.Username)
		}
	}
	var tfa any = ""
	if u.TfaEnabled {
		tfa = true
	}
	return map[string]any{"user_id": id, "email": u.Username, "name": u.Name, "status": userStatus(u),
		"transfer_status": transferStatus[int32(u.TransferAcceptanceStatus)], "node": v.e.NodePath(u.NodeId),
		"team_count": len(teams), "teams": teams, "role_count": len(roles), "roles": roles, "alias": aliases,
		"2fa_enabled": tfa, "job_title": u.JobTitle}
}

// restricts is Commander's fixed-width team restriction string: slots R, W
// and S (view, edit, share) with blanks when off, e.g. "  W  ".
func restricts(t *enterprise.Team) string {
	b := []byte("     ")
	if t.RestrictView {
		b[0] = 'R'
	}
	if t.RestrictEdit {
		b[2] = 'W'
	}
	if t.RestrictShare {
		b[4] = 'S'
	}
	return string(b)
}

func (v *eiView) teamRow(t *enterprise.Team) map[string]any {
	return map[string]any{"team_uid": t.UID, "name": t.Name, "restricts": restricts(t), "node": v.e.NodePath(t.NodeId),
		"user_count": len(v.teamUsers[t.UID]), "users": v.emails(v.teamUsers[t.UID]),
		"queued_user_count": len(v.teamQueued[t.UID]), "queued_users": v.emails(v.teamQueued[t.UID]),
		"role_count": len(v.teamRoles[t.UID]), "roles": v.roleNames(v.teamRoles[t.UID])}
}

// queuedTeamRow is a queued team's row: restricts "Queued", no members or
// roles yet (Commander leaves user_count and users empty and has no role
// cells).
func (v *eiView) queuedTeamRow(q *enterprise.QueuedTeam) map[string]any {
	return map[string]any{"team_uid": q.UID, "name": q.Name, "restricts": "Queued", "node": v.e.NodePath(q.NodeId),
		"user_count": "", "users": "", "queued_user_count": len(v.teamQueued[q.UID]), "queued_users": v.emails(v.teamQueued[q.UID])}
}

// plural formats Commander's "N user(s)" counters.
func plural(n int, what string) string { return fmt.Sprintf("%d %s(s)", n, what) }
