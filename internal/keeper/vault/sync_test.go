package vault

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rsa"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// script answers sync_down with the pages it holds, in order, and records
// the continuation tokens it was sent.
type script struct {
	pages  []*vaultpb.SyncDownResponse
	tokens []string
	err    error // returned once the pages run out
}

func (s *script) Call(_ context.Context, endpoint string, req, resp proto.Message) error {
	if endpoint != SyncDownEndpoint {
		return errors.New("unexpected " + endpoint)
	}
	s.tokens = append(s.tokens, string(req.(*vaultpb.SyncDownRequest).ContinuationToken))
	if len(s.pages) == 0 {
		if s.err != nil {
			return s.err
		}
		return errors.New("no more pages")
	}
	proto.Merge(resp, s.pages[0])
	s.pages = s.pages[1:]
	return nil
}

var (
	accountOnce sync.Once
	accountRSA  *rsa.PrivateKey
	accountEC   *ecdh.PrivateKey
)

// testKeys are an account's data key and key pairs (RSA generated once).
func testKeys(t *testing.T) Keys {
	t.Helper()
	accountOnce.Do(func() {
		accountRSA, _ = crypto.GenerateRSAKey()
		accountEC, _ = crypto.GenerateECKey()
	})
	if accountRSA == nil || accountEC == nil {
		t.Fatal("key generation failed")
	}
	return Keys{DataKey: bytes.Repeat([]byte{9}, 32), RSAKey: accountRSA, ECKey: accountEC}
}

func mustB(t *testing.T) func([]byte, error) []byte {
	return func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

func rawUID(s string) []byte {
	b, _ := crypto.Base64URLDecode(s)
	return b
}

// typedRecord returns a v3 Record entity and its plain key.
func typedRecord(t *testing.T, id string, rev int64, rec *TypedRecord) (*vaultpb.Record, []byte) {
	key := crypto.GenerateAESKey()
	data, err := RecordData(rec)
	if err != nil {
		t.Fatal(err)
	}
	return &vaultpb.Record{RecordUid: rawUID(id), Revision: rev, Version: 3, Data: mustB(t)(crypto.EncryptAESv2(data, key))}, key
}

func meta(id string, encKey []byte, kt recordspb.RecordKeyType) *vaultpb.RecordMetaData {
	return &vaultpb.RecordMetaData{RecordUid: rawUID(id), Owner: true, RecordKey: encKey, RecordKeyType: kt, CanEdit: true, CanShare: true}
}

func login(title, pw string) *TypedRecord {
	return NewLogin(title, "user", pw, "https://example.com", "")
}

// TestSyncPagesAndTokens: pages are requested with the previous page's
// token, the last token is kept, and the next sync starts from it.
func TestSyncPagesAndTokens(t *testing.T) {
	k := testKeys(t)
	id1, id2 := crypto.GenerateUID(), crypto.GenerateUID()
	r1, k1 := typedRecord(t, id1, 5, login("One", "pw1"))
	r2, k2 := typedRecord(t, id2, 6, login("Two", "pw2"))
	s := &script{pages: []*vaultpb.SyncDownResponse{
		{ContinuationToken: []byte("t1"), HasMore: true, CacheStatus: vaultpb.CacheStatus_CLEAR, Records: []*vaultpb.Record{r1},
			// the key of record 2 arrives before the record itself
			RecordMetaData: []*vaultpb.RecordMetaData{meta(id2, mustB(t)(crypto.EncryptAESv2(k2, k.DataKey)), 3)}},
		{ContinuationToken: []byte("t2"), HasMore: true, Records: []*vaultpb.Record{r2},
			RecordMetaData: []*vaultpb.RecordMetaData{meta(id1, mustB(t)(crypto.EncryptAESv2(k1, k.DataKey)), 3)}},
		{ContinuationToken: []byte("t3"), UserFolderRecords: []*vaultpb.UserFolderRecord{{RecordUid: rawUID(id1)}, {RecordUid: rawUID(id2)}}},
		{ContinuationToken: []byte("t4")},
	}}
	v := New(k)
	if v.Synced() {
		t.Fatal("synced before Sync")
	}
	if err := v.Sync(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.tokens, []string{"", "t1", "t2"}) || !v.Synced() {
		t.Fatalf("tokens %q", s.tokens)
	}
	if len(v.Records()) != 2 || v.Records()[0].Title != "One" || v.Record(id2).Revision != 6 {
		t.Fatalf("records %+v", v.Records())
	}
	if pw, _ := v.Record(id2).Password(); pw != "pw2" {
		t.Fatal(pw)
	}
	if err := v.Sync(context.Background(), s); err != nil || s.tokens[3] != "t3" {
		t.Fatalf("incremental sync: %v %q", err, s.tokens)
	}
	if len(v.Records()) != 2 {
		t.Fatal("a KEEP page with nothing lost records")
	}
}

// TestSyncFailureForgetsEverything: an error or a repeated token mid-sync
// leaves an empty vault whose next sync is full.
func TestSyncFailureForgetsEverything(t *testing.T) {
	k := testKeys(t)
	id := crypto.GenerateUID()
	r, key := typedRecord(t, id, 1, login("One", "pw"))
	full := &vaultpb.SyncDownResponse{ContinuationToken: []byte("t1"), CacheStatus: vaultpb.CacheStatus_CLEAR,
		Records: []*vaultpb.Record{r}, RecordMetaData: []*vaultpb.RecordMetaData{meta(id, mustB(t)(crypto.EncryptAESv2(key, k.DataKey)), 3)}}
	v := New(k)
	s := &script{pages: []*vaultpb.SyncDownResponse{full}, err: &rest.NetworkError{Err: errors.New("connection reset")}}
	if err := v.Sync(context.Background(), s); err != nil || v.Record(id) == nil {
		t.Fatal(err)
	}
	if err := v.Sync(context.Background(), s); err == nil || v.Synced() || v.Record(id) != nil {
		t.Fatalf("failed sync kept state: %v", err)
	}
	s = &script{pages: []*vaultpb.SyncDownResponse{full, {HasMore: true, ContinuationToken: []byte("t1")}}}
	v = New(k)
	_ = v.Sync(context.Background(), s)
	s.pages = []*vaultpb.SyncDownResponse{{HasMore: true, ContinuationToken: []byte("t1")}}
	err := v.Sync(context.Background(), s)
	var re *rest.ReplyError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "repeats the continuation token") || v.Synced() {
		t.Fatalf("repeated token: %v", err)
	}
	if s.tokens[len(s.tokens)-1] != "t1" {
		t.Fatalf("tokens %q", s.tokens)
	}
}

