package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// oneTimeShare builds the external_share_add request Commander's
// one-time-share-create sends (keepercommander/commands/register.py): the
// record key under a fresh client key, the client id HMAC-SHA512(client key,
// "KEEPER_SECRETS_MANAGER_CLIENT_ID").
func oneTimeShare(t *testing.T, r *testRecord, clientKey []byte, expires time.Time, name string) *authpb.AddExternalShareRequest {
	t.Helper()
	enc, err := crypto.EncryptAESv2(r.Key, clientKey)
	if err != nil {
		t.Fatal(err)
	}
	return &authpb.AddExternalShareRequest{RecordUid: r.UID, EncryptedRecordKey: enc,
		ClientId: crypto.HMACSHA512(clientKey, []byte("KEEPER_SECRETS_MANAGER_CLIENT_ID")), AccessExpireOn: expires.UnixMilli(), Id: name}
}

func shareCall(c *rest.Client, token []byte, rq *authpb.AddExternalShareRequest) error {
	// Commander parses the reply as Authentication.Device and ignores it.
	var dev authpb.Device
	err := c.Call(context.Background(), "vault/external_share_add", rq, &dev, rest.WithSessionToken(token))
	if err == nil && len(dev.EncryptedDeviceToken) != 0 {
		return errors.New("external_share_add answered a non-empty body")
	}
	return err
}

// TestExternalShareAdd: a one-time share of an owned record is stored with
// every field (and an empty reply); a duplicate client id, a record not in
// the caller's vault, a bad key and an expiry in the past or past 182 days
// are refused.
func TestExternalShareAdd(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	r := newTestRecord(t, s.DataKey, loginRecordJSON("Shared once"), nil)
	addRecords(t, c, s.SessionToken, r.Add)

	clientKey := make([]byte, 32)
	for i := range clientKey {
		clientKey[i] = byte(i)
	}
	expires := time.Now().Add(7 * 24 * time.Hour)
	rq := oneTimeShare(t, r, clientKey, expires, "jane.doe@example.com: Master Password")
	// Known answer for client key 0x00..0x1f.
	if got := hex.EncodeToString(rq.ClientId); got != "1c35ad63bfbf716a49f3a0b528187a0e0598e28bc3241ae396251e63b7efcce1152126131cd964aa4a32cf420742ba8ed062c5bc13e715be89bcf3b37a6b1912" {
		t.Fatalf("client id %s", got)
	}
	if err := shareCall(c, s.SessionToken, rq); err != nil {
		t.Fatal(err)
	}
	shares, err := store.ExternalShares(ctx, sb.Store().DB(), r.UID)
	if err != nil || len(shares) != 1 {
		t.Fatalf("stored shares: %d, %v", len(shares), err)
	}
	sh := shares[0]
	if !bytes.Equal(sh.ClientID, rq.ClientId) || !bytes.Equal(sh.EncryptedRecordKey, rq.EncryptedRecordKey) || sh.Owner != s.Username ||
		sh.AccessExpireOn != rq.AccessExpireOn || sh.Name != rq.Id || sh.SelfDestruct || sh.Editable || time.Since(time.UnixMilli(sh.CreatedOn)) > time.Minute {
		t.Fatalf("stored share %+v", sh)
	}
	key, err := crypto.DecryptAESv2(sh.EncryptedRecordKey, clientKey)
	if err != nil || !bytes.Equal(key, r.Key) {
		t.Fatal("the stored record key does not open with the link's client key")
	}
	selfDestruct := oneTimeShare(t, r, crypto.GenerateAESKey(), expires, "")
	selfDestruct.IsSelfDestruct, selfDestruct.IsEditable = true, true
	if err := shareCall(c, s.SessionToken, selfDestruct); err != nil {
		t.Fatal(err)
	}
	if shares, _ := store.ExternalShares(ctx, sb.Store().DB(), r.UID); len(shares) != 2 || !shares[1].SelfDestruct || !shares[1].Editable {
		t.Fatal("the self-destructing editable share was not stored as such")
	}

	other := newTestRecord(t, s.DataKey, loginRecordJSON("Never added"), nil)
	short := oneTimeShare(t, r, crypto.GenerateAESKey(), expires, "")
	short.EncryptedRecordKey = short.EncryptedRecordKey[:59]
	for name, tc := range map[string]struct {
		rq   *authpb.AddExternalShareRequest
		code string
	}{
		"duplicate client id": {rq, "already_exists"},
		"unknown record":      {oneTimeShare(t, other, crypto.GenerateAESKey(), expires, ""), "access_denied"},
		"short record key":    {short, "bad_request"},
		"expired":             {oneTimeShare(t, r, crypto.GenerateAESKey(), time.Now().Add(-time.Minute), ""), "bad_request"},
		"200 days":            {oneTimeShare(t, r, crypto.GenerateAESKey(), time.Now().Add(200*24*time.Hour), ""), "bad_request"},
	} {
		var ae *rest.APIError
		if err := shareCall(c, s.SessionToken, tc.rq); !errors.As(err, &ae) || ae.Code != tc.code {
			t.Errorf("%s: want %s, got %v", name, tc.code, err)
		}
	}
}

