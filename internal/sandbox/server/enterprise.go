package server

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"net/http"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func (s *Server) enterpriseRoutes() {
	s.routes["enterprise/get_enterprise_data_keys"] = handler{auth: true, fn: s.dataKeys}
	s.routes["enterprise/get_enterprise_data_for_user"] = handler{auth: true, fn: s.enterpriseData}
	s.routes["enterprise/set_enterprise_key_pair"] = handler{auth: true, fn: s.setKeyPair}
	s.routes["enterprise/get_enterprise_public_key"] = handler{auth: true, fn: s.enterprisePublicKey}
	s.routes["authentication/login_to_mc"] = handler{auth: true, fn: s.loginToMC}
}

// admin returns the caller's account, refusing non-administrators.
func (s *Server) admin(c *call) (*store.Account, error) {
	acct, err := s.st.GetAccount(c.ctx, c.sess.Username)
	if err != nil {
		return nil, err
	}
	if !acct.IsAdmin {
		return nil, fail(http.StatusForbidden, "access_denied", "enterprise administrators only")
	}
	return acct, nil
}

func (s *Server) dataKeys(c *call) (proto.Message, error) {
	acct, err := s.admin(c)
	if err != nil {
		return nil, err
	}
	ent, err := store.GetEnterprise(c.ctx, s.st.DB(), c.sess.EnterpriseID)
	if err != nil {
		return nil, err
	}
	rs := &enterprisepb.GetEnterpriseDataKeysResponse{EnterpriseKeys: &enterprisepb.EnterpriseKeys{
		RsaPublicKey: ent.RSAPublic, RsaEncryptedPrivateKey: ent.RSAPrivateEnc,
		EccPublicKey: ent.ECCPublic, EccEncryptedPrivateKey: ent.ECCPrivateEnc,
	}}
	// The tree key is the admin's own only in the admin's enterprise; in a
	// managed company session the client already holds it (login_to_mc).
	if c.sess.EnterpriseID == acct.EnterpriseID {
		rs.TreeKey = &enterprisepb.TreeKey{TreeKey: acct.TreeKeyEnc, KeyTypeId: enterprisepb.BackupKeyType(acct.TreeKeyType)}
	}
	return rs, nil
}

func (s *Server) setKeyPair(c *call) (proto.Message, error) {
	if _, err := s.admin(c); err != nil {
		return nil, err
	}
	var rq enterprisepb.EnterpriseKeyPairRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	ecc := rq.KeyType == enterprisepb.KeyType_ECC
	if ecc {
		if _, err := crypto.LoadECPublicKey(rq.EnterprisePublicKey); err != nil {
			return nil, fail(http.StatusBadRequest, "bad_request", "enterprisePublicKey is not a P-256 point")
		}
	} else if _, err := crypto.LoadRSAPublicKey(rq.EnterprisePublicKey); err != nil {
		return nil, fail(http.StatusBadRequest, "bad_request", "enterprisePublicKey is not an RSA public key")
	}
	return nil, s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		// A pair, once set, is never replaced: data is already encrypted
		// to it. Commander only uploads a pair get_enterprise_data_keys
		// lacks (keepercommander/enterprise.py, _EnterpriseLoader.load).
		ent, err := store.GetEnterprise(c.ctx, tx, c.sess.EnterpriseID)
		if err != nil {
			return err
		}
		if (ecc && len(ent.ECCPublic) > 0) || (!ecc && len(ent.RSAPublic) > 0) {
			return fail(http.StatusBadRequest, "key_pair_exists", "the enterprise already has a key pair of this type")
		}
		return store.SetKeyPair(c.ctx, tx, c.sess.EnterpriseID, ecc, rq.EnterprisePublicKey, rq.EncryptedEnterprisePrivateKey)
	})
}

// syncToken is the opaque continuation token of get_enterprise_data_for_user:
// enterprise id, the revision already delivered, the revision this pass
// stops at, and the last row delivered in this pass.
type syncToken struct {
	enterprise   int32
	since, until int64
	afterRow     int64
	full         bool
}

func (t syncToken) encode() []byte {
	b := make([]byte, 1+4+8+8+8+1)
	b[0] = 1
	binary.BigEndian.PutUint32(b[1:], uint32(t.enterprise))
	binary.BigEndian.PutUint64(b[5:], uint64(t.since))
	binary.BigEndian.PutUint64(b[13:], uint64(t.until))
	binary.BigEndian.PutUint64(b[21:], uint64(t.afterRow))
	if t.full {
		b[29] = 1
	}
	return b
}

func decodeSyncToken(b []byte) (syncToken, bool) {
	if len(b) != 30 || b[0] != 1 {
		return syncToken{}, false
	}
	return syncToken{
		enterprise: int32(binary.BigEndian.Uint32(b[1:])),
		since:      int64(binary.BigEndian.Uint64(b[5:])),
		until:      int64(binary.BigEndian.Uint64(b[13:])),
		afterRow:   int64(binary.BigEndian.Uint64(b[21:])),
		full:       b[29] == 1,
	}, true
}

