package server

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// jsonHandler runs one JSON command inside a write transaction at revision
// rev of the session's enterprise and returns the extra reply fields.
type jsonHandler func(j *jsonCall, cmd map[string]any) (map[string]any, error)

// jsonCall is the context of a JSON command.
type jsonCall struct {
	*call
	// srv's store must not be written to from a handler: the store has one
	// writer connection and tx holds it. Read through tx as well.
	srv *Server
	tx  *sql.Tx
	eid int32 // the session's enterprise (enterprise commands only)
	rev int64 // its new revision (enterprise commands only)
}

// cmdError is a JSON command failure: {"result":"fail","result_code":...}.
type cmdError struct{ code, msg string }

func (e *cmdError) Error() string { return e.code + ": " + e.msg }

func cmdFail(code, format string, args ...any) error {
	return &cmdError{code: code, msg: fmt.Sprintf(format, args...)}
}

func (s *Server) jsonCommands() {
	s.routes["vault/execute_v2_command"] = handler{fn: s.executeV2}
	s.json["enterprise_allocate_ids"] = allocateIDs
	s.json["node_add"] = nodeAdd
	s.json["node_update"] = nodeUpdate
	s.json["node_delete"] = nodeDelete
	s.json["role_add"] = roleAdd
	s.json["role_delete"] = roleDelete
	s.json["team_add"] = teamAdd
	s.json["team_delete"] = teamDelete
	s.json["enterprise_user_add"] = userAdd
	s.json["enterprise_user_update"] = userUpdate
	s.json["enterprise_user_delete"] = userDelete
	s.json["enterprise_user_lock"] = userLock
	s.json["resend_enterprise_invite"] = resendInvite
	s.json["set_master_password_expire"] = expirePassword
	s.json["extend_account_share_expiration"] = extendShareExpiration
	s.json["role_update"] = roleUpdate
	s.json["role_user_add"] = roleUserAdd
	s.json["role_user_remove"] = roleUserRemove
	s.json["role_managed_node_add"] = managedNodeAdd
	s.json["role_managed_node_update"] = managedNodeUpdate
	s.json["role_managed_node_remove"] = managedNodeRemove
	s.json["team_update"] = teamUpdate
	s.json["team_enterprise_user_add"] = teamUserAdd
	s.json["team_queue_user"] = teamQueueUser
	s.json["team_enterprise_user_remove"] = teamUserRemove
	s.json["team_enterprise_user_update"] = teamUserUpdate
	s.userRoutes()
	s.accountJSON["change_master_password"] = changeMasterPassword
	s.accountJSON["folder_add"] = folderAdd
}

func (s *Server) executeV2(c *call) (proto.Message, error) {
	var cmd map[string]any
	if err := json.Unmarshal(c.rq.Payload, &cmd); err != nil {
		return nil, fail(http.StatusBadRequest, "bad_request", "the command is not a JSON object")
	}
	name := str(cmd, "command")
	token, err := crypto.Base64URLDecode(str(cmd, "session_token"))
	if err != nil || len(token) == 0 {
		return c.jsonResult(map[string]any{"result": "fail", "result_code": "session_token", "message": "session_token is required", "command": name})
	}
	if err := s.authenticate(c, token); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return c.jsonResult(map[string]any{"result": "fail", "result_code": ae.body.Error, "message": ae.body.Message, "command": name})
		}
		return nil, err
	}
	if name == "execute" {
		reqs, _ := cmd["requests"].([]any)
		results := make([]map[string]any, 0, len(reqs))
		each := make([]string, 0, len(reqs))
		for _, r := range reqs {
			sub, _ := r.(map[string]any)
			res := s.runJSON(c, sub)
			results = append(results, res)
			each = append(each, c.out.command(res))
		}
		c.out.cmds = append(c.out.cmds, "execute["+strings.Join(each, " ")+"]")
		return jsonReply(map[string]any{"result": "success", "results": results})
	}
	return c.jsonResult(s.runJSON(c, cmd))
}

// jsonResult answers one JSON command and records its outcome for the log.
func (c *call) jsonResult(reply map[string]any) (proto.Message, error) {
	c.out.cmds = append(c.out.cmds, c.out.command(reply))
	return jsonReply(reply)
}

