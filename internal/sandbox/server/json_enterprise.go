package server

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// maxNameLength is Keeper's limit for entity names.
const maxNameLength = 255

func allocateIDs(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	n, ok := num(cmd, "number_requested")
	if !ok || n < 1 || n > 10000 {
		return nil, cmdFail("bad_inputs_number_requested", "number_requested must be 1-10000")
	}
	base, err := store.AllocateIDs(j.ctx, j.tx, j.eid, int(n))
	if err != nil {
		return nil, err
	}
	return map[string]any{"base_id": base, "number_allocated": n}, nil
}

func nodeAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := j.newID(cmd, "node_id")
	if err != nil {
		return nil, err
	}
	parent, err := need(cmd, "parent_id")
	if err != nil {
		return nil, err
	}
	if !j.exists(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(parent)) {
		return nil, cmdFail("bad_inputs_parent_id", "parent node %d does not exist", parent)
	}
	if j.exists(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(id)) {
		return nil, cmdFail("already_exists", "node %d already exists", id)
	}
	enc := str(cmd, "encrypted_data")
	if err := checkEncrypted(enc); err != nil {
		return nil, err
	}
	return nil, j.put(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(id), "",
		&enterprisepb.Node{NodeId: id, ParentId: parent, EncryptedData: enc})
}

func nodeUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := need(cmd, "node_id")
	if err != nil {
		return nil, err
	}
	e, err := store.GetEntity(j.ctx, j.tx, j.eid, int32(enterprisepb.EnterpriseDataEntity_NODES), fmt.Sprint(id))
	if err != nil {
		return nil, cmdFail("node_not_found", "node %d does not exist", id)
	}
	var n enterprisepb.Node
	if err := proto.Unmarshal(e.Data, &n); err != nil {
		return nil, err
	}
	if enc := str(cmd, "encrypted_data"); enc != "" {
		if err := checkEncrypted(enc); err != nil {
			return nil, err
		}
		n.EncryptedData = enc
	}
	if p, ok := num(cmd, "parent_id"); ok && n.ParentId != 0 {
		if err := j.checkParent(id, p); err != nil {
			return nil, err
		}
		n.ParentId = p
	}
	return nil, j.put(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(id), "", &n)
}

// checkParent refuses a new parent for node id that does not exist or lies
// in id's own subtree (id itself or a descendant): the move would detach the
// subtree from the root in a cycle, and Commander walks parent links to
// build node paths (enterprise_common.py get_node_path).
func (j *jsonCall) checkParent(id, parent int64) error {
	if !j.exists(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(parent)) {
		return cmdFail("bad_inputs_parent_id", "parent node %d does not exist", parent)
	}
	seen := map[int64]bool{}
	for cur := parent; cur != 0 && !seen[cur]; {
		if cur == id {
			return cmdFail("bad_inputs_parent_id", "node %d cannot be moved under itself or its own subnode %d", id, parent)
		}
		seen[cur] = true
		e, err := store.GetEntity(j.ctx, j.tx, j.eid, int32(enterprisepb.EnterpriseDataEntity_NODES), fmt.Sprint(cur))
		if err != nil {
			return nil // a dangling link ends the walk
		}
		var n enterprisepb.Node
		if err := proto.Unmarshal(e.Data, &n); err != nil {
			return err
		}
		cur = n.ParentId
	}
	return nil
}

func nodeDelete(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := need(cmd, "node_id")
	if err != nil {
		return nil, err
	}
	if id&0xFFFFFFFF == 2 {
		return nil, cmdFail("cannot_delete_root", "the root node cannot be deleted")
	}
	for _, kind := range []enterprisepb.EnterpriseDataEntity{enterprisepb.EnterpriseDataEntity_NODES,
		enterprisepb.EnterpriseDataEntity_USERS, enterprisepb.EnterpriseDataEntity_ROLES, enterprisepb.EnterpriseDataEntity_TEAMS} {
		rows, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(kind), "")
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if nodeOf(kind, r.Data) == id {
				return nil, cmdFail("node_not_empty", "node %d still has nodes, users, roles or teams", id)
			}
		}
	}
	ok, err := j.del(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(id))
	if err == nil && !ok {
		err = cmdFail("node_not_found", "node %d does not exist", id)
	}
	return nil, err
}

// nodeOf returns the node (or parent node) an entity hangs under.
func nodeOf(kind enterprisepb.EnterpriseDataEntity, data []byte) int64 {
	switch kind {
	case enterprisepb.EnterpriseDataEntity_NODES:
		var m enterprisepb.Node
		_ = proto.Unmarshal(data, &m)
		return m.ParentId
	case enterprisepb.EnterpriseDataEntity_USERS:
		var m enterprisepb.User
		_ = proto.Unmarshal(data, &m)
		return m.NodeId
	case enterprisepb.EnterpriseDataEntity_ROLES:
		var m enterprisepb.Role
		_ = proto.Unmarshal(data, &m)
		return m.NodeId
	case enterprisepb.EnterpriseDataEntity_TEAMS:
		var m enterprisepb.Team
		_ = proto.Unmarshal(data, &m)
		return m.NodeId
	}
	return 0
}

