// Package vaulttest is an in-memory Keeper vault for tests of vault
// clients: it answers vault/sync_down, vault/records_add,
// vault/records_update and vault/external_share_add the way the rules of
// Commander's record_management.py and sync_down.py expect (records keyed
// by 16-byte uids, record keys filed as key type 3, one revision counter,
// RS_RECORD_EXISTS and RS_OUT_OF_SYNC refusals, encrypted data echoed
// byte for byte), and lets tests seed records and folders and inject
// failures.
package vaulttest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/keeper/vault"
)

// StoredRecord is a record as the server keeps it.
type StoredRecord struct {
	UID            string
	Revision       int64
	Version        int32
	Data           []byte // as received
	Key            []byte // record key as received (encrypted)
	KeyType        recordspb.RecordKeyType
	ClientModified int64
	Folder         string // placement: "" root, or a folder uid
	SharedFolder   string // the enclosing shared folder, if any
	FolderKey      []byte // record key under the shared folder key
	Audit          []byte
}

// Share is a stored one-time share.
type Share struct {
	RecordUID string
	Request   *authpb.AddExternalShareRequest
}

type folder struct {
	uid, parent, sf string
	typ             vault.FolderType
	key             []byte // encrypted as sent in sync_down
	keyType         recordspb.RecordKeyType
	data            []byte
	name            []byte
}

// Server is the in-memory vault. The zero value is not usable; use New.
type Server struct {
	mu       sync.Mutex
	dataKey  []byte
	revision int64
	records  map[string]*StoredRecord
	order    []string
	folders  map[string]*folder
	forder   []string
	sfKeys   map[string][]byte // plain shared folder keys, for seeding

	// PageSize splits a full sync into pages of this many records (0: one
	// page).
	PageSize int
	// Shares holds the one-time shares created, in order.
	Shares []Share
	// Calls lists the endpoints called, in order.
	Calls []string
	// Requests keeps a copy of every request, in order.
	Requests []proto.Message
	// Fail, when it returns an error for an endpoint, makes that call fail
	// before anything is done.
	Fail func(endpoint string, n int) error
	// AddStatus, when set, refuses records_add with this status.
	AddStatus recordspb.RecordModifyResult
	// OmitStatus answers writes without a status for the record.
	OmitStatus bool
	// SkipSync makes records_add store nothing visible (the record never
	// shows up in a sync) while answering success.
	SkipSync bool
}

// New returns an empty vault whose seeded records and folders are
// encrypted with the account's data key.
func New(dataKey []byte) *Server {
	return &Server{dataKey: dataKey, records: map[string]*StoredRecord{}, folders: map[string]*folder{},
		sfKeys: map[string][]byte{}}
}

// Caller returns the server as a vault.Caller.
func (s *Server) Caller() vault.Caller { return vault.CallerFunc(s.Call) }

// Record returns a stored record by uid, or nil.
func (s *Server) Record(uid string) *StoredRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records[uid]
}

// Records lists the stored records in creation order.
func (s *Server) Records() []*StoredRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*StoredRecord, 0, len(s.order))
	for _, id := range s.order {
		if r := s.records[id]; r != nil {
			out = append(out, r)
		}
	}
	return out
}

// Count returns how many times an endpoint was called.
func (s *Server) Count(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.Calls {
		if c == endpoint {
			n++
		}
	}
	return n
}

// Plain decrypts a stored typed record's data with the data key.
func (s *Server) Plain(uid string) ([]byte, error) {
	r := s.Record(uid)
	if r == nil {
		return nil, fmt.Errorf("no record %s", uid)
	}
	key, err := crypto.DecryptAESv2(r.Key, s.dataKey)
	if err != nil {
		return nil, err
	}
	return crypto.DecryptAESv2(r.Data, key)
}

