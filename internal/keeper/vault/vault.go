// Package vault is the client side of a Keeper vault: vault/sync_down with
// its continuation token, record and folder key decryption, typed (v3)
// record data, and the writes create-user needs (records_add,
// records_update, one-time shares). It follows Commander's
// keepercommander/sync_down.py, record_management.py, vault.py and
// vault_extensions.py; vault commands can grow from it.
//
// A Vault keeps the data as received and decrypts it after every sync; it
// is not safe for concurrent use.
package vault

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// Endpoints of the vault.
const (
	SyncDownEndpoint         = "vault/sync_down"
	RecordsAddEndpoint       = "vault/records_add"
	RecordsUpdateEndpoint    = "vault/records_update"
	ExternalShareAddEndpoint = "vault/external_share_add"
)

// maxPages bounds one sync; a server that keeps saying "more" with new
// tokens is broken.
const maxPages = 10_000

// Caller sends one REST request with the account's session (protobuf in
// and out).
type Caller interface {
	Call(ctx context.Context, endpoint string, req, resp proto.Message) error
}

// CallerFunc adapts a function to Caller.
type CallerFunc func(ctx context.Context, endpoint string, req, resp proto.Message) error

// Call implements Caller.
func (f CallerFunc) Call(ctx context.Context, endpoint string, req, resp proto.Message) error {
	return f(ctx, endpoint, req, resp)
}

// Keys are the logged-in account's keys: the data key, and the RSA and EC
// private keys that open keys shared with the account.
type Keys struct {
	DataKey []byte
	RSAKey  *rsa.PrivateKey
	ECKey   *ecdh.PrivateKey
}

// FolderType is the kind of a folder, as Commander names it.
type FolderType string

// Folder types.
const (
	UserFolder         FolderType = "user_folder"
	SharedFolder       FolderType = "shared_folder"
	SharedFolderFolder FolderType = "shared_folder_folder"
)

// Folder is a decrypted folder of the vault tree.
type Folder struct {
	UID  string
	Type FolderType
	Name string
	// ParentUID is the parent folder ("" for the vault root).
	ParentUID string
	// SharedFolderUID is the shared folder a shared folder (itself) or a
	// folder inside a shared folder belongs to.
	SharedFolderUID string
	// Key is the folder key; for a shared folder the shared folder key.
	Key []byte
}

// Vault is one account's vault as synced.
type Vault struct {
	keys  Keys
	token []byte

	records       map[string]*vaultpb.Record
	meta          map[string]*vaultpb.RecordMetaData
	userFolders   map[string]*vaultpb.UserFolder
	sharedFolders map[string]*vaultpb.SharedFolder
	ufsf          map[string]*vaultpb.UserFolderSharedFolder // by shared folder uid
	sff           map[string]*vaultpb.SharedFolderFolder     // by folder uid
	// placed holds the records filed in each folder: "" is the vault root,
	// a shared folder's own uid its root.
	placed    map[string]map[string]bool
	sfRecords map[string]map[string]*vaultpb.SharedFolderRecord

	recs    map[string]*Record
	folders map[string]*Folder
	sfKeys  map[string][]byte
}

// New returns an empty vault for the account's keys; Sync fills it.
func New(k Keys) *Vault {
	v := &Vault{keys: k}
	v.clear()
	return v
}

func (v *Vault) clear() {
	v.records, v.meta = map[string]*vaultpb.Record{}, map[string]*vaultpb.RecordMetaData{}
	v.userFolders, v.sharedFolders = map[string]*vaultpb.UserFolder{}, map[string]*vaultpb.SharedFolder{}
	v.ufsf, v.sff = map[string]*vaultpb.UserFolderSharedFolder{}, map[string]*vaultpb.SharedFolderFolder{}
	v.placed, v.sfRecords = map[string]map[string]bool{}, map[string]map[string]*vaultpb.SharedFolderRecord{}
	if v.recs == nil {
		v.recs = map[string]*Record{}
	}
	v.folders, v.sfKeys = map[string]*Folder{}, map[string][]byte{}
}

// reset forgets everything, including the token: the next sync is full.
func (v *Vault) reset() {
	v.token = nil
	v.recs = nil
	v.clear()
}

// Synced reports whether the vault has been synced at least once.
func (v *Vault) Synced() bool { return len(v.token) > 0 }