// TestSyncClearWipes: a CLEAR page drops what earlier syncs brought.
func TestSyncClearWipes(t *testing.T) {
	k := testKeys(t)
	id1, id2 := crypto.GenerateUID(), crypto.GenerateUID()
	r1, k1 := typedRecord(t, id1, 1, login("Old", "x"))
	r2, k2 := typedRecord(t, id2, 2, login("New", "y"))
	s := &script{pages: []*vaultpb.SyncDownResponse{
		{ContinuationToken: []byte("a"), Records: []*vaultpb.Record{r1},
			RecordMetaData: []*vaultpb.RecordMetaData{meta(id1, mustB(t)(crypto.EncryptAESv2(k1, k.DataKey)), 3)}},
		{ContinuationToken: []byte("b"), CacheStatus: vaultpb.CacheStatus_CLEAR, Records: []*vaultpb.Record{r2},
			RecordMetaData: []*vaultpb.RecordMetaData{meta(id2, mustB(t)(crypto.EncryptAESv2(k2, k.DataKey)), 3)}},
	}}
	v := New(k)
	_ = v.Sync(context.Background(), s)
	if err := v.Sync(context.Background(), s); err != nil || v.Record(id1) != nil || v.Record(id2) == nil {
		t.Fatalf("CLEAR: %v %v", err, v.Records())
	}
}

