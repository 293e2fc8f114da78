package vault_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/keeper/vault"
	"github.com/keeper-go/keeper/internal/keeper/vault/vaulttest"
)

var dataKey = bytes.Repeat([]byte{3}, 32)

func synced(t *testing.T, s *vaulttest.Server) *vault.Vault {
	t.Helper()
	v := vault.New(vault.Keys{DataKey: dataKey})
	if err := v.Sync(context.Background(), s.Caller()); err != nil {
		t.Fatal(err)
	}
	return v
}

func jane() *vault.TypedRecord {
	return vault.NewLogin("Keeper Account: jane@example.com", "jane@example.com", "Xq7#mV2p!Lr9@tB4zK1w",
		"https://keepersecurity.com/vault#email/jane@example.com", "The user is required to change their Master Password upon login.")
}

func lastRequest[T any](t *testing.T, s *vaulttest.Server) T {
	t.Helper()
	for i := len(s.Requests) - 1; i >= 0; i-- {
		if m, ok := s.Requests[i].(T); ok {
			return m
		}
	}
	var zero T
	t.Fatalf("no %T sent", zero)
	return zero
}

// TestAddToRoot: the RecordAdd carries a fresh 16-byte uid, the record key
// AES-GCM under the data key, the padded JSON AES-GCM under the record
// key, user_folder placement without a uid, the client times and the
// security data key type; the audit data opens with the enterprise EC
// key. The record comes back from the sync that follows with the server's
// revision and key type 3.
func TestAddToRoot(t *testing.T) {
	s := vaulttest.New(dataKey)
	v := synced(t, s)
	ent, _ := crypto.GenerateECKey()
	now := time.UnixMilli(1_700_000_000_000)
	r, err := v.Add(context.Background(), s.Caller(), jane(), nil, vault.WriteOptions{EnterpriseECKey: ent.PublicKey(),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rq := lastRequest[*recordspb.RecordsAddRequest](t, s)
	if len(rq.Records) != 1 || rq.ClientTime != now.UnixMilli() || rq.SecurityDataKeyType != recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY {
		t.Fatalf("request %v", rq)
	}
	a := rq.Records[0]
	if len(a.RecordUid) != 16 || crypto.Base64URLEncode(a.RecordUid) != r.UID || a.ClientModifiedTime != now.UnixMilli() ||
		a.FolderType != recordspb.RecordFolderType_user_folder || a.FolderUid != nil || a.FolderKey != nil || len(a.RecordKey) != 60 {
		t.Fatalf("record add %v", a)
	}
	key, err := crypto.DecryptAESv2(a.RecordKey, dataKey)
	if err != nil || !bytes.Equal(key, r.Key) {
		t.Fatal("record key does not open with the data key")
	}
	plain, _ := crypto.DecryptAESv2(a.Data, key)
	want, _ := vault.RecordData(jane())
	if !bytes.Equal(plain, want) || len(a.Data) != 12+len(want)+16 {
		t.Fatalf("data %q", plain)
	}
	audit, err := crypto.DecryptEC(a.Audit.GetData(), ent)
	if err != nil || a.Audit.Version != 0 ||
		string(audit) != `{"title": "Keeper Account: jane@example.com", "record_type": "login", "url": "keepersecurity.com/vault"}` {
		t.Fatalf("audit %q %v", audit, err)
	}
	if a.SecurityData != nil || a.SecurityScoreData != nil || a.NonSharedData != nil || len(a.RecordLinks) != 0 {
		t.Fatal("unexpected optional parts")
	}
	if r.Revision != s.Record(r.UID).Revision || r.KeyType != 3 || !r.Owner || r.Version != 3 || r.Typed == nil {
		t.Fatalf("synced record %+v", r)
	}
	if got := v.RecordFolders(r.UID); len(got) != 1 || got[0] != "" {
		t.Fatalf("placement %q", got)
	}
	if s.Count(vault.SyncDownEndpoint) != 2 {
		t.Fatalf("calls %q", s.Calls)
	}
}

// TestAddToFolders: placement in a user folder, a shared folder and a
// folder inside a shared folder; shared ones carry the record key under
// the enclosing shared folder's key. Without an enterprise key there is no
// audit data; ForbidRSA selects key type 4 for security data.
func TestAddToFolders(t *testing.T) {
	s := vaulttest.New(dataKey)
	uf := s.AddUserFolder("HR", "")
	sf := s.AddSharedFolder("Team", "")
	sub := s.AddSharedFolderFolder(sf, "Accounts", sf)
	v := synced(t, s)
	for _, c := range []struct {
		folder string
		typ    recordspb.RecordFolderType
	}{{uf, recordspb.RecordFolderType_user_folder}, {sf, recordspb.RecordFolderType_shared_folder},
		{sub, recordspb.RecordFolderType_shared_folder_folder}} {
		f := v.Folder(c.folder)
		r, err := v.Add(context.Background(), s.Caller(), jane(), f, vault.WriteOptions{ForbidRSA: true})
		if err != nil {
			t.Fatal(err)
		}
		rq := lastRequest[*recordspb.RecordsAddRequest](t, s)
		a := rq.Records[0]
		if a.FolderType != c.typ || crypto.Base64URLEncode(a.FolderUid) != c.folder || a.Audit != nil ||
			rq.SecurityDataKeyType != recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY_ECC {
			t.Fatalf("%s: %v", f.Name, rq)
		}
		if c.typ == recordspb.RecordFolderType_user_folder {
			if a.FolderKey != nil {
				t.Fatal("folder key for a user folder")
			}
		} else if k, err := crypto.DecryptAESv2(a.FolderKey, v.SharedFolderKey(sf)); err != nil || !bytes.Equal(k, r.Key) {
			t.Fatalf("%s: folder key does not open with the shared folder key", f.Name)
		}
		if got := v.RecordFolders(r.UID); len(got) != 1 || got[0] != c.folder {
			t.Fatalf("%s: placement %q", f.Name, got)
		}
	}
}

// TestAddRefused: a refused records_add is an API error naming the status
// and the record (Commander crashes here), and nothing is returned.
func TestAddRefused(t *testing.T) {
	s := vaulttest.New(dataKey)
	s.AddStatus = recordspb.RecordModifyResult_RS_SIZE_EXCEEDED_LIMIT
	v := synced(t, s)
	r, err := v.Add(context.Background(), s.Caller(), jane(), nil, vault.WriteOptions{})
	var api *rest.APIError
	if r != nil || !errors.As(err, &api) || api.Code != "RS_SIZE_EXCEEDED_LIMIT" || api.Endpoint != vault.RecordsAddEndpoint ||
		!strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("%v %v", r, err)
	}
	if s.Count(vault.SyncDownEndpoint) != 1 {
		t.Fatal("synced after a refusal")
	}
}

// TestAddAcceptedButNotSynced: a reply without status is checked by the
// sync; a record the sync does not show, or a failed sync, returns the
// record as sent with the error (it was stored).
func TestAddAcceptedButNotSynced(t *testing.T) {
	s := vaulttest.New(dataKey)
	s.OmitStatus = true
	v := synced(t, s)
	if r, err := v.Add(context.Background(), s.Caller(), jane(), nil, vault.WriteOptions{}); err != nil || r == nil {
		t.Fatalf("no status: %v", err)
	}
	s.SkipSync = true
	r, err := v.Add(context.Background(), s.Caller(), jane(), nil, vault.WriteOptions{})
	var re *rest.ReplyError
	if r == nil || r.Key == nil || r.Typed == nil || !errors.As(err, &re) || !strings.Contains(err.Error(), "does not show it") {
		t.Fatalf("skip sync: %v %v", r, err)
	}
	s.SkipSync = false
	s.Fail = func(endpoint string, n int) error {
		if endpoint == vault.SyncDownEndpoint {
			return &rest.NetworkError{Err: errors.New("reset")}
		}
		return nil
	}
	r, err = v.Add(context.Background(), s.Caller(), jane(), nil, vault.WriteOptions{})
	if r == nil || err == nil || !strings.Contains(err.Error(), "was saved, but the vault sync after it failed") {
		t.Fatalf("failed sync: %v %v", r, err)
	}
	if s.Record(r.UID) == nil {
		t.Fatal("the record was not stored")
	}
}

// TestUpdate: records_update sends the synced revision and the whole new
// data under the same record key; a stale revision is refused with
// RS_OUT_OF_SYNC.
func TestUpdate(t *testing.T) {
	s := vaulttest.New(dataKey)
	v := synced(t, s)
	r, err := v.Add(context.Background(), s.Caller(), jane(), nil, vault.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rev := r.Revision
	upd := r.Typed.Clone()
	upd.Custom = append(upd.Custom, vault.NewField("url", "https://keepersecurity.com/vault/share/#x", "One-Time Share"))
	r2, err := v.Update(context.Background(), s.Caller(), r.UID, upd, vault.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rq := lastRequest[*recordspb.RecordsUpdateRequest](t, s)
	u := rq.Records[0]
	if u.Revision != rev || crypto.Base64URLEncode(u.RecordUid) != r.UID || rq.SecurityDataKeyType != 2 {
		t.Fatalf("update %v", rq)
	}
	plain, _ := crypto.DecryptAESv2(u.Data, r.Key)
	want, _ := vault.RecordData(upd)
	if !bytes.Equal(plain, want) {
		t.Fatalf("data %s", plain)
	}
	if r2.Revision <= rev || r2.Typed.CustomField("url", "One-Time Share") == nil || !bytes.Equal(r2.Key, r.Key) {
		t.Fatalf("updated %+v", r2)
	}
	// Another client changes the record: our revision is stale.
	other := synced(t, s)
	if _, err := other.Update(context.Background(), s.Caller(), r.UID, upd, vault.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = v.Update(context.Background(), s.Caller(), r.UID, upd, vault.WriteOptions{})
	var api *rest.APIError
	if !errors.As(err, &api) || api.Code != "RS_OUT_OF_SYNC" {
		t.Fatalf("stale revision: %v", err)
	}
	if _, err := v.Update(context.Background(), s.Caller(), "AAAAAAAAAAAAAAAAAAAAAA", upd, vault.WriteOptions{}); err == nil ||
		!strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown record: %v", err)
	}
	legacy := s.AddLegacy("Old", "u", "p", "")
	_ = v.Sync(context.Background(), s.Caller())
	if _, err := v.Update(context.Background(), s.Caller(), legacy, upd, vault.WriteOptions{}); err == nil ||
		!strings.Contains(err.Error(), "Invalid record type") {
		t.Fatalf("legacy record: %v", err)
	}
}

// TestCreateOneTimeShare: external_share_add gets the record's key under
// the link's client key; the link is built from the server host.
func TestCreateOneTimeShare(t *testing.T) {
	s := vaulttest.New(dataKey)
	v := synced(t, s)
	r, err := v.Add(context.Background(), s.Caller(), jane(), nil, vault.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	link, err := vault.CreateOneTimeShare(context.Background(), s.Caller(), "https://127.0.0.1:8443", r, "jane@example.com: Master Password", 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	frag, ok := strings.CutPrefix(link, "https://127.0.0.1:8443/vault/share/#")
	if !ok || len(s.Shares) != 1 || s.Shares[0].RecordUID != r.UID {
		t.Fatalf("%s %v", link, s.Shares)
	}
	ck, _ := crypto.Base64URLDecode(frag)
	rq := s.Shares[0].Request
	if k, err := crypto.DecryptAESv2(rq.EncryptedRecordKey, ck); err != nil || !bytes.Equal(k, r.Key) ||
		!bytes.Equal(rq.ClientId, vault.ClientID(ck)) || rq.Id != "jane@example.com: Master Password" {
		t.Fatalf("share request %v", rq)
	}
	if d := time.Until(time.UnixMilli(rq.AccessExpireOn)); d < 7*24*time.Hour-time.Minute || d > 7*24*time.Hour {
		t.Fatalf("expiry in %v", d)
	}
	if _, err := vault.CreateOneTimeShare(context.Background(), s.Caller(), "keepersecurity.com",
		&vault.Record{UID: "AAAAAAAAAAAAAAAAAAAAAA", Key: r.Key}, "", time.Hour); err == nil {
		t.Fatal("share of an unknown record accepted")
	}
}