// Sync brings the vault up to date: vault/sync_down pages, each sending the
// last continuation token, until hasMore is false; the final token is kept
// for the next (incremental) sync. A CLEAR page wipes everything before it
// is applied. After the last page everything is decrypted in one pass, so
// entity order across pages does not matter. A failed sync forgets the
// vault, so the next one starts from scratch and never from half-applied
// pages.
func (v *Vault) Sync(ctx context.Context, c Caller) error {
	token := v.token
	for pages := 1; ; pages++ {
		var rs vaultpb.SyncDownResponse
		if err := c.Call(ctx, SyncDownEndpoint, &vaultpb.SyncDownRequest{ContinuationToken: token}, &rs); err != nil {
			v.reset()
			return fmt.Errorf("vault sync: %w", err)
		}
		if rs.CacheStatus == vaultpb.CacheStatus_CLEAR {
			v.clear()
		}
		v.apply(&rs)
		if rs.HasMore && bytes.Equal(rs.ContinuationToken, token) {
			v.reset()
			return &rest.ReplyError{Endpoint: SyncDownEndpoint,
				Msg: fmt.Sprintf("the server says there is more but repeats the continuation token (page %d)", pages)}
		}
		token = rs.ContinuationToken
		if !rs.HasMore {
			break
		}
		if pages >= maxPages {
			v.reset()
			return &rest.ReplyError{Endpoint: SyncDownEndpoint,
				Msg: fmt.Sprintf("the server still says there is more after %d pages; stopped", maxPages)}
		}
	}
	v.token = token
	v.decrypt()
	return nil
}

func uid(b []byte) string { return crypto.Base64URLEncode(b) }

func (v *Vault) place(folder, record string) {
	if v.placed[folder] == nil {
		v.placed[folder] = map[string]bool{}
	}
	v.placed[folder][record] = true
}

func (v *Vault) unplace(folder, record string) {
	if m := v.placed[folder]; m != nil {
		delete(m, record)
	}
}

// apply merges one page, removals first, as sync_down.py does.
func (v *Vault) apply(rs *vaultpb.SyncDownResponse) {
	for _, b := range rs.RemovedRecords {
		r := uid(b)
		delete(v.meta, r)
		for f := range v.placed {
			if f == "" || v.userFolders[f] != nil {
				v.unplace(f, r)
			}
		}
		if !v.inSharedFolder(r) {
			delete(v.records, r)
		}
	}
	for _, b := range rs.RemovedSharedFolders {
		sf := uid(b)
		delete(v.sharedFolders, sf)
		delete(v.sfRecords, sf)
		delete(v.ufsf, sf)
		delete(v.placed, sf)
		for f, x := range v.sff {
			if uid(x.SharedFolderUid) == sf {
				delete(v.sff, f)
				delete(v.placed, f)
			}
		}
	}
	for _, b := range rs.RemovedUserFolders {
		delete(v.userFolders, uid(b))
		delete(v.placed, uid(b))
	}
	for _, x := range rs.RemovedSharedFolderFolders {
		f := x.FolderUid
		if len(f) == 0 {
			f = x.SharedFolderUid
		}
		delete(v.sff, uid(f))
		delete(v.placed, uid(f))
	}
	for _, x := range rs.RemovedUserFolderSharedFolders {
		delete(v.ufsf, uid(x.SharedFolderUid))
	}
	for _, x := range rs.RemovedUserFolderRecords {
		v.unplace(folderKey(x.FolderUid), uid(x.RecordUid))
	}
	for _, x := range rs.RemovedSharedFolderFolderRecords {
		f := x.FolderUid
		if len(f) == 0 {
			f = x.SharedFolderUid
		}
		v.unplace(uid(f), uid(x.RecordUid))
	}
	for _, m := range rs.RecordMetaData {
		v.meta[uid(m.RecordUid)] = m
	}
	for _, r := range rs.Records {
		v.records[uid(r.RecordUid)] = r
	}
	for _, sf := range rs.SharedFolders {
		v.sharedFolders[uid(sf.SharedFolderUid)] = sf
		if sf.CacheStatus == vaultpb.CacheStatus_CLEAR {
			delete(v.sfRecords, uid(sf.SharedFolderUid))
		}
	}
	for _, x := range rs.SharedFolderRecords {
		sf := uid(x.SharedFolderUid)
		if v.sfRecords[sf] == nil {
			v.sfRecords[sf] = map[string]*vaultpb.SharedFolderRecord{}
		}
		v.sfRecords[sf][uid(x.RecordUid)] = x
	}
	for _, x := range rs.RemovedSharedFolderRecords {
		if m := v.sfRecords[uid(x.SharedFolderUid)]; m != nil {
			delete(m, uid(x.RecordUid))
		}
	}
	for _, f := range rs.UserFolders {
		v.userFolders[uid(f.FolderUid)] = f
	}
	for _, x := range rs.UserFolderRecords {
		v.place(folderKey(x.FolderUid), uid(x.RecordUid))
	}
	for _, x := range rs.UserFolderSharedFolders {
		v.ufsf[uid(x.SharedFolderUid)] = x
	}
	for _, x := range rs.SharedFolderFolders {
		v.sff[uid(x.FolderUid)] = x
	}
	for _, x := range rs.SharedFolderFolderRecords {
		f := x.FolderUid
		if len(f) == 0 {
			f = x.SharedFolderUid
		}
		v.place(uid(f), uid(x.RecordUid))
	}
}