// TestVaultIsolation: another account sees none of the admin's vault and
// can neither update, share nor file into it; record uids are unique across
// accounts.
func TestVaultIsolation(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	c := sb.Client(t)
	admin, e := adminEnterprise(t, c)
	folder, _ := addFolder(t, c, admin.JSON(), admin.DataKey, "Admin only", nil)
	r := newTestRecord(t, admin.DataKey, loginRecordJSON("Admin's"), folder)
	addRecords(t, c, admin.SessionToken, r.Add)

	u := provisionedSession(t, c, admin, e, "colleague@msp.sandbox")
	if got := syncVault(t, c, u.SessionToken, nil); len(got.Records)+len(got.UserFolders)+len(got.UserFolderRecords) != 0 {
		t.Fatal("another account's sync shows the admin's vault")
	}
	newData, _ := crypto.EncryptAESv2(padRecordJSON(loginRecordJSON("Hijacked")), r.Key)
	if st := updateRecords(t, c, u.SessionToken, &recordspb.RecordUpdate{RecordUid: r.UID, Revision: 1, Data: newData}).Records[0]; st.Status != recordspb.RecordModifyResult_RS_ACCESS_DENIED {
		t.Errorf("updating the admin's record: %v", st.Status)
	}
	clash := newTestRecord(t, u.DataKey, loginRecordJSON("Same uid"), nil)
	clash.Add.RecordUid = r.UID
	intoAdminFolder := newTestRecord(t, u.DataKey, loginRecordJSON("Into admin folder"), folder)
	res := addRecords(t, c, u.SessionToken, clash.Add, intoAdminFolder.Add)
	if res.Records[0].Status != recordspb.RecordModifyResult_RS_RECORD_EXISTS || res.Records[1].Status != recordspb.RecordModifyResult_RS_ACCESS_DENIED {
		t.Errorf("uid clash / admin's folder: %v, %v", res.Records[0].Status, res.Records[1].Status)
	}
	var ae *rest.APIError
	if err := shareCall(c, u.SessionToken, oneTimeShare(t, r, crypto.GenerateAESKey(), time.Now().Add(time.Hour), "")); !errors.As(err, &ae) || ae.Code != "access_denied" {
		t.Errorf("sharing the admin's record: %v", err)
	}
	err := c.Execute(context.Background(), u.JSON(), raw{"command": "folder_add", "folder_type": "user_folder",
		"folder_uid": crypto.GenerateUID(), "key": crypto.Base64URLEncode(crypto.RandomBytes(64)),
		"data": crypto.Base64URLEncode(crypto.RandomBytes(32)), "parent_uid": crypto.Base64URLEncode(folder)}, nil)
	if !errors.As(err, &ae) || ae.Code != "bad_inputs_parent_uid" {
		t.Errorf("a folder under the admin's folder: %v", err)
	}
	if got := syncVault(t, c, admin.SessionToken, nil); len(got.Records) != 1 {
		t.Errorf("the admin's vault changed: %d records", len(got.Records))
	}
}
