package server

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// msp-convert-node (Commander keepercommander/commands/msp.py,
// MSPConvertNodeCommand): the client reads the escrowed data keys of the
// users it moves (get_enterprise_user_data_key_by_node), re-encrypts node,
// role and user data, team keys and those data keys for the managed
// company, and posts them to node_to_managed_company, which moves the node
// subtree with its users, roles and teams out of the MSP into the MC.

// userDataKeysByNode serves enterprise/get_enterprise_user_data_key_by_node:
// per requested node of the session's enterprise, the escrowed data keys
// of the users directly in it.
func (s *Server) userDataKeysByNode(c *call) (proto.Message, error) {
	if _, err := s.admin(c); err != nil {
		return nil, err
	}
	var rq authpb.UserDataKeyByNodeRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if len(rq.NodeIds) > 10000 {
		return nil, fail(http.StatusBadRequest, "bad_request", "at most 10000 node ids")
	}
	db, eid := s.st.DB(), c.sess.EnterpriseID
	users, err := store.FindEntities(c.ctx, db, eid, kindUsers, "")
	if err != nil {
		return nil, err
	}
	inNode := map[int64][]int64{}
	for _, e := range users {
		var u pb.User
		if err := proto.Unmarshal(e.Data, &u); err != nil {
			return nil, err
		}
		inNode[u.NodeId] = append(inNode[u.NodeId], u.EnterpriseUserId)
	}
	rs := &pb.EnterpriseUserDataKeysByNodeResponse{}
	seen := map[int64]bool{}
	for _, n := range rq.NodeIds {
		if seen[n] {
			continue
		}
		seen[n] = true
		if _, err := store.GetEntity(c.ctx, db, eid, kindNodes, fmt.Sprint(n)); err != nil {
			return nil, fail(http.StatusBadRequest, "bad_inputs_node_id", fmt.Sprintf("node %d does not exist", n))
		}
		entry := &pb.EnterpriseUserDataKeysByNode{NodeId: n}
		for _, uid := range inNode[n] {
			k, err := store.UserDataKeyOf(c.ctx, db, eid, uid)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			entry.Keys = append(entry.Keys, &pb.EnterpriseUserDataKeyLight{EnterpriseUserId: uid,
				UserEncryptedDataKey: k.Key, KeyTypeId: k.KeyType})
		}
		rs.Keys = append(rs.Keys, entry)
	}
	return rs, nil
}

// nodeToMC serves enterprise/node_to_managed_company in one transaction
// over both enterprises.
func (s *Server) nodeToMC(c *call) (proto.Message, error) {
	if _, err := s.admin(c); err != nil {
		return nil, err
	}
	var rq pb.NodeToManagedCompanyRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	err := s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		if _, err := callerIsMSP(c.ctx, tx, c.sess); err != nil {
			return err
		}
		msp := c.sess.EnterpriseID
		mc, err := store.GetEnterprise(c.ctx, tx, rq.CompanyId)
		if errors.Is(err, store.ErrNotFound) || (err == nil && mc.MSPID != msp) {
			return cmdFail("access_denied", "company %d is not a managed company of this MSP", rq.CompanyId)
		}
		if err != nil {
			return err
		}
		if removed, err := store.EnterpriseRemoved(c.ctx, tx, mc.ID); err != nil || removed {
			if err == nil {
				err = cmdFail("access_denied", "managed company %d was removed", mc.ID)
			}
			return err
		}
		mv, err := loadMove(c, tx, msp, mc.ID)
		if err != nil {
			return err
		}
		if err := mv.plan(&rq); err != nil {
			return err
		}
		return mv.apply(&rq)
	})
	var ce *cmdError
	if errors.As(err, &ce) {
		status := http.StatusBadRequest
		if ce.code == "access_denied" {
			status = http.StatusForbidden
		}
		return nil, fail(status, ce.code, ce.msg)
	}
	return nil, err
}