// folderKey is the placement key of a user folder uid: "" for the root.
func folderKey(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return uid(b)
}

func (v *Vault) inSharedFolder(record string) bool {
	for _, m := range v.sfRecords {
		if m[record] != nil {
			return true
		}
	}
	return false
}

// decryptKey opens a key by its key type with the account's keys; unknown
// types get fallback (nil: refused).
func (v *Vault) decryptKey(enc []byte, t recordspb.RecordKeyType, fallback func([]byte) ([]byte, error)) ([]byte, error) {
	switch t {
	case recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY:
		return crypto.DecryptAESv1(enc, v.keys.DataKey)
	case recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY:
		if v.keys.RSAKey == nil {
			return nil, errors.New("no RSA private key")
		}
		return crypto.DecryptRSA(enc, v.keys.RSAKey)
	case recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY_GCM:
		return crypto.DecryptAESv2(enc, v.keys.DataKey)
	case recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY_ECC:
		if v.keys.ECKey == nil {
			return nil, errors.New("no EC private key")
		}
		return crypto.DecryptEC(enc, v.keys.ECKey)
	}
	if fallback != nil {
		return fallback(enc)
	}
	return nil, fmt.Errorf("unsupported key type %d", t)
}

func (v *Vault) cbcDataKey(enc []byte) ([]byte, error) {
	return crypto.DecryptAESv1(enc, v.keys.DataKey)
}

func aesKey(k []byte, err error) []byte {
	if err != nil || len(k) != crypto.AESKeySize {
		return nil
	}
	return k
}

// decrypt rebuilds the decrypted view: shared folder keys, record keys
// (meta data first, then shared folders), record data and folders.
// Records whose key cannot be resolved are left out, as Commander drops
// them from its cache.
func (v *Vault) decrypt() {
	v.sfKeys = map[string][]byte{}
	for id, sf := range v.sharedFolders {
		if len(sf.SharedFolderKey) == 0 {
			continue
		}
		if k := aesKey(v.decryptKey(sf.SharedFolderKey, sf.KeyType, v.cbcDataKey)); k != nil {
			v.sfKeys[id] = k
		}
	}
	prev := v.recs
	v.recs = make(map[string]*Record, len(v.records))
	for id, raw := range v.records {
		key, via := v.recordKey(id)
		if key == nil {
			continue
		}
		if p := prev[id]; p != nil && p.raw == raw && bytes.Equal(p.Key, key) {
			p.setAccess(v.meta[id], via)
			v.recs[id] = p
			continue
		}
		r := newRecord(id, raw, key)
		r.setAccess(v.meta[id], via)
		v.recs[id] = r
	}
	v.folders = map[string]*Folder{}
	for id, f := range v.userFolders {
		key := aesKey(v.decryptKey(f.UserFolderKey, f.KeyType, v.cbcDataKey))
		v.folders[id] = &Folder{UID: id, Type: UserFolder, ParentUID: folderKey(f.ParentUid), Key: key,
			Name: folderName(f.Data, key, id)}
	}
	for id, x := range v.ufsf {
		sf := v.sharedFolders[id]
		if sf == nil {
			continue
		}
		parent := ""
		if p := x.FolderUid; len(p) > 0 && !fakeUID(p) {
			parent = uid(p)
		}
		key := v.sfKeys[id]
		name := id
		if key != nil {
			if len(sf.Name) > 0 {
				if b, err := crypto.DecryptAESv1(sf.Name, key); err == nil {
					name = string(b)
				}
			} else {
				name = folderName(sf.Data, key, id)
			}
		}
		v.folders[id] = &Folder{UID: id, Type: SharedFolder, Name: name, ParentUID: parent, SharedFolderUID: id, Key: key}
	}
	for id, f := range v.sff {
		sf := uid(f.SharedFolderUid)
		var key []byte
		if sk := v.sfKeys[sf]; sk != nil {
			key = aesKey(crypto.DecryptAESv1(f.SharedFolderFolderKey, sk))
		}
		parent := sf
		if len(f.ParentUid) > 0 {
			parent = uid(f.ParentUid)
		}
		v.folders[id] = &Folder{UID: id, Type: SharedFolderFolder, ParentUID: parent, SharedFolderUID: sf, Key: key,
			Name: folderName(f.Data, key, id)}
	}
}

