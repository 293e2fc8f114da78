package e2e

import (
	"fmt"
	"sort"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// queued returns the users queued per team (b64url uid) in raw data.
func queued(raw *enterprise.Raw) map[string][]int64 {
	out := map[string][]int64{}
	for _, b := range raw.Entities[int32(enterprisepb.EnterpriseDataEntity_QUEUED_TEAM_USERS)] {
		var q enterprisepb.QueuedTeamUser
		if proto.Unmarshal(b, &q) == nil && len(q.Users) > 0 {
			uid := crypto.Base64URLEncode(q.TeamUid)
			out[uid] = append(out[uid], q.Users...)
			sort.Slice(out[uid], func(i, j int) bool { return out[uid][i] < out[uid][j] })
		}
	}
	return out
}

func member(e *enterprise.Enterprise, uid string, user int64) string {
	for _, tu := range e.TeamUsers {
		if crypto.Base64URLEncode(tu.TeamUid) == uid && tu.EnterpriseUserId == user {
			return tu.UserType
		}
	}
	return ""
}

// TestTeamMembership: team_enterprise_user_add takes active users with the
// team key encrypted to their public key and refuses invited ones;
// team_queue_user takes invited users (refusing active ones) and the
// queue shows in the sync as QueuedTeamUser; update, remove and
// team_update show on the next incremental sync.
func TestTeamMembership(t *testing.T) {
	tn := newTenant(t)
	team, err := tn.e.Team("Engineering")
	if err != nil {
		t.Fatal(err)
	}
	encKey, _ := crypto.Base64URLDecode(team.EncryptedTeamKey)
	teamKey, err := crypto.DecryptAESv2(encKey, tn.e.TreeKey)
	if err != nil {
		t.Fatal(err)
	}
	carl := tn.user("chen.smith@msp.sandbox") // active, in Sales
	inv1 := tn.user(fmt.Sprint(int64(seed.MSPEnterpriseID)<<32 + 131))
	inv2 := tn.user(fmt.Sprint(int64(seed.MSPEnterpriseID)<<32 + 132))
	if carl.Status != "active" || inv1.Status != "invited" || inv2.Status != "invited" || member(tn.e, team.UID, carl.EnterpriseUserId) != "" {
		t.Fatal("demo users changed")
	}
	add := func(u *enterprise.User, key string) map[string]any {
		return map[string]any{"command": "team_enterprise_user_add", "team_uid": team.UID, "enterprise_user_id": u.EnterpriseUserId,
			"user_type": 0, "team_key": key, "team_key_type": "encrypted_by_public_key"}
	}
	queue := func(u *enterprise.User) map[string]any {
		return map[string]any{"command": "team_queue_user", "team_uid": team.UID, "enterprise_user_id": u.EnterpriseUserId}
	}
	key := tn.encryptTo(carl.Username, teamKey)
	raw := enterprise.NewRaw()
	token := tn.rawSync(raw, nil)
	want(t, "team adds", tn.run(add(inv1, key), add(carl, ""), add(carl, key), add(carl, key), queue(carl), queue(inv1), queue(inv2),
		queue(inv1)), "user_not_active bad_inputs_team_key ok already_exists user_already_active ok ok already_exists")
	token = tn.rawSync(raw, token)
	if q := queued(raw)[team.UID]; fmt.Sprint(q) != fmt.Sprint([]int64{inv1.EnterpriseUserId, inv2.EnterpriseUserId}) {
		t.Errorf("queued users of Engineering after an incremental sync: %v", q)
	}
	e := tn.reload()
	if member(e, team.UID, carl.EnterpriseUserId) != "USER" {
		t.Errorf("chen is not a USER member of Engineering: %q", member(e, team.UID, carl.EnterpriseUserId))
	}

	want(t, "team changes", tn.run(
		map[string]any{"command": "team_enterprise_user_update", "team_uid": team.UID, "enterprise_user_id": carl.EnterpriseUserId, "user_type": 2},
		map[string]any{"command": "team_enterprise_user_remove", "team_uid": team.UID, "enterprise_user_id": inv1.EnterpriseUserId},
		map[string]any{"command": "team_enterprise_user_remove", "team_uid": team.UID, "enterprise_user_id": inv1.EnterpriseUserId},
		map[string]any{"command": "team_update", "team_uid": team.UID, "team_name": "Platform", "restrict_edit": false,
			"restrict_share": true, "restrict_view": true, "node_id": team.NodeId},
	), "ok ok user_not_in_team ok")
	tn.rawSync(raw, token)
	if q := queued(raw)[team.UID]; fmt.Sprint(q) != fmt.Sprint([]int64{inv2.EnterpriseUserId}) {
		t.Errorf("queued users after removing one: %v", q)
	}
	e = tn.reload()
	if member(e, team.UID, carl.EnterpriseUserId) != "ADMIN_ONLY" {
		t.Errorf("chen's user type after update: %q", member(e, team.UID, carl.EnterpriseUserId))
	}
	if p := e.Teams[team.UID]; p.Name != "Platform" || p.RestrictEdit || !p.RestrictShare || !p.RestrictView {
		t.Errorf("team after team_update: %+v", p.Team)
	}
}

// TestRoleMembership: a role that manages nodes takes a member only with
// the tree key encrypted to them; plain roles take members without keys;
// teams may join plain roles only (REST role_team_add), and a role with
// teams cannot start managing nodes. Every change shows on the next
// incremental sync.
func TestRoleMembership(t *testing.T) {
	tn := newTenant(t)
	europe, _ := tn.e.Role("Europe Admins") // manages Europe
	helpdesk, _ := tn.e.Role("Helpdesk")    // plain, holds the Helpdesk team
	dana := tn.user("dana.smith@msp.sandbox")
	roleUser := func(r *enterprise.Role, extra map[string]any) map[string]any {
		m := map[string]any{"command": "role_user_add", "role_id": r.RoleId, "enterprise_user_id": dana.EnterpriseUserId}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	treeKey := tn.encryptTo(dana.Username, tn.e.TreeKey)
	want(t, "role members", tn.run(
		roleUser(europe, nil),
		roleUser(europe, map[string]any{"tree_key": treeKey}),
		roleUser(europe, map[string]any{"tree_key": treeKey, "tree_key_type": "rot13"}),
		roleUser(europe, map[string]any{"tree_key": treeKey, "tree_key_type": "encrypted_by_public_key"}),
		roleUser(helpdesk, nil),
		roleUser(helpdesk, nil),
		map[string]any{"command": "role_update", "role_id": helpdesk.RoleId, "node_id": helpdesk.NodeId,
			"encrypted_data": helpdesk.EncryptedData, "new_user_inherit": true},
	), "bad_inputs_tree_key bad_inputs_tree_key bad_inputs_tree_key_type ok ok already_exists ok")
	e := tn.reload()
	in := func(e *enterprise.Enterprise, r *enterprise.Role) bool {
		for _, ru := range e.RoleUsers {
			if ru.RoleId == r.RoleId && ru.EnterpriseUserId == dana.EnterpriseUserId {
				return true
			}
		}
		return false
	}
	if !in(e, europe) || !in(e, helpdesk) || !e.Roles[helpdesk.RoleId].NewUserInherit {
		t.Fatalf("role changes missing after sync: europe %v helpdesk %v", in(e, europe), in(e, helpdesk))
	}

	sales, _ := tn.e.Team("Sales")
	roleTeam := func(r *enterprise.Role) *enterprisepb.RoleTeams {
		return &enterprisepb.RoleTeams{RoleTeam: []*enterprisepb.RoleTeam{{RoleId: r.RoleId, TeamUid: sales.TeamUid}}}
	}
	if code := tn.call("enterprise/role_team_add", roleTeam(europe), nil); code != "role_is_admin" {
		t.Errorf("role_team_add to an admin role: %s", code)
	}
	if code := tn.call("enterprise/role_team_add", roleTeam(helpdesk), nil); code != "ok" {
		t.Errorf("role_team_add: %s", code)
	}
	if code := tn.call("enterprise/role_team_add", roleTeam(helpdesk), nil); code != "already_exists" {
		t.Errorf("role_team_add twice: %s", code)
	}
	asia, _ := tn.e.Node("Asia Pacific")
	want(t, "managed nodes", tn.run(
		map[string]any{"command": "role_managed_node_add", "role_id": helpdesk.RoleId, "managed_node_id": asia.NodeId,
			"cascade_node_management": true, "tree_keys": []any{}},
		map[string]any{"command": "role_managed_node_add", "role_id": europe.RoleId, "managed_node_id": asia.NodeId,
			"cascade_node_management": false, "tree_keys": []any{}},
		map[string]any{"command": "role_user_remove", "role_id": europe.RoleId, "enterprise_user_id": dana.EnterpriseUserId},
		map[string]any{"command": "role_user_remove", "role_id": europe.RoleId, "enterprise_user_id": dana.EnterpriseUserId},
		map[string]any{"command": "role_managed_node_remove", "role_id": europe.RoleId, "managed_node_id": asia.NodeId},
	), "role_has_teams ok ok user_not_in_role ok")
	e = tn.reload()
	linked := false
	for _, rt := range e.RoleTeams {
		linked = linked || (rt.RoleId == helpdesk.RoleId && string(rt.TeamUid) == string(sales.TeamUid))
	}
	for _, mn := range e.ManagedNodes {
		if mn.RoleId == europe.RoleId && mn.ManagedNodeId == asia.NodeId {
			t.Error("removed managed node still synced")
		}
	}
	if !linked || in(e, europe) {
		t.Errorf("after sync: sales in helpdesk %v, dana in europe %v", linked, in(e, europe))
	}
	if code := tn.call("enterprise/role_team_remove", roleTeam(helpdesk), nil); code != "ok" {
		t.Errorf("role_team_remove: %s", code)
	}

	// A plain role with an active and an invited member becomes an admin
	// role only with the active member's tree key.
	id := tn.alloc(1)
	enc, _ := enterprise.EncryptData(tn.e.TreeKey, "Asia Admins")
	inv := tn.user(fmt.Sprint(int64(seed.MSPEnterpriseID)<<32 + 131))
	manage := func(keys ...any) map[string]any {
		return map[string]any{"command": "role_managed_node_add", "role_id": id, "managed_node_id": asia.NodeId,
			"cascade_node_management": false, "tree_keys": keys}
	}
	want(t, "new admin role", tn.run(
		map[string]any{"command": "role_add", "role_id": id, "node_id": tn.e.Root().NodeId, "encrypted_data": enc},
		map[string]any{"command": "role_user_add", "role_id": id, "enterprise_user_id": dana.EnterpriseUserId},
		map[string]any{"command": "role_user_add", "role_id": id, "enterprise_user_id": inv.EnterpriseUserId},
		manage(),
		manage(map[string]any{"enterprise_user_id": dana.EnterpriseUserId, "tree_key": treeKey, "tree_key_type": "encrypted_by_public_key"}),
		map[string]any{"command": "role_managed_node_update", "role_id": id, "managed_node_id": asia.NodeId, "cascade_node_management": true},
	), "ok ok ok bad_inputs_tree_keys ok ok")
	cascade := false
	for _, mn := range tn.reload().ManagedNodes {
		cascade = cascade || (mn.RoleId == id && mn.ManagedNodeId == asia.NodeId && mn.CascadeNodeManagement)
	}
	if !cascade {
		t.Error("the new admin role's cascading management of Asia Pacific is not synced")
	}
}
