package server

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

const (
	uidSize = 16
	// maxRecordsPerRequest bounds one records_add / records_update.
	maxRecordsPerRequest = 1000
	// maxRecordData is the sandbox's cap on a record's encrypted data; more
	// gets RS_SIZE_EXCEEDED_LIMIT (Keeper's own figure is not published).
	maxRecordData = 1 << 20
	// typedRecordVersion is Record.version of a typed (v3) record.
	typedRecordVersion = 3
)

// recordsAdd serves vault/records_add (Commander
// keepercommander/record_management.py add_record_to_folder). A malformed
// record (uid, key or data of the wrong shape) fails the whole request with
// 400 and stores nothing; otherwise every record gets its own status in the
// RecordsModifyResponse, and the response revision is the one the next
// sync_down reports for the added records. The record key carries no type
// on the wire: it is AES-GCM under the data key, filed as
// ENCRYPTED_BY_DATA_KEY_GCM.
func (s *Server) recordsAdd(c *call) (proto.Message, error) {
	var rq recordspb.RecordsAddRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if err := checkBatch(len(rq.Records)); err != nil {
		return nil, err
	}
	for i, r := range rq.Records {
		if err := checkRecordAdd(r); err != nil {
			return nil, fail(http.StatusBadRequest, "bad_request", fmt.Sprintf("records[%d]: %v", i, err))
		}
	}
	owner := c.sess.Username
	rs := &recordspb.RecordsModifyResponse{}
	err := s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		rev, err := store.BumpVaultRev(c.ctx, tx, owner)
		if err != nil {
			return err
		}
		rs.Revision = rev
		for _, r := range rq.Records {
			st, err := addRecord(c, tx, owner, rev, r)
			if err != nil {
				return err
			}
			rs.Records = append(rs.Records, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.out.cmds = append(c.out.cmds, statusLog(rs.Records)...)
	return rs, nil
}

func addRecord(c *call, tx *sql.Tx, owner string, rev int64, r *recordspb.RecordAdd) (*recordspb.RecordModifyStatus, error) {
	refuse := func(status recordspb.RecordModifyResult, format string, args ...any) (*recordspb.RecordModifyStatus, error) {
		return &recordspb.RecordModifyStatus{RecordUid: r.RecordUid, Status: status, Message: fmt.Sprintf(format, args...)}, nil
	}
	uid := crypto.Base64URLEncode(r.RecordUid)
	if len(r.RecordLinks) > 0 {
		st, _ := refuse(recordspb.RecordModifyResult_RS_ACCESS_DENIED, "record %s: keeper-sandbox does not store record links", uid)
		for _, l := range r.RecordLinks {
			st.LinkErrors = append(st.LinkErrors, &recordspb.RecordLinkError{RecordUid: l.RecordUid,
				Status: recordspb.RecordModifyResult_RS_ACCESS_DENIED, Message: "record links are not supported by keeper-sandbox"})
		}
		return st, nil
	}
	if r.FolderType != recordspb.RecordFolderType_user_folder {
		return refuse(recordspb.RecordModifyResult_RS_ACCESS_DENIED, "shared folder %s not found: keeper-sandbox serves user folders only",
			crypto.Base64URLEncode(r.FolderUid))
	}
	if len(r.FolderUid) > 0 {
		f, err := store.GetFolder(c.ctx, tx, r.FolderUid)
		if errors.Is(err, store.ErrNotFound) || (err == nil && f.Owner != owner) {
			return refuse(recordspb.RecordModifyResult_RS_ACCESS_DENIED, "folder %s not found in your vault", crypto.Base64URLEncode(r.FolderUid))
		}
		if err != nil {
			return nil, err
		}
	}
	if len(r.Data) > maxRecordData {
		return refuse(recordspb.RecordModifyResult_RS_SIZE_EXCEEDED_LIMIT, "record %s: data is %d bytes, the limit is %d", uid, len(r.Data), maxRecordData)
	}
	err := store.AddRecord(c.ctx, tx, &store.VaultRecord{UID: r.RecordUid, Owner: owner, RecordKey: r.RecordKey,
		KeyType: int32(recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY_GCM), Version: typedRecordVersion, Data: r.Data,
		NonSharedData: r.NonSharedData, ClientModified: r.ClientModifiedTime, Rev: rev})
	if errors.Is(err, store.ErrExists) {
		return refuse(recordspb.RecordModifyResult_RS_RECORD_EXISTS, "record %s already exists", uid)
	}
	if err != nil {
		return nil, err
	}
	if err := store.PutFolderRecord(c.ctx, tx, &store.FolderRecord{Owner: owner, FolderUID: r.FolderUid, RecordUID: r.RecordUid, Rev: rev}); err != nil {
		return nil, err
	}
	return &recordspb.RecordModifyStatus{RecordUid: r.RecordUid}, nil
}

// recordsUpdate serves vault/records_update (Commander
// keepercommander/record_management.py update_record): each record's
// revision must be the one the caller last synced, else RS_OUT_OF_SYNC; the
// data is replaced wholesale, key and placement are kept, and the record
// takes the response's new revision.
func (s *Server) recordsUpdate(c *call) (proto.Message, error) {
	var rq recordspb.RecordsUpdateRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if err := checkBatch(len(rq.Records)); err != nil {
		return nil, err
	}
	for i, r := range rq.Records {
		if err := checkRecordUpdate(r); err != nil {
			return nil, fail(http.StatusBadRequest, "bad_request", fmt.Sprintf("records[%d]: %v", i, err))
		}
	}
	owner := c.sess.Username
	rs := &recordspb.RecordsModifyResponse{}
	err := s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		rev, err := store.BumpVaultRev(c.ctx, tx, owner)
		if err != nil {
			return err
		}
		rs.Revision = rev
		for _, r := range rq.Records {
			st := &recordspb.RecordModifyStatus{RecordUid: r.RecordUid}
			uid := crypto.Base64URLEncode(r.RecordUid)
			cur, err := store.GetRecord(c.ctx, tx, r.RecordUid)
			switch {
			case errors.Is(err, store.ErrNotFound) || (err == nil && cur.Owner != owner):
				st.Status, st.Message = recordspb.RecordModifyResult_RS_ACCESS_DENIED, fmt.Sprintf("record %s not found in your vault", uid)
			case err != nil:
				return err
			case r.Revision != cur.Rev:
				st.Status, st.Message = recordspb.RecordModifyResult_RS_OUT_OF_SYNC,
					fmt.Sprintf("record %s is at revision %d, not %d: sync and retry", uid, cur.Rev, r.Revision)
			case len(r.RecordLinksAdd) > 0 || len(r.RecordLinksRemove) > 0:
				st.Status, st.Message = recordspb.RecordModifyResult_RS_ACCESS_DENIED, fmt.Sprintf("record %s: keeper-sandbox does not store record links", uid)
			case len(r.Data) > maxRecordData:
				st.Status, st.Message = recordspb.RecordModifyResult_RS_SIZE_EXCEEDED_LIMIT,
					fmt.Sprintf("record %s: data is %d bytes, the limit is %d", uid, len(r.Data), maxRecordData)
			default:
				var nonShared []byte
				if len(r.NonSharedData) > 0 {
					nonShared = r.NonSharedData
				}
				if err := store.UpdateRecord(c.ctx, tx, r.RecordUid, r.Data, nonShared, r.ClientModifiedTime, rev); err != nil {
					return err
				}
			}
			rs.Records = append(rs.Records, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.out.cmds = append(c.out.cmds, statusLog(rs.Records)...)
	return rs, nil
}

func checkBatch(n int) error {
	if n == 0 || n > maxRecordsPerRequest {
		return fail(http.StatusBadRequest, "bad_request", fmt.Sprintf("send 1 to %d records", maxRecordsPerRequest))
	}
	return nil
}

// checkRecordAdd checks the shape of a new record: a 16-byte uid, the
// record key as AES-GCM of 32 bytes, data as AES-GCM of something.
func checkRecordAdd(r *recordspb.RecordAdd) error {
	if len(r.RecordUid) != uidSize {
		return fmt.Errorf("record_uid must be %d bytes, got %d", uidSize, len(r.RecordUid))
	}
	if err := checkGCM(r.RecordKey, aesKeySize, "record_key"); err != nil {
		return err
	}
	if len(r.Data) <= gcmOverhead {
		return fmt.Errorf("data must be AES-GCM under the record key (%d bytes is too short)", len(r.Data))
	}
	if len(r.NonSharedData) > 0 && len(r.NonSharedData) <= gcmOverhead {
		return fmt.Errorf("non_shared_data must be AES-GCM (%d bytes is too short)", len(r.NonSharedData))
	}
	if len(r.FolderUid) > 0 && len(r.FolderUid) != uidSize {
		return fmt.Errorf("folder_uid must be %d bytes, got %d", uidSize, len(r.FolderUid))
	}
	if _, ok := recordspb.RecordFolderType_name[int32(r.FolderType)]; !ok {
		return fmt.Errorf("folder_type %d is not a RecordFolderType", r.FolderType)
	}
	return nil
}

func checkRecordUpdate(r *recordspb.RecordUpdate) error {
	if len(r.RecordUid) != uidSize {
		return fmt.Errorf("record_uid must be %d bytes, got %d", uidSize, len(r.RecordUid))
	}
	if len(r.Data) <= gcmOverhead {
		return fmt.Errorf("data must be AES-GCM under the record key (%d bytes is too short)", len(r.Data))
	}
	if len(r.NonSharedData) > 0 && len(r.NonSharedData) <= gcmOverhead {
		return fmt.Errorf("non_shared_data must be AES-GCM (%d bytes is too short)", len(r.NonSharedData))
	}
	return nil
}

// statusLog is the request log's view of per-record statuses: how many
// records got each status, e.g. records[RS_SUCCESS=2 RS_RECORD_EXISTS=1].
func statusLog(sts []*recordspb.RecordModifyStatus) []string {
	var order []recordspb.RecordModifyResult
	count := map[recordspb.RecordModifyResult]int{}
	for _, st := range sts {
		if count[st.Status] == 0 {
			order = append(order, st.Status)
		}
		count[st.Status]++
	}
	parts := make([]string, 0, len(order))
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%s=%d", s, count[s]))
	}
	return []string{"records[" + strings.Join(parts, " ") + "]"}
}
