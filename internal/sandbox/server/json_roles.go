package server

import (
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// roleOwner names a role in member_keys.
func roleOwner(id int64) string { return fmt.Sprintf("role:%d", id) }

// roleUpdate is role_update: node, display data, visible_below and
// new_user_inherit (Commander enterprise.py, enterprise-role).
func roleUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	r, name, err := j.roleArg(cmd)
	if err != nil {
		return nil, err
	}
	if node, ok := num(cmd, "node_id"); ok {
		if err := j.ownNode(node, "node_id"); err != nil {
			return nil, err
		}
		r.NodeId = node
	}
	if enc, ok := cmd["encrypted_data"].(string); ok {
		if err := checkEncrypted(enc); err != nil {
			return nil, err
		}
		r.EncryptedData = enc
	}
	if _, ok := cmd["visible_below"]; ok {
		r.VisibleBelow = flag(cmd, "visible_below")
	}
	if _, ok := cmd["new_user_inherit"]; ok {
		r.NewUserInherit = flag(cmd, "new_user_inherit")
	}
	return nil, j.put(kRoles, fmt.Sprint(r.RoleId), name, r)
}

// roleUserAdd is role_user_add. A role that manages nodes makes its members
// administrators, so Keeper needs the tree key encrypted to the new member
// (tree_key, tree_key_type) and, when the client knows it, the role key
// (role_admin_key, role_admin_key_type); Commander sends them only for such
// roles (enterprise.py, enterprise-user --add-role).
func roleUserAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	r, _, err := j.roleArg(cmd)
	if err != nil {
		return nil, err
	}
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	ident := fmt.Sprintf("%d:%d", r.RoleId, u.EnterpriseUserId)
	if j.exists(kRoleUsers, ident) {
		return nil, cmdFail("already_exists", "%s is already in role %d", u.Username, r.RoleId)
	}
	admin, err := j.isAdminRole(r.RoleId)
	if err != nil {
		return nil, err
	}
	if admin {
		k := store.MemberKey{Owner: roleOwner(r.RoleId), EnterpriseUserID: u.EnterpriseUserId,
			Key: str(cmd, "tree_key"), KeyType: str(cmd, "tree_key_type")}
		if k.Key == "" || k.KeyType == "" {
			return nil, cmdFail("bad_inputs_tree_key", "role %d manages nodes: adding a member needs tree_key and tree_key_type "+
				"(the enterprise tree key encrypted to the user's public key)", r.RoleId)
		}
		if err := checkKey(k.Key, k.KeyType, "tree_key"); err != nil {
			return nil, err
		}
		if k.ExtraKey, k.ExtraKeyType = str(cmd, "role_admin_key"), str(cmd, "role_admin_key_type"); k.ExtraKey != "" || k.ExtraKeyType != "" {
			if err := checkKey(k.ExtraKey, k.ExtraKeyType, "role_admin_key"); err != nil {
				return nil, err
			}
		}
		if err := store.PutMemberKey(j.ctx, j.tx, j.eid, k); err != nil {
			return nil, err
		}
	}
	return nil, j.put(kRoleUsers, ident, "", &enterprisepb.RoleUser{RoleId: r.RoleId, EnterpriseUserId: u.EnterpriseUserId})
}

// roleUserRemove is role_user_remove.
func roleUserRemove(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	r, _, err := j.roleArg(cmd)
	if err != nil {
		return nil, err
	}
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	ok, err := j.del(kRoleUsers, fmt.Sprintf("%d:%d", r.RoleId, u.EnterpriseUserId))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cmdFail("user_not_in_role", "%s is not in role %d", u.Username, r.RoleId)
	}
	return nil, store.DeleteMemberKeys(j.ctx, j.tx, j.eid, roleOwner(r.RoleId), u.EnterpriseUserId)
}

