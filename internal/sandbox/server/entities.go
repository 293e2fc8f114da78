package server

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Entity kinds the user, role and team handlers work on.
const (
	kNodes        = enterprisepb.EnterpriseDataEntity_NODES
	kRoles        = enterprisepb.EnterpriseDataEntity_ROLES
	kUsers        = enterprisepb.EnterpriseDataEntity_USERS
	kTeams        = enterprisepb.EnterpriseDataEntity_TEAMS
	kTeamUsers    = enterprisepb.EnterpriseDataEntity_TEAM_USERS
	kRoleUsers    = enterprisepb.EnterpriseDataEntity_ROLE_USERS
	kRolePrivs    = enterprisepb.EnterpriseDataEntity_ROLE_PRIVILEGES
	kRoleTeams    = enterprisepb.EnterpriseDataEntity_ROLE_TEAMS
	kManagedNodes = enterprisepb.EnterpriseDataEntity_MANAGED_NODES
	kMCs          = enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES
	kQueuedUsers  = enterprisepb.EnterpriseDataEntity_QUEUED_TEAM_USERS
	kAliases      = enterprisepb.EnterpriseDataEntity_USER_ALIASES
)

// load reads a live entity of the session's enterprise into m and returns
// its lookup name; ok is false when there is none.
func (j *jsonCall) load(kind enterprisepb.EnterpriseDataEntity, ident string, m proto.Message) (name string, ok bool, err error) {
	e, err := store.GetEntity(j.ctx, j.tx, j.eid, int32(kind), ident)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return e.Name, true, proto.Unmarshal(e.Data, m)
}

// user loads an enterprise user of the session's enterprise.
func (j *jsonCall) user(id int64) (*enterprisepb.User, error) {
	if err := j.ownID(id, "enterprise_user_id"); err != nil {
		return nil, err
	}
	u := &enterprisepb.User{}
	_, ok, err := j.load(kUsers, fmt.Sprint(id), u)
	if err == nil && !ok {
		err = cmdFail("user_not_found", "enterprise user %d does not exist", id)
	}
	return u, err
}

// userArg loads the user named by the command's enterprise_user_id.
func (j *jsonCall) userArg(cmd map[string]any) (*enterprisepb.User, error) {
	id, err := need(cmd, "enterprise_user_id")
	if err != nil {
		return nil, err
	}
	return j.user(id)
}

func (j *jsonCall) putUser(u *enterprisepb.User) error {
	return j.put(kUsers, fmt.Sprint(u.EnterpriseUserId), u.Username, u)
}

// role loads a role of the session's enterprise and its lookup name.
func (j *jsonCall) role(id int64) (*enterprisepb.Role, string, error) {
	if err := j.ownID(id, "role_id"); err != nil {
		return nil, "", err
	}
	r := &enterprisepb.Role{}
	name, ok, err := j.load(kRoles, fmt.Sprint(id), r)
	if err == nil && !ok {
		err = cmdFail("role_not_found", "role %d does not exist", id)
	}
	return r, name, err
}

func (j *jsonCall) roleArg(cmd map[string]any) (*enterprisepb.Role, string, error) {
	id, err := need(cmd, "role_id")
	if err != nil {
		return nil, "", err
	}
	return j.role(id)
}

// team loads a team of the session's enterprise by its uid.
func (j *jsonCall) team(uid []byte) (*enterprisepb.Team, string, error) {
	if len(uid) != 16 {
		return nil, "", cmdFail("bad_inputs_team_uid", "team_uid must be 16 bytes base64url")
	}
	ident := crypto.Base64URLEncode(uid)
	t := &enterprisepb.Team{}
	_, ok, err := j.load(kTeams, ident, t)
	if err == nil && !ok {
		err = cmdFail("team_not_found", "team %s does not exist", ident)
	}
	return t, ident, err
}

// teamArg loads the team named by the command's team_uid; it returns the
// team and its identity (the uid in base64url).
func (j *jsonCall) teamArg(cmd map[string]any) (*enterprisepb.Team, string, error) {
	uid, err := crypto.Base64URLDecode(str(cmd, "team_uid"))
	if err != nil {
		return nil, "", cmdFail("bad_inputs_team_uid", "team_uid must be 16 bytes base64url")
	}
	return j.team(uid)
}

