package enterprise

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Raw is the enterprise data exactly as received (serialized entity
// messages, still encrypted where the server sent them encrypted), keyed by
// entity kind and identity. It is what the cache file stores.
//
// A Raw read from the cache holds each kind as the decrypted section of the
// file: a kind is parsed into a list in arrival order only when something
// asks for it, and into the Entities and Seq maps only when it changes or
// is looked up by identity, so a command that needs the managed companies
// never pays for 100,000 users. Code in this package reaches entities
// through list and kind, never through the maps directly.
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

	// pending are kinds read from the cache and not parsed yet.
	pending map[int32]*section
	// lists holds kinds in arrival order: parsed from the cache (then the
	// maps are not built yet), or derived from the maps until they change.
	lists map[int32]*list
	// clean holds the records of kinds unchanged since the cache was read,
	// which a rewrite seals as they are.
	clean map[int32][]byte
	// log records, per kind, identities in the order they were numbered,
	// so a list is the log without its stale entries (dropped or renumbered
	// entities) rather than a sort of the maps.
	log map[int32][]logEntry
	// changed says something (entities, name, flags) changed since the
	// cache was read, so the cache must be written again.
	changed bool
}

// list is a kind's entities in arrival order.
type list struct {
	ids  []string
	data [][]byte
	seq  []uint64
	num  []bool // the entity has a number in Seq (false only for entities of old caches)
}

type logEntry struct {
	id  string
	seq uint64
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
	r.pending, r.clean, r.lists, r.log = nil, nil, nil, nil
	r.changed = true
}

// has reports whether the server ever sent the kind (possibly with no
// entities left).
func (r *Raw) has(kind int32) bool {
	_, inMaps := r.Entities[kind]
	_, inFile := r.pending[kind]
	_, inList := r.lists[kind]
	return inMaps || inFile || inList
}

