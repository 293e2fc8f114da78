package enterprise

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Raw is the enterprise data exactly as received (serialized entity
// messages, still encrypted where the server sent them encrypted), keyed by
// entity kind and identity. It is what the cache file stores.
type Raw struct {
	Name        string
	Distributor bool
	Entities    map[int32]map[string][]byte
}

// NewRaw returns an empty Raw.
func NewRaw() *Raw { return &Raw{Entities: map[int32]map[string][]byte{}} }

// Clear drops everything (cacheStatus CLEAR).
func (r *Raw) Clear() {
	r.Name, r.Distributor = "", false
	r.Entities = map[int32]map[string][]byte{}
}

// Apply merges one EnterpriseData block: upserts, or deletes by identity.
// Unknown kinds and undecodable entities are skipped.
func (r *Raw) Apply(d *pb.EnterpriseData) {
	kind := int32(d.Entity)
	m := r.Entities[kind]
	if m == nil {
		m = map[string][]byte{}
		r.Entities[kind] = m
	}
	for _, b := range d.Data {
		id, ok := identity(d.Entity, b)
		if !ok {
			continue
		}
		if !d.Delete {
			if d.Entity == pb.EnterpriseDataEntity_QUEUED_TEAM_USERS {
				b = mergeQueuedUsers(m[id], b)
			}
			m[id] = b
			continue
		}
		if d.Entity == pb.EnterpriseDataEntity_QUEUED_TEAM_USERS {
			r.removeQueuedUsers(id, b)
			continue
		}
		delete(m, id)
		r.cascade(d.Entity, b)
	}
}

// cascade drops links of a deleted team, user or role, as Commander does.
func (r *Raw) cascade(kind pb.EnterpriseDataEntity, b []byte) {
	drop := func(k pb.EnterpriseDataEntity, match func([]byte) bool) {
		for id, v := range r.Entities[int32(k)] {
			if match(v) {
				delete(r.Entities[int32(k)], id)
			}
		}
	}
	switch kind {
	case pb.EnterpriseDataEntity_TEAMS:
		var t pb.Team
		_ = proto.Unmarshal(b, &t)
		uid := string(t.TeamUid)
		drop(pb.EnterpriseDataEntity_TEAM_USERS, func(v []byte) bool { var m pb.TeamUser; _ = proto.Unmarshal(v, &m); return string(m.TeamUid) == uid })
		drop(pb.EnterpriseDataEntity_ROLE_TEAMS, func(v []byte) bool { var m pb.RoleTeam; _ = proto.Unmarshal(v, &m); return string(m.TeamUid) == uid })
		drop(pb.EnterpriseDataEntity_QUEUED_TEAM_USERS, func(v []byte) bool {
			var m pb.QueuedTeamUser
			_ = proto.Unmarshal(v, &m)
			return string(m.TeamUid) == uid
		})
	case pb.EnterpriseDataEntity_USERS:
		var u pb.User
		_ = proto.Unmarshal(b, &u)
		id := u.EnterpriseUserId
		drop(pb.EnterpriseDataEntity_TEAM_USERS, func(v []byte) bool { var m pb.TeamUser; _ = proto.Unmarshal(v, &m); return m.EnterpriseUserId == id })
		drop(pb.EnterpriseDataEntity_ROLE_USERS, func(v []byte) bool { var m pb.RoleUser; _ = proto.Unmarshal(v, &m); return m.EnterpriseUserId == id })
	case pb.EnterpriseDataEntity_ROLES:
		var ro pb.Role
		_ = proto.Unmarshal(b, &ro)
		id := ro.RoleId
		drop(pb.EnterpriseDataEntity_ROLE_TEAMS, func(v []byte) bool { var m pb.RoleTeam; _ = proto.Unmarshal(v, &m); return m.RoleId == id })
		drop(pb.EnterpriseDataEntity_ROLE_USERS, func(v []byte) bool { var m pb.RoleUser; _ = proto.Unmarshal(v, &m); return m.RoleId == id })
		drop(pb.EnterpriseDataEntity_MANAGED_NODES, func(v []byte) bool { var m pb.ManagedNode; _ = proto.Unmarshal(v, &m); return m.RoleId == id })
	}
}

// mergeQueuedUsers adds the users of an upserted QueuedTeamUser to the
// ones already queued for that team: Commander keeps one user set per team
// and unions every upsert into it (enterprise.py
// _EnterpriseQueuedTeamUserEntity), so a server may send one entity per
// queued user.
func mergeQueuedUsers(cur, b []byte) []byte {
	var have, add pb.QueuedTeamUser
	if cur == nil || proto.Unmarshal(cur, &have) != nil || proto.Unmarshal(b, &add) != nil {
		return b
	}
	seen := map[int64]bool{}
	for _, u := range have.Users {
		seen[u] = true
	}
	for _, u := range add.Users {
		if !seen[u] {
			have.Users = append(have.Users, u)
			seen[u] = true
		}
	}
	if nb, err := proto.Marshal(&have); err == nil {
		return nb
	}
	return b
}

func (r *Raw) removeQueuedUsers(id string, b []byte) {
	var del pb.QueuedTeamUser
	if proto.Unmarshal(b, &del) != nil {
		return
	}
	m := r.Entities[int32(pb.EnterpriseDataEntity_QUEUED_TEAM_USERS)]
	cur, ok := m[id]
	if !ok {
		return
	}
	var q pb.QueuedTeamUser
	if proto.Unmarshal(cur, &q) != nil {
		return
	}
	gone := map[int64]bool{}
	for _, u := range del.Users {
		gone[u] = true
	}
	keep := q.Users[:0]
	for _, u := range q.Users {
		if !gone[u] {
			keep = append(keep, u)
		}
	}
	q.Users = keep
	if nb, err := proto.Marshal(&q); err == nil {
		m[id] = nb
	}
}

// identity decodes an entity just far enough to name it (brief 02 §1.6).
func identity(kind pb.EnterpriseDataEntity, b []byte) (string, bool) {
	var m proto.Message
	var id func() string
	switch kind {
	case pb.EnterpriseDataEntity_NODES:
		x := &pb.Node{}
		m, id = x, func() string { return fmt.Sprint(x.NodeId) }
	case pb.EnterpriseDataEntity_ROLES:
		x := &pb.Role{}
		m, id = x, func() string { return fmt.Sprint(x.RoleId) }
	case pb.EnterpriseDataEntity_USERS:
		x := &pb.User{}
		m, id = x, func() string { return fmt.Sprint(x.EnterpriseUserId) }
	case pb.EnterpriseDataEntity_TEAMS:
		x := &pb.Team{}
		m, id = x, func() string { return crypto.Base64URLEncode(x.TeamUid) }
	case pb.EnterpriseDataEntity_TEAM_USERS:
		x := &pb.TeamUser{}
		m, id = x, func() string { return fmt.Sprintf("%s:%d", crypto.Base64URLEncode(x.TeamUid), x.EnterpriseUserId) }
	case pb.EnterpriseDataEntity_ROLE_USERS:
		x := &pb.RoleUser{}
		m, id = x, func() string { return fmt.Sprintf("%d:%d", x.RoleId, x.EnterpriseUserId) }
	case pb.EnterpriseDataEntity_ROLE_PRIVILEGES:
		x := &pb.RolePrivilege{}
		m, id = x, func() string { return fmt.Sprintf("%d:%d:%s", x.RoleId, x.ManagedNodeId, x.PrivilegeType) }
	case pb.EnterpriseDataEntity_ROLE_ENFORCEMENTS:
		x := &pb.RoleEnforcement{}
		m, id = x, func() string { return fmt.Sprintf("%d:%s", x.RoleId, x.EnforcementType) }
	case pb.EnterpriseDataEntity_ROLE_TEAMS:
		x := &pb.RoleTeam{}
		m, id = x, func() string { return fmt.Sprintf("%d:%s", x.RoleId, crypto.Base64URLEncode(x.TeamUid)) }
	case pb.EnterpriseDataEntity_LICENSES:
		x := &pb.License{}
		m, id = x, func() string { return fmt.Sprint(x.EnterpriseLicenseId) }
	case pb.EnterpriseDataEntity_MANAGED_NODES:
		x := &pb.ManagedNode{}
		m, id = x, func() string { return fmt.Sprintf("%d:%d", x.RoleId, x.ManagedNodeId) }
	case pb.EnterpriseDataEntity_MANAGED_COMPANIES:
		x := &pb.ManagedCompany{}
		m, id = x, func() string { return fmt.Sprint(x.McEnterpriseId) }
	case pb.EnterpriseDataEntity_QUEUED_TEAMS:
		x := &pb.QueuedTeam{}
		m, id = x, func() string { return crypto.Base64URLEncode(x.TeamUid) }
	case pb.EnterpriseDataEntity_QUEUED_TEAM_USERS:
		x := &pb.QueuedTeamUser{}
		m, id = x, func() string { return crypto.Base64URLEncode(x.TeamUid) }
	case pb.EnterpriseDataEntity_USER_ALIASES:
		x := &pb.UserAlias{}
		m, id = x, func() string { return x.Username }
	case pb.EnterpriseDataEntity_BRIDGES:
		x := &pb.Bridge{}
		m, id = x, func() string { return fmt.Sprint(x.BridgeId) }
	case pb.EnterpriseDataEntity_SCIMS:
		x := &pb.Scim{}
		m, id = x, func() string { return fmt.Sprint(x.ScimId) }
	case pb.EnterpriseDataEntity_EMAIL_PROVISION:
		x := &pb.EmailProvision{}
		m, id = x, func() string { return fmt.Sprint(x.Id) }
	case pb.EnterpriseDataEntity_SSO_SERVICES:
		x := &pb.SsoService{}
		m, id = x, func() string { return fmt.Sprint(x.SsoServiceProviderId) }
	default:
		return "", false
	}
	if proto.Unmarshal(b, m) != nil {
		return "", false
	}
	return id(), true
}