// managedNodeAdd is role_managed_node_add: the role administers a node. A
// role that becomes administrative this way needs the tree key of each of
// its members (tree_keys; the Go SDK calls the list role_keys) and may not
// hold teams (teams are never members of administrative roles).
func managedNodeAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	r, _, err := j.roleArg(cmd)
	if err != nil {
		return nil, err
	}
	node, err := need(cmd, "managed_node_id")
	if err != nil {
		return nil, err
	}
	if err := j.ownNode(node, "managed_node_id"); err != nil {
		return nil, err
	}
	ident := fmt.Sprintf("%d:%d", r.RoleId, node)
	if j.exists(kManagedNodes, ident) {
		return nil, cmdFail("already_exists", "role %d already manages node %d", r.RoleId, node)
	}
	admin, err := j.isAdminRole(r.RoleId)
	if err != nil {
		return nil, err
	}
	if !admin {
		if err := j.becomeAdmin(r.RoleId, cmd); err != nil {
			return nil, err
		}
	}
	return nil, j.put(kManagedNodes, ident, "", &enterprisepb.ManagedNode{RoleId: r.RoleId, ManagedNodeId: node,
		CascadeNodeManagement: flag(cmd, "cascade_node_management")})
}

// becomeAdmin checks and stores what a role needs before it manages its
// first node: no teams, and a tree key for every active member. Members who
// have not accepted their invitation have no public key yet; Commander
// sends keys only for members with one (enterprise.py, enterprise-role
// --add-admin).
func (j *jsonCall) becomeAdmin(roleID int64, cmd map[string]any) error {
	prefix := fmt.Sprintf("%d:", roleID)
	teams, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(kRoleTeams), "")
	if err != nil {
		return err
	}
	for _, t := range teams {
		if strings.HasPrefix(t.Ident, prefix) {
			return cmdFail("role_has_teams", "role %d has teams: a role with teams cannot manage nodes", roleID)
		}
	}
	list, _ := cmd["tree_keys"].([]any)
	if list == nil {
		list, _ = cmd["role_keys"].([]any)
	}
	keys := map[int64]store.MemberKey{}
	for _, v := range list {
		m, _ := v.(map[string]any)
		id, _ := num(m, "enterprise_user_id")
		keys[id] = store.MemberKey{Owner: roleOwner(roleID), EnterpriseUserID: id, Key: str(m, "tree_key"), KeyType: str(m, "tree_key_type")}
	}
	members, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(kRoleUsers), "")
	if err != nil {
		return err
	}
	for _, e := range members {
		if !strings.HasPrefix(e.Ident, prefix) {
			continue
		}
		var ru enterprisepb.RoleUser
		if err := unmarshalEntity(e, &ru); err != nil {
			return err
		}
		k, ok := keys[ru.EnterpriseUserId]
		if !ok {
			u, err := j.user(ru.EnterpriseUserId)
			if err != nil {
				return err
			}
			if u.Status != "active" {
				continue
			}
			return cmdFail("bad_inputs_tree_keys", "tree_keys lacks the tree key of role member %d", ru.EnterpriseUserId)
		}
		if err := checkKey(k.Key, k.KeyType, "tree_key"); err != nil {
			return err
		}
		if err := store.PutMemberKey(j.ctx, j.tx, j.eid, k); err != nil {
			return err
		}
	}
	return nil
}

// managedNodeUpdate is role_managed_node_update: cascade_node_management
// of a node the role manages.
func managedNodeUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	r, _, err := j.roleArg(cmd)
	if err != nil {
		return nil, err
	}
	node, err := need(cmd, "managed_node_id")
	if err != nil {
		return nil, err
	}
	ident := fmt.Sprintf("%d:%d", r.RoleId, node)
	var mn enterprisepb.ManagedNode
	_, ok, err := j.load(kManagedNodes, ident, &mn)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cmdFail("managed_node_not_found", "role %d does not manage node %d", r.RoleId, node)
	}
	mn.CascadeNodeManagement = flag(cmd, "cascade_node_management")
	return nil, j.put(kManagedNodes, ident, "", &mn)
}

// managedNodeRemove is role_managed_node_remove; the role's privileges on
// that node go with it, sent as deletes (Commander does not cascade them).
func managedNodeRemove(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	r, _, err := j.roleArg(cmd)
	if err != nil {
		return nil, err
	}
	node, err := need(cmd, "managed_node_id")
	if err != nil {
		return nil, err
	}
	ident := fmt.Sprintf("%d:%d", r.RoleId, node)
	ok, err := j.del(kManagedNodes, ident)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cmdFail("managed_node_not_found", "role %d does not manage node %d", r.RoleId, node)
	}
	return nil, j.deletePrefix(kRolePrivs, ident+":")
}