// TestRecordKeyTypes: meta data keys of types 1-4 open with the account's
// keys; type 0, 5/6 and keys that are not 32 bytes leave the record out;
// shared-folder keys (60 bytes: AES-GCM, else AES-CBC) are the fallback;
// version 2 data is AES-CBC.
func TestRecordKeyTypes(t *testing.T) {
	k := testKeys(t)
	rs := &vaultpb.SyncDownResponse{ContinuationToken: []byte("t"), CacheStatus: vaultpb.CacheStatus_CLEAR}
	add := func(title string, encKey func(key []byte) []byte, kt recordspb.RecordKeyType) string {
		id := crypto.GenerateUID()
		r, key := typedRecord(t, id, 1, login(title, "pw-"+title))
		rs.Records = append(rs.Records, r)
		rs.RecordMetaData = append(rs.RecordMetaData, meta(id, encKey(key), kt))
		return id
	}
	cbc := add("cbc", func(key []byte) []byte { return mustB(t)(crypto.EncryptAESv1(key, k.DataKey)) }, 1)
	rsaID := add("rsa", func(key []byte) []byte { return mustB(t)(crypto.EncryptRSA(key, &k.RSAKey.PublicKey)) }, 2)
	gcm := add("gcm", func(key []byte) []byte { return mustB(t)(crypto.EncryptAESv2(key, k.DataKey)) }, 3)
	ec := add("ec", func(key []byte) []byte { return mustB(t)(crypto.EncryptEC(key, k.ECKey.PublicKey())) }, 4)
	none := add("none", func(key []byte) []byte { return mustB(t)(crypto.EncryptAESv2(key, k.DataKey)) }, 0)
	root := add("root", func(key []byte) []byte { return mustB(t)(crypto.EncryptAESv2(key, k.DataKey)) }, 6)
	short := add("short", func([]byte) []byte { return mustB(t)(crypto.EncryptAESv2([]byte("16-byte-key-----"), k.DataKey)) }, 3)
	wrong := add("wrong", func(key []byte) []byte { return mustB(t)(crypto.EncryptAESv2(key, crypto.GenerateAESKey())) }, 3)

	// Shared folder records: the shared folder key by its key type (an
	// unknown type falls back to AES-CBC under the data key), record keys
	// AES-GCM (60 bytes) or AES-CBC under it.
	sfUID, sfKey := crypto.GenerateUID(), crypto.GenerateAESKey()
	rs.SharedFolders = append(rs.SharedFolders, &vaultpb.SharedFolder{SharedFolderUid: rawUID(sfUID),
		SharedFolderKey: mustB(t)(crypto.EncryptAESv1(sfKey, k.DataKey)), KeyType: 0,
		Name: mustB(t)(crypto.EncryptAESv1([]byte("Team"), sfKey))})
	sfRec := func(title string, wrap func(key []byte) []byte) string {
		id := crypto.GenerateUID()
		r, key := typedRecord(t, id, 1, login(title, "pw-"+title))
		rs.Records = append(rs.Records, r)
		rs.SharedFolderRecords = append(rs.SharedFolderRecords, &vaultpb.SharedFolderRecord{SharedFolderUid: rawUID(sfUID),
			RecordUid: rawUID(id), RecordKey: wrap(key)})
		return id
	}
	sfGCM := sfRec("sf-gcm", func(key []byte) []byte { return mustB(t)(crypto.EncryptAESv2(key, sfKey)) })
	sfCBC := sfRec("sf-cbc", func(key []byte) []byte { return mustB(t)(crypto.EncryptAESv1(key, sfKey)) })
	// Legacy v2 record: AES-CBC data.
	legacyID, lkey := crypto.GenerateUID(), crypto.GenerateAESKey()
	rs.Records = append(rs.Records, &vaultpb.Record{RecordUid: rawUID(legacyID), Revision: 3, Version: 2,
		Data: mustB(t)(crypto.EncryptAESv1([]byte(`{"title":"Legacy","secret1":"u","secret2":"old-pw"}`), lkey))})
	rs.RecordMetaData = append(rs.RecordMetaData, meta(legacyID, mustB(t)(crypto.EncryptAESv1(lkey, k.DataKey)), 1))

	v := New(k)
	if err := v.Sync(context.Background(), &script{pages: []*vaultpb.SyncDownResponse{rs}}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{cbc: "pw-cbc", rsaID: "pw-rsa", gcm: "pw-gcm", ec: "pw-ec", sfGCM: "pw-sf-gcm",
		sfCBC: "pw-sf-cbc", legacyID: "old-pw"} {
		r := v.Record(id)
		if r == nil {
			t.Errorf("%s: not decrypted", want)
			continue
		}
		if pw, _ := r.Password(); pw != want {
			t.Errorf("%s: password %q", want, pw)
		}
	}
	for _, id := range []string{none, root, short, wrong} {
		if v.Record(id) != nil {
			t.Errorf("record %s with an unusable key is listed", v.Record(id).Title)
		}
	}
	if r := v.Record(gcm); r.KeyType != 3 || !r.Owner || !r.CanEdit || r.SharedFolderUID != "" {
		t.Errorf("meta access %+v", r)
	}
	if r := v.Record(sfGCM); r.SharedFolderUID != sfUID || r.KeyType != 0 {
		t.Errorf("shared folder access %+v", r)
	}
	if !bytes.Equal(v.SharedFolderKey(sfUID), sfKey) {
		t.Error("shared folder key")
	}
	if r := v.Record(legacyID); r.Legacy == nil || r.Title != "Legacy" || r.Typed != nil {
		t.Errorf("legacy %+v", r)
	}
	// Without the account's RSA/EC keys those records are left out.
	v = New(Keys{DataKey: k.DataKey})
	_ = v.Sync(context.Background(), &script{pages: []*vaultpb.SyncDownResponse{rs}})
	if v.Record(rsaID) != nil || v.Record(ec) != nil || v.Record(gcm) == nil {
		t.Error("records needing missing keys")
	}
}

// TestFoldersAndRemovals: folder names and tree from user folders, shared
// folders (placed through UserFolderSharedFolder, a placeholder parent of
// zero bytes meaning the root) and their subfolders; removals drop
// records, placements and folders.
func TestFoldersAndRemovals(t *testing.T) {
	k := testKeys(t)
	enc := mustB(t)
	userFolder := func(id, parent, name string) *vaultpb.UserFolder {
		fk := crypto.GenerateAESKey()
		return &vaultpb.UserFolder{FolderUid: rawUID(id), ParentUid: rawUID(parent), KeyType: 1,
			UserFolderKey: enc(crypto.EncryptAESv1(fk, k.DataKey)),
			Data:          enc(crypto.EncryptAESv1([]byte(`{"name": "`+name+`"}`), fk))}
	}
	hr, payroll, sf, sub := crypto.GenerateUID(), crypto.GenerateUID(), crypto.GenerateUID(), crypto.GenerateUID()
	sfKey, subKey := crypto.GenerateAESKey(), crypto.GenerateAESKey()
	placeholder := append(make([]byte, 10), 1, 2, 3, 4, 5, 6)
	rec1, rec2 := crypto.GenerateUID(), crypto.GenerateUID()
	r1, k1 := typedRecord(t, rec1, 1, login("In HR", "a"))
	r2, k2 := typedRecord(t, rec2, 2, login("At root", "b"))
	s := &script{pages: []*vaultpb.SyncDownResponse{{
		ContinuationToken: []byte("t1"), CacheStatus: vaultpb.CacheStatus_CLEAR,
		UserFolders: []*vaultpb.UserFolder{userFolder(hr, "", "HR"), userFolder(payroll, hr, "Pay/roll")},
		SharedFolders: []*vaultpb.SharedFolder{{SharedFolderUid: rawUID(sf), KeyType: 3,
			SharedFolderKey: enc(crypto.EncryptAESv2(sfKey, k.DataKey)),
			Data:            enc(crypto.EncryptAESv1([]byte(`{"name":"Shared"}`), sfKey))}},
		UserFolderSharedFolders: []*vaultpb.UserFolderSharedFolder{{FolderUid: placeholder, SharedFolderUid: rawUID(sf)}},
		SharedFolderFolders: []*vaultpb.SharedFolderFolder{{SharedFolderUid: rawUID(sf), FolderUid: rawUID(sub), KeyType: 3,
			SharedFolderFolderKey: enc(crypto.EncryptAESv1(subKey, sfKey)),
			Data:                  enc(crypto.EncryptAESv1([]byte(`{"name":"Sub"}`), subKey))}},
		Records: []*vaultpb.Record{r1, r2},
		RecordMetaData: []*vaultpb.RecordMetaData{meta(rec1, enc(crypto.EncryptAESv2(k1, k.DataKey)), 3),
			meta(rec2, enc(crypto.EncryptAESv2(k2, k.DataKey)), 3)},
		UserFolderRecords: []*vaultpb.UserFolderRecord{{FolderUid: rawUID(hr), RecordUid: rawUID(rec1)}, {RecordUid: rawUID(rec2)}},
	}, {
		ContinuationToken: []byte("t2"),
		RemovedRecords:    [][]byte{rawUID(rec2)}, RemovedUserFolders: [][]byte{rawUID(payroll)},
		RemovedUserFolderRecords: []*vaultpb.UserFolderRecord{{FolderUid: rawUID(hr), RecordUid: rawUID(rec1)}},
		RemovedSharedFolders:     [][]byte{rawUID(sf)},
	}}}
	v := New(k)
	if err := v.Sync(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range v.Folders() {
		paths = append(paths, v.FolderPath(f.UID)+"|"+string(f.Type))
	}
	want := []string{"HR|user_folder", "HR/Pay//roll|user_folder", "Shared|shared_folder", "Shared/Sub|shared_folder_folder"}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("folders %q", paths)
	}
	if f := v.Folder(sub); f.SharedFolderUID != sf || f.ParentUID != sf || !bytes.Equal(f.Key, subKey) {
		t.Fatalf("subfolder %+v", f)
	}
	if f := v.Folder(sf); f.ParentUID != "" || !bytes.Equal(f.Key, sfKey) {
		t.Fatalf("shared folder %+v", f)
	}
	if got := v.RecordFolders(rec1); !reflect.DeepEqual(got, []string{hr}) {
		t.Fatalf("placement %q", got)
	}
	if err := v.Sync(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if v.Record(rec2) != nil || v.Folder(payroll) != nil || v.Folder(sf) != nil || v.Folder(sub) != nil ||
		len(v.RecordFolders(rec1)) != 0 || v.Record(rec1) == nil || v.Folder(hr) == nil {
		t.Fatalf("after removals: %v %v", v.Records(), v.Folders())
	}
}
