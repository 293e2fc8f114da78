package e2e

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// addFolder creates a user folder with folder_add as Commander's mkdir
// does (keepercommander/commands/folder.py) and returns its uid and key.
func addFolder(t *testing.T, c *rest.Client, sess rest.JSONSession, dataKey []byte, name string, parent []byte) ([]byte, []byte) {
	t.Helper()
	uid, _ := crypto.Base64URLDecode(crypto.GenerateUID())
	key := crypto.GenerateAESKey()
	encKey, err := crypto.EncryptAESv1(key, dataKey)
	if err != nil {
		t.Fatal(err)
	}
	data, err := crypto.EncryptAESv1([]byte(`{"name": `+quote(name)+`}`), key)
	if err != nil {
		t.Fatal(err)
	}
	cmd := raw{"command": "folder_add", "folder_type": "user_folder", "folder_uid": crypto.Base64URLEncode(uid),
		"key": crypto.Base64URLEncode(encKey), "data": crypto.Base64URLEncode(data)}
	if parent != nil {
		cmd["parent_uid"] = crypto.Base64URLEncode(parent)
	}
	if err := c.Execute(context.Background(), sess, cmd, nil); err != nil {
		t.Fatalf("folder_add: %v", err)
	}
	return uid, key
}

// TestRecordsAddThenSyncDown: records added at the root and in a user
// folder come back from the next incremental sync_down byte for byte, with
// meta data whose record key (type 3) decrypts with the data key, and their
// placement; refusals get their per-record status; an update is checked
// against the synced revision; a full sync says CLEAR and has everything.
func TestRecordsAddThenSyncDown(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	first := syncVault(t, c, s.SessionToken, nil)
	if first.CacheStatus != vaultpb.CacheStatus_CLEAR || len(first.Records) != 0 {
		t.Fatalf("first sync: status %v, %d records", first.CacheStatus, len(first.Records))
	}
	folder, folderKey := addFolder(t, c, s.JSON(), s.DataKey, "Staff", nil)
	atRoot := newTestRecord(t, s.DataKey, loginRecordJSON("At the root"), nil)
	inFolder := newTestRecord(t, s.DataKey, loginRecordJSON("In Staff"), folder)
	rs := addRecords(t, c, s.SessionToken, atRoot.Add, inFolder.Add)
	for _, st := range rs.Records {
		if st.Status != recordspb.RecordModifyResult_RS_SUCCESS {
			t.Fatalf("records_add: %v %s", st.Status, st.Message)
		}
	}

	inc := syncVault(t, c, s.SessionToken, first.ContinuationToken)
	if inc.CacheStatus != vaultpb.CacheStatus_KEEP || len(inc.Records) != 2 || len(inc.RecordMetaData) != 2 || len(inc.UserFolders) != 1 {
		t.Fatalf("incremental sync: status %v, %d records, %d meta data, %d folders", inc.CacheStatus, len(inc.Records),
			len(inc.RecordMetaData), len(inc.UserFolders))
	}
	for _, tr := range []*testRecord{atRoot, inFolder} {
		rec, md := inc.record(tr.UID)
		if rec == nil || md == nil {
			t.Fatal("an added record is missing from the sync")
		}
		if rec.Version != 3 || rec.Revision != rs.Revision || rec.Shared || !bytes.Equal(rec.Data, tr.Add.Data) ||
			rec.ClientModifiedTime != tr.Add.ClientModifiedTime {
			t.Fatalf("synced record: version %d revision %d (want %d)", rec.Version, rec.Revision, rs.Revision)
		}
		if !md.Owner || !md.CanEdit || !md.CanShare || !bytes.Equal(md.RecordKey, tr.Add.RecordKey) || md.OwnerUsername != s.Username {
			t.Fatalf("meta data %+v", md)
		}
		decryptRecord(t, rec, md, s.DataKey)
	}
	if rec, md := inc.record(inFolder.UID); decryptRecord(t, rec, md, s.DataKey)["title"] != "In Staff" {
		t.Fatal("the folder record's title does not read back")
	}
	if p := inc.placement(atRoot.UID); p == nil || len(p) != 0 {
		t.Errorf("root record placed in %x", p)
	}
	if p := inc.placement(inFolder.UID); !bytes.Equal(p, folder) {
		t.Errorf("folder record placed in %x", p)
	}
	f := inc.UserFolders[0]
	if k, err := crypto.DecryptAESv1(f.UserFolderKey, s.DataKey); err != nil || !bytes.Equal(k, folderKey) || f.KeyType != recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY || len(f.ParentUid) != 0 {
		t.Fatalf("folder key: %v", err)
	}
	if again := syncVault(t, c, s.SessionToken, inc.ContinuationToken); len(again.Records)+len(again.UserFolders)+len(again.UserFolderRecords) != 0 {
		t.Fatal("a sync with nothing new returned rows")
	}

	// Per-record refusals.
	linked := newTestRecord(t, s.DataKey, loginRecordJSON("Linked"), nil)
	linked.Add.RecordLinks = []*recordspb.RecordLink{{RecordUid: atRoot.UID, RecordKey: crypto.RandomBytes(60)}}
	shared := newTestRecord(t, s.DataKey, loginRecordJSON("Shared"), crypto.RandomBytes(16))
	shared.Add.FolderType = recordspb.RecordFolderType_shared_folder
	lost := newTestRecord(t, s.DataKey, loginRecordJSON("Lost"), crypto.RandomBytes(16))
	bad := addRecords(t, c, s.SessionToken, atRoot.Add, linked.Add, shared.Add, lost.Add)
	for i, want := range []recordspb.RecordModifyResult{recordspb.RecordModifyResult_RS_RECORD_EXISTS, recordspb.RecordModifyResult_RS_ACCESS_DENIED,
		recordspb.RecordModifyResult_RS_ACCESS_DENIED, recordspb.RecordModifyResult_RS_ACCESS_DENIED} {
		if st := bad.Records[i]; st.Status != want || st.Message == "" {
			t.Errorf("refusal %d: %v %q, want %v", i, st.Status, st.Message, want)
		}
	}
	if len(bad.Records[1].LinkErrors) != 1 {
		t.Error("a refused link has no link error")
	}
	// Malformed records fail the request.
	for name, mut := range map[string]func(*recordspb.RecordAdd){
		"uid of 15 bytes": func(a *recordspb.RecordAdd) { a.RecordUid = a.RecordUid[:15] },
		"CBC record key":  func(a *recordspb.RecordAdd) { a.RecordKey = crypto.RandomBytes(64) },
		"no data":         func(a *recordspb.RecordAdd) { a.Data = nil },
	} {
		r := newTestRecord(t, s.DataKey, loginRecordJSON(name), nil)
		mut(r.Add)
		var ae *rest.APIError
		err := c.Call(ctx, "vault/records_add", &recordspb.RecordsAddRequest{Records: []*recordspb.RecordAdd{r.Add}}, &recordspb.RecordsModifyResponse{},
			rest.WithSessionToken(s.SessionToken))
		if !errors.As(err, &ae) || ae.HTTPStatus != 400 || ae.Code != "bad_request" {
			t.Errorf("%s: want 400 bad_request, got %v", name, err)
		}
	}

	// Update: the synced revision applies, a stale one is out of sync.
	rec, _ := inc.record(atRoot.UID)
	newData, err := crypto.EncryptAESv2(padRecordJSON(loginRecordJSON("Renamed")), atRoot.Key)
	if err != nil {
		t.Fatal(err)
	}
	up := updateRecords(t, c, s.SessionToken, &recordspb.RecordUpdate{RecordUid: atRoot.UID, Revision: rec.Revision, Data: newData,
		ClientModifiedTime: time.Now().UnixMilli()})
	if up.Records[0].Status != recordspb.RecordModifyResult_RS_SUCCESS || up.Revision <= rec.Revision {
		t.Fatalf("records_update: %v %s, revision %d after %d", up.Records[0].Status, up.Records[0].Message, up.Revision, rec.Revision)
	}
	stale := updateRecords(t, c, s.SessionToken, &recordspb.RecordUpdate{RecordUid: atRoot.UID, Revision: rec.Revision, Data: newData},
		&recordspb.RecordUpdate{RecordUid: crypto.RandomBytes(16), Revision: 1, Data: newData})
	if stale.Records[0].Status != recordspb.RecordModifyResult_RS_OUT_OF_SYNC || stale.Records[1].Status != recordspb.RecordModifyResult_RS_ACCESS_DENIED {
		t.Fatalf("stale and unknown updates: %v, %v", stale.Records[0].Status, stale.Records[1].Status)
	}
	after := syncVault(t, c, s.SessionToken, inc.ContinuationToken)
	if got, md := after.record(atRoot.UID); len(after.Records) != 1 || got == nil || got.Revision != up.Revision ||
		decryptRecord(t, got, md, s.DataKey)["title"] != "Renamed" {
		t.Fatalf("the update's sync: %d records", len(after.Records))
	}

	full := syncVault(t, c, s.SessionToken, nil)
	if full.CacheStatus != vaultpb.CacheStatus_CLEAR || len(full.Records) != 2 || len(full.UserFolders) != 1 || len(full.UserFolderRecords) != 2 {
		t.Fatalf("full sync: status %v, %d records, %d folders, %d placements", full.CacheStatus, len(full.Records), len(full.UserFolders),
			len(full.UserFolderRecords))
	}

	// A managed-company session syncs the administrator's own vault.
	e, _, err := enterprise.Load(ctx, c, keys(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	mc, _ := e.ManagedCompany("Acme Dental")
	tok, _, err := msp.LoginToMC(ctx, c, s.SessionToken, mc.McEnterpriseId, e)
	if err != nil {
		t.Fatal(err)
	}
	if mcSync := syncVault(t, c, tok, nil); len(mcSync.Records) != 2 {
		t.Fatalf("managed-company session sync: %d records, want the admin's 2", len(mcSync.Records))
	}
}

// TestSyncDownPages: a vault larger than a page comes in several pages,
// every row exactly once; a record added in the middle of a pass waits for
// the next pass.
func TestSyncDownPages(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.VaultPageSize = 3 })
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	folder, _ := addFolder(t, c, s.JSON(), s.DataKey, "One", nil)
	addFolder(t, c, s.JSON(), s.DataKey, "Two", folder)
	var adds []*recordspb.RecordAdd
	for i := 0; i < 7; i++ {
		adds = append(adds, newTestRecord(t, s.DataKey, loginRecordJSON("Record"), folder).Add)
	}
	addRecords(t, c, s.SessionToken, adds...)

	var page vaultpb.SyncDownResponse
	if err := c.Call(ctx, "vault/sync_down", &vaultpb.SyncDownRequest{}, &page, rest.WithSessionToken(s.SessionToken)); err != nil {
		t.Fatal(err)
	}
	if !page.HasMore || page.CacheStatus != vaultpb.CacheStatus_CLEAR || len(page.UserFolders)+len(page.Records)+len(page.UserFolderRecords) != 3 {
		t.Fatalf("first page: hasMore %v, %d folders %d records", page.HasMore, len(page.UserFolders), len(page.Records))
	}
	late := newTestRecord(t, s.DataKey, loginRecordJSON("Late"), nil)
	addRecords(t, c, s.SessionToken, late.Add)
	pass := syncVault(t, c, s.SessionToken, page.ContinuationToken)
	pass.UserFolders = append(pass.UserFolders, page.UserFolders...)
	pass.Records = append(pass.Records, page.Records...)
	pass.UserFolderRecords = append(pass.UserFolderRecords, page.UserFolderRecords...)
	if pass.Pages < 4 || len(pass.UserFolders) != 2 || len(pass.Records) != 7 || len(pass.UserFolderRecords) != 7 {
		t.Fatalf("paged pass: %d more pages, %d folders, %d records, %d placements", pass.Pages, len(pass.UserFolders),
			len(pass.Records), len(pass.UserFolderRecords))
	}
	seen := map[string]bool{}
	for _, r := range pass.Records {
		if seen[string(r.RecordUid)] || bytes.Equal(r.RecordUid, late.UID) {
			t.Fatal("a record came twice, or the late record joined the pass")
		}
		seen[string(r.RecordUid)] = true
	}
	next := syncVault(t, c, s.SessionToken, pass.ContinuationToken)
	if len(next.Records) != 1 || !bytes.Equal(next.Records[0].RecordUid, late.UID) || next.CacheStatus != vaultpb.CacheStatus_KEEP {
		t.Fatalf("next pass: %d records", len(next.Records))
	}
}
