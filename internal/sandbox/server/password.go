package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// A provisioned account must change the generated master password before it
// can use its vault. Keeper signals that at login with LOGGED_IN and
// sessionTokenType ACCOUNT_RECOVERY: Commander then loads the account
// summary, asks authentication/get_domain_password_rules for the rules and
// sends the JSON command change_master_password
// (keepercommander/loginv3.py post_login_processing, change_master_password).
// The restricted session serves only those steps (and logout, keep-alive);
// a successful change lifts the restriction.

// DefaultMinIterations is Keeper's minimum PBKDF2 iteration count for a new
// auth verifier or encryption params (Commander constants.PBKDF2_ITERATIONS).
const DefaultMinIterations = 1_000_000

// defaultMinPasswordLength is the sandbox's master password rule when the
// enterprise's roles set no master_password_minimum_length.
const defaultMinPasswordLength = 8

var errMustChangePassword = &apiError{status: http.StatusForbidden, body: envelopeBody("access_denied",
	"the master password has expired: change it (JSON command change_master_password) before using this session", "")}

// passwordCommands are the JSON commands a restricted session may run.
var passwordCommands = map[string]bool{"change_master_password": true}

// restricted reports whether a session may only change the master password.
func restricted(sess *store.Session) bool {
	return sess != nil && sess.TokenType == int32(authpb.SessionTokenType_ACCOUNT_RECOVERY)
}

func (s *Server) passwordRoutes() {
	s.routes["authentication/get_domain_password_rules"] = handler{fn: s.domainPasswordRules}
}

// sessionType is the restriction of a new session of acct.
func (s *Server) sessionType(c *call, acct *store.Account) (authpb.SessionTokenType, error) {
	flags, err := store.LoadAccountFlags(c.ctx, s.st.DB(), acct.Username)
	if err != nil {
		return 0, err
	}
	if flags.MustChangePassword {
		return authpb.SessionTokenType_ACCOUNT_RECOVERY, nil
	}
	return authpb.SessionTokenType_NO_RESTRICTION, nil
}

// domainPasswordRules answers the master password rules for a username: the
// minimum PBKDF2 iterations and one length rule, the strictest
// master_password_minimum_length among the roles of the enterprise the
// account (or the reserved domain of the email) belongs to. Commander checks
// the rules itself; the server only ever sees the verifier.
func (s *Server) domainPasswordRules(c *call) (proto.Message, error) {
	var rq enterprisepb.DomainPasswordRulesRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	username := strings.ToLower(strings.TrimSpace(rq.Username))
	rs := &authpb.NewUserMinimumParams{MinimumIterations: int32(s.opts.MinIterations)}
	var eid int32
	if _, domain, ok := strings.Cut(username, "@"); ok {
		if id, err := store.DomainOwner(c.ctx, s.st.DB(), domain); err == nil {
			eid, rs.IsEnterpriseDomain = id, true
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if acct, err := s.st.GetAccount(c.ctx, username); err == nil {
		eid = acct.EnterpriseID
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	minLen := defaultMinPasswordLength
	if eid != 0 {
		ent, err := store.GetEnterprise(c.ctx, s.st.DB(), eid)
		if err != nil {
			return nil, err
		}
		rs.EnterpriseEccPublicKey = ent.ECCPublic
		if rs.ForbidKeyType2, err = store.ForbidsRSA(c.ctx, s.st.DB(), eid); err != nil {
			return nil, err
		}
		rows, err := store.FindEntities(c.ctx, s.st.DB(), eid, int32(enterprisepb.EnterpriseDataEntity_ROLE_ENFORCEMENTS), "")
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			var e enterprisepb.RoleEnforcement
			if proto.Unmarshal(r.Data, &e) != nil || e.EnforcementType != "master_password_minimum_length" {
				continue
			}
			if n, err := strconv.Atoi(e.Value); err == nil && n > minLen && n <= 100 {
				minLen = n
			}
		}
	}
	rs.PasswordMatchRegex = []string{fmt.Sprintf(".{%d,}", minLen)}
	rs.PasswordMatchDescription = []string{fmt.Sprintf("Contains at least %d characters", minLen)}
	return rs, nil
}

// changeMasterPassword is the JSON command change_master_password: a new
// auth verifier and new encryption params (the same data key under the new
// password). It clears the account's must-change flag and lifts the
// restriction of its sessions.
func changeMasterPassword(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	verifier, err := crypto.Base64URLDecode(str(cmd, "auth_verifier"))
	if err != nil {
		return nil, cmdFail("bad_inputs_auth_verifier", "auth_verifier must be base64url")
	}
	params, err := crypto.Base64URLDecode(str(cmd, "encryption_params"))
	if err != nil {
		return nil, cmdFail("bad_inputs_encryption_params", "encryption_params must be base64url")
	}
	if err := checkAuthVerifier(verifier, j.srv.opts.MinIterations); err != nil {
		return nil, cmdFail("bad_inputs_auth_verifier", "%v", err)
	}
	if err := checkEncryptionParams(params, j.srv.opts.MinIterations); err != nil {
		return nil, cmdFail("bad_inputs_encryption_params", "%v", err)
	}
	return nil, store.SetMasterPassword(j.ctx, j.tx, j.sess.Username, verifier, params)
}
