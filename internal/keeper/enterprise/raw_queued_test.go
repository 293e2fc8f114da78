package enterprise

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// TestQueuedTeamUsersMerge: upserts of QueuedTeamUser add to the team's
// queued set and deletes remove only the users they list, as Commander's
// loader does; a server may send one entity per queued user.
func TestQueuedTeamUsersMergePerUser(t *testing.T) {
	uid := []byte("0123456789abcdef")
	entity := func(del bool, users ...int64) *pb.EnterpriseData {
		b, _ := proto.Marshal(&pb.QueuedTeamUser{TeamUid: uid, Users: users})
		return &pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_QUEUED_TEAM_USERS, Delete: del, Data: [][]byte{b}}
	}
	r := NewRaw()
	r.Apply(entity(false, 1))
	r.Apply(entity(false, 2, 1))
	r.Apply(entity(false, 3))
	r.Apply(entity(true, 2))
	var q pb.QueuedTeamUser
	for _, b := range r.Entities[int32(pb.EnterpriseDataEntity_QUEUED_TEAM_USERS)] {
		if err := proto.Unmarshal(b, &q); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(q.Users) != "[1 3]" {
		t.Fatalf("queued users %v, want [1 3]", q.Users)
	}
}