// Call implements vault.Caller.
func (s *Server) Call(_ context.Context, endpoint string, req, resp proto.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls = append(s.Calls, endpoint)
	if req != nil {
		s.Requests = append(s.Requests, proto.Clone(req))
	}
	if s.Fail != nil {
		n := 0
		for _, c := range s.Calls {
			if c == endpoint {
				n++
			}
		}
		if err := s.Fail(endpoint, n); err != nil {
			return err
		}
	}
	switch endpoint {
	case vault.SyncDownEndpoint:
		return s.syncDown(req.(*vaultpb.SyncDownRequest), resp.(*vaultpb.SyncDownResponse))
	case vault.RecordsAddEndpoint:
		return s.recordsAdd(req.(*recordspb.RecordsAddRequest), resp.(*recordspb.RecordsModifyResponse))
	case vault.RecordsUpdateEndpoint:
		return s.recordsUpdate(req.(*recordspb.RecordsUpdateRequest), resp.(*recordspb.RecordsModifyResponse))
	case vault.ExternalShareAddEndpoint:
		return s.shareAdd(req.(*authpb.AddExternalShareRequest))
	}
	return &rest.APIError{Endpoint: endpoint, Code: "bad_request", Message: "unknown endpoint", HTTPStatus: 404}
}

func b64(b []byte) string { return crypto.Base64URLEncode(b) }

func raw(uid string) []byte {
	b, _ := crypto.Base64URLDecode(uid)
	return b
}

func (s *Server) token() []byte { return []byte("rev" + strconv.FormatInt(s.revision, 10)) }

// syncDown answers an up-to-date token with an empty KEEP page and
// anything else with CLEAR and the whole vault, in pages of PageSize
// records ("page<n>" tokens in between).
func (s *Server) syncDown(rq *vaultpb.SyncDownRequest, rs *vaultpb.SyncDownResponse) error {
	tok := string(rq.ContinuationToken)
	if tok == string(s.token()) {
		rs.ContinuationToken = s.token()
		return nil
	}
	page := 0
	if strings.HasPrefix(tok, "page") {
		page, _ = strconv.Atoi(strings.TrimPrefix(tok, "page"))
	} else {
		rs.CacheStatus = vaultpb.CacheStatus_CLEAR
		s.folderEntities(rs)
	}
	ids := make([]string, 0, len(s.order))
	for _, id := range s.order {
		if s.records[id] != nil {
			ids = append(ids, id)
		}
	}
	from, to := 0, len(ids)
	if s.PageSize > 0 {
		from, to = min(page*s.PageSize, len(ids)), min((page+1)*s.PageSize, len(ids))
	}
	for _, id := range ids[from:to] {
		s.recordEntities(s.records[id], rs)
	}
	if to < len(ids) {
		rs.HasMore = true
		rs.ContinuationToken = []byte("page" + strconv.Itoa(page+1))
		return nil
	}
	rs.ContinuationToken = s.token()
	return nil
}

func (s *Server) folderEntities(rs *vaultpb.SyncDownResponse) {
	for _, id := range s.forder {
		f := s.folders[id]
		switch f.typ {
		case vault.UserFolder:
			rs.UserFolders = append(rs.UserFolders, &vaultpb.UserFolder{FolderUid: raw(f.uid), ParentUid: raw(f.parent),
				UserFolderKey: f.key, KeyType: f.keyType, Revision: 1, Data: f.data})
		case vault.SharedFolder:
			rs.SharedFolders = append(rs.SharedFolders, &vaultpb.SharedFolder{SharedFolderUid: raw(f.uid), Revision: 1,
				SharedFolderKey: f.key, KeyType: f.keyType, Data: f.data, Name: f.name})
			rs.UserFolderSharedFolders = append(rs.UserFolderSharedFolders, &vaultpb.UserFolderSharedFolder{
				FolderUid: raw(f.parent), SharedFolderUid: raw(f.uid), Revision: 1})
		case vault.SharedFolderFolder:
			parent := raw(f.parent)
			if f.parent == f.sf {
				parent = nil
			}
			rs.SharedFolderFolders = append(rs.SharedFolderFolders, &vaultpb.SharedFolderFolder{SharedFolderUid: raw(f.sf),
				FolderUid: raw(f.uid), ParentUid: parent, SharedFolderFolderKey: f.key, KeyType: f.keyType, Revision: 1, Data: f.data})
		}
	}
}

