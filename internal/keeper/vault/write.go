package vault

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// WriteOptions are the account and enterprise settings a record write
// carries.
type WriteOptions struct {
	// EnterpriseECKey, when known (an enterprise admin), receives the
	// record's audit data (title, record type, url) as Commander attaches
	// it when params.enterprise_ec_key is set.
	EnterpriseECKey *ecdh.PublicKey
	// ForbidRSA selects security_data_key_type: ENCRYPTED_BY_PUBLIC_KEY_ECC
	// when the account may not use RSA, else ENCRYPTED_BY_PUBLIC_KEY (as
	// api.get_security_data_key_type).
	ForbidRSA bool
	// Now is the clock for client times; nil means time.Now.
	Now func() time.Time
}

func (o WriteOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o WriteOptions) securityKeyType() recordspb.RecordKeyType {
	if o.ForbidRSA {
		return recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY_ECC
	}
	return recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY
}

// NewRecordAdd builds the RecordAdd of a new typed record in folder (nil
// for the vault root), as record_management.add_record_to_folder does: a
// new uid and record key; the record key AES-GCM under the data key
// (filed by the server as key type 3); the padded JSON AES-GCM under the
// record key; for a shared folder (or a folder inside one) the record key
// AES-GCM under that shared folder's key when it is known. It returns the
// request, the record uid and the record key.
func (v *Vault) NewRecordAdd(t *TypedRecord, folder *Folder, o WriteOptions) (*recordspb.RecordAdd, string, []byte, error) {
	if len(v.keys.DataKey) != crypto.AESKeySize {
		return nil, "", nil, errors.New("records_add: no data key")
	}
	id := crypto.GenerateUID()
	idBytes, _ := crypto.Base64URLDecode(id)
	key := crypto.GenerateAESKey()
	data, err := RecordData(t)
	if err != nil {
		return nil, "", nil, fmt.Errorf("records_add: %w", err)
	}
	add := &recordspb.RecordAdd{RecordUid: idBytes, ClientModifiedTime: o.now().UnixMilli(),
		FolderType: recordspb.RecordFolderType_user_folder}
	if add.RecordKey, err = crypto.EncryptAESv2(key, v.keys.DataKey); err != nil {
		return nil, "", nil, err
	}
	if add.Data, err = crypto.EncryptAESv2(data, key); err != nil {
		return nil, "", nil, err
	}
	if folder != nil {
		add.FolderUid, _ = crypto.Base64URLDecode(folder.UID)
		switch folder.Type {
		case SharedFolder:
			add.FolderType = recordspb.RecordFolderType_shared_folder
		case SharedFolderFolder:
			add.FolderType = recordspb.RecordFolderType_shared_folder_folder
		}
		if folder.Type != UserFolder {
			if sk := v.sfKeys[folder.SharedFolderUID]; sk != nil {
				if add.FolderKey, err = crypto.EncryptAESv2(key, sk); err != nil {
					return nil, "", nil, err
				}
			}
		}
	}
	if add.Audit, err = auditData(t, o.EnterpriseECKey); err != nil {
		return nil, "", nil, err
	}
	return add, id, key, nil
}

// auditData is vault_extensions.extract_audit_data encrypted to the
// enterprise EC key: JSON {"title", "record_type", "url" (host and path of
// the first url field, when there is one)}, each of title and url cut to
// 900 characters when together they exceed 900. Nil without a key.
func auditData(t *TypedRecord, ent *ecdh.PublicKey) (*recordspb.RecordAudit, error) {
	if ent == nil {
		return nil, nil
	}
	title, link := []rune(t.Title), ""
	if f := t.Field("url"); f != nil {
		if s, ok := f.First(); ok {
			link = urlStrip(s)
		}
	}
	lr := []rune(link)
	if len(title)+len(lr) > 900 {
		title, lr = title[:min(len(title), 900)], lr[:min(len(lr), 900)]
	}
	typ := t.Type
	if typ == "" {
		typ = "login"
	}
	m := OrderedMap{{"title", string(title)}, {"record_type", typ}}
	if len(lr) > 0 {
		m = append(m, KV{"url", string(lr)})
	}
	plain, err := PyJSON(m)
	if err != nil {
		return nil, err
	}
	enc, err := crypto.EncryptEC(plain, ent)
	if err != nil {
		return nil, err
	}
	return &recordspb.RecordAudit{Version: 0, Data: enc}, nil
}

// urlStrip is utils.url_strip: network location and path of a URL.
func urlStrip(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	host := u.Host
	if u.User != nil {
		host = u.User.String() + "@" + host
	}
	return host + u.EscapedPath()
}

