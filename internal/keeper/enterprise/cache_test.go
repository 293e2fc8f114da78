package enterprise

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// sampleRaw is a small enterprise with every kind the model decodes;
// usernames and names are plaintext in the protobufs, as the server sends
// them.
func sampleRaw(t *testing.T, treeKey []byte, users int) *Raw {
	t.Helper()
	r := NewRaw()
	r.Name = "Secret Corp"
	enc := func(name string) string {
		s, err := EncryptData(treeKey, name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	apply(r, pb.EnterpriseDataEntity_NODES, false, &pb.Node{NodeId: 2},
		&pb.Node{NodeId: 3, ParentId: 2, EncryptedData: enc("Hidden Branch")})
	var us []proto.Message
	for i := users; i > 0; i-- { // ids in descending order: arrival order is not id order
		us = append(us, &pb.User{EnterpriseUserId: int64(100 + i), NodeId: 3, Username: fmt.Sprintf("person%03d@secret.test", i),
			KeyType: "encrypted_by_data_key", EncryptedData: enc(fmt.Sprintf("Person %d", i)), Status: "active"})
	}
	apply(r, pb.EnterpriseDataEntity_USERS, false, us...)
	apply(r, pb.EnterpriseDataEntity_ROLES, false, &pb.Role{RoleId: 9, NodeId: 2, KeyType: "encrypted_by_data_key", EncryptedData: enc("Auditors")})
	apply(r, pb.EnterpriseDataEntity_ROLE_USERS, false, &pb.RoleUser{RoleId: 9, EnterpriseUserId: 102}, &pb.RoleUser{RoleId: 9, EnterpriseUserId: 101})
	apply(r, pb.EnterpriseDataEntity_TEAMS, false, &pb.Team{TeamUid: []byte("0123456789abcdef"), Name: "Covert Team", NodeId: 3})
	apply(r, pb.EnterpriseDataEntity_LICENSES, false, &pb.License{EnterpriseLicenseId: 1, LicenseStatus: "msp"})
	apply(r, pb.EnterpriseDataEntity_MANAGED_COMPANIES, false, &pb.ManagedCompany{McEnterpriseId: 5001, McEnterpriseName: "Client Alpha"})
	apply(r, pb.EnterpriseDataEntity_USER_ALIASES, false, &pb.UserAlias{EnterpriseUserId: 101, Username: "alias@secret.test"})
	return r
}

func sampleState(t *testing.T, users int) *cacheState {
	treeKey := crypto.GenerateAESKey()
	return &cacheState{Token: []byte("token-1"), treeKey: treeKey, Raw: sampleRaw(t, treeKey, users),
		Account: &AccountFacts{EnterpriseAdmin: true, EnterpriseID: 77}}
}

// TestCacheEncryptedAtRest: nothing of the data is in clear in the file
// (usernames are plaintext in the protobufs), the file is 0600, it opens
// with the data key that wrote it and is ignored with any other.
func TestCacheEncryptedAtRest(t *testing.T) {
	dataKey := crypto.GenerateAESKey()
	c := &Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "server|admin@secret.test|uid"}
	s := sampleState(t, 3)
	if err := c.write(s, dataKey); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"person001@secret.test", "secret.test", "Secret Corp", "Client Alpha", "Covert Team", "token-1",
		"admin@secret.test", string(s.treeKey)} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the cache file holds %q in clear", secret)
		}
	}
	if fi, err := os.Stat(c.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	got, err := c.read(dataKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.treeKey, s.treeKey) || string(got.Token) != "token-1" || got.Raw.Name != "Secret Corp" ||
		got.Account == nil || *got.Account != *s.Account || got.Raw.Next != s.Raw.Next {
		t.Fatalf("read back %+v", got)
	}
	if _, err := c.read(crypto.GenerateAESKey()); err == nil {
		t.Fatal("the cache opened with another account's data key")
	}
	if _, err := (&Cache{Path: c.Path, Owner: "another owner"}).read(dataKey); err == nil {
		t.Fatal("the cache opened for another owner")
	}
}

