package server

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

const (
	// clientIDSize is the HMAC-SHA512 client id of a one-time share.
	clientIDSize = 64
	// maxShareExpiry is the longest one-time share Commander creates
	// (keepercommander/commands/register.py OneTimeShareCreateCommand: 182 days).
	maxShareExpiry = 182 * 24 * time.Hour
	// clockSlack tolerates a client clock slightly ahead of the server's.
	clockSlack = 5 * time.Minute
)

// externalShareAdd serves vault/external_share_add: a one-time share of a
// record the caller owns, stored with its client id, the record key under
// the share's client key, expiry, name and flags. The answer is an empty
// body (Commander parses it as Authentication.Device and ignores it;
// keepercommander/commands/register.py). The share link is built by the
// client and never seen here.
func (s *Server) externalShareAdd(c *call) (proto.Message, error) {
	var rq authpb.AddExternalShareRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fail(http.StatusBadRequest, "bad_request", fmt.Sprintf(format, args...))
	}
	switch {
	case len(rq.RecordUid) != uidSize:
		return nil, bad("recordUid must be %d bytes, got %d", uidSize, len(rq.RecordUid))
	case len(rq.ClientId) != clientIDSize:
		return nil, bad("clientId must be the %d-byte HMAC-SHA512 client id, got %d bytes", clientIDSize, len(rq.ClientId))
	case len(rq.Id) > maxNameLength:
		return nil, bad("id (the share name) is limited to %d characters", maxNameLength)
	}
	if err := checkGCM(rq.EncryptedRecordKey, aesKeySize, "encryptedRecordKey"); err != nil {
		return nil, bad("%v", err)
	}
	now := time.Now()
	expires := time.UnixMilli(rq.AccessExpireOn)
	if !expires.After(now) || expires.After(now.Add(maxShareExpiry+clockSlack)) {
		return nil, bad("accessExpireOn must be in the future and at most %d days away", int(maxShareExpiry.Hours()/24))
	}
	owner := c.sess.Username
	return nil, s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		rec, err := store.GetRecord(c.ctx, tx, rq.RecordUid)
		if errors.Is(err, store.ErrNotFound) || (err == nil && rec.Owner != owner) {
			return fail(http.StatusForbidden, "access_denied", "record "+crypto.Base64URLEncode(rq.RecordUid)+" is not in your vault")
		}
		if err != nil {
			return err
		}
		err = store.AddExternalShare(c.ctx, tx, &store.ExternalShare{ClientID: rq.ClientId, RecordUID: rq.RecordUid, Owner: owner,
			EncryptedRecordKey: rq.EncryptedRecordKey, AccessExpireOn: rq.AccessExpireOn, Name: rq.Id,
			SelfDestruct: rq.IsSelfDestruct, Editable: rq.IsEditable})
		if errors.Is(err, store.ErrExists) {
			return fail(http.StatusBadRequest, "already_exists", "a share with this clientId already exists")
		}
		return err
	})
}
