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
	// Seq numbers each entity by first arrival. Commander's loader
	// (keepercommander/enterprise.py _EnterpriseEntity.parse) appends an
	// entity it has not seen to its list and updates a known one in place,
	// so its lists, and the member lists enterprise-info prints, are in
	// first-arrival order; build decodes in this order.
	Seq  map[int32]map[string]uint64
	Next uint64
}

// NewRaw returns an empty Raw.
func NewRaw() *Raw {
	return &Raw{Entities: map[int32]map[string][]byte{}, Seq: map[int32]map[string]uint64{}}
}

// Clear drops everything (cacheStatus CLEAR).
func (r *Raw) Clear() {
	r.Name, r.Distributor = "", false
	r.Entities = map[int32]map[string][]byte{}
	r.Seq = map[int32]map[string]uint64{}
}

// put stores an entity, numbering it when it is new.
func (r *Raw) put(kind int32, id string, b []byte) {
	if _, known := r.Entities[kind][id]; !known {
		if r.Seq == nil {
			r.Seq = map[int32]map[string]uint64{}
		}
		if r.Seq[kind] == nil {
			r.Seq[kind] = map[string]uint64{}
		}
		r.Seq[kind][id] = r.Next
		r.Next++
	}
	r.Entities[kind][id] = b
}

// drop removes an entity and its number.
func (r *Raw) drop(kind int32, id string) {
	delete(r.Entities[kind], id)
	delete(r.Seq[kind], id)
}

// Apply merges one EnterpriseData block: upserts, or deletes by identity.
// Unknown kinds and undecodable entities are skipped.
func (r *Raw) Apply(d *pb.EnterpriseData) {
	kind := int32(d.Entity)
	if r.Entities[kind] == nil {
		r.Entities[kind] = map[string][]byte{}
	}
	for _, b := range d.Data {
		id, ok := identity(d.Entity, b)
		if !ok {
			continue
		}
		switch {
		case d.Entity == pb.EnterpriseDataEntity_QUEUED_TEAM_USERS:
			r.applyQueuedUsers(id, b, d.Delete)
		case !d.Delete:
			r.put(kind, id, b)
		default:
			r.drop(kind, id)
			r.cascade(d.Entity, b)
		}
	}
}

// cascade drops links of a deleted team, user or role, as Commander does.
func (r *Raw) cascade(kind pb.EnterpriseDataEntity, b []byte) {
	drop := func(k pb.EnterpriseDataEntity, match func([]byte) bool) {
		for id, v := range r.Entities[int32(k)] {
			if match(v) {
				r.drop(int32(k), id)
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

// applyQueuedUsers merges a QueuedTeamUser into the team's entry: an upsert
// adds its users to the set, a delete removes them (Commander
// keepercommander/enterprise.py _EnterpriseQueuedTeamUserEntity.parse; the
// entry stays, possibly empty).
func (r *Raw) applyQueuedUsers(id string, b []byte, del bool) {
	kind := int32(pb.EnterpriseDataEntity_QUEUED_TEAM_USERS)
	var in pb.QueuedTeamUser
	if proto.Unmarshal(b, &in) != nil {
		return
	}
	cur, ok := r.Entities[kind][id]
	if !ok {
		if !del {
			in.Users = mergeUsers(nil, in.Users)
			if nb, err := proto.Marshal(&in); err == nil {
				r.put(kind, id, nb)
			}
		}
		return
	}
	var q pb.QueuedTeamUser
	if proto.Unmarshal(cur, &q) != nil {
		return
	}
	if del {
		gone := map[int64]bool{}
		for _, u := range in.Users {
			gone[u] = true
		}
		keep := q.Users[:0]
		for _, u := range q.Users {
			if !gone[u] {
				keep = append(keep, u)
			}
		}
		q.Users = keep
	} else {
		q.Users = mergeUsers(q.Users, in.Users)
	}
	if nb, err := proto.Marshal(&q); err == nil {
		r.put(kind, id, nb)
	}
}

// mergeUsers appends the ids of add not yet in have.
func mergeUsers(have, add []int64) []int64 {
	seen := map[int64]bool{}
	for _, u := range have {
		seen[u] = true
	}
	for _, u := range add {
		if !seen[u] {
			seen[u] = true
			have = append(have, u)
		}
	}
	return have
}

// identity decodes an entity just far enough to name it (Commander keepercommander/enterprise.py, the entity parsers).
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