// kinds lists every kind the Raw holds, parsed or not.
func (r *Raw) kinds() []int32 {
	seen := map[int32]bool{}
	for k := range r.Entities {
		seen[k] = true
	}
	for k := range r.pending {
		seen[k] = true
	}
	for k := range r.lists {
		seen[k] = true
	}
	out := make([]int32, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// list returns the kind's entities in arrival order (Seq); entities without
// a number come last, by identity. nil when the kind is absent. The list
// is shared: callers must not change it.
func (r *Raw) list(kind int32) *list {
	if l := r.lists[kind]; l != nil {
		return l
	}
	if s := r.pending[kind]; s != nil {
		delete(r.pending, kind)
		return r.parse(kind, s)
	}
	raw, ok := r.Entities[kind]
	if !ok {
		return nil
	}
	seq := r.Seq[kind]
	if l := r.fromLog(kind, raw, seq); l != nil {
		r.setList(kind, l)
		return l
	}
	type entry struct {
		id  string
		seq uint64
		ok  bool
	}
	all := make([]entry, 0, len(raw))
	for id := range raw {
		n, ok := seq[id]
		all = append(all, entry{id, n, ok})
	}
	slices.SortFunc(all, func(a, b entry) int {
		if a.ok != b.ok {
			if a.ok {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.seq, b.seq); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	l := &list{ids: make([]string, len(all)), data: make([][]byte, len(all)), seq: make([]uint64, len(all)), num: make([]bool, len(all))}
	for i, x := range all {
		l.ids[i], l.data[i], l.seq[i], l.num[i] = x.id, raw[x.id], x.seq, x.ok
	}
	r.setList(kind, l)
	return l
}

// fromLog is the kind's list from its log, compacting the log; nil when
// the log does not cover every entity (maps filled some other way).
func (r *Raw) fromLog(kind int32, raw map[string][]byte, seq map[string]uint64) *list {
	lg, ok := r.log[kind]
	if !ok || len(lg) < len(raw) {
		return nil
	}
	l := &list{ids: make([]string, 0, len(raw)), data: make([][]byte, 0, len(raw)), seq: make([]uint64, 0, len(raw)),
		num: make([]bool, 0, len(raw))}
	kept := lg[:0]
	for _, e := range lg {
		if n, ok := seq[e.id]; ok && n == e.seq {
			l.ids, l.data, l.seq, l.num = append(l.ids, e.id), append(l.data, raw[e.id]), append(l.seq, n), append(l.num, true)
			kept = append(kept, e)
		}
	}
	r.log[kind] = kept
	if len(l.ids) != len(raw) {
		return nil
	}
	return l
}

func (r *Raw) setList(kind int32, l *list) {
	if r.lists == nil {
		r.lists = map[int32]*list{}
	}
	r.lists[kind] = l
}

// kind returns the entities of a kind by identity, building the maps from
// its list first if needed; nil when the kind is absent.
func (r *Raw) kind(kind int32) map[string][]byte {
	if m, ok := r.Entities[kind]; ok {
		return m
	}
	l := r.list(kind)
	if l == nil {
		return nil
	}
	m := make(map[string][]byte, len(l.ids))
	seq := make(map[string]uint64, len(l.ids))
	lg := make([]logEntry, 0, len(l.ids))
	for i, id := range l.ids {
		m[id] = l.data[i]
		if l.num[i] {
			seq[id] = l.seq[i]
			lg = append(lg, logEntry{id, l.seq[i]})
		}
	}
	r.Entities[kind], r.Seq[kind] = m, seq
	if r.log == nil {
		r.log = map[int32][]logEntry{}
	}
	r.log[kind] = lg
	return m
}

// ensureKind makes the kind present (an empty map if new) and returns it.
func (r *Raw) ensureKind(kind int32) map[string][]byte {
	m := r.kind(kind)
	if m == nil {
		m = map[string][]byte{}
		r.Entities[kind] = m
		r.markDirty(kind)
	}
	return m
}

// markDirty records a change of the kind: its list and records are stale.
func (r *Raw) markDirty(kind int32) {
	delete(r.clean, kind)
	delete(r.lists, kind)
	r.changed = true
}

// put stores an entity, numbering it when it is new.
func (r *Raw) put(kind int32, id string, b []byte) {
	m := r.ensureKind(kind)
	old, known := m[id]
	if known && bytes.Equal(old, b) {
		return // the server sent it again unchanged (licences after every change)
	}
	if !known {
		if r.Seq == nil {
			r.Seq = map[int32]map[string]uint64{}
		}
		if r.Seq[kind] == nil {
			r.Seq[kind] = map[string]uint64{}
		}
		r.Seq[kind][id] = r.Next
		if r.log == nil {
			r.log = map[int32][]logEntry{}
		}
		r.log[kind] = append(r.log[kind], logEntry{id, r.Next})
		r.Next++
	}
	m[id] = b
	r.markDirty(kind)
}

// drop removes an entity and its number.
func (r *Raw) drop(kind int32, id string) {
	m := r.kind(kind)
	if _, ok := m[id]; !ok {
		return
	}
	delete(m, id)
	delete(r.Seq[kind], id)
	r.markDirty(kind)
}

// Apply merges one EnterpriseData block: upserts, or deletes by identity.
// Unknown kinds and undecodable entities are skipped.
func (r *Raw) Apply(d *pb.EnterpriseData) {
	r.apply(d, identities(d))
}

// ident is an entity's identity; ok is false for an entity that does not
// decode.
type ident struct {
	id string
	ok bool
}

// identities names every entity of a block.
func identities(d *pb.EnterpriseData) []ident {
	ids := make([]ident, len(d.Data))
	for i, b := range d.Data {
		ids[i].id, ids[i].ok = identity(d.Entity, b)
	}
	return ids
}

// apply is Apply with the identities computed beforehand (by the page
// fetcher, while the previous page is applied).
func (r *Raw) apply(d *pb.EnterpriseData, ids []ident) {
	kind := int32(d.Entity)
	r.ensureKind(kind)
	for i, b := range d.Data {
		id, ok := ids[i].id, ids[i].ok
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
		for id, v := range r.kind(int32(k)) {
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
	cur, ok := r.kind(kind)[id]
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
