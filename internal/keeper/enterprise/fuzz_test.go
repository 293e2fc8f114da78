package enterprise

import (
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// FuzzApplyPage feeds arbitrary server replies through the page decoder,
// the entity store and the model builder: nothing may panic.
func FuzzApplyPage(f *testing.F) {
	node, _ := proto.Marshal(&pb.Node{NodeId: 2, EncryptedData: "AAAA"})
	user, _ := proto.Marshal(&pb.User{EnterpriseUserId: 5, NodeId: 2, KeyType: "no_key", EncryptedData: "Bob"})
	page, _ := proto.Marshal(&pb.EnterpriseDataResponse{CacheStatus: pb.CacheStatus_CLEAR, Data: []*pb.EnterpriseData{
		{Entity: pb.EnterpriseDataEntity_NODES, Data: [][]byte{node}},
		{Entity: pb.EnterpriseDataEntity_USERS, Data: [][]byte{user}},
		{Entity: pb.EnterpriseDataEntity_USERS, Delete: true, Data: [][]byte{user}},
	}})
	f.Add(page)
	f.Add([]byte{0x22, 0x03, 0x08, 0x11, 0x10})
	f.Fuzz(func(t *testing.T, b []byte) {
		var rs pb.EnterpriseDataResponse
		if proto.Unmarshal(b, &rs) != nil {
			return
		}
		r := NewRaw()
		for _, d := range rs.Data {
			r.Apply(d)
		}
		e := build(r, make([]byte, 32), nil, nil)
		if root := e.Root(); root != nil {
			_ = e.NodePath(root.NodeId)
		}
		_, _ = e.Node("x")
		_, _ = e.ManagedCompany("1")
	})
}

func TestCascadeOnDelete(t *testing.T) {
	user, _ := proto.Marshal(&pb.User{EnterpriseUserId: 5, NodeId: 2})
	ru, _ := proto.Marshal(&pb.RoleUser{RoleId: 9, EnterpriseUserId: 5})
	tu, _ := proto.Marshal(&pb.TeamUser{TeamUid: []byte("0123456789abcdef"), EnterpriseUserId: 5, UserType: "USER"})
	r := NewRaw()
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_USERS, Data: [][]byte{user}})
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_ROLE_USERS, Data: [][]byte{ru}})
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_TEAM_USERS, Data: [][]byte{tu}})
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_USERS, Delete: true, Data: [][]byte{user}})
	if len(r.Entities[int32(pb.EnterpriseDataEntity_USERS)]) != 0 || len(r.Entities[int32(pb.EnterpriseDataEntity_ROLE_USERS)]) != 0 ||
		len(r.Entities[int32(pb.EnterpriseDataEntity_TEAM_USERS)]) != 0 {
		t.Fatalf("delete did not cascade: %v", r.Entities)
	}
}
