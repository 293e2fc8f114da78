package server

import (
	"database/sql"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// move is a node subtree about to leave the MSP for a managed company:
// the MSP's entities, and the nodes, roles, users and teams that move.
type move struct {
	c        *call
	tx       *sql.Tx
	msp, mc  int32
	ents     map[pb.EnterpriseDataEntity][]store.Entity
	nodes    map[int64]*pb.Node
	top      int64
	N, R, U  map[int64]bool
	T        map[string]bool // b64url team uids
	nodeData map[int64]string
	roleData map[int64]string
	userData map[int64]string
	teamKeys map[string]*pb.EncryptedTeamKeyRequest
}

// moveKinds are the MSP entity kinds a conversion reads.
var moveKinds = []pb.EnterpriseDataEntity{pb.EnterpriseDataEntity_NODES, pb.EnterpriseDataEntity_ROLES,
	pb.EnterpriseDataEntity_USERS, pb.EnterpriseDataEntity_TEAMS, pb.EnterpriseDataEntity_TEAM_USERS,
	pb.EnterpriseDataEntity_ROLE_USERS, pb.EnterpriseDataEntity_ROLE_TEAMS, pb.EnterpriseDataEntity_MANAGED_NODES,
	pb.EnterpriseDataEntity_ROLE_PRIVILEGES, pb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, pb.EnterpriseDataEntity_USER_ALIASES,
	pb.EnterpriseDataEntity_BRIDGES, pb.EnterpriseDataEntity_SCIMS, pb.EnterpriseDataEntity_SSO_SERVICES,
	pb.EnterpriseDataEntity_EMAIL_PROVISION, pb.EnterpriseDataEntity_QUEUED_TEAMS, pb.EnterpriseDataEntity_MANAGED_COMPANIES}

func loadMove(c *call, tx *sql.Tx, msp, mc int32) (*move, error) {
	m := &move{c: c, tx: tx, msp: msp, mc: mc, ents: map[pb.EnterpriseDataEntity][]store.Entity{}, nodes: map[int64]*pb.Node{}}
	for _, k := range moveKinds {
		rows, err := store.FindEntities(c.ctx, tx, msp, int32(k), "")
		if err != nil {
			return nil, err
		}
		m.ents[k] = rows
	}
	for _, e := range m.ents[pb.EnterpriseDataEntity_NODES] {
		n := &pb.Node{}
		if err := proto.Unmarshal(e.Data, n); err != nil {
			return nil, err
		}
		m.nodes[n.NodeId] = n
	}
	return m, nil
}

// each decodes every MSP entity of a kind into a fresh msg and calls fn.
func (m *move) each(kind pb.EnterpriseDataEntity, msg func() proto.Message, fn func(e store.Entity, v proto.Message) error) error {
	for _, e := range m.ents[kind] {
		v := msg()
		if err := proto.Unmarshal(e.Data, v); err != nil {
			return err
		}
		if err := fn(e, v); err != nil {
			return err
		}
	}
	return nil
}

// plan works out what moves and refuses a request that does not describe
// exactly one non-root node with its whole subtree, its roles, users and
// teams, or a subtree that cannot leave: provisioning, managed companies or
// queued teams on it, invited users, the caller, or memberships and admin
// roles crossing its boundary (the checks Commander's msp-convert-node
// makes before it sends the request).
func (m *move) plan(rq *pb.NodeToManagedCompanyRequest) error {
	m.nodeData = map[int64]string{}
	for _, d := range rq.Nodes {
		if m.nodes[d.Id] == nil || m.nodeData[d.Id] != "" {
			return cmdFail("bad_inputs_nodes", "node %d does not exist in the MSP or is listed twice", d.Id)
		}
		if err := checkEncrypted(d.Data); err != nil {
			return cmdFail("bad_inputs_nodes", "node %d: data must be base64url AES-CBC data", d.Id)
		}
		m.nodeData[d.Id] = d.Data
	}
	var tops []int64
	for id := range m.nodeData {
		if _, ok := m.nodeData[m.nodes[id].ParentId]; !ok {
			tops = append(tops, id)
		}
	}
	if len(tops) != 1 {
		return cmdFail("bad_inputs_nodes", "nodes must be one node and all its subnodes")
	}
	m.top = tops[0]
	if m.nodes[m.top].ParentId == 0 {
		return cmdFail("bad_inputs_nodes", "root node cannot be converted")
	}
	m.N = map[int64]bool{m.top: true}
	for grew := true; grew; {
		grew = false
		for id, n := range m.nodes {
			if !m.N[id] && m.N[n.ParentId] {
				m.N[id], grew = true, true
			}
		}
	}
	if len(m.N) != len(m.nodeData) {
		return cmdFail("bad_inputs_nodes", "nodes must be node %d and all %d of its subnodes", m.top, len(m.N)-1)
	}
	if err := m.members(rq); err != nil {
		return err
	}
	return m.checks()
}

// members collects the roles, users and teams on the moved nodes and checks
// the request re-encrypts exactly those.
func (m *move) members(rq *pb.NodeToManagedCompanyRequest) error {
	m.R, m.U, m.T = map[int64]bool{}, map[int64]bool{}, map[string]bool{}
	noKey := map[int64]bool{}
	err := m.each(pb.EnterpriseDataEntity_ROLES, func() proto.Message { return &pb.Role{} }, func(_ store.Entity, v proto.Message) error {
		r := v.(*pb.Role)
		m.R[r.RoleId] = m.N[r.NodeId]
		return nil
	})
	if err == nil {
		err = m.each(pb.EnterpriseDataEntity_USERS, func() proto.Message { return &pb.User{} }, func(_ store.Entity, v proto.Message) error {
			u := v.(*pb.User)
			m.U[u.EnterpriseUserId], noKey[u.EnterpriseUserId] = m.N[u.NodeId], u.KeyType == "no_key"
			if m.N[u.NodeId] && u.Status == "invited" {
				return cmdFail("pending_users", "Pending user %s must be removed", u.Username)
			}
			return nil
		})
	}
	if err == nil {
		err = m.each(pb.EnterpriseDataEntity_TEAMS, func() proto.Message { return &pb.Team{} }, func(_ store.Entity, v proto.Message) error {
			t := v.(*pb.Team)
			m.T[crypto.Base64URLEncode(t.TeamUid)] = m.N[t.NodeId]
			return nil
		})
	}
	if err != nil {
		return err
	}
	if m.roleData, err = reEncrypted("roles", rq.Roles, m.R, nil); err != nil {
		return err
	}
	if m.userData, err = reEncrypted("users", rq.Users, m.U, noKey); err != nil {
		return err
	}
	m.teamKeys = map[string]*pb.EncryptedTeamKeyRequest{}
	for _, k := range rq.TeamKeys {
		uid := crypto.Base64URLEncode(k.TeamUid)
		if !m.T[uid] || m.teamKeys[uid] != nil || (!k.Force && (len(k.EncryptedTeamKey) < 28 || len(k.EncryptedTeamKey) > 1024)) {
			return cmdFail("bad_inputs_team_keys", "team %s: not a team of the moved nodes, listed twice, or without a key", uid)
		}
		m.teamKeys[uid] = k
	}
	for uid, moving := range m.T {
		if moving && m.teamKeys[uid] == nil {
			return cmdFail("bad_inputs_team_keys", "team %s moves but has no team key entry", uid)
		}
	}
	for _, k := range rq.RoleKeys {
		if !m.R[k.RoleId] || len(k.EncryptedRoleKey) < 28 || len(k.EncryptedRoleKey) > 1024 {
			return cmdFail("bad_inputs_role_keys", "role key of role %d: not a moved role or not an encrypted key", k.RoleId)
		}
	}
	for _, k := range rq.UsersDataKeys {
		if !m.U[k.EnterpriseUserId] || len(k.UserEncryptedDataKey) == 0 || len(k.UserEncryptedDataKey) > 1024 {
			return cmdFail("bad_inputs_users_data_keys", "data key of user %d: not a moved user or not an encrypted key", k.EnterpriseUserId)
		}
	}
	return nil
}

// reEncrypted checks a list of re-encrypted data covers exactly the moving
// ids of a kind; plain lists ids whose data may be plaintext (no_key users).
func reEncrypted(what string, list []*pb.ReEncryptedData, moving, plain map[int64]bool) (map[int64]string, error) {
	out := map[int64]string{}
	for _, d := range list {
		if !moving[d.Id] || out[d.Id] != "" {
			return nil, cmdFail("bad_inputs_"+what, "%s %d is not on the moved nodes or is listed twice", strings.TrimSuffix(what, "s"), d.Id)
		}
		if plain[d.Id] {
			if d.Data == "" || len(d.Data) > 4*maxNameLength {
				return nil, cmdFail("bad_inputs_"+what, "%s %d: data is empty or too long", strings.TrimSuffix(what, "s"), d.Id)
			}
		} else if err := checkEncrypted(d.Data); err != nil {
			return nil, cmdFail("bad_inputs_"+what, "%s %d: data must be base64url AES-CBC data", strings.TrimSuffix(what, "s"), d.Id)
		}
		out[d.Id] = d.Data
	}
	for id, ok := range moving {
		if ok && out[id] == "" {
			return nil, cmdFail("bad_inputs_"+what, "%s %d moves but its data was not sent", strings.TrimSuffix(what, "s"), id)
		}
	}
	return out, nil
}

// checks refuses what cannot leave the MSP with the subtree.
func (m *move) checks() error {
	for id := range m.N {
		if n := m.nodes[id]; n.BridgeId != 0 || n.ScimId != 0 || len(n.SsoServiceProviderIds) > 0 {
			return cmdFail("provisioning_on_node", "Remove provisioning before conversion from node %d", id)
		}
	}
	onNode := []struct {
		kind pb.EnterpriseDataEntity
		msg  func() proto.Message
		node func(proto.Message) int64
		code string
	}{
		{pb.EnterpriseDataEntity_BRIDGES, func() proto.Message { return &pb.Bridge{} }, func(v proto.Message) int64 { return v.(*pb.Bridge).NodeId }, "provisioning_on_node"},
		{pb.EnterpriseDataEntity_SCIMS, func() proto.Message { return &pb.Scim{} }, func(v proto.Message) int64 { return v.(*pb.Scim).NodeId }, "provisioning_on_node"},
		{pb.EnterpriseDataEntity_SSO_SERVICES, func() proto.Message { return &pb.SsoService{} }, func(v proto.Message) int64 { return v.(*pb.SsoService).NodeId }, "provisioning_on_node"},
		{pb.EnterpriseDataEntity_EMAIL_PROVISION, func() proto.Message { return &pb.EmailProvision{} }, func(v proto.Message) int64 { return v.(*pb.EmailProvision).NodeId }, "provisioning_on_node"},
		{pb.EnterpriseDataEntity_QUEUED_TEAMS, func() proto.Message { return &pb.QueuedTeam{} }, func(v proto.Message) int64 { return v.(*pb.QueuedTeam).NodeId }, "queued_team_on_node"},
		{pb.EnterpriseDataEntity_MANAGED_COMPANIES, func() proto.Message { return &pb.ManagedCompany{} }, func(v proto.Message) int64 { return v.(*pb.ManagedCompany).MspNodeId }, "managed_company_on_node"},
	}
	for _, o := range onNode {
		err := m.each(o.kind, o.msg, func(_ store.Entity, v proto.Message) error {
			if n := o.node(v); m.N[n] {
				return cmdFail(o.code, "Remove %s before conversion from node %d", strings.ToLower(o.kind.String()), n)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	self, err := store.LoadAccount(m.c.ctx, m.tx, m.c.sess.Username)
	if err != nil {
		return err
	}
	if m.U[self.EnterpriseUserID] {
		return cmdFail("bad_inputs_nodes", "the node holds your own user; it cannot move to a managed company")
	}
	return m.crossing()
}

// crossing refuses role, team and admin-role links with one end inside the
// subtree and the other outside.
func (m *move) crossing() error {
	cross := func(a, b bool, format string, args ...any) error {
		if a != b {
			return cmdFail("conflicting_membership", format, args...)
		}
		return nil
	}
	err := m.each(pb.EnterpriseDataEntity_ROLE_USERS, func() proto.Message { return &pb.RoleUser{} }, func(_ store.Entity, v proto.Message) error {
		ru := v.(*pb.RoleUser)
		return cross(m.R[ru.RoleId], m.U[ru.EnterpriseUserId], "Conflicting role membership: User: %d, Role: %d", ru.EnterpriseUserId, ru.RoleId)
	})
	if err == nil {
		err = m.each(pb.EnterpriseDataEntity_ROLE_TEAMS, func() proto.Message { return &pb.RoleTeam{} }, func(_ store.Entity, v proto.Message) error {
			rt := v.(*pb.RoleTeam)
			uid := crypto.Base64URLEncode(rt.TeamUid)
			return cross(m.R[rt.RoleId], m.T[uid], "Conflicting role membership: Team: %s, Role: %d", uid, rt.RoleId)
		})
	}
	if err == nil {
		err = m.each(pb.EnterpriseDataEntity_TEAM_USERS, func() proto.Message { return &pb.TeamUser{} }, func(_ store.Entity, v proto.Message) error {
			tu := v.(*pb.TeamUser)
			uid := crypto.Base64URLEncode(tu.TeamUid)
			return cross(m.T[uid], m.U[tu.EnterpriseUserId], "Conflicting team membership: User: %d, Team: %s", tu.EnterpriseUserId, uid)
		})
	}
	if err == nil {
		err = m.each(pb.EnterpriseDataEntity_MANAGED_NODES, func() proto.Message { return &pb.ManagedNode{} }, func(_ store.Entity, v proto.Message) error {
			mn := v.(*pb.ManagedNode)
			return cross(m.R[mn.RoleId], m.N[mn.ManagedNodeId], "Conflicting admin role management: Node: %d, Role: %d", mn.ManagedNodeId, mn.RoleId)
		})
	}
	return err
}
