package server

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// userRoutes are the REST (protobuf) calls of enterprise user and role
// administration (Commander enterprise.py: enterprise-user, enterprise-role).
func (s *Server) userRoutes() {
	s.routes["enterprise/disable_two_fa"] = handler{auth: true, fn: s.disableTwoFA}
	s.routes["enterprise/enterprise_user_add_alias"] = handler{auth: true, fn: s.addAlias}
	s.routes["enterprise/enterprise_user_set_primary_alias"] = handler{auth: true, fn: s.setPrimaryAlias}
	s.routes["enterprise/enterprise_user_delete_alias"] = handler{auth: true, fn: s.deleteAlias}
	s.routes["enterprise/role_team_add"] = handler{auth: true, fn: s.roleTeams(true)}
	s.routes["enterprise/role_team_remove"] = handler{auth: true, fn: s.roleTeams(false)}
	s.routes["vault/get_public_keys"] = handler{auth: true, fn: s.publicKeys}
}

// enterpriseTx runs an administrator's REST change of the session's
// enterprise like a JSON command: one write transaction at a new revision.
// A command failure answers Keeper's JSON error body with status 400.
func (s *Server) enterpriseTx(c *call, fn func(j *jsonCall) error) (proto.Message, error) {
	if _, err := s.admin(c); err != nil {
		return nil, err
	}
	err := s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		rev, err := store.BumpRev(c.ctx, tx, c.sess.EnterpriseID)
		if err != nil {
			return err
		}
		return fn(&jsonCall{call: c, srv: s, tx: tx, eid: c.sess.EnterpriseID, rev: rev})
	})
	var ce *cmdError
	if errors.As(err, &ce) {
		return nil, fail(http.StatusBadRequest, ce.code, ce.msg)
	}
	return nil, err
}

// disableTwoFA is enterprise/disable_two_fa: two-factor authentication off
// for active users (Commander enterprise-user --disable-2fa).
func (s *Server) disableTwoFA(c *call) (proto.Message, error) {
	var rq enterprisepb.EnterpriseUserIds
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if len(rq.EnterpriseUserId) == 0 {
		return nil, fail(http.StatusBadRequest, "bad_request", "enterpriseUserId is required")
	}
	return s.enterpriseTx(c, func(j *jsonCall) error {
		for _, id := range rq.EnterpriseUserId {
			u, err := j.user(id)
			if err != nil {
				return err
			}
			if u.Status != "active" {
				return notActive(u)
			}
			u.TfaEnabled = false
			if err := j.putUser(u); err != nil {
				return err
			}
		}
		return nil
	})
}

// aliasOf returns the enterprise user a stored UserAlias belongs to.
func aliasOf(data []byte) int64 {
	var a enterprisepb.UserAlias
	_ = proto.Unmarshal(data, &a)
	return a.EnterpriseUserId
}

// putAlias stores an alias (identity: the lower-case email).
func (j *jsonCall) putAlias(userID int64, alias string) error {
	return j.put(kAliases, alias, alias, &enterprisepb.UserAlias{EnterpriseUserId: userID, Username: alias})
}

// hasAlias reports whether alias is a live alias of the user.
func (j *jsonCall) hasAlias(userID int64, alias string) (bool, error) {
	var a enterprisepb.UserAlias
	_, ok, err := j.load(kAliases, alias, &a)
	return ok && a.EnterpriseUserId == userID, err
}

// makePrimary makes an alias the user's username; the old username stays
// an alias. A login account of the user moves to the new name with its
// sessions and devices.
func (j *jsonCall) makePrimary(u *enterprisepb.User, alias string) error {
	old := strings.ToLower(u.Username)
	if _, err := j.del(kAliases, alias); err != nil { // none for a new alias
		return err
	}
	if err := j.putAlias(u.EnterpriseUserId, old); err != nil {
		return err
	}
	u.Username = alias
	if err := j.putUser(u); err != nil {
		return err
	}
	acct, err := store.LoadAccount(j.ctx, j.tx, old)
	if errors.Is(err, store.ErrNotFound) || (err == nil && acct.EnterpriseID != j.eid) {
		return nil
	}
	if err != nil {
		return err
	}
	return store.RenameAccount(j.ctx, j.tx, old, alias)
}

// addAlias is enterprise/enterprise_user_add_alias. An alias is an email
// like a username: unused anywhere on the server. With primary it becomes
// the user's username (Commander enterprise-user --add-alias sends primary).
func (s *Server) addAlias(c *call) (proto.Message, error) {
	var rq authpb.EnterpriseUserAddAliasRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	return s.enterpriseTx(c, func(j *jsonCall) error {
		u, err := j.user(rq.EnterpriseUserId)
		if err != nil {
			return err
		}
		alias, err := checkEmail(rq.Alias, "alias")
		if err != nil {
			return err
		}
		if err := j.emailFree(alias); err != nil {
			return err
		}
		if rq.Primary {
			return j.makePrimary(u, alias)
		}
		return j.putAlias(u.EnterpriseUserId, alias)
	})
}

// setPrimaryAlias is enterprise/enterprise_user_set_primary_alias: one of
// the user's aliases becomes the username.
func (s *Server) setPrimaryAlias(c *call) (proto.Message, error) {
	var rq authpb.EnterpriseUserAliasRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	return s.enterpriseTx(c, func(j *jsonCall) error {
		u, err := j.user(rq.EnterpriseUserId)
		if err != nil {
			return err
		}
		alias := strings.ToLower(strings.TrimSpace(rq.Alias))
		if ok, err := j.hasAlias(u.EnterpriseUserId, alias); err != nil || !ok {
			if err == nil {
				err = cmdFail("alias_not_found", "%q is not an alias of %s", rq.Alias, u.Username)
			}
			return err
		}
		return j.makePrimary(u, alias)
	})
}

// deleteAlias is enterprise/enterprise_user_delete_alias. The username
// itself cannot be deleted this way.
func (s *Server) deleteAlias(c *call) (proto.Message, error) {
	var rq authpb.EnterpriseUserAddAliasRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	return s.enterpriseTx(c, func(j *jsonCall) error {
		u, err := j.user(rq.EnterpriseUserId)
		if err != nil {
			return err
		}
		alias := strings.ToLower(strings.TrimSpace(rq.Alias))
		if alias == strings.ToLower(u.Username) {
			return cmdFail("cannot_delete_primary", "%s is the user's username, not an alias", alias)
		}
		if ok, err := j.hasAlias(u.EnterpriseUserId, alias); err != nil || !ok {
			if err == nil {
				err = cmdFail("alias_not_found", "%q is not an alias of %s", rq.Alias, u.Username)
			}
			return err
		}
		_, err = j.del(kAliases, alias)
		return err
	})
}
