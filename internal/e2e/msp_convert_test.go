package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// storeWrite runs fn in a store transaction at a new MSP revision.
func storeWrite(t *testing.T, m *mspEnv, fn func(ctx context.Context, tx *sql.Tx, rev int64) error) {
	t.Helper()
	ctx := context.Background()
	err := m.sb.Store().Tx(ctx, func(tx *sql.Tx) error {
		rev, err := store.BumpRev(ctx, tx, seed.MSPEnterpriseID)
		if err != nil {
			return err
		}
		return fn(ctx, tx, rev)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// link adds (msg != nil) or removes a membership link the sandbox has no
// JSON command for.
func link(t *testing.T, m *mspEnv, kind pb.EnterpriseDataEntity, ident string, msg proto.Message) {
	t.Helper()
	storeWrite(t, m, func(ctx context.Context, tx *sql.Tx, rev int64) error {
		if msg == nil {
			_, err := store.DeleteEntity(ctx, tx, seed.MSPEnterpriseID, rev, int32(kind), ident)
			return err
		}
		data, _ := proto.Marshal(msg)
		return store.PutEntity(ctx, tx, seed.MSPEnterpriseID, rev, store.Entity{Kind: int32(kind), Ident: ident, Data: data})
	})
}

// TestConvertNode: msp-convert-node as Commander runs it moves a node with
// its subnode, role, users, team and links into a new MC, with everything
// re-encrypted for the MC; invited users, crossing memberships and partial
// or root subtrees are refused first.
func TestConvertNode(t *testing.T) {
	m := newMSPEnv(t)
	// Ids from the allocator: the server refuses user ids it did not hand out.
	var alloc enterprise.AllocatedIDs
	if err := m.c.Execute(m.ctx, m.s.JSON(), enterprise.AllocateIDs{NumberRequested: 5}, &alloc); err != nil {
		t.Fatal(err)
	}
	base := alloc.BaseID
	spin, lab, role, u1, u2 := base, base+1, base+2, base+3, base+4
	enc := func(key []byte, name string) string {
		s, err := enterprise.EncryptData(key, name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	teamUID, teamKey := crypto.RandomBytes(16), crypto.GenerateAESKey()
	teamKeyEnc, _ := crypto.EncryptAESv2(teamKey, m.e.TreeKey)
	wantCodes(t, m.run(
		enterprise.NodeAdd{NodeID: spin, ParentID: m.e.Root().NodeId, EncryptedData: enc(m.e.TreeKey, "Spin Off")},
		enterprise.NodeAdd{NodeID: lab, ParentID: spin, EncryptedData: enc(m.e.TreeKey, "Spin Lab")},
		enterprise.RoleAdd{RoleID: role, NodeID: spin, EncryptedData: enc(m.e.TreeKey, "Spin Admins")},
		raw{"command": "enterprise_user_add", "enterprise_user_id": u1, "node_id": spin, "enterprise_user_username": "one@spin.sandbox",
			"encrypted_data": enc(m.e.TreeKey, "One")},
		raw{"command": "enterprise_user_add", "enterprise_user_id": u2, "node_id": lab, "enterprise_user_username": "two@spin.sandbox",
			"encrypted_data": enc(m.e.TreeKey, "Two")},
		raw{"command": "team_add", "team_uid": crypto.Base64URLEncode(teamUID), "team_name": "Spin Team", "node_id": lab,
			"encrypted_team_key": crypto.Base64URLEncode(teamKeyEnc)},
	), "", "", "", "", "", "")
	// Escrowed data key of user one, encrypted to the MSP's EC key.
	dataKey := crypto.GenerateAESKey()
	escrow, err := crypto.EncryptEC(dataKey, m.e.ECKey.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	storeWrite(t, m, func(ctx context.Context, tx *sql.Tx, _ int64) error {
		return store.PutUserDataKey(ctx, tx, &store.UserDataKey{EnterpriseUserID: u1, EnterpriseID: seed.MSPEnterpriseID, Key: escrow, KeyType: 4})
	})

	// The client's side: an MC named after the node, its tree key and EC pair.
	mcID := m.add(m.reg("Spin Off", "business", 2))
	tok, mcTree, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, mcID, m.sync())
	if err != nil {
		t.Fatal(err)
	}
	mcEC, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	mcECEnc, _ := crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(mcEC), mcTree)
	if err := m.c.Call(m.ctx, "enterprise/set_enterprise_key_pair", &pb.EnterpriseKeyPairRequest{EnterprisePublicKey: crypto.ECPublicKeyBytes(mcEC.PublicKey()),
		EncryptedEnterprisePrivateKey: mcECEnc, KeyType: pb.KeyType_ECC}, nil, rest.WithSessionToken(tok)); err != nil {
		t.Fatal(err)
	}
	var dk pb.EnterpriseUserDataKeysByNodeResponse
	if err := m.c.Call(m.ctx, "enterprise/get_enterprise_user_data_key_by_node", &authpb.UserDataKeyByNodeRequest{NodeIds: []int64{spin, lab}},
		&dk, rest.WithSessionToken(m.s.SessionToken)); err != nil {
		t.Fatal(err)
	}
	if len(dk.Keys) != 2 || len(dk.Keys[0].Keys) != 1 || dk.Keys[0].Keys[0].EnterpriseUserId != u1 || dk.Keys[0].Keys[0].KeyTypeId != 4 || len(dk.Keys[1].Keys) != 0 {
		t.Fatalf("user data keys by node: %v", dk.Keys)
	}
	plainKey, err := crypto.DecryptEC(dk.Keys[0].Keys[0].UserEncryptedDataKey, m.e.ECKey)
	if err != nil || !bytes.Equal(plainKey, dataKey) {
		t.Fatalf("escrowed key: %v", err)
	}
	reKey, _ := crypto.EncryptEC(plainKey, mcEC.PublicKey())
	mcTeamKey, _ := crypto.EncryptAESv2(teamKey, mcTree)
	rq := func(nodes ...int64) *pb.NodeToManagedCompanyRequest {
		r := &pb.NodeToManagedCompanyRequest{CompanyId: mcID,
			Roles:         []*pb.ReEncryptedData{{Id: role, Data: enc(mcTree, "Spin Admins")}},
			Users:         []*pb.ReEncryptedData{{Id: u1, Data: enc(mcTree, "One")}, {Id: u2, Data: enc(mcTree, "Two")}},
			TeamKeys:      []*pb.EncryptedTeamKeyRequest{{TeamUid: teamUID, EncryptedTeamKey: mcTeamKey}},
			UsersDataKeys: []*pb.ReEncryptedUserDataKey{{EnterpriseUserId: u1, UserEncryptedDataKey: reKey}}}
		for _, n := range nodes {
			r.Nodes = append(r.Nodes, &pb.ReEncryptedData{Id: n, Data: enc(mcTree, map[int64]string{spin: "Spin Off", lab: "Spin Lab"}[n])})
		}
		return r
	}
	convert := func(r *pb.NodeToManagedCompanyRequest) error {
		return m.c.Call(m.ctx, "enterprise/node_to_managed_company", r, nil, rest.WithSessionToken(m.s.SessionToken))
	}
	refused := func(what, code string, r *pb.NodeToManagedCompanyRequest) {
		t.Helper()
		if err := convert(r); !errors.Is(err, &rest.APIError{Code: code}) {
			t.Errorf("%s: %v, want %s", what, err, code)
		}
	}
	refused("invited users", "pending_users", rq(spin, lab))
	for _, u := range []int64{u1, u2} {
		var user pb.User
		editEntity(t, m.sb, seed.MSPEnterpriseID, pb.EnterpriseDataEntity_USERS, fmt.Sprint(u), &user, func() { user.Status = "active" })
	}
	link(t, m, pb.EnterpriseDataEntity_ROLE_USERS, fmt.Sprintf("%d:%d", role, u1), &pb.RoleUser{RoleId: role, EnterpriseUserId: u1})
	link(t, m, pb.EnterpriseDataEntity_TEAM_USERS, fmt.Sprintf("%s:%d", crypto.Base64URLEncode(teamUID), u2),
		&pb.TeamUser{TeamUid: teamUID, EnterpriseUserId: u2, UserType: "USER"})
	defaultUsers, _ := m.e.Role("Default Users")
	crossing := fmt.Sprintf("%d:%d", defaultUsers.RoleId, u2)
	link(t, m, pb.EnterpriseDataEntity_ROLE_USERS, crossing, &pb.RoleUser{RoleId: defaultUsers.RoleId, EnterpriseUserId: u2})
	refused("crossing role membership", "conflicting_membership", rq(spin, lab))
	link(t, m, pb.EnterpriseDataEntity_ROLE_USERS, crossing, nil)
	refused("a node without its subnode", "bad_inputs_nodes", rq(spin))
	root := rq(spin, lab)
	root.Nodes = append(root.Nodes, &pb.ReEncryptedData{Id: m.e.Root().NodeId, Data: enc(mcTree, "root")})
	refused("the root node", "bad_inputs_nodes", root)
	partial := rq(spin, lab)
	partial.Users = partial.Users[:1]
	refused("a moved user without data", "bad_inputs_users", partial)
	if err := convert(rq(spin, lab)); err != nil {
		t.Fatalf("convert: %v", err)
	}

	// The MSP no longer has the subtree; its licence counts are re-sent.
	e := m.sync()
	_, hasRole := e.Roles[role]
	if e.Nodes[spin] != nil || e.Nodes[lab] != nil || e.Users[u1] != nil || e.Users[u2] != nil || hasRole || len(e.Teams) != 3 {
		t.Errorf("MSP still holds moved entities")
	}
	if lic, _ := mspLicence(t, e); lic.SeatsAllocated != 33 || mcByID(e, mcID).NumberOfUsers != 2 {
		t.Errorf("MSP seats allocated %d, MC users %d", lic.SeatsAllocated, mcByID(e, mcID).NumberOfUsers)
	}
	// The MC has it, readable with its own tree key.
	mce := loadMC(t, m, tok, mcTree, mcID)
	if n, err := mce.Node("Spin Lab"); err != nil || mce.NodePath(n.NodeId) != `Spin Off\Spin Off\Spin Lab` {
		t.Errorf("moved nodes in the MC: %v %v", err, mce.Nodes)
	}
	if u, err := mce.User("one@spin.sandbox"); err != nil || u.Name != "One" || len(mce.Users) != 2 {
		t.Errorf("moved users: %v %v", u, err)
	}
	if r, err := mce.Role("Spin Admins"); err != nil || !slices.ContainsFunc(mce.RoleUsers, func(x *pb.RoleUser) bool {
		return x.RoleId == r.RoleId && x.EnterpriseUserId == u1
	}) {
		t.Errorf("moved role and membership: %v", err)
	}
	team, err := mce.Team("Spin Team")
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := crypto.Base64URLDecode(team.EncryptedTeamKey)
	if k, err := crypto.DecryptAESv2(tk, mcTree); err != nil || !bytes.Equal(k, teamKey) || len(mce.TeamUsers) != 1 {
		t.Errorf("moved team key / members: %v, %d team users", err, len(mce.TeamUsers))
	}
	var mcDK pb.EnterpriseUserDataKeysByNodeResponse
	if err := m.c.Call(m.ctx, "enterprise/get_enterprise_user_data_key_by_node", &authpb.UserDataKeyByNodeRequest{NodeIds: []int64{spin}},
		&mcDK, rest.WithSessionToken(tok)); err != nil || len(mcDK.Keys) != 1 || len(mcDK.Keys[0].Keys) != 1 {
		t.Fatalf("MC user data keys: %v %v", mcDK.Keys, err)
	}
	if k, err := crypto.DecryptEC(mcDK.Keys[0].Keys[0].UserEncryptedDataKey, mcEC); err != nil || !bytes.Equal(k, dataKey) {
		t.Errorf("re-encrypted data key: %v", err)
	}
	err = m.c.Call(m.ctx, "enterprise/get_enterprise_user_data_key_by_node", &authpb.UserDataKeyByNodeRequest{NodeIds: []int64{spin}},
		&mcDK, rest.WithSessionToken(m.s.SessionToken))
	if !errors.Is(err, &rest.APIError{Code: "bad_inputs_node_id"}) {
		t.Errorf("MSP asking for a node it no longer has: %v", err)
	}
}
