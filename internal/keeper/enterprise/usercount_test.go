package enterprise

import (
	"fmt"
	"maps"
	"math/rand"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// decodedCounts counts users by node the long way: decode every user.
func decodedCounts(r *Raw) map[int64]int {
	e := build(r, make([]byte, 32), nil, nil)
	counts := map[int64]int{}
	for _, u := range e.Users {
		counts[u.NodeId]++
	}
	return counts
}

// usersRaw is a Raw whose USERS list holds records as given (not through
// Apply, which would drop the ones that do not decode), keyed by index.
func usersRaw(records [][]byte) *Raw {
	r := NewRaw()
	l := &list{}
	for i, b := range records {
		l.ids, l.data, l.seq, l.num = append(l.ids, fmt.Sprint(i)), append(l.data, b), append(l.seq, uint64(i)), append(l.num, true)
	}
	r.setList(int32(pb.EnterpriseDataEntity_USERS), l)
	return r
}

func marshalUser(t testing.TB, u *pb.User) []byte {
	t.Helper()
	b, err := proto.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUserCountsMatchDecoding: UserCounts of a model whose users are not
// decoded equals the count by node of the decoded users, for records with
// nodeId 0, without nodeId, with unknown fields of every wire type, with
// nodeId given twice or with the wrong wire type, and for records that do
// not decode at all (truncated, bad tag, a username that is not UTF-8),
// which neither counts. It does not decode the users; once they are
// decoded it counts them instead and still agrees.
func TestUserCountsMatchDecoding(t *testing.T) {
	const nodeA, nodeB = 4294967296002, 4294967296007
	var records [][]byte
	add := func(b []byte) { records = append(records, b) }
	id := int64(1000)
	user := func(node int64) *pb.User {
		id++
		return &pb.User{EnterpriseUserId: id, NodeId: node, Username: fmt.Sprintf("u%d@x.test", id), EncryptedData: "AAAA",
			KeyType: "encrypted_by_data_key", Status: "active", Lock: 1, FullName: "Full Name", TfaEnabled: true}
	}
	// Enough plain users to take the parallel path.
	for i := 0; i < parallelMin+100; i++ {
		add(marshalUser(t, user([]int64{nodeA, nodeB, 0}[i%3])))
	}
	// nodeId absent (explicit zero is not serialized) and nodeId 0 written
	// out on the wire.
	add(marshalUser(t, &pb.User{EnterpriseUserId: 1, Username: "nonode@x.test"}))
	add(protowire.AppendVarint(protowire.AppendTag(marshalUser(t, user(0)), 2, protowire.VarintType), 0))
	// Unknown fields of every wire type, before and after the known ones.
	unknown := func(b []byte) []byte {
		b = protowire.AppendVarint(protowire.AppendTag(b, 99, protowire.VarintType), 12345)
		b = protowire.AppendBytes(protowire.AppendTag(b, 100, protowire.BytesType), []byte{0xff, 0xfe}) // not UTF-8: fine, unknown
		b = protowire.AppendFixed32(protowire.AppendTag(b, 101, protowire.Fixed32Type), 7)
		b = protowire.AppendFixed64(protowire.AppendTag(b, 102, protowire.Fixed64Type), 8)
		b = protowire.AppendTag(b, 103, protowire.StartGroupType)
		b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), 777) // inside the group: not the nodeId
		b = protowire.AppendTag(b, 103, protowire.EndGroupType)
		return b
	}
	add(unknown(marshalUser(t, user(nodeA))))
	add(append(unknown(nil), marshalUser(t, user(nodeB))...))
	// nodeId twice: the last wins.
	add(protowire.AppendVarint(protowire.AppendTag(marshalUser(t, user(nodeA)), 2, protowire.VarintType), nodeB))
	// nodeId with the wrong wire type, after a good one.
	add(protowire.AppendBytes(protowire.AppendTag(marshalUser(t, user(nodeA)), 2, protowire.BytesType), []byte("x")))
	// A negative nodeId (ten-byte varint).
	add(marshalUser(t, user(-5)))
	// Records that do not decode.
	good := marshalUser(t, user(nodeA))
	add(good[:len(good)-1])                                        // truncated
	add(append([]byte{0x00}, good...))                             // field number 0
	add(append(append([]byte{}, good...), 0x0c))                   // stray end group
	for _, name := range [][]byte{[]byte("bad\xffname"), {0xc3}} { // usernames that are not UTF-8
		bad := protowire.AppendBytes(protowire.AppendTag(marshalUser(t, user(nodeA)), 5, protowire.BytesType), name)
		add(protowire.AppendVarint(protowire.AppendTag(bad, 2, protowire.VarintType), nodeB))
	}

	want := decodedCounts(usersRaw(records))
	e := newModel(usersRaw(records), make([]byte, 32), nil, nil)
	got := e.UserCounts()
	if !maps.Equal(got, want) {
		t.Fatalf("UserCounts %v, decoding counts %v", got, want)
	}
	if e.Has(PartUsers) || len(e.Users) != 0 {
		t.Fatal("UserCounts decoded the users")
	}
	if again := e.UserCounts(); !maps.Equal(again, want) {
		t.Fatalf("second UserCounts %v", again)
	}
	e.Ensure(PartUsers)
	if got := e.UserCounts(); !maps.Equal(got, want) {
		t.Fatalf("UserCounts after decoding %v, want %v", got, want)
	}
	// A model built by hand counts its Users.
	hand := &Enterprise{Users: map[int64]*User{1: {User: &pb.User{NodeId: 3}}, 2: {User: &pb.User{}}, 4: {User: &pb.User{NodeId: 3}}}}
	if got := hand.UserCounts(); !maps.Equal(got, map[int64]int{3: 2, 0: 1}) {
		t.Fatalf("hand-built model: %v", got)
	}
	// No users at all.
	if got := newModel(NewRaw(), nil, nil, nil).UserCounts(); len(got) != 0 {
		t.Fatalf("no users: %v", got)
	}
}

