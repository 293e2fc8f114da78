package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// maxPublicKeyLookups bounds one vault/get_public_keys request.
const maxPublicKeyLookups = 1000

// publicKeys is vault/get_public_keys: the RSA and EC public keys of active
// users of the session's enterprise, by username or alias, so a client can
// encrypt team and tree keys to them (Commander api.py
// load_user_public_keys, which keeps answers whose errorCode is "" or
// "success"). Invited users have no keys yet (no_public_key); users of
// other enterprises are not disclosed (no_active_share_exist, which
// Commander answers with a share invitation); unknown emails get
// user_not_found.
func (s *Server) publicKeys(c *call) (proto.Message, error) {
	var rq authpb.GetPublicKeysRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if len(rq.Usernames) > maxPublicKeyLookups {
		return nil, fail(http.StatusBadRequest, "bad_request", fmt.Sprintf("at most %d usernames per request", maxPublicKeyLookups))
	}
	db := s.st.DB()
	rs := &authpb.GetPublicKeysResponse{}
	for _, name := range rq.Usernames {
		r := &authpb.PublicKeyResponse{Username: name}
		rs.KeyResponses = append(rs.KeyResponses, r)
		email := strings.ToLower(strings.TrimSpace(name))
		use, err := store.FindEmail(c.ctx, db, email)
		switch {
		case errors.Is(err, store.ErrNotFound):
			r.ErrorCode, r.Message = "user_not_found", "no Keeper account uses this email"
			continue
		case err != nil:
			return nil, err
		case use.EnterpriseID != c.sess.EnterpriseID:
			r.ErrorCode, r.Message = "no_active_share_exist", "the user has not accepted sharing with you"
			continue
		}
		var u enterprisepb.User
		e, err := store.GetEntity(c.ctx, db, use.EnterpriseID, int32(kUsers), fmt.Sprint(use.EnterpriseUserID))
		if err == nil {
			err = proto.Unmarshal(e.Data, &u)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		keys, kerr := store.GetPublicKeys(c.ctx, db, use.EnterpriseID, use.EnterpriseUserID)
		if kerr != nil && !errors.Is(kerr, store.ErrNotFound) {
			return nil, kerr
		}
		if u.Status != "active" || keys == nil {
			r.ErrorCode, r.Message = "no_public_key", "the user has not accepted the invitation and has no keys yet"
			continue
		}
		r.PublicKey, r.PublicEccKey = keys.RSA, keys.ECC
		if acct, err := store.LoadAccount(c.ctx, db, strings.ToLower(u.Username)); err == nil {
			r.AccountUid = acct.AccountUID
		}
	}
	return rs, nil
}

// roleTeams serves enterprise/role_team_add (add) and role_team_remove:
// RoleTeams links. Teams are never members of a role that manages nodes
// (Commander refuses it client-side too, enterprise.py enterprise-team).
func (s *Server) roleTeams(add bool) func(c *call) (proto.Message, error) {
	return func(c *call) (proto.Message, error) {
		var rq enterprisepb.RoleTeams
		if err := unmarshal(c, &rq); err != nil {
			return nil, err
		}
		if len(rq.RoleTeam) == 0 {
			return nil, fail(http.StatusBadRequest, "bad_request", "role_team is required")
		}
		return s.enterpriseTx(c, func(j *jsonCall) error {
			for _, rt := range rq.RoleTeam {
				if err := j.roleTeam(add, rt); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

func (j *jsonCall) roleTeam(add bool, rt *enterprisepb.RoleTeam) error {
	r, _, err := j.role(rt.RoleId)
	if err != nil {
		return err
	}
	t, uid, err := j.team(rt.TeamUid)
	if err != nil {
		return err
	}
	ident := fmt.Sprintf("%d:%s", r.RoleId, uid)
	if !add {
		ok, err := j.del(kRoleTeams, ident)
		if err == nil && !ok {
			err = cmdFail("role_team_not_found", "team %s is not in role %d", t.Name, r.RoleId)
		}
		return err
	}
	admin, err := j.isAdminRole(r.RoleId)
	if err != nil {
		return err
	}
	if admin {
		return cmdFail("role_is_admin", "role %d manages nodes: teams cannot be added to an administrative role", r.RoleId)
	}
	if j.exists(kRoleTeams, ident) {
		return cmdFail("already_exists", "team %s is already in role %d", t.Name, r.RoleId)
	}
	return j.put(kRoleTeams, ident, "", &enterprisepb.RoleTeam{RoleId: r.RoleId, TeamUid: t.TeamUid})
}