// alwaysSent are the entity kinds sent (possibly empty) on every full sync:
// Commander indexes these lists directly.
var alwaysSent = []enterprisepb.EnterpriseDataEntity{enterprisepb.EnterpriseDataEntity_NODES,
	enterprisepb.EnterpriseDataEntity_ROLE_USERS, enterprisepb.EnterpriseDataEntity_MANAGED_NODES}

func (s *Server) enterpriseData(c *call) (proto.Message, error) {
	if _, err := s.admin(c); err != nil {
		return nil, err
	}
	var rq enterprisepb.EnterpriseDataRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	eid := c.sess.EnterpriseID
	ent, err := store.GetEnterprise(c.ctx, s.st.DB(), eid)
	if err != nil {
		return nil, err
	}
	tok, ok := decodeSyncToken(rq.ContinuationToken)
	first := !ok || tok.enterprise != eid
	if first {
		// An empty, foreign or unreadable token starts a full sync.
		tok = syncToken{enterprise: eid, until: ent.Rev, full: true}
	} else if tok.afterRow == 0 {
		// A new incremental pass from the revision already delivered.
		tok.until, tok.full = ent.Rev, false
	}
	rows, err := store.ChangedEntities(c.ctx, s.st.DB(), eid, tok.since, tok.until, tok.afterRow, !tok.full, s.opts.PageSize+1)
	if err != nil {
		return nil, err
	}
	hasMore := len(rows) > s.opts.PageSize
	if hasMore {
		rows = rows[:s.opts.PageSize]
	}
	if rows, err = s.liveLicences(c.ctx, eid, ent.Rev, rows, !tok.full && !hasMore, tok.since, tok.until); err != nil {
		return nil, err
	}
	rs := &enterprisepb.EnterpriseDataResponse{
		HasMore:     hasMore,
		GeneralData: &enterprisepb.GeneralDataEntity{EnterpriseName: ent.Name, Distributor: ent.Distributor},
	}
	if first {
		rs.CacheStatus = enterprisepb.CacheStatus_CLEAR
	}
	groups := map[[2]int32]*enterprisepb.EnterpriseData{}
	if first {
		for _, k := range alwaysSent {
			d := &enterprisepb.EnterpriseData{Entity: k}
			groups[[2]int32{int32(k), 0}] = d
			rs.Data = append(rs.Data, d)
		}
	}
	for _, e := range rows {
		del := int32(0)
		if e.Deleted {
			del = 1
		}
		key := [2]int32{e.Kind, del}
		d := groups[key]
		if d == nil {
			d = &enterprisepb.EnterpriseData{Entity: enterprisepb.EnterpriseDataEntity(e.Kind), Delete: e.Deleted}
			groups[key] = d
			rs.Data = append(rs.Data, d)
		}
		d.Data = append(d.Data, e.Data)
	}
	next := syncToken{enterprise: eid, since: tok.until, until: tok.until}
	if hasMore {
		next = syncToken{enterprise: eid, since: tok.since, until: tok.until, afterRow: rows[len(rows)-1].RowID, full: tok.full}
	}
	rs.ContinuationToken = next.encode()
	return rs, nil
}

func (s *Server) loginToMC(c *call) (proto.Message, error) {
	acct, err := s.admin(c)
	if err != nil {
		return nil, err
	}
	var rq enterprisepb.LoginToMcRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	mc, err := store.GetEnterprise(c.ctx, s.st.DB(), rq.McEnterpriseId)
	if errors.Is(err, store.ErrNotFound) || (err == nil && mc.MSPID != acct.EnterpriseID) {
		return nil, fail(http.StatusForbidden, "access_denied", "not a managed company of your MSP")
	}
	if err != nil {
		return nil, err
	}
	if err := s.mcLoginAllowed(c, acct, mc.ID); err != nil {
		return nil, err
	}
	forbidRSA, err := store.ForbidsRSA(c.ctx, s.st.DB(), mc.ID)
	if err != nil {
		return nil, err
	}
	// The MC session ends with the caller's (logout, expiry).
	token := crypto.RandomBytes(32)
	if err := s.st.PutSession(c.ctx, token, &store.Session{Username: acct.Username, DeviceToken: c.sess.DeviceToken,
		EnterpriseID: mc.ID, Parent: c.token}); err != nil {
		return nil, err
	}
	return &enterprisepb.LoginToMcResponse{EncryptedSessionToken: token, EncryptedTreeKey: mc.TreeKeyForMSP, KeyTypeId: 3,
		ForbidKeyType2: forbidRSA}, nil
}