// TestCacheDamageIgnored: a changed byte anywhere, a truncated file, or a
// section taken from another cache file of the same account makes the
// whole file unreadable (so the loader does a full sync), never a partial
// model.
func TestCacheDamageIgnored(t *testing.T) {
	dataKey := crypto.GenerateAESKey()
	dir := t.TempDir()
	c := &Cache{Path: filepath.Join(dir, "a.cache"), Owner: "o"}
	if err := c.write(sampleState(t, 3), dataKey); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(c.Path)
	for _, at := range []int{3, len(cacheMagic) + 2, len(cacheMagic) + 40, len(good) / 2, len(good) - 1} {
		bad := append([]byte(nil), good...)
		bad[at] ^= 0x40
		if err := os.WriteFile(c.Path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := c.read(dataKey); err == nil {
			t.Errorf("a cache with byte %d changed was read", at)
		}
	}
	if err := os.WriteFile(c.Path, good[:len(good)-5], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.read(dataKey); err == nil {
		t.Error("a truncated cache was read")
	}
	// Same sizes, other content: the sections of a second file do not open
	// under the first file's header.
	other := &Cache{Path: filepath.Join(dir, "b.cache"), Owner: "o"}
	s2 := sampleState(t, 3)
	if err := other.write(s2, dataKey); err != nil {
		t.Fatal(err)
	}
	ob, _ := os.ReadFile(other.Path)
	hl := func(b []byte) int { return len(cacheMagic) + 4 + int(binary.BigEndian.Uint32(b[len(cacheMagic):])) }
	if len(ob) != len(good) {
		t.Fatalf("sizes differ: %d %d", len(ob), len(good))
	}
	mixed := append(append([]byte(nil), good[:hl(good)]...), ob[hl(ob):]...)
	if err := os.WriteFile(c.Path, mixed, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.read(dataKey); err == nil {
		t.Error("sections of another file were read under this header")
	}
}

// names lists what a model shows, in its server order, to compare a lazily
// decoded model with a fully built one.
func names(e *Enterprise) string {
	var b bytes.Buffer
	for _, n := range inSeq(e.Nodes, func(n *Node) int { return n.Seq }) {
		fmt.Fprintf(&b, "node %d %q; ", n.NodeId, n.Name)
	}
	for _, u := range inSeq(e.Users, func(u *User) int { return u.Seq }) {
		fmt.Fprintf(&b, "user %d %s %q; ", u.EnterpriseUserId, u.Username, u.Name)
	}
	for _, r := range inSeq(e.Roles, func(r *Role) int { return r.Seq }) {
		fmt.Fprintf(&b, "role %d %q; ", r.RoleId, r.Name)
	}
	for _, t := range inSeq(e.Teams, func(t *Team) int { return t.Seq }) {
		fmt.Fprintf(&b, "team %s %q; ", t.UID, t.Name)
	}
	for _, ru := range e.RoleUsers {
		fmt.Fprintf(&b, "role user %d %d; ", ru.RoleId, ru.EnterpriseUserId)
	}
	for _, l := range e.Licenses {
		fmt.Fprintf(&b, "licence %d %s; ", l.EnterpriseLicenseId, l.LicenseStatus)
	}
	for _, mc := range e.SortedManagedCompanies() {
		fmt.Fprintf(&b, "mc %d %s; ", mc.McEnterpriseId, mc.McEnterpriseName)
	}
	for _, a := range e.UserAliases {
		fmt.Fprintf(&b, "alias %d %s; ", a.EnterpriseUserId, a.Username)
	}
	return b.String()
}

func inSeq[K comparable, V any](m map[K]V, seq func(V) int) []V {
	out := make([]V, len(m))
	for _, v := range m {
		out[seq(v)] = v
	}
	return out
}

// TestCacheLoadsKindsLazily: reading the cache parses no kind; a model
// asking for managed companies parses that kind only; every part ensured
// later, in any order, gives the model a full build gives, users in
// server order with their names.
func TestCacheLoadsKindsLazily(t *testing.T) {
	dataKey := crypto.GenerateAESKey()
	c := &Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "o"}
	s := sampleState(t, 5000) // above parallelMin: users decode on every CPU
	if err := c.write(s, dataKey); err != nil {
		t.Fatal(err)
	}
	want := names(build(s.Raw, s.treeKey, nil, nil))
	got, err := c.read(dataKey)
	if err != nil {
		t.Fatal(err)
	}
	r := got.Raw
	if len(r.pending) != 8 || len(r.lists) != 0 || len(r.Entities) != 0 {
		t.Fatalf("read parsed kinds: %d pending, %d lists, %d maps", len(r.pending), len(r.lists), len(r.Entities))
	}
	e := newModel(r, got.treeKey, nil, nil)
	e.Ensure(PartManagedCompanies)
	if len(e.ManagedCompanies) != 1 || len(e.Users) != 0 || len(r.pending) != 7 || r.pending[int32(pb.EnterpriseDataEntity_USERS)] == nil {
		t.Fatalf("managed companies: %d mcs, %d users, %d kinds pending", len(e.ManagedCompanies), len(e.Users), len(r.pending))
	}
	e.Ensure(PartUsers)
	if len(e.Users) != 5000 || e.Users[101].Name != "" || len(r.Entities) != 0 {
		t.Fatalf("users without names: %d users, name %q, %d kinds in maps", len(e.Users), e.Users[101].Name, len(r.Entities))
	}
	e.Ensure(PartAll)
	if got := names(e); got != want {
		t.Fatalf("lazy model differs from the full build:\n%.300s\nwant\n%.300s", got, want)
	}
	if u := e.Users[5100]; u.Seq != 0 || u.Name != "Person 5000" {
		t.Fatalf("first user %+v", u)
	}
	if !e.Has(PartAll) {
		t.Fatal("Has(PartAll) after Ensure(PartAll)")
	}
	// A lookup ensures what it reads itself.
	e2 := newModel(r, got.treeKey, nil, nil)
	if u, err := e2.User("alias@secret.test"); err != nil || u.Name != "Person 1" {
		t.Fatalf("alias lookup on a fresh model: %v %v", u, err)
	}
	if !e2.IsMSP() || e2.Root() == nil || e2.NodePath(3) != `Secret Corp\Hidden Branch` {
		t.Fatal("lookups on a fresh model")
	}
}

// TestCacheRewriteKeepsUnparsedKinds: a change to one kind rewrites the
// file with the others as they were, never parsed, in the same order.
func TestCacheRewriteKeepsUnparsedKinds(t *testing.T) {
	dataKey := crypto.GenerateAESKey()
	c := &Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "o"}
	s := sampleState(t, 50)
	if err := c.write(s, dataKey); err != nil {
		t.Fatal(err)
	}
	want := names(build(s.Raw, s.treeKey, nil, nil))
	got, err := c.read(dataKey)
	if err != nil {
		t.Fatal(err)
	}
	apply(got.Raw, pb.EnterpriseDataEntity_LICENSES, false, &pb.License{EnterpriseLicenseId: 1, LicenseStatus: "msp_trial"})
	apply(got.Raw, pb.EnterpriseDataEntity_ROLE_USERS, true, &pb.RoleUser{RoleId: 9, EnterpriseUserId: 102})
	if !got.Raw.changed || got.Raw.pending[int32(pb.EnterpriseDataEntity_USERS)] == nil {
		t.Fatal("the change parsed users or was not recorded")
	}
	if err := c.write(got, dataKey); err != nil {
		t.Fatal(err)
	}
	again, err := c.read(dataKey)
	if err != nil {
		t.Fatal(err)
	}
	e := build(again.Raw, again.treeKey, nil, nil)
	if e.Licenses[0].LicenseStatus != "msp_trial" || len(e.RoleUsers) != 1 || e.RoleUsers[0].EnterpriseUserId != 101 {
		t.Fatalf("changes lost: %v %v", e.Licenses, e.RoleUsers)
	}
	// Everything else as before.
	apply(s.Raw, pb.EnterpriseDataEntity_LICENSES, false, &pb.License{EnterpriseLicenseId: 1, LicenseStatus: "msp_trial"})
	apply(s.Raw, pb.EnterpriseDataEntity_ROLE_USERS, true, &pb.RoleUser{RoleId: 9, EnterpriseUserId: 102})
	if got, want2 := names(e), names(build(s.Raw, s.treeKey, nil, nil)); got != want2 || got == want {
		t.Fatalf("rewritten cache differs:\n%.300s\nwant\n%.300s", got, want2)
	}
}

// TestLoadWritesCacheOnlyOnChange: an incremental sync that brings nothing
// leaves the cache file alone; one that brings a change rewrites it. The
// account facts a session stores come back from a fresh loader, and a
// cache of another enterprise is dropped.
func TestLoadWritesCacheOnlyOnChange(t *testing.T) {
	treeKey := crypto.GenerateAESKey()
	lic, _ := proto.Marshal(&pb.License{EnterpriseLicenseId: 1, LicenseStatus: "msp"})
	changed := false
	c, _ := pagingServer(t, func(int64) *pb.EnterpriseDataResponse {
		rs := &pb.EnterpriseDataResponse{ContinuationToken: []byte("t1"), GeneralData: &pb.GeneralDataEntity{EnterpriseName: "Acme"}}
		if changed {
			rs.ContinuationToken = []byte("t2")
			rs.Data = []*pb.EnterpriseData{{Entity: pb.EnterpriseDataEntity_LICENSES, Data: [][]byte{lic}}}
		}
		return rs
	})
	dataKey := crypto.GenerateAESKey()
	cache := &Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "o"}
	l := &Loader{Keys: Keys{DataKey: dataKey, TreeKey: treeKey, EnterpriseID: 77}, Cache: cache,
		Account: &AccountFacts{EnterpriseAdmin: true, EnterpriseID: 77}}
	if _, _, err := l.Load(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	first, err := os.Stat(cache.Path)
	if err != nil {
		t.Fatal(err)
	}
	fresh := &Loader{Keys: Keys{DataKey: dataKey, TreeKey: treeKey}, Cache: cache}
	if f, ok := fresh.Cached(); !ok || f != (AccountFacts{EnterpriseAdmin: true, EnterpriseID: 77}) {
		t.Fatalf("cached facts %+v %v", f, ok)
	}
	e, st, err := fresh.Load(context.Background(), c)
	if err != nil || !st.FromDisk || e.ID != 77 || e.Name != "Acme" {
		t.Fatalf("warm load: %v fromDisk=%v id=%d", err, st.FromDisk, e.ID)
	}
	if now, _ := os.Stat(cache.Path); !os.SameFile(first, now) {
		t.Fatal("an empty incremental sync rewrote the cache")
	}
	changed = true
	if e, _, err = fresh.Load(context.Background(), c); err != nil || !e.IsMSP() {
		t.Fatalf("load with a change: %v", err)
	}
	if now, _ := os.Stat(cache.Path); os.SameFile(first, now) {
		t.Fatal("a change did not rewrite the cache")
	}
	other := &Loader{Keys: Keys{DataKey: dataKey, TreeKey: treeKey, EnterpriseID: 78}, Cache: cache}
	if _, st, err := other.Load(context.Background(), c); err != nil || st.FromDisk {
		t.Fatalf("a cache of enterprise 77 used for 78: %v fromDisk=%v", err, st.FromDisk)
	}
}

// TestLoadReportsProgress: Progress hears of every page with the entities
// so far and whether more follow; the pages are applied in order.
func TestLoadReportsProgress(t *testing.T) {
	user := func(id int64) []byte {
		b, _ := proto.Marshal(&pb.User{EnterpriseUserId: id, NodeId: 2, KeyType: "no_key", EncryptedData: fmt.Sprint("u", id)})
		return b
	}
	c, _ := pagingServer(t, func(n int64) *pb.EnterpriseDataResponse {
		return &pb.EnterpriseDataResponse{HasMore: n < 3, ContinuationToken: token(n), Data: []*pb.EnterpriseData{
			{Entity: pb.EnterpriseDataEntity_USERS, Data: [][]byte{user(n*10 + 1), user(n*10 + 2)}}}}
	})
	var calls []string
	l := &Loader{Keys: Keys{TreeKey: make([]byte, 32)}, Progress: func(pages, entities int, more bool) {
		calls = append(calls, fmt.Sprint(pages, entities, more))
	}}
	e, _, err := l.Load(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1 2 true", "2 4 true", "3 6 false"}; !reflect.DeepEqual(calls, want) {
		t.Fatalf("progress %v, want %v", calls, want)
	}
	var order []int64
	for _, u := range inSeq(e.Users, func(u *User) int { return u.Seq }) {
		order = append(order, u.EnterpriseUserId)
	}
	if !reflect.DeepEqual(order, []int64{11, 12, 21, 22, 31, 32}) {
		t.Fatalf("users in order %v", order)
	}
}
