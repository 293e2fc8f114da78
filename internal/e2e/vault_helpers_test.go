package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// testRecord is a typed record built the way Commander's
// add_record_to_folder builds one (keepercommander/record_management.py):
// the record key AES-GCM under the data key, the JSON padded with spaces to
// at least 384 bytes (api.get_record_data_json_bytes) and AES-GCM under the
// record key.
type testRecord struct {
	UID, Key []byte
	Add      *recordspb.RecordAdd
}

func padRecordJSON(s string) []byte {
	n := max(384, (len(s)+15)/16*16)
	return []byte(s + strings.Repeat(" ", n-len(s)))
}

func loginRecordJSON(title string) string {
	return `{"type": "login", "title": ` + quote(title) + `, "notes": "", "fields": [{"type": "login", "value": ["someone@msp.sandbox"]}], "custom": []}`
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func newTestRecord(t *testing.T, dataKey []byte, plainJSON string, folder []byte) *testRecord {
	t.Helper()
	uid, err := crypto.Base64URLDecode(crypto.GenerateUID())
	if err != nil {
		t.Fatal(err)
	}
	r := &testRecord{UID: uid, Key: crypto.GenerateAESKey()}
	encKey, err := crypto.EncryptAESv2(r.Key, dataKey)
	if err != nil {
		t.Fatal(err)
	}
	data, err := crypto.EncryptAESv2(padRecordJSON(plainJSON), r.Key)
	if err != nil {
		t.Fatal(err)
	}
	r.Add = &recordspb.RecordAdd{RecordUid: uid, RecordKey: encKey, ClientModifiedTime: time.Now().UnixMilli(), Data: data,
		FolderType: recordspb.RecordFolderType_user_folder, FolderUid: folder}
	return r
}

// addRecords sends records_add and checks one status per record, each with
// its record's uid.
func addRecords(t *testing.T, c *rest.Client, token []byte, adds ...*recordspb.RecordAdd) *recordspb.RecordsModifyResponse {
	t.Helper()
	var rs recordspb.RecordsModifyResponse
	if err := c.Call(context.Background(), "vault/records_add", &recordspb.RecordsAddRequest{Records: adds, ClientTime: time.Now().UnixMilli(),
		SecurityDataKeyType: recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY}, &rs, rest.WithSessionToken(token)); err != nil {
		t.Fatalf("records_add: %v", err)
	}
	checkStatuses(t, &rs, len(adds), func(i int) []byte { return adds[i].RecordUid })
	return &rs
}

// updateRecords sends records_update, checked like addRecords.
func updateRecords(t *testing.T, c *rest.Client, token []byte, ups ...*recordspb.RecordUpdate) *recordspb.RecordsModifyResponse {
	t.Helper()
	var rs recordspb.RecordsModifyResponse
	if err := c.Call(context.Background(), "vault/records_update", &recordspb.RecordsUpdateRequest{Records: ups, ClientTime: time.Now().UnixMilli()},
		&rs, rest.WithSessionToken(token)); err != nil {
		t.Fatalf("records_update: %v", err)
	}
	checkStatuses(t, &rs, len(ups), func(i int) []byte { return ups[i].RecordUid })
	return &rs
}

func checkStatuses(t *testing.T, rs *recordspb.RecordsModifyResponse, n int, uid func(int) []byte) {
	t.Helper()
	if len(rs.Records) != n {
		t.Fatalf("%d statuses for %d records", len(rs.Records), n)
	}
	for i, st := range rs.Records {
		if !bytes.Equal(st.RecordUid, uid(i)) {
			t.Fatalf("status %d is for another record", i)
		}
	}
}

// syncResult is every page of one sync_down pass merged.
type syncResult struct {
	vaultpb.SyncDownResponse
	Pages int
}

// syncVault runs sync_down from token until hasMore is false, checking that
// only the first page may say CLEAR and that every page carries a token.
func syncVault(t *testing.T, c *rest.Client, session, token []byte) *syncResult {
	t.Helper()
	out := &syncResult{}
	for {
		var rs vaultpb.SyncDownResponse
		if err := c.Call(context.Background(), "vault/sync_down", &vaultpb.SyncDownRequest{ContinuationToken: token}, &rs,
			rest.WithSessionToken(session)); err != nil {
			t.Fatalf("sync_down: %v", err)
		}
		if rs.CacheStatus == vaultpb.CacheStatus_CLEAR && out.Pages > 0 {
			t.Fatal("a page after the first says CLEAR")
		}
		if len(rs.ContinuationToken) == 0 {
			t.Fatal("sync_down page without a continuation token")
		}
		if out.Pages == 0 {
			out.CacheStatus = rs.CacheStatus
		}
		out.Pages++
		out.UserFolders = append(out.UserFolders, rs.UserFolders...)
		out.Records = append(out.Records, rs.Records...)
		out.RecordMetaData = append(out.RecordMetaData, rs.RecordMetaData...)
		out.NonSharedData = append(out.NonSharedData, rs.NonSharedData...)
		out.UserFolderRecords = append(out.UserFolderRecords, rs.UserFolderRecords...)
		out.ContinuationToken, token = rs.ContinuationToken, rs.ContinuationToken
		if !rs.HasMore {
			return out
		}
	}
}

// record finds a synced record and its meta data by uid.
func (r *syncResult) record(uid []byte) (*vaultpb.Record, *vaultpb.RecordMetaData) {
	var rec *vaultpb.Record
	var md *vaultpb.RecordMetaData
	for _, x := range r.Records {
		if bytes.Equal(x.RecordUid, uid) {
			rec = x
		}
	}
	for _, x := range r.RecordMetaData {
		if bytes.Equal(x.RecordUid, uid) {
			md = x
		}
	}
	return rec, md
}

// placement returns the folder a record is filed in (nil: not filed; empty:
// the vault root).
func (r *syncResult) placement(uid []byte) []byte {
	for _, x := range r.UserFolderRecords {
		if bytes.Equal(x.RecordUid, uid) {
			if x.FolderUid == nil {
				return []byte{}
			}
			return x.FolderUid
		}
	}
	return nil
}

// decryptRecord reads a synced record the way Commander's sync_down does:
// the record key from its meta data by key type (3: AES-GCM under the data
// key), then the data (version 3: AES-GCM under the record key).
func decryptRecord(t *testing.T, rec *vaultpb.Record, md *vaultpb.RecordMetaData, dataKey []byte) map[string]any {
	t.Helper()
	if md.RecordKeyType != recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY_GCM {
		t.Fatalf("record key type %v", md.RecordKeyType)
	}
	key, err := crypto.DecryptAESv2(md.RecordKey, dataKey)
	if err != nil || len(key) != 32 {
		t.Fatalf("record key does not decrypt with the data key: %v", err)
	}
	plain, err := crypto.DecryptAESv2(rec.Data, key)
	if err != nil {
		t.Fatalf("record data does not decrypt with the record key: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(plain, &m); err != nil {
		t.Fatalf("record data is not JSON: %v", err)
	}
	return m
}
