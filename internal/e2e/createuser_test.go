package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// create-user's credential record as Commander writes it
// (keepercommander/commands/enterprise_create_user.py, serialised by
// api.get_record_data_json_bytes), before and after the one-time share link
// is stored in it.
const (
	createUserRecord = `{"type": "login", "title": "Keeper Account: jane.doe@example.com", "notes": "The user is required to change their Master Password upon login.", "fields": [{"type": "login", "value": ["jane.doe@example.com"]}, {"type": "password", "value": ["Xq7#mV2p!Lr9@tB4zK1w"]}, {"type": "url", "value": ["https://keepersecurity.com/vault#email/jane.doe@example.com"]}], "custom": []}`
	createUserShared = `{"type": "login", "title": "Keeper Account: jane.doe@example.com", "notes": "The user is required to change their Master Password upon login.", "fields": [{"type": "login", "value": ["jane.doe@example.com"]}, {"type": "password", "value": ["Xq7#mV2p!Lr9@tB4zK1w"]}, {"type": "url", "value": ["https://keepersecurity.com/vault#email/jane.doe@example.com"]}], "custom": [{"type": "url", "value": ["https://keepersecurity.com/vault/share/#AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"], "label": "One-Time Share"}]}`
)

// TestCreateUserSequence replays the server side of Commander's create-user
// (CreateEnterpriseUserCommand.execute): provision, records_add, sync_down,
// one-time share, records_update with the share link at the synced revision,
// sync_down. The request log shows each user's and record's outcome, never
// the generated password.
func TestCreateUserSequence(t *testing.T) {
	var log syncBuffer
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.Log = &log })
	c := sb.Client(t)
	s, e := adminEnterprise(t, c)
	synced := syncVault(t, c, s.SessionToken, nil)

	a := buildProvision(t, allocIDs(t, c, s.JSON(), 1), e.Root().NodeId, "jane.doe@msp.sandbox", e.TreeKey, e.ECKey.PublicKey(), s.Device.Token)
	if r := provision(t, c, s.SessionToken, a.Rq)[0]; r.Code != "success" {
		t.Fatalf("provision: %s %s", r.Code, r.Message)
	}

	r := newTestRecord(t, s.DataKey, createUserRecord, nil)
	if len(r.Add.Data) != 412 || len(r.Add.RecordKey) != 60 {
		t.Fatalf("record data %d bytes, key %d bytes: want 412 (384 padded bytes + GCM nonce and tag) and 60", len(r.Add.Data), len(r.Add.RecordKey))
	}
	added := addRecords(t, c, s.SessionToken, r.Add)
	if added.Records[0].Status != recordspb.RecordModifyResult_RS_SUCCESS {
		t.Fatalf("records_add: %v", added.Records[0].Status)
	}
	synced = syncVault(t, c, s.SessionToken, synced.ContinuationToken)
	rec, md := synced.record(r.UID)
	if rec == nil || rec.Revision != added.Revision || decryptRecord(t, rec, md, s.DataKey)["title"] != "Keeper Account: jane.doe@example.com" {
		t.Fatal("the credential record does not read back after records_add")
	}

	clientKey := make([]byte, 32)
	for i := range clientKey {
		clientKey[i] = byte(i)
	}
	if err := shareCall(c, s.SessionToken, oneTimeShare(t, r, clientKey, time.Now().Add(7*24*time.Hour), "jane.doe@msp.sandbox: Master Password")); err != nil {
		t.Fatal(err)
	}

	data, err := crypto.EncryptAESv2(padRecordJSON(createUserShared), r.Key)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 540 {
		t.Fatalf("updated data %d bytes, want 540 (512 padded bytes + GCM nonce and tag)", len(data))
	}
	up := updateRecords(t, c, s.SessionToken, &recordspb.RecordUpdate{RecordUid: r.UID, Revision: rec.Revision, Data: data,
		ClientModifiedTime: time.Now().UnixMilli()})
	if up.Records[0].Status != recordspb.RecordModifyResult_RS_SUCCESS || up.Revision <= rec.Revision {
		t.Fatalf("records_update: %v %s", up.Records[0].Status, up.Records[0].Message)
	}
	synced = syncVault(t, c, s.SessionToken, synced.ContinuationToken)
	rec, md = synced.record(r.UID)
	if rec == nil || rec.Revision != up.Revision {
		t.Fatal("the updated record is not in the next sync")
	}
	custom, _ := decryptRecord(t, rec, md, s.DataKey)["custom"].([]any)
	if len(custom) != 1 || custom[0].(map[string]any)["label"] != "One-Time Share" {
		t.Fatalf("custom fields after the update: %v", custom)
	}
	out := log.String()
	for _, want := range []string{"enterprise/enterprise_user_provision 200 ok", "provision=success", "vault/records_add 200 ok",
		"records[RS_SUCCESS=1]", "vault/external_share_add 200 ok", "vault/records_update 200 ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("request log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, a.Password) || strings.Contains(out, "jane.doe") {
		t.Error("the request log shows the password or the email")
	}
}
