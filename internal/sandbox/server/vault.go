package server

import (
	"crypto/sha256"
	"encoding/binary"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func (s *Server) vaultRoutes() {
	s.routes["vault/sync_down"] = handler{auth: true, fn: s.syncDown}
	s.routes["vault/records_add"] = handler{auth: true, fn: s.recordsAdd}
	s.routes["vault/records_update"] = handler{auth: true, fn: s.recordsUpdate}
	s.routes["vault/external_share_add"] = handler{auth: true, fn: s.externalShareAdd}
}

// vaultToken is the opaque continuation token of vault/sync_down: whose
// vault it is, the revision already delivered, the revision this pass stops
// at, and during a pass the kind and row it has reached.
type vaultToken struct {
	owner        [8]byte // first bytes of SHA-256(username)
	since, until int64
	kind         byte  // vaultKinds index of the next rows
	afterRow     int64 // last row of that kind already sent
	full         bool  // the pass is a full sync (CLEAR)
	mid          bool  // the pass has more pages
}

const vaultTokenSize = 1 + 8 + 8 + 8 + 1 + 8 + 1 + 1

func (t vaultToken) encode() []byte {
	b := make([]byte, vaultTokenSize)
	b[0] = 2 // distinct from the enterprise sync token's version 1
	copy(b[1:9], t.owner[:])
	binary.BigEndian.PutUint64(b[9:], uint64(t.since))
	binary.BigEndian.PutUint64(b[17:], uint64(t.until))
	b[25] = t.kind
	binary.BigEndian.PutUint64(b[26:], uint64(t.afterRow))
	b[34], b[35] = boolByte(t.full), boolByte(t.mid)
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func decodeVaultToken(b []byte) (vaultToken, bool) {
	if len(b) != vaultTokenSize || b[0] != 2 || b[25] >= vaultKinds || b[34] > 1 || b[35] > 1 {
		return vaultToken{}, false
	}
	t := vaultToken{since: int64(binary.BigEndian.Uint64(b[9:])), until: int64(binary.BigEndian.Uint64(b[17:])),
		kind: b[25], afterRow: int64(binary.BigEndian.Uint64(b[26:])), full: b[34] == 1, mid: b[35] == 1}
	copy(t.owner[:], b[1:9])
	return t, true
}

func ownerTag(username string) (tag [8]byte) {
	h := sha256.Sum256([]byte(username))
	copy(tag[:], h[:8])
	return tag
}

// The kinds of vault rows, in the order a pass sends them.
const (
	kindFolders = iota
	kindRecords
	kindPlacements
	vaultKinds
)

// syncDown serves vault/sync_down: the caller's own vault, whatever
// enterprise the session acts on (a managed-company session syncs its
// administrator's vault). An empty, foreign or unreadable token starts a
// full sync whose first page says CLEAR; a later token gets what changed
// since the previous pass. Pages hold VaultPageSize rows; hasMore asks for
// the next one. Records come with their RecordMetaData (the record key under
// the data key, type 3) and their placement as UserFolderRecord (an empty
// folder uid is the vault root), as Commander reads them
// (keepercommander/sync_down.py).
func (s *Server) syncDown(c *call) (proto.Message, error) {
	var rq vaultpb.SyncDownRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	acct, err := s.st.GetAccount(c.ctx, c.sess.Username)
	if err != nil {
		return nil, err
	}
	rev, err := store.VaultRev(c.ctx, s.st.DB(), acct.Username)
	if err != nil {
		return nil, err
	}
	tag := ownerTag(acct.Username)
	tok, ok := decodeVaultToken(rq.ContinuationToken)
	rs := &vaultpb.SyncDownResponse{}
	switch {
	case !ok || tok.owner != tag:
		tok = vaultToken{owner: tag, until: rev, full: true}
		rs.CacheStatus = vaultpb.CacheStatus_CLEAR
	case !tok.mid:
		tok = vaultToken{owner: tag, since: tok.until, until: rev}
	}
	budget := s.opts.VaultPageSize
	for tok.kind < vaultKinds && budget > 0 {
		n, last, more, err := s.vaultRows(c, rs, acct, tok, budget)
		if err != nil {
			return nil, err
		}
		if more {
			tok.afterRow = last
			break
		}
		budget -= n
		tok.kind, tok.afterRow = tok.kind+1, 0
	}
	if tok.kind < vaultKinds {
		rs.HasMore = true
		tok.mid = true
	} else {
		tok = vaultToken{owner: tag, since: tok.until, until: tok.until}
	}
	rs.ContinuationToken = tok.encode()
	return rs, nil
}

// vaultRows adds up to budget rows of tok.kind after tok.afterRow to rs. It
// returns how many it added, the last row, and whether more of the kind
// remain.
func (s *Server) vaultRows(c *call, rs *vaultpb.SyncDownResponse, acct *store.Account, tok vaultToken, budget int) (int, int64, bool, error) {
	db, owner := s.st.DB(), acct.Username
	switch tok.kind {
	case kindFolders:
		rows, err := store.ChangedFolders(c.ctx, db, owner, tok.since, tok.until, tok.afterRow, budget+1)
		if err != nil || len(rows) == 0 {
			return 0, 0, false, err
		}
		more := len(rows) > budget
		rows = rows[:min(len(rows), budget)]
		for _, f := range rows {
			rs.UserFolders = append(rs.UserFolders, &vaultpb.UserFolder{FolderUid: f.UID, ParentUid: f.ParentUID,
				UserFolderKey: f.Key, KeyType: recordspb.RecordKeyType(f.KeyType), Revision: f.Rev, Data: f.Data})
		}
		return len(rows), rows[len(rows)-1].RowID, more, nil
	case kindRecords:
		rows, err := store.ChangedRecords(c.ctx, db, owner, tok.since, tok.until, tok.afterRow, budget+1)
		if err != nil || len(rows) == 0 {
			return 0, 0, false, err
		}
		more := len(rows) > budget
		rows = rows[:min(len(rows), budget)]
		for _, r := range rows {
			rs.Records = append(rs.Records, &vaultpb.Record{RecordUid: r.UID, Revision: r.Rev, Version: r.Version,
				ClientModifiedTime: r.ClientModified, Data: r.Data})
			rs.RecordMetaData = append(rs.RecordMetaData, &vaultpb.RecordMetaData{RecordUid: r.UID, Owner: true,
				RecordKey: r.RecordKey, RecordKeyType: recordspb.RecordKeyType(r.KeyType), CanShare: true, CanEdit: true,
				OwnerAccountUid: acct.AccountUID, OwnerUsername: acct.Username})
			if len(r.NonSharedData) > 0 {
				rs.NonSharedData = append(rs.NonSharedData, &vaultpb.NonSharedData{RecordUid: r.UID, Data: r.NonSharedData})
			}
		}
		return len(rows), rows[len(rows)-1].RowID, more, nil
	default:
		rows, err := store.ChangedFolderRecords(c.ctx, db, owner, tok.since, tok.until, tok.afterRow, budget+1)
		if err != nil || len(rows) == 0 {
			return 0, 0, false, err
		}
		more := len(rows) > budget
		rows = rows[:min(len(rows), budget)]
		for _, fr := range rows {
			rs.UserFolderRecords = append(rs.UserFolderRecords, &vaultpb.UserFolderRecord{FolderUid: fr.FolderUID,
				RecordUid: fr.RecordUID, Revision: fr.Rev})
		}
		return len(rows), rows[len(rows)-1].RowID, more, nil
	}
}