func (s *Server) recordEntities(r *StoredRecord, rs *vaultpb.SyncDownResponse) {
	id := raw(r.UID)
	rs.Records = append(rs.Records, &vaultpb.Record{RecordUid: id, Revision: r.Revision, Version: r.Version,
		Shared: r.SharedFolder != "", ClientModifiedTime: r.ClientModified, Data: r.Data})
	if len(r.Key) > 0 {
		rs.RecordMetaData = append(rs.RecordMetaData, &vaultpb.RecordMetaData{RecordUid: id, Owner: true, RecordKey: r.Key,
			RecordKeyType: r.KeyType, CanShare: true, CanEdit: true})
	}
	switch {
	case r.SharedFolder == "":
		rs.UserFolderRecords = append(rs.UserFolderRecords, &vaultpb.UserFolderRecord{FolderUid: raw(r.Folder), RecordUid: id,
			Revision: r.Revision})
	default:
		rs.SharedFolderRecords = append(rs.SharedFolderRecords, &vaultpb.SharedFolderRecord{SharedFolderUid: raw(r.SharedFolder),
			RecordUid: id, RecordKey: r.FolderKey, CanShare: true, CanEdit: true, Owner: true})
		fuid := raw(r.Folder)
		if r.Folder == r.SharedFolder {
			fuid = nil
		}
		rs.SharedFolderFolderRecords = append(rs.SharedFolderFolderRecords, &vaultpb.SharedFolderFolderRecord{
			SharedFolderUid: raw(r.SharedFolder), FolderUid: fuid, RecordUid: id, Revision: r.Revision})
	}
}

func (s *Server) status(rs *recordspb.RecordsModifyResponse, id []byte, st recordspb.RecordModifyResult, msg string) {
	if s.OmitStatus && st == recordspb.RecordModifyResult_RS_SUCCESS {
		return
	}
	rs.Records = append(rs.Records, &recordspb.RecordModifyStatus{RecordUid: id, Status: st, Message: msg})
}

func (s *Server) recordsAdd(rq *recordspb.RecordsAddRequest, rs *recordspb.RecordsModifyResponse) error {
	for _, a := range rq.Records {
		id := b64(a.RecordUid)
		switch {
		case len(a.RecordUid) != 16:
			s.status(rs, a.RecordUid, recordspb.RecordModifyResult_RS_ACCESS_DENIED, "record uid must be 16 bytes")
			continue
		case s.records[id] != nil:
			s.status(rs, a.RecordUid, recordspb.RecordModifyResult_RS_RECORD_EXISTS, "record already exists")
			continue
		case s.AddStatus != 0:
			s.status(rs, a.RecordUid, s.AddStatus, "refused by the test")
			continue
		}
		s.revision++
		r := &StoredRecord{UID: id, Revision: s.revision, Version: 3, Data: a.Data, Key: a.RecordKey,
			KeyType: recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY_GCM, ClientModified: a.ClientModifiedTime}
		if a.Audit != nil {
			r.Audit = a.Audit.Data
		}
		if len(a.FolderUid) > 0 {
			f := s.folders[b64(a.FolderUid)]
			if f == nil {
				s.revision--
				s.status(rs, a.RecordUid, recordspb.RecordModifyResult_RS_ACCESS_DENIED, "no such folder")
				continue
			}
			r.Folder = f.uid
			if f.typ != vault.UserFolder {
				r.SharedFolder, r.FolderKey = f.sf, a.FolderKey
			}
		}
		if !s.SkipSync {
			s.records[id] = r
			s.order = append(s.order, id)
		}
		s.status(rs, a.RecordUid, recordspb.RecordModifyResult_RS_SUCCESS, "")
	}
	rs.Revision = s.revision
	return nil
}

func (s *Server) recordsUpdate(rq *recordspb.RecordsUpdateRequest, rs *recordspb.RecordsModifyResponse) error {
	for _, u := range rq.Records {
		r := s.records[b64(u.RecordUid)]
		switch {
		case r == nil:
			s.status(rs, u.RecordUid, recordspb.RecordModifyResult_RS_ACCESS_DENIED, "no such record")
			continue
		case r.Revision != u.Revision:
			s.status(rs, u.RecordUid, recordspb.RecordModifyResult_RS_OUT_OF_SYNC,
				fmt.Sprintf("revision %d is not the current %d", u.Revision, r.Revision))
			continue
		}
		s.revision++
		r.Revision, r.Data, r.ClientModified = s.revision, u.Data, u.ClientModifiedTime
		if u.Audit != nil {
			r.Audit = u.Audit.Data
		}
		s.status(rs, u.RecordUid, recordspb.RecordModifyResult_RS_SUCCESS, "")
	}
	rs.Revision = s.revision
	return nil
}