func checkEncrypted(enc string) error {
	b, err := crypto.Base64URLDecode(enc)
	if err != nil || len(b) < 32 || len(b)%16 != 0 {
		return cmdFail("bad_inputs_encrypted_data", "encrypted_data must be base64url AES-CBC data")
	}
	if len(enc) > 4*maxNameLength+200 {
		return cmdFail("bad_inputs_encrypted_data", "max=%d, length=%d, value=encrypted_data", 4*maxNameLength+200, len(enc))
	}
	return nil
}

func (j *jsonCall) nodeExists(id int64) error {
	if !j.exists(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(id)) {
		return cmdFail("bad_inputs_node_id", "node %d does not exist", id)
	}
	return nil
}

func roleAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := j.newID(cmd, "role_id")
	if err != nil {
		return nil, err
	}
	node, err := need(cmd, "node_id")
	if err != nil {
		return nil, err
	}
	if err := j.nodeExists(node); err != nil {
		return nil, err
	}
	if j.exists(enterprisepb.EnterpriseDataEntity_ROLES, fmt.Sprint(id)) {
		return nil, cmdFail("already_exists", "role %d already exists", id)
	}
	enc := str(cmd, "encrypted_data")
	if err := checkEncrypted(enc); err != nil {
		return nil, err
	}
	return nil, j.put(enterprisepb.EnterpriseDataEntity_ROLES, fmt.Sprint(id), "", &enterprisepb.Role{RoleId: id, NodeId: node,
		EncryptedData: enc, KeyType: "encrypted_by_data_key", VisibleBelow: flag(cmd, "visible_below"), NewUserInherit: flag(cmd, "new_user_inherit")})
}

func roleDelete(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := need(cmd, "role_id")
	if err != nil {
		return nil, err
	}
	ok, err := j.del(enterprisepb.EnterpriseDataEntity_ROLES, fmt.Sprint(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cmdFail("role_not_found", "role %d does not exist", id)
	}
	// Links the client cascades itself are dropped here too; privileges and
	// enforcements it does not cascade get explicit tombstones.
	prefix := fmt.Sprintf("%d:", id)
	for _, kind := range []enterprisepb.EnterpriseDataEntity{enterprisepb.EnterpriseDataEntity_ROLE_USERS,
		enterprisepb.EnterpriseDataEntity_ROLE_TEAMS, enterprisepb.EnterpriseDataEntity_MANAGED_NODES,
		enterprisepb.EnterpriseDataEntity_ROLE_PRIVILEGES, enterprisepb.EnterpriseDataEntity_ROLE_ENFORCEMENTS} {
		if err := j.deletePrefix(kind, prefix); err != nil {
			return nil, err
		}
	}
	return nil, store.DeleteMemberKeys(j.ctx, j.tx, j.eid, roleOwner(id), 0)
}

func (j *jsonCall) deletePrefix(kind enterprisepb.EnterpriseDataEntity, prefix string) error {
	rows, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(kind), "")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if strings.HasPrefix(r.Ident, prefix) {
			if _, err := j.del(kind, r.Ident); err != nil {
				return err
			}
		}
	}
	return nil
}

func teamAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	uid, err := crypto.Base64URLDecode(str(cmd, "team_uid"))
	if err != nil || len(uid) != 16 {
		return nil, cmdFail("bad_inputs_team_uid", "team_uid must be 16 bytes base64url")
	}
	name := strings.TrimSpace(str(cmd, "team_name"))
	if name == "" || len(name) > maxNameLength {
		return nil, cmdFail("bad_inputs_team_name", "team_name must be 1-%d characters", maxNameLength)
	}
	node, err := need(cmd, "node_id")
	if err != nil {
		return nil, err
	}
	if err := j.nodeExists(node); err != nil {
		return nil, err
	}
	ident := crypto.Base64URLEncode(uid)
	if j.exists(enterprisepb.EnterpriseDataEntity_TEAMS, ident) {
		return nil, cmdFail("already_exists", "team %s already exists", ident)
	}
	return nil, j.put(enterprisepb.EnterpriseDataEntity_TEAMS, ident, name, &enterprisepb.Team{TeamUid: uid, Name: name, NodeId: node,
		RestrictEdit: flag(cmd, "restrict_edit"), RestrictShare: flag(cmd, "restrict_share"), RestrictView: flag(cmd, "restrict_view"),
		EncryptedTeamKey: str(cmd, "encrypted_team_key")})
}

func teamDelete(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	ident := str(cmd, "team_uid")
	ok, err := j.del(enterprisepb.EnterpriseDataEntity_TEAMS, ident)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cmdFail("team_not_found", "team %s does not exist", ident)
	}
	// Members, queued users and role links go with the team.
	if err := j.deletePrefix(enterprisepb.EnterpriseDataEntity_TEAM_USERS, ident+":"); err != nil {
		return nil, err
	}
	if err := j.deletePrefix(enterprisepb.EnterpriseDataEntity_QUEUED_TEAM_USERS, ident+":"); err != nil {
		return nil, err
	}
	if err := j.deleteWhere(enterprisepb.EnterpriseDataEntity_ROLE_TEAMS, func(id string, _ []byte) bool {
		return strings.HasSuffix(id, ":"+ident)
	}); err != nil {
		return nil, err
	}
	return nil, store.DeleteMemberKeys(j.ctx, j.tx, j.eid, teamOwner(ident), 0)
}