func (s *Server) runJSON(c *call, cmd map[string]any) map[string]any {
	name := str(cmd, "command")
	if restricted(c.sess) && !passwordCommands[name] {
		return map[string]any{"result": "fail", "result_code": errMustChangePassword.body.Error,
			"message": errMustChangePassword.body.Message, "command": name}
	}
	var out map[string]any
	if h, ok := s.accountJSON[name]; ok {
		// An account command acts on the caller's own account or vault: any
		// account may run it, and it does not touch enterprise data.
		err := s.st.Tx(c.ctx, func(tx *sql.Tx) error {
			var err error
			out, err = h(&jsonCall{call: c, srv: s, tx: tx}, cmd)
			return err
		})
		return c.jsonOutcome(name, out, err)
	}
	h, ok := s.json[name]
	if !ok {
		return map[string]any{"result": "fail", "result_code": "unknown_command",
			"message": fmt.Sprintf("command %q is not supported by keeper-sandbox", name), "command": name}
	}
	// Reads through the store's pool happen before the write transaction;
	// inside it, handlers read and write through tx only.
	acct, err := s.st.GetAccount(c.ctx, c.sess.Username)
	if err == nil && !acct.IsAdmin {
		err = cmdFail("access_denied", "enterprise administrators only")
	}
	if err == nil {
		err = s.st.Tx(c.ctx, func(tx *sql.Tx) error {
			rev, err := store.BumpRev(c.ctx, tx, c.sess.EnterpriseID)
			if err != nil {
				return err
			}
			out, err = h(&jsonCall{call: c, srv: s, tx: tx, eid: c.sess.EnterpriseID, rev: rev}, cmd)
			return err
		})
	}
	return c.jsonOutcome(name, out, err)
}

// jsonOutcome turns a JSON command's reply fields or error into its result.
func (c *call) jsonOutcome(name string, out map[string]any, err error) map[string]any {
	var ce *cmdError
	switch {
	case errors.As(err, &ce):
		return map[string]any{"result": "fail", "result_code": ce.code, "message": ce.msg, "command": name}
	case err != nil:
		c.out.detail = clean(name) + ": " + err.Error()
		return map[string]any{"result": "fail", "result_code": "internal_error", "message": "internal server error", "command": name}
	}
	if out == nil {
		out = map[string]any{}
	}
	out["result"], out["result_code"], out["command"] = "success", "", name
	return out
}

func jsonReply(v map[string]any) (proto.Message, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return rawReply{b: b}, nil
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

// num reads an integer field sent as a JSON number or numeric string.
func num(m map[string]any, k string) (int64, bool) {
	switch v := m[k].(type) {
	case float64:
		return int64(v), v == float64(int64(v))
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	}
	return 0, false
}

func flag(m map[string]any, k string) bool {
	switch v := m[k].(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "1"
	}
	return false
}

// need returns the integer field k or a command failure naming it.
func need(m map[string]any, k string) (int64, error) {
	n, ok := num(m, k)
	if !ok {
		return 0, cmdFail("missing_field", "%s is required", k)
	}
	return n, nil
}

func (j *jsonCall) put(kind enterprisepb.EnterpriseDataEntity, ident, name string, m proto.Message) error {
	data, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return store.PutEntity(j.ctx, j.tx, j.eid, j.rev, store.Entity{Kind: int32(kind), Ident: ident, Name: strings.ToLower(name), Data: data})
}

func (j *jsonCall) exists(kind enterprisepb.EnterpriseDataEntity, ident string) bool {
	_, err := store.GetEntity(j.ctx, j.tx, j.eid, int32(kind), ident)
	return err == nil
}

func (j *jsonCall) del(kind enterprisepb.EnterpriseDataEntity, ident string) (bool, error) {
	return store.DeleteEntity(j.ctx, j.tx, j.eid, j.rev, int32(kind), ident)
}

// ownID checks that an id belongs to the session's enterprise.
func (j *jsonCall) ownID(id int64, field string) error {
	if int32(id>>32) != j.eid || id&0xFFFFFFFF == 0 {
		return cmdFail("bad_inputs_"+field, "%s %d does not belong to this enterprise", field, id)
	}
	return nil
}

// newID reads an id field the client allocated and checks it belongs to the
// session's enterprise.
func (j *jsonCall) newID(cmd map[string]any, field string) (int64, error) {
	id, err := need(cmd, field)
	if err != nil {
		return 0, err
	}
	return id, j.ownID(id, field)
}