// ownNode checks that a node id names a node of the session's enterprise.
func (j *jsonCall) ownNode(id int64, field string) error {
	if err := j.ownID(id, field); err != nil {
		return err
	}
	if !j.exists(kNodes, fmt.Sprint(id)) {
		return cmdFail("bad_inputs_"+field, "node %d does not exist", id)
	}
	return nil
}

// isAdminRole reports whether a role manages nodes: Keeper's administrative
// roles (Commander enterprise.py treats a role with managed_nodes as one).
func (j *jsonCall) isAdminRole(roleID int64) (bool, error) {
	rows, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(kManagedNodes), "")
	if err != nil {
		return false, err
	}
	prefix := fmt.Sprintf("%d:", roleID)
	for _, r := range rows {
		if strings.HasPrefix(r.Ident, prefix) {
			return true, nil
		}
	}
	return false, nil
}

// deleteWhere tombstones the live entities of a kind that match.
func (j *jsonCall) deleteWhere(kind enterprisepb.EnterpriseDataEntity, match func(ident string, data []byte) bool) error {
	rows, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(kind), "")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if match(r.Ident, r.Data) {
			if _, err := j.del(kind, r.Ident); err != nil {
				return err
			}
		}
	}
	return nil
}

// emailPattern is the address syntax Commander checks before it creates a
// user (keepercommander/constants.py EMAIL_PATTERN), with dot-separated
// domain labels.
var emailPattern = regexp.MustCompile(`^[a-zA-Z0-9_.+'-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$`)

// checkEmail returns the lower-cased address or a bad_inputs_<field> failure.
func checkEmail(s, field string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(s))
	if !emailPattern.MatchString(email) || len(email) > maxNameLength {
		return "", cmdFail("bad_inputs_"+field, "%q is not a valid email address", s)
	}
	return email, nil
}

// emailFree refuses an email that is already a username or an alias of
// any enterprise user, or a login, anywhere on the server: an email belongs
// to one Keeper account.
func (j *jsonCall) emailFree(email string) error {
	use, err := store.FindEmail(j.ctx, j.tx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case use.EnterpriseID == j.eid && use.Alias:
		return cmdFail("already_exists", "%s is already an alias of enterprise user %d", email, use.EnterpriseUserID)
	case use.EnterpriseID == j.eid && !use.Account:
		return cmdFail("already_exists", "%s is already a user of this enterprise", email)
	}
	return cmdFail("email_in_use", "%s already belongs to another Keeper account or enterprise", email)
}

// checkLength refuses an optional text field longer than Keeper's limit,
// in Keeper's "max=N, length=M, value=field" form (Commander rewrites it
// in simplify_backend_message).
func checkLength(cmd map[string]any, field string) (string, bool, error) {
	v, ok := cmd[field]
	if !ok || v == nil {
		return "", false, nil
	}
	s, _ := v.(string)
	if len(s) > maxNameLength {
		return "", false, cmdFail("bad_inputs_"+field, "max=%d, length=%d, value=%s", maxNameLength, len(s), field)
	}
	return s, true, nil
}

// keyTypes are the encrypted-key type strings Keeper uses in JSON commands
// (Commander enterprise.py: team_key_type, tree_key_type, role_admin_key_type).
var keyTypes = map[string]bool{"encrypted_by_data_key": true, "encrypted_by_data_key_gcm": true,
	"encrypted_by_public_key": true, "encrypted_by_public_key_ecc": true}

// checkKey validates an encrypted key sent for a member: a known key type
// and base64url ciphertext of a plausible size.
func checkKey(key, keyType, field string) error {
	if key == "" || keyType == "" {
		return cmdFail("bad_inputs_"+field, "%s and %s_type are required", field, field)
	}
	if !keyTypes[keyType] {
		return cmdFail("bad_inputs_"+field+"_type", "%s_type %q is not a key type", field, keyType)
	}
	b, err := crypto.Base64URLDecode(key)
	if err != nil || len(b) < 32 || len(b) > 1024 {
		return cmdFail("bad_inputs_"+field, "%s must be a base64url encrypted key", field)
	}
	return nil
}

// unmarshalEntity decodes a stored entity's message.
func unmarshalEntity(e store.Entity, m proto.Message) error { return proto.Unmarshal(e.Data, m) }