// apply moves the planned subtree: each entity becomes a tombstone in the
// MSP and reappears in the MC with the re-encrypted data (the top node
// under the MC root), links of moved roles, teams and users come along,
// accounts and escrowed data keys follow their users, and the MSP's
// ManagedCompany entity counts the MC's users anew.
func (m *move) apply(rq *pb.NodeToManagedCompanyRequest) error {
	ctx, tx := m.c.ctx, m.tx
	mspRev, err := store.BumpRev(ctx, tx, m.msp)
	if err != nil {
		return err
	}
	mcRev, err := store.BumpRev(ctx, tx, m.mc)
	if err != nil {
		return err
	}
	mcRoot, err := rootNode(ctx, tx, m.mc)
	if err != nil {
		return err
	}
	relocate := func(e store.Entity, changed proto.Message) error {
		if _, err := store.DeleteEntity(ctx, tx, m.msp, mspRev, e.Kind, e.Ident); err != nil {
			return err
		}
		if changed != nil {
			data, err := proto.Marshal(changed)
			if err != nil {
				return err
			}
			e.Data = data
		}
		return store.PutEntity(ctx, tx, m.mc, mcRev, store.Entity{Kind: e.Kind, Ident: e.Ident, Name: e.Name, Data: e.Data})
	}
	var moved []string // usernames
	type rule struct {
		kind pb.EnterpriseDataEntity
		msg  func() proto.Message
		// moves reports whether the entity moves and, if its data changes,
		// returns the changed message.
		moves func(proto.Message) (bool, proto.Message)
	}
	rules := []rule{
		{pb.EnterpriseDataEntity_NODES, func() proto.Message { return &pb.Node{} }, func(v proto.Message) (bool, proto.Message) {
			n := v.(*pb.Node)
			if n.NodeId == m.top {
				n.ParentId = mcRoot
			}
			n.EncryptedData = m.nodeData[n.NodeId]
			return m.N[n.NodeId], n
		}},
		{pb.EnterpriseDataEntity_ROLES, func() proto.Message { return &pb.Role{} }, func(v proto.Message) (bool, proto.Message) {
			r := v.(*pb.Role)
			r.EncryptedData = m.roleData[r.RoleId]
			return m.R[r.RoleId], r
		}},
		{pb.EnterpriseDataEntity_USERS, func() proto.Message { return &pb.User{} }, func(v proto.Message) (bool, proto.Message) {
			u := v.(*pb.User)
			if m.U[u.EnterpriseUserId] {
				moved = append(moved, strings.ToLower(u.Username))
			}
			u.EncryptedData = m.userData[u.EnterpriseUserId]
			return m.U[u.EnterpriseUserId], u
		}},
		{pb.EnterpriseDataEntity_TEAMS, func() proto.Message { return &pb.Team{} }, func(v proto.Message) (bool, proto.Message) {
			t := v.(*pb.Team)
			uid := crypto.Base64URLEncode(t.TeamUid)
			if k := m.teamKeys[uid]; k != nil {
				t.EncryptedTeamKey = "" // force: the team had no key
				if len(k.EncryptedTeamKey) > 0 {
					t.EncryptedTeamKey = crypto.Base64URLEncode(k.EncryptedTeamKey)
				}
			}
			return m.T[uid], t
		}},
		{pb.EnterpriseDataEntity_TEAM_USERS, func() proto.Message { return &pb.TeamUser{} }, func(v proto.Message) (bool, proto.Message) {
			return m.T[crypto.Base64URLEncode(v.(*pb.TeamUser).TeamUid)], nil
		}},
		{pb.EnterpriseDataEntity_ROLE_USERS, func() proto.Message { return &pb.RoleUser{} }, func(v proto.Message) (bool, proto.Message) {
			return m.R[v.(*pb.RoleUser).RoleId], nil
		}},
		{pb.EnterpriseDataEntity_ROLE_TEAMS, func() proto.Message { return &pb.RoleTeam{} }, func(v proto.Message) (bool, proto.Message) {
			return m.R[v.(*pb.RoleTeam).RoleId], nil
		}},
		{pb.EnterpriseDataEntity_MANAGED_NODES, func() proto.Message { return &pb.ManagedNode{} }, func(v proto.Message) (bool, proto.Message) {
			return m.R[v.(*pb.ManagedNode).RoleId], nil
		}},
		{pb.EnterpriseDataEntity_ROLE_PRIVILEGES, func() proto.Message { return &pb.RolePrivilege{} }, func(v proto.Message) (bool, proto.Message) {
			return m.R[v.(*pb.RolePrivilege).RoleId], nil
		}},
		{pb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, func() proto.Message { return &pb.RoleEnforcement{} }, func(v proto.Message) (bool, proto.Message) {
			return m.R[v.(*pb.RoleEnforcement).RoleId], nil
		}},
		{pb.EnterpriseDataEntity_USER_ALIASES, func() proto.Message { return &pb.UserAlias{} }, func(v proto.Message) (bool, proto.Message) {
			return m.U[v.(*pb.UserAlias).EnterpriseUserId], nil
		}},
	}
	for _, r := range rules {
		err := m.each(r.kind, r.msg, func(e store.Entity, v proto.Message) error {
			if ok, changed := r.moves(v); ok {
				return relocate(e, changed)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, username := range moved {
		if _, err := store.MoveAccount(ctx, tx, username, m.mc); err != nil {
			return err
		}
	}
	for id, ok := range m.U {
		if ok {
			if err := store.DeleteUserDataKey(ctx, tx, id); err != nil {
				return err
			}
		}
	}
	for _, k := range rq.UsersDataKeys {
		if err := store.PutUserDataKey(ctx, tx, &store.UserDataKey{EnterpriseUserID: k.EnterpriseUserId, EnterpriseID: m.mc,
			Key: k.UserEncryptedDataKey, KeyType: int32(pb.BackupKeyType_ENCRYPTED_BY_PUBLIC_KEY_ECC)}); err != nil {
			return err
		}
	}
	return m.recount(mspRev)
}

// recount refreshes numberOfUsers (active, not disabled) of the MC's
// ManagedCompany entity in the MSP.
func (m *move) recount(mspRev int64) error {
	ctx, tx := m.c.ctx, m.tx
	e, err := store.GetEntity(ctx, tx, m.msp, kindMCs, fmt.Sprint(m.mc))
	if err != nil {
		return err
	}
	var mc pb.ManagedCompany
	if err := proto.Unmarshal(e.Data, &mc); err != nil {
		return err
	}
	users, err := store.FindEntities(ctx, tx, m.mc, kindUsers, "")
	if err != nil {
		return err
	}
	mc.NumberOfUsers = 0
	for _, r := range users {
		var u pb.User
		if err := proto.Unmarshal(r.Data, &u); err != nil {
			return err
		}
		if u.Status == "active" && u.Lock != 2 {
			mc.NumberOfUsers++
		}
	}
	if e.Data, err = proto.Marshal(&mc); err != nil {
		return err
	}
	return store.PutEntity(ctx, tx, m.msp, mspRev, *e)
}
