package enterprise

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

func apply(r *Raw, kind pb.EnterpriseDataEntity, del bool, msgs ...proto.Message) {
	d := &pb.EnterpriseData{Entity: kind, Delete: del}
	for _, m := range msgs {
		b, _ := proto.Marshal(m)
		d.Data = append(d.Data, b)
	}
	r.Apply(d)
}

// TestBuildKeepsArrivalOrder: entities and links come out in the order the
// server first sent them; an update keeps the place, a delete and re-add
// moves to the end (Commander's list append / in-place update).
func TestBuildKeepsArrivalOrder(t *testing.T) {
	r := NewRaw()
	ru := func(role, user int64) *pb.RoleUser { return &pb.RoleUser{RoleId: role, EnterpriseUserId: user} }
	apply(r, pb.EnterpriseDataEntity_ROLE_USERS, false, ru(9, 30), ru(9, 10), ru(9, 20))
	apply(r, pb.EnterpriseDataEntity_ROLE_USERS, false, ru(9, 10))
	apply(r, pb.EnterpriseDataEntity_ROLE_USERS, true, ru(9, 30))
	apply(r, pb.EnterpriseDataEntity_ROLE_USERS, false, ru(9, 30))
	user := func(id int64, name string) *pb.User {
		return &pb.User{EnterpriseUserId: id, NodeId: 2, KeyType: "no_key", EncryptedData: name}
	}
	apply(r, pb.EnterpriseDataEntity_USERS, false, user(7, "zed"), user(5, "amy"))
	apply(r, pb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, false,
		&pb.RoleEnforcement{RoleId: 9, EnforcementType: "restrict_export"},
		&pb.RoleEnforcement{RoleId: 9, EnforcementType: "require_two_factor"})
	e := build(r, make([]byte, 32), nil, nil)
	var got []int64
	for _, x := range e.RoleUsers {
		got = append(got, x.EnterpriseUserId)
	}
	if !reflect.DeepEqual(got, []int64{10, 20, 30}) {
		t.Errorf("role users %v, want 10 20 30", got)
	}
	if e.Users[7].Seq != 0 || e.Users[5].Seq != 1 {
		t.Errorf("user seq: 7=%d 5=%d", e.Users[7].Seq, e.Users[5].Seq)
	}
	if got := e.RoleEnforcementTypes[9]; !reflect.DeepEqual(got, []string{"restrict_export", "require_two_factor"}) {
		t.Errorf("enforcement order %v", got)
	}
	r.Clear()
	apply(r, pb.EnterpriseDataEntity_ROLE_USERS, false, ru(9, 30), ru(9, 10))
	e = build(r, make([]byte, 32), nil, nil)
	if e.RoleUsers[0].EnterpriseUserId != 30 {
		t.Errorf("after CLEAR: %v", e.RoleUsers)
	}
}

// TestQueuedTeamUsersMerge: an upsert adds to the team's set, a delete
// removes the listed ids and keeps the (maybe empty) entry.
func TestQueuedTeamUsersMerge(t *testing.T) {
	r := NewRaw()
	uid := []byte("0123456789abcdef")
	q := func(users ...int64) *pb.QueuedTeamUser { return &pb.QueuedTeamUser{TeamUid: uid, Users: users} }
	apply(r, pb.EnterpriseDataEntity_QUEUED_TEAM_USERS, false, q(1, 2))
	apply(r, pb.EnterpriseDataEntity_QUEUED_TEAM_USERS, false, q(3, 2))
	e := build(r, make([]byte, 32), nil, nil)
	if len(e.QueuedTeamUsers) != 1 || !reflect.DeepEqual(e.QueuedTeamUsers[0].Users, []int64{1, 2, 3}) {
		t.Fatalf("after upserts: %v", e.QueuedTeamUsers)
	}
	apply(r, pb.EnterpriseDataEntity_QUEUED_TEAM_USERS, true, q(1, 2, 3))
	e = build(r, make([]byte, 32), nil, nil)
	if len(e.QueuedTeamUsers) != 1 || len(e.QueuedTeamUsers[0].Users) != 0 {
		t.Fatalf("after delete: %v", e.QueuedTeamUsers)
	}
}

