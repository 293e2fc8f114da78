package enterprise

import (
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// TestBuildQueuedTeamUsers: queued team users are decoded per team, and a
// delete removes only the listed users (Commander's
// _EnterpriseQueuedTeamUserEntity).
func TestBuildQueuedTeamUsers(t *testing.T) {
	uid := []byte("0123456789abcdef")
	enc := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	r := NewRaw()
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_QUEUED_TEAM_USERS,
		Data: [][]byte{enc(&pb.QueuedTeamUser{TeamUid: uid, Users: []int64{5, 6, 7}})}})
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_QUEUED_TEAM_USERS, Delete: true,
		Data: [][]byte{enc(&pb.QueuedTeamUser{TeamUid: uid, Users: []int64{6}})}})
	e := build(r, make([]byte, 32), nil, nil)
	if got := e.QueuedUsers(crypto.Base64URLEncode(uid)); !reflect.DeepEqual(got, []int64{5, 7}) {
		t.Fatalf("queued users %v", got)
	}
}
