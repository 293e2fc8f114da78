package enterprise

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
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

// FuzzCacheContent seals arbitrary header fields and section records
// under the data key, as a writer with a bug (or a forged file under a
// stolen key) would: reading it, building the model and writing it back
// must not panic. The fuzzer supplies the header up to the section table
// and one section's records and kind; the table entry for that section is
// appended so the section opens.
func FuzzCacheContent(f *testing.F) {
	dataKey := bytes.Repeat([]byte{1}, 32)
	aead, err := cacheAEAD(dataKey)
	if err != nil {
		f.Fatal(err)
	}
	var prefix []byte
	prefix = binary.AppendUvarint(prefix, cacheVersion)
	prefix = appendBytes(prefix, []byte("o"))
	prefix = appendBytes(prefix, []byte("token"))
	prefix = appendBytes(prefix, bytes.Repeat([]byte{2}, 32))
	for range 4 {
		prefix = appendBytes(prefix, nil)
	}
	prefix = appendBytes(prefix, []byte("Acme"))
	prefix = append(prefix, 0)
	prefix = binary.AppendUvarint(prefix, 5)
	prefix = append(prefix, 1, 1)
	prefix = binary.AppendVarint(prefix, 77)
	r := NewRaw()
	node, _ := proto.Marshal(&pb.Node{NodeId: 2})
	user, _ := proto.Marshal(&pb.User{EnterpriseUserId: 5, NodeId: 2, KeyType: "no_key", EncryptedData: "Bob"})
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_NODES, Data: [][]byte{node}})
	r.Apply(&pb.EnterpriseData{Entity: pb.EnterpriseDataEntity_USERS, Data: [][]byte{user}})
	f.Add(prefix, r.records(int32(pb.EnterpriseDataEntity_NODES)), uint8(pb.EnterpriseDataEntity_NODES))
	f.Add(prefix, r.records(int32(pb.EnterpriseDataEntity_USERS)), uint8(pb.EnterpriseDataEntity_USERS))
	f.Add(prefix, []byte{0, 1, 'x', 2, 8, 2, 7}, uint8(pb.EnterpriseDataEntity_QUEUED_TEAM_USERS))
	f.Fuzz(func(t *testing.T, prefix, records []byte, kind uint8) {
		nonce := make([]byte, aead.NonceSize())
		body := aead.Seal(nil, nonce, records, cacheAAD(uint32(kind)))
		h := append([]byte(nil), prefix...)
		h = binary.AppendUvarint(h, 1)
		h = binary.AppendUvarint(h, uint64(kind))
		h = binary.AppendUvarint(h, uint64(len(records)))
		h = appendBytes(h, nonce)
		h = binary.AppendUvarint(h, 0)
		h = binary.AppendUvarint(h, uint64(len(body)))
		hn := bytes.Repeat([]byte{9}, aead.NonceSize())
		sh := aead.Seal(append([]byte(nil), hn...), hn, h, cacheAAD(headerKind))
		file := append([]byte(cacheMagic), binary.BigEndian.AppendUint32(nil, uint32(len(sh)))...)
		file = append(append(file, sh...), body...)
		c := &Cache{Path: filepath.Join(t.TempDir(), "f.cache"), Owner: "o"}
		if err := os.WriteFile(c.Path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := c.read(dataKey)
		if err != nil {
			return
		}
		e := build(s.Raw, s.treeKey, nil, nil)
		_ = e.Root()
		_, _ = e.User("x")
		if err := c.write(s, dataKey); err != nil {
			t.Fatal(err)
		}
		if _, err := c.read(dataKey); err != nil {
			t.Fatalf("a rewritten cache does not read: %v", err)
		}
	})
}