// TestBuildDecodesProvisioning: queued teams and the provisioning kinds
// reach the model.
func TestBuildDecodesProvisioning(t *testing.T) {
	r := NewRaw()
	apply(r, pb.EnterpriseDataEntity_QUEUED_TEAMS, false, &pb.QueuedTeam{TeamUid: []byte("0123456789abcdef"), Name: "Pending", NodeId: 2})
	apply(r, pb.EnterpriseDataEntity_EMAIL_PROVISION, false, &pb.EmailProvision{Id: 1, NodeId: 2, Domain: "acme.test"})
	apply(r, pb.EnterpriseDataEntity_BRIDGES, false, &pb.Bridge{BridgeId: 3, NodeId: 2, Status: "active"})
	apply(r, pb.EnterpriseDataEntity_SCIMS, false, &pb.Scim{ScimId: 4, NodeId: 2, Status: "pending"})
	apply(r, pb.EnterpriseDataEntity_SSO_SERVICES, false, &pb.SsoService{SsoServiceProviderId: 5, NodeId: 2, Name: "Okta"})
	e := build(r, make([]byte, 32), nil, nil)
	if q := e.QueuedTeams["MDEyMzQ1Njc4OWFiY2RlZg"]; q == nil || q.Name != "Pending" {
		t.Errorf("queued teams %v", e.QueuedTeams)
	}
	if len(e.EmailProvisions) != 1 || len(e.Bridges) != 1 || len(e.Scims) != 1 || len(e.SsoServices) != 1 ||
		e.SsoServices[0].Name != "Okta" {
		t.Errorf("provisioning: %v %v %v %v", e.EmailProvisions, e.Bridges, e.Scims, e.SsoServices)
	}
}

// TestListOrderAfterRandomChanges: after any mix of new entities, updates
// in place, deletes and re-adds (some of them after a round trip through
// the cache), the list is the entities by arrival number, as sorting the
// maps gives it.
func TestListOrderAfterRandomChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := NewRaw()
	kind := int32(pb.EnterpriseDataEntity_ROLE_USERS)
	dataKey := crypto.GenerateAESKey()
	c := &Cache{Path: filepath.Join(t.TempDir(), "c"), Owner: "o"}
	for step := 0; step < 3000; step++ {
		m := &pb.RoleUser{RoleId: int64(rng.IntN(3)), EnterpriseUserId: int64(rng.IntN(60))}
		if rng.IntN(4) == 0 {
			apply(r, pb.EnterpriseDataEntity_ROLE_USERS, true, m)
		} else {
			apply(r, pb.EnterpriseDataEntity_ROLE_USERS, false, m)
		}
		if step%500 == 499 { // through the cache: the kind comes back as a parsed list
			if err := c.write(&cacheState{treeKey: make([]byte, 32), Raw: r}, dataKey); err != nil {
				t.Fatal(err)
			}
			s, err := c.read(dataKey)
			if err != nil {
				t.Fatal(err)
			}
			r = s.Raw
		}
		if step%97 != 0 {
			continue
		}
		got := r.list(kind)
		raw, seq := r.kind(kind), r.Seq[kind]
		want := make([]string, 0, len(raw))
		for id := range raw {
			want = append(want, id)
		}
		sort.Slice(want, func(i, j int) bool { return seq[want[i]] < seq[want[j]] })
		if !reflect.DeepEqual(got.ids, want) {
			t.Fatalf("step %d: list %v, by number %v", step, got.ids, want)
		}
		for i, id := range got.ids {
			if !bytes.Equal(got.data[i], raw[id]) || got.seq[i] != seq[id] {
				t.Fatalf("step %d: entry %s differs", step, id)
			}
		}
	}
}
