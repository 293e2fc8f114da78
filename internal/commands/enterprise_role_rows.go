package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/report"
)

// roleRow is a role's row. As in Commander, enforcements (the types, in
// server order) and managed_nodes_permissions (text lines) become objects
// in JSON.
func (v *eiView) roleRow(r *enterprise.Role, asJSON bool) map[string]any {
	id := r.RoleId
	types := v.e.RoleEnforcementTypes[id]
	var enforcements any = append([]string{}, types...)
	if asJSON {
		d := report.Dict{}
		for _, k := range types {
			d = append(d, report.KV{Key: k, Value: formatEnforcement(k, v.e.RoleEnforcements[id][k])})
		}
		enforcements = d
	}
	managed := v.managedNodes(id)
	names := []string{}
	for _, m := range managed {
		names = append(names, m.name)
	}
	return map[string]any{"role_id": id, "name": r.Name, "visible_below": r.VisibleBelow, "default_role": r.NewUserInherit,
		"admin": v.admin[id], "node": v.e.NodePath(r.NodeId), "user_count": len(v.roleUsers[id]), "users": v.emails(v.roleUsers[id]),
		"team_count": len(v.roleTeams[id]), "teams": v.teamNames(v.roleTeams[id]), "enforcement_count": len(types),
		"enforcements": enforcements, "managed_node_count": len(managed), "managed_nodes": names,
		"managed_nodes_permissions": v.permissions(id, managed, asJSON)}
}

// formatEnforcement is the JSON value of an enforcement: two-factor
// durations by name (Commander constants.format_two_factor_duration), other
// values as stored. Commander names record types only when its record
// type cache is loaded; we have none, so those stay as stored.
func formatEnforcement(key, value string) string {
	switch key {
	case "two_factor_duration_web", "two_factor_duration_mobile", "two_factor_duration_desktop":
		tokens := strings.Split(value, ",")
		last := strings.TrimSpace(tokens[len(tokens)-1])
		if name, ok := map[string]string{"0": "login", "12": "12_hours", "24": "24_hours", "30": "30_days", "9999": "forever"}[last]; ok {
			return name
		}
		return last
	}
	return value
}

type managedNode struct {
	id      int64
	name    string
	cascade bool
}

// managedNodes lists a role's managed nodes in server order, named as
// Commander's role listing names them: the node's own name (the
// enterprise name when it has none), the id when the node is unknown.
func (v *eiView) managedNodes(role int64) []managedNode {
	var out []managedNode
	for _, mn := range v.e.ManagedNodes {
		if mn.RoleId != role {
			continue
		}
		name := strconv.FormatInt(mn.ManagedNodeId, 10)
		if n := v.e.Nodes[mn.ManagedNodeId]; n != nil {
			name = n.Name
			if name == "" {
				name = v.e.Name
			}
		}
		out = append(out, managedNode{mn.ManagedNodeId, name, mn.CascadeNodeManagement})
	}
	return out
}

// rolePrivileges are the privileges Commander shows (constants
// ROLE_PRIVILEGES without the hidden one), true for the MSP-only ones.
var rolePrivileges = map[string]bool{"manage_nodes": false, "manage_user": false, "manage_roles": false, "manage_teams": false,
	"run_reports": false, "manage_bridge": false, "approve_device": false, "manage_record_types": false,
	"run_compliance_reports": false, "manage_companies": true, "transfer_account": false, "sharing_administrator": false}

// permissions is the managed_nodes_permissions cell: per managed node its
// privileges, as "Node (cascade: True):" and indented privilege lines, or
// in JSON as objects.
func (v *eiView) permissions(role int64, managed []managedNode, asJSON bool) any {
	msp := v.e.IsMSP()
	privs := map[int64][]string{}
	for _, p := range v.e.RolePrivileges {
		name := strings.ToLower(p.PrivilegeType)
		mspOnly, known := rolePrivileges[name]
		if p.RoleId != role || !known || (mspOnly && !msp) {
			continue
		}
		privs[p.ManagedNodeId] = append(privs[p.ManagedNodeId], name)
	}
	if asJSON {
		out := []any{}
		for _, m := range managed {
			out = append(out, report.Dict{{Key: "node_name", Value: m.name}, {Key: "node_id", Value: m.id},
				{Key: "cascade", Value: m.cascade}, {Key: "privileges", Value: append([]string{}, privs[m.id]...)}})
		}
		return out
	}
	out := []string{}
	for _, m := range managed {
		cascade := report.PyStr(m.cascade)
		if len(privs[m.id]) == 0 {
			out = append(out, fmt.Sprintf("%s (cascade: %s): none", m.name, cascade))
			continue
		}
		out = append(out, fmt.Sprintf("%s (cascade: %s):", m.name, cascade))
		for _, p := range privs[m.id] {
			out = append(out, "  "+p)
		}
	}
	return out
}