// modifyStatus checks the status of one record in a RecordsModifyResponse.
// Commander's records_add check reads a message attribute the response
// does not have and crashes; here a refused record is an API error naming
// the record, the status and the server's message. A response without a
// status for the record is not an error: the sync that follows shows
// whether the record is there.
func modifyStatus(endpoint string, rs *recordspb.RecordsModifyResponse, id []byte) error {
	for _, s := range rs.GetRecords() {
		if !bytes.Equal(s.RecordUid, id) || s.Status == recordspb.RecordModifyResult_RS_SUCCESS {
			continue
		}
		msg := rest.Clip(s.Message)
		if msg == "" {
			msg = "refused"
		}
		return &rest.APIError{Endpoint: endpoint, Code: s.Status.String(),
			Message: fmt.Sprintf("record %s: %s", crypto.Base64URLEncode(id), msg)}
	}
	return nil
}

// Add stores a new typed record (vault/records_add) in folder (nil: the
// root) and syncs. It returns the record as synced. When the server stored
// the record but the sync after it failed, or does not show it, the record
// as sent (uid, key, data, the revision of the reply) is returned with
// the error; a nil record means nothing was stored (or, after a failure to
// reach the server, that it is unknown whether it was).
func (v *Vault) Add(ctx context.Context, c Caller, t *TypedRecord, folder *Folder, o WriteOptions) (*Record, error) {
	add, id, key, err := v.NewRecordAdd(t, folder, o)
	if err != nil {
		return nil, err
	}
	rq := &recordspb.RecordsAddRequest{Records: []*recordspb.RecordAdd{add}, ClientTime: o.now().UnixMilli(),
		SecurityDataKeyType: o.securityKeyType()}
	var rs recordspb.RecordsModifyResponse
	if err := c.Call(ctx, RecordsAddEndpoint, rq, &rs); err != nil {
		return nil, err
	}
	if err := modifyStatus(RecordsAddEndpoint, &rs, add.RecordUid); err != nil {
		return nil, err
	}
	sent := &Record{UID: id, Revision: rs.Revision, Version: 3, Key: key, KeyType: recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY_GCM,
		Owner: true, CanEdit: true, CanShare: true, Title: t.Title, Typed: t.Clone()}
	return v.syncAfterWrite(ctx, c, sent, RecordsAddEndpoint)
}

// syncAfterWrite syncs and returns the written record as synced, or sent
// with an error.
func (v *Vault) syncAfterWrite(ctx context.Context, c Caller, sent *Record, endpoint string) (*Record, error) {
	if err := v.Sync(ctx, c); err != nil {
		return sent, fmt.Errorf("record %s was saved, but the vault sync after it failed: %w", sent.UID, err)
	}
	r := v.Record(sent.UID)
	if r == nil || r.Typed == nil {
		return sent, &rest.ReplyError{Endpoint: endpoint,
			Msg: fmt.Sprintf("the server accepted record %s but the next sync does not show it (decryptable)", sent.UID)}
	}
	return r, nil
}

// Update replaces a typed record's data (vault/records_update) with t,
// re-encrypted under the same record key, and syncs, as
// record_management.update_record does: the record must be in the vault
// with readable typed data, and the revision sent is the one the last
// sync reported. A refused update is an API error (e.g. RS_OUT_OF_SYNC).
// As with Add, a non-nil record with an error means the update was
// stored.
func (v *Vault) Update(ctx context.Context, c Caller, uid string, t *TypedRecord, o WriteOptions) (*Record, error) {
	r := v.Record(uid)
	if r == nil {
		return nil, fmt.Errorf("Record Update: %s not found.", uid)
	}
	if r.Typed == nil {
		return nil, fmt.Errorf("Record %s: Invalid record type.", uid)
	}
	data, err := RecordData(t)
	if err != nil {
		return nil, fmt.Errorf("records_update: %w", err)
	}
	idBytes, _ := crypto.Base64URLDecode(uid)
	ru := &recordspb.RecordUpdate{RecordUid: idBytes, ClientModifiedTime: o.now().UnixMilli(), Revision: r.Revision}
	if ru.Data, err = crypto.EncryptAESv2(data, r.Key); err != nil {
		return nil, err
	}
	if ru.Audit, err = auditData(t, o.EnterpriseECKey); err != nil {
		return nil, err
	}
	rq := &recordspb.RecordsUpdateRequest{Records: []*recordspb.RecordUpdate{ru}, ClientTime: o.now().UnixMilli(),
		SecurityDataKeyType: o.securityKeyType()}
	var rs recordspb.RecordsModifyResponse
	if err := c.Call(ctx, RecordsUpdateEndpoint, rq, &rs); err != nil {
		return nil, err
	}
	if err := modifyStatus(RecordsUpdateEndpoint, &rs, idBytes); err != nil {
		return nil, err
	}
	sent := *r
	sent.Revision, sent.Typed, sent.Title, sent.raw = rs.Revision, t.Clone(), t.Title, nil
	return v.syncAfterWrite(ctx, c, &sent, RecordsUpdateEndpoint)
}