// TestUserNodeRandomRecords: on 20,000 mangled User records (unknown
// fields of every wire type, repeated and mistyped nodeIds, flipped, cut
// and inserted bytes), whenever the scan reads a nodeId, proto.Unmarshal
// accepts the record and finds the same nodeId; and both kinds of case
// (read by the scan, rejected by proto.Unmarshal) occur by the thousand.
func TestUserNodeRandomRecords(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	types := []protowire.Type{protowire.VarintType, protowire.BytesType, protowire.Fixed32Type, protowire.Fixed64Type}
	field := func(b []byte) []byte {
		num := protowire.Number(rng.Intn(20) + 1)
		if rng.Intn(4) == 0 {
			num = protowire.Number(rng.Intn(1 << 29))
		}
		typ := types[rng.Intn(len(types))]
		if num == 2 && rng.Intn(2) == 0 {
			typ = protowire.VarintType
		}
		b = protowire.AppendTag(b, num, typ)
		switch typ {
		case protowire.VarintType:
			return protowire.AppendVarint(b, rng.Uint64()>>uint(rng.Intn(64)))
		case protowire.BytesType:
			v := make([]byte, rng.Intn(8))
			rng.Read(v)
			if rng.Intn(2) == 0 {
				v = []byte("text")
			}
			return protowire.AppendBytes(b, v)
		case protowire.Fixed32Type:
			return protowire.AppendFixed32(b, rng.Uint32())
		default:
			return protowire.AppendFixed64(b, rng.Uint64())
		}
	}
	scanned, rejected := 0, 0
	for i := 0; i < 20000; i++ {
		b := marshalUser(t, &pb.User{EnterpriseUserId: rng.Int63(), NodeId: rng.Int63n(5) - 1, Username: "user@x.test",
			EncryptedData: "AAAA", Status: "active", JobTitle: "Boss"})
		for k := rng.Intn(4); k > 0; k-- {
			b = field(b)
		}
		switch rng.Intn(6) {
		case 0:
			if len(b) > 0 {
				b[rng.Intn(len(b))] ^= byte(1 << rng.Intn(8))
			}
		case 1:
			b = b[:rng.Intn(len(b)+1)]
		case 2:
			at := rng.Intn(len(b) + 1)
			b = append(b[:at], append([]byte{byte(rng.Intn(256))}, b[at:]...)...)
		}
		checkScan(t, b)
		if _, ok := scanUserNode(b); ok {
			scanned++
		} else if _, ok := userNodeSlow(b); !ok {
			rejected++
		}
	}
	if scanned < 5000 || rejected < 2000 {
		t.Fatalf("unbalanced cases: %d read by the scan, %d rejected", scanned, rejected)
	}
}

// FuzzUserNode: on any bytes, a nodeId the scan reads is the one
// proto.Unmarshal finds.
func FuzzUserNode(f *testing.F) {
	f.Add(marshalUser(f, &pb.User{EnterpriseUserId: 5, NodeId: 2, Username: "a@b.c"}))
	f.Add([]byte{0x10, 0x05, 0x10, 0x06})
	f.Add([]byte{0x12, 0x01, 0x41})
	f.Fuzz(checkScan)
}

// checkScan fails unless the scan of record b, when it answers, agrees
// with proto.Unmarshal: the record decodes, with that nodeId.
func checkScan(t *testing.T, b []byte) {
	t.Helper()
	node, ok := scanUserNode(b)
	if !ok {
		return
	}
	var u pb.User
	if err := proto.Unmarshal(b, &u); err != nil {
		t.Fatalf("record %x: the scan reads nodeId %d, proto.Unmarshal fails: %v", b, node, err)
	}
	if u.NodeId != node {
		t.Fatalf("record %x: the scan reads nodeId %d, proto.Unmarshal %d", b, node, u.NodeId)
	}
}
