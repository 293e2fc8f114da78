package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// maxProvisionBatch bounds the users of one provisioning request.
const maxProvisionBatch = 100

func (s *Server) provisionRoutes() {
	s.routes["enterprise/enterprise_user_provision"] = handler{auth: true, fn: s.provisionUsers}
}

// provisionUsers serves enterprise/enterprise_user_provision: create-user
// creates an active account with a generated password, without email
// verification, which Keeper allows only on a domain the enterprise reserved
// (Commander keepercommander/commands/enterprise_create_user.py). Each user
// gets its own result: code "success", or a failure code with a message (the
// user is then not created); each user is its own transaction.
func (s *Server) provisionUsers(c *call) (proto.Message, error) {
	admin, err := s.admin(c)
	if err != nil {
		return nil, err
	}
	var rq enterprisepb.EnterpriseUsersProvisionRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if len(rq.Users) == 0 || len(rq.Users) > maxProvisionBatch {
		return nil, fail(http.StatusBadRequest, "bad_request", fmt.Sprintf("send 1 to %d users", maxProvisionBatch))
	}
	rs := &enterprisepb.EnterpriseUsersProvisionResponse{}
	for _, u := range rq.Users {
		res := &enterprisepb.EnterpriseUsersProvisionResult{EnterpriseUserId: u.EnterpriseUserId, Code: "success"}
		var ce *cmdError
		switch err := s.provisionOne(c, admin, u); {
		case errors.As(err, &ce):
			res.Code, res.Message = ce.code, ce.msg
		case err != nil:
			return nil, err
		}
		result := "success"
		if res.Code != "success" {
			result = "fail"
		}
		c.out.cmds = append(c.out.cmds, c.out.command(map[string]any{"command": "provision", "result": result, "result_code": res.Code}))
		rs.Results = append(rs.Results, res)
	}
	return rs, nil
}

// provisionOne checks one user completely before it creates the enterprise
// user (status active, in the next incremental sync), the account (logging
// in with the given verifier and encryption params, keys and client key) and
// its flags (RSA public key, escrowed data key, must change the password).
func (s *Server) provisionOne(c *call, admin *store.Account, u *enterprisepb.EnterpriseUsersProvision) error {
	if err := checkProvisionUser(u); err != nil {
		return err
	}
	email := strings.TrimSpace(u.Username)
	lower := strings.ToLower(email)
	if len(u.EncryptedDeviceToken) > 0 {
		if _, err := s.st.GetDevice(c.ctx, crypto.Base64URLEncode(u.EncryptedDeviceToken)); errors.Is(err, store.ErrNotFound) {
			return cmdFail("bad_inputs_encrypted_device_token", "encryptedDeviceToken is not a registered device")
		} else if err != nil {
			return err
		}
	}
	eid := c.sess.EnterpriseID
	return s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		forbidRSA, err := store.ForbidsRSA(c.ctx, tx, eid)
		if err != nil {
			return err
		}
		if err := checkProvisionKeys(u, s.opts.MinIterations, forbidRSA); err != nil {
			return err
		}
		j := &jsonCall{call: c, srv: s, tx: tx, eid: eid}
		if err := j.ownID(u.EnterpriseUserId, "enterprise_user_id"); err != nil {
			return err
		}
		if j.exists(enterprisepb.EnterpriseDataEntity_USERS, fmt.Sprint(u.EnterpriseUserId)) {
			return cmdFail("already_exists", "enterprise user id %d is already in use", u.EnterpriseUserId)
		}
		if err := j.nodeExists(u.NodeId); err != nil {
			return err
		}
		_, domain, _ := strings.Cut(lower, "@")
		if owner, err := store.DomainOwner(c.ctx, tx, domain); errors.Is(err, store.ErrNotFound) || (err == nil && owner != eid) {
			return cmdFail("domain_not_reserved", "creating accounts without email verification is only permitted "+
				"on domains the enterprise reserved; %s is not reserved by this enterprise", domain)
		} else if err != nil {
			return err
		}
		if where, err := store.UsernameTaken(c.ctx, tx, lower); err != nil {
			return err
		} else if where != "" {
			return cmdFail("already_exists", "%s is already in use (%s)", email, map[string]string{"account": "a Keeper account",
				"user": "an enterprise user", "alias": "an enterprise user's alias"}[where])
		}
		if err := checkSeats(c.ctx, tx, eid); err != nil {
			return err
		}
		if j.rev, err = store.BumpRev(c.ctx, tx, eid); err != nil {
			return err
		}
		user := &enterprisepb.User{EnterpriseUserId: u.EnterpriseUserId, NodeId: u.NodeId, EncryptedData: u.EncryptedData,
			KeyType: "encrypted_by_data_key", Username: email, Status: "active", FullName: u.FullName, JobTitle: u.JobTitle,
			UserId: int32(u.EnterpriseUserId & 0x7FFFFFFF), TransferAcceptanceStatus: enterprisepb.TransferAcceptanceStatus_NOT_REQUIRED}
		if err := j.put(enterprisepb.EnterpriseDataEntity_USERS, fmt.Sprint(u.EnterpriseUserId), email, user); err != nil {
			return err
		}
		acct := &store.Account{Username: lower, EnterpriseID: eid, EnterpriseUserID: u.EnterpriseUserId,
			AccountUID: crypto.RandomBytes(16), AuthVerifier: u.AuthVerifier, EncryptionParams: u.EncryptionParams,
			RSAPrivateEnc: u.RsaEncryptedPrivateKey, ECCPrivateEnc: u.EccEncryptedPrivateKey, ECCPublic: u.EccPublicKey,
			ClientKeyEnc: u.EncryptedClientKey}
		if err := store.PutAccount(c.ctx, tx, acct); err != nil {
			return err
		}
		return store.PutAccountFlags(c.ctx, tx, lower, &store.AccountFlags{RSAPublic: u.RsaPublicKey,
			UsersDataKey: u.EnterpriseUsersDataKey, MustChangePassword: true, ProvisionedBy: admin.Username})
	})
}

// checkSeats refuses a new user when the enterprise has no free seat: active
// (not disabled) and invited users already take every seat of its licence
// (for a managed company, the seats its MSP allocated to it).
func checkSeats(ctx context.Context, tx *sql.Tx, eid int32) error {
	ent, err := store.GetEnterprise(ctx, tx, eid)
	if err != nil {
		return err
	}
	var seats int32
	if ent.MSPID != 0 {
		e, err := store.GetEntity(ctx, tx, ent.MSPID, kindMCs, fmt.Sprint(eid))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			var mc enterprisepb.ManagedCompany
			if err := proto.Unmarshal(e.Data, &mc); err != nil {
				return err
			}
			seats = mc.NumberOfSeats
		}
	}
	if seats == 0 {
		lics, err := store.FindEntities(ctx, tx, eid, kindLicences, "")
		if err != nil || len(lics) == 0 {
			return err
		}
		var l enterprisepb.License
		if err := proto.Unmarshal(lics[0].Data, &l); err != nil {
			return err
		}
		seats = l.NumberOfSeats
	}
	if seats <= 0 || seats == unlimitedSeats {
		return nil
	}
	u, err := usageOf(ctx, tx, eid)
	if err != nil {
		return err
	}
	if used := u.allocated + u.pending; used >= seats {
		return cmdFail("seats_exceeded", "%s has no free seat: %d of %d are taken by active and invited users", ent.Name, used, seats)
	}
	return nil
}