// fakeUID is a placeholder parent Keeper sends for a shared folder at the
// root: ten zero bytes at either end (sync_down.py).
func fakeUID(b []byte) bool {
	zero := make([]byte, 10)
	return bytes.HasPrefix(b, zero) || bytes.HasSuffix(b, zero)
}

// folderName decrypts folder data (AES-CBC JSON {"name": ...}); the uid
// stands in when it cannot be read.
func folderName(data, key []byte, fallback string) string {
	if key == nil || len(data) == 0 {
		return fallback
	}
	plain, err := crypto.DecryptAESv1(data, key)
	if err != nil {
		return fallback
	}
	var d struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(plain, &d) != nil || d.Name == "" {
		return fallback
	}
	return d.Name
}

// recordKey resolves a record key: meta data by key type (types 1-4; any
// other drops the entry), then any shared folder holding the record (a
// 60-byte key is AES-GCM, anything else AES-CBC, under the shared folder
// key). via names the shared folder used ("" for meta data).
func (v *Vault) recordKey(id string) (key []byte, via string) {
	if m := v.meta[id]; m != nil && len(m.RecordKey) > 0 {
		if k := aesKey(v.decryptKey(m.RecordKey, m.RecordKeyType, nil)); k != nil {
			return k, ""
		}
	}
	sfs := make([]string, 0, len(v.sfRecords))
	for sf := range v.sfRecords {
		sfs = append(sfs, sf)
	}
	sort.Strings(sfs)
	for _, sf := range sfs {
		x := v.sfRecords[sf][id]
		sk := v.sfKeys[sf]
		if x == nil || sk == nil || len(x.RecordKey) == 0 {
			continue
		}
		var k []byte
		if len(x.RecordKey) == 60 {
			k = aesKey(crypto.DecryptAESv2(x.RecordKey, sk))
		} else {
			k = aesKey(crypto.DecryptAESv1(x.RecordKey, sk))
		}
		if k != nil {
			return k, sf
		}
	}
	return nil, ""
}

// Record returns a decryptable record by uid, or nil.
func (v *Vault) Record(uid string) *Record { return v.recs[uid] }

// Records lists the decryptable records by title (case-insensitive), then
// uid.
func (v *Vault) Records() []*Record {
	out := make([]*Record, 0, len(v.recs))
	for _, r := range v.recs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Title), strings.ToLower(out[j].Title)
		if a != b {
			return a < b
		}
		return out[i].UID < out[j].UID
	})
	return out
}

// Folder returns a folder of the tree by uid, or nil.
func (v *Vault) Folder(uid string) *Folder { return v.folders[uid] }

// Folders lists the folders of the tree by path.
func (v *Vault) Folders() []*Folder {
	out := make([]*Folder, 0, len(v.folders))
	for _, f := range v.folders {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return v.FolderPath(out[i].UID) < v.FolderPath(out[j].UID) })
	return out
}

// FolderPath is a folder's path from the root, components joined by "/"
// (a "/" inside a name doubled, as Commander writes paths); "" is the root.
func (v *Vault) FolderPath(id string) string {
	var parts []string
	for seen := 0; id != "" && seen < 1000; seen++ {
		f := v.folders[id]
		if f == nil {
			break
		}
		parts = append(parts, strings.ReplaceAll(f.Name, "/", "//"))
		id = f.ParentUID
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "/")
}

// RecordFolders lists the folders a record is filed in ("" for the root),
// sorted.
func (v *Vault) RecordFolders(record string) []string {
	var out []string
	for f, m := range v.placed {
		if m[record] {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// SharedFolderKey returns a shared folder's decrypted key, or nil.
func (v *Vault) SharedFolderKey(uid string) []byte { return v.sfKeys[uid] }