func (s *Server) shareAdd(rq *authpb.AddExternalShareRequest) error {
	id := b64(rq.RecordUid)
	if s.records[id] == nil {
		return &rest.APIError{Endpoint: vault.ExternalShareAddEndpoint, Code: "access_denied", Message: "no such record", HTTPStatus: 403}
	}
	s.Shares = append(s.Shares, Share{RecordUID: id, Request: proto.Clone(rq).(*authpb.AddExternalShareRequest)})
	return nil
}

// Seeding. Everything is encrypted as a Keeper client would encrypt it.

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// AddTyped stores a typed record (record key type 3) in folder ("" the
// root) and returns its uid.
func (s *Server) AddTyped(t *vault.TypedRecord, folderUID string) string {
	data, err := vault.RecordData(t)
	if err != nil {
		panic(err)
	}
	return s.addRaw(3, data, folderUID)
}

// AddLegacy stores a version 2 record (key type 1, AES-CBC data).
func (s *Server) AddLegacy(title, login, password, folderUID string) string {
	data := fmt.Sprintf(`{"title": %q, "secret1": %q, "secret2": %q, "link": "", "notes": "", "custom": []}`, title, login, password)
	return s.addRaw(2, []byte(data), folderUID)
}

func (s *Server) addRaw(version int32, plain []byte, folderUID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := crypto.GenerateUID()
	key := crypto.GenerateAESKey()
	s.revision++
	r := &StoredRecord{UID: id, Revision: s.revision, Version: version, Folder: folderUID}
	if version >= 3 {
		r.Data, r.Key, r.KeyType = must(crypto.EncryptAESv2(plain, key)), must(crypto.EncryptAESv2(key, s.dataKey)),
			recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY_GCM
	} else {
		r.Data, r.Key, r.KeyType = must(crypto.EncryptAESv1(plain, key)), must(crypto.EncryptAESv1(key, s.dataKey)),
			recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY
	}
	if f := s.folders[folderUID]; f != nil && f.typ != vault.UserFolder {
		r.SharedFolder = f.sf
		r.FolderKey = must(crypto.EncryptAESv2(key, s.sfKeys[f.sf]))
		r.Key = nil // reachable through the shared folder only
	}
	s.records[id] = r
	s.order = append(s.order, id)
	return id
}

// AddUserFolder adds a user folder under parent ("" the root).
func (s *Server) AddUserFolder(name, parent string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, key := crypto.GenerateUID(), crypto.GenerateAESKey()
	s.addFolder(&folder{uid: id, parent: parent, typ: vault.UserFolder, key: must(crypto.EncryptAESv1(key, s.dataKey)),
		keyType: recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY, data: must(crypto.EncryptAESv1(nameJSON(name), key))})
	return id
}

// AddSharedFolder adds a shared folder under the user folder parent ("" the
// root), its key AES-CBC under the data key and its name encrypted in the
// name field.
func (s *Server) AddSharedFolder(name, parent string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, key := crypto.GenerateUID(), crypto.GenerateAESKey()
	s.sfKeys[id] = key
	s.addFolder(&folder{uid: id, parent: parent, sf: id, typ: vault.SharedFolder, key: must(crypto.EncryptAESv1(key, s.dataKey)),
		keyType: recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY, name: must(crypto.EncryptAESv1([]byte(name), key))})
	return id
}

// AddSharedFolderFolder adds a folder inside shared folder sf, under parent
// (sf itself or another of its folders).
func (s *Server) AddSharedFolderFolder(sf, name, parent string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, key := crypto.GenerateUID(), crypto.GenerateAESKey()
	s.addFolder(&folder{uid: id, parent: parent, sf: sf, typ: vault.SharedFolderFolder,
		key: must(crypto.EncryptAESv1(key, s.sfKeys[sf])), keyType: recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY,
		data: must(crypto.EncryptAESv1(nameJSON(name), key))})
	return id
}

func (s *Server) addFolder(f *folder) {
	s.revision++
	s.folders[f.uid] = f
	s.forder = append(s.forder, f.uid)
}

func nameJSON(name string) []byte {
	b, _ := vault.PyJSON(vault.OrderedMap{{Key: "name", Value: name}})
	return b
}

// RemoveRecord deletes a record (the next full sync no longer has it).
func (s *Server) RemoveRecord(uid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.records[uid] == nil {
		return errors.New("no such record")
	}
	delete(s.records, uid)
	s.revision++
	return nil
}

// UIDs lists the stored record uids sorted (for stable test output).
func (s *Server) UIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.records))
	for id := range s.records {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
