package server

import (
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// teamOwner names a team in member_keys.
func teamOwner(ident string) string { return "team:" + ident }

// teamUserTypes are the TeamUser.userType strings by the numbers JSON
// commands send (Enterprise.TeamUserType: USER 0, ADMIN 1, ADMIN_ONLY 2,
// which Commander shows as "No Shared Folders").
var teamUserTypes = []string{"USER", "ADMIN", "ADMIN_ONLY"}

// userType reads user_type as a number or a TeamUserType name; def is used
// when it is absent (def < 0: required).
func userType(cmd map[string]any, def int) (string, error) {
	if s, ok := cmd["user_type"].(string); ok {
		for _, t := range teamUserTypes {
			if strings.EqualFold(s, t) {
				return t, nil
			}
		}
	}
	n, ok := num(cmd, "user_type")
	if _, present := cmd["user_type"]; !present && def >= 0 {
		n, ok = int64(def), true
	}
	if !ok || n < 0 || n >= int64(len(teamUserTypes)) {
		return "", cmdFail("bad_inputs_user_type", "user_type must be 0 (user), 1 (admin) or 2 (no shared folders)")
	}
	return teamUserTypes[n], nil
}

// teamUpdate is team_update: name, restrictions and node.
func teamUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	t, ident, err := j.teamArg(cmd)
	if err != nil {
		return nil, err
	}
	if _, ok := cmd["team_name"]; ok {
		name := strings.TrimSpace(str(cmd, "team_name"))
		if name == "" || len(name) > maxNameLength {
			return nil, cmdFail("bad_inputs_team_name", "team_name must be 1-%d characters", maxNameLength)
		}
		t.Name = name
	}
	for field, dst := range map[string]*bool{"restrict_edit": &t.RestrictEdit, "restrict_share": &t.RestrictShare,
		"restrict_view": &t.RestrictView} {
		if _, ok := cmd[field]; ok {
			*dst = flag(cmd, field)
		}
	}
	if node, ok := num(cmd, "node_id"); ok {
		if err := j.ownNode(node, "node_id"); err != nil {
			return nil, err
		}
		t.NodeId = node
	}
	return nil, j.put(kTeams, ident, t.Name, t)
}

// teamUserAdd is team_enterprise_user_add, for active users only (they
// hold a public key): the team key encrypted to the user comes along
// (team_key, team_key_type). Users who have not accepted their invitation
// are queued with team_queue_user instead (Commander enterprise.py).
func teamUserAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	t, ident, err := j.teamArg(cmd)
	if err != nil {
		return nil, err
	}
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	if u.Status != "active" {
		return nil, cmdFail("user_not_active", "%s has not accepted the invitation yet: queue the user with team_queue_user", u.Username)
	}
	link := fmt.Sprintf("%s:%d", ident, u.EnterpriseUserId)
	if j.exists(kTeamUsers, link) {
		return nil, cmdFail("already_exists", "%s is already in team %s", u.Username, t.Name)
	}
	ut, err := userType(cmd, 0)
	if err != nil {
		return nil, err
	}
	k := store.MemberKey{Owner: teamOwner(ident), EnterpriseUserID: u.EnterpriseUserId, Key: str(cmd, "team_key"),
		KeyType: str(cmd, "team_key_type")}
	if err := checkKey(k.Key, k.KeyType, "team_key"); err != nil {
		return nil, err
	}
	if err := store.PutMemberKey(j.ctx, j.tx, j.eid, k); err != nil {
		return nil, err
	}
	if _, err := j.del(kQueuedUsers, link); err != nil {
		return nil, err
	}
	return nil, j.put(kTeamUsers, link, "", &enterprisepb.TeamUser{TeamUid: t.TeamUid, EnterpriseUserId: u.EnterpriseUserId, UserType: ut})
}

// teamQueueUser is team_queue_user: a user who has not accepted the
// invitation joins the team when they do. One QueuedTeamUser entity per
// (team, user) carries that one user: Commander merges the users of
// upserts and removes the users of deletes (enterprise.py
// _EnterpriseQueuedTeamUserEntity).
func teamQueueUser(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	t, ident, err := j.teamArg(cmd)
	if err != nil {
		return nil, err
	}
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	if u.Status == "active" {
		return nil, cmdFail("user_already_active", "%s is active: add the user with team_enterprise_user_add", u.Username)
	}
	link := fmt.Sprintf("%s:%d", ident, u.EnterpriseUserId)
	if j.exists(kQueuedUsers, link) || j.exists(kTeamUsers, link) {
		return nil, cmdFail("already_exists", "%s is already queued for team %s", u.Username, t.Name)
	}
	return nil, j.put(kQueuedUsers, link, "", &enterprisepb.QueuedTeamUser{TeamUid: t.TeamUid, Users: []int64{u.EnterpriseUserId}})
}

// teamUserRemove is team_enterprise_user_remove: a member or a queued user
// leaves the team.
func teamUserRemove(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	t, ident, err := j.teamArg(cmd)
	if err != nil {
		return nil, err
	}
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	link := fmt.Sprintf("%s:%d", ident, u.EnterpriseUserId)
	member, err := j.del(kTeamUsers, link)
	if err != nil {
		return nil, err
	}
	queued, err := j.del(kQueuedUsers, link)
	if err != nil {
		return nil, err
	}
	if !member && !queued {
		return nil, cmdFail("user_not_in_team", "%s is not in team %s", u.Username, t.Name)
	}
	return nil, store.DeleteMemberKeys(j.ctx, j.tx, j.eid, teamOwner(ident), u.EnterpriseUserId)
}

// teamUserUpdate is team_enterprise_user_update: a member's user_type
// (enterprise-user --add-team with --hide-shared-folders).
func teamUserUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	t, ident, err := j.teamArg(cmd)
	if err != nil {
		return nil, err
	}
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	link := fmt.Sprintf("%s:%d", ident, u.EnterpriseUserId)
	var tu enterprisepb.TeamUser
	_, ok, err := j.load(kTeamUsers, link, &tu)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cmdFail("user_not_in_team", "%s is not in team %s", u.Username, t.Name)
	}
	if tu.UserType, err = userType(cmd, -1); err != nil {
		return nil, err
	}
	return nil, j.put(kTeamUsers, link, "", &tu)
}
