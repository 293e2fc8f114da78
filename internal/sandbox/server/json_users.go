package server

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func userAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := j.newID(cmd, "enterprise_user_id")
	if err != nil {
		return nil, err
	}
	node, err := need(cmd, "node_id")
	if err != nil {
		return nil, err
	}
	if err := j.nodeExists(node); err != nil {
		return nil, err
	}
	email := strings.TrimSpace(str(cmd, "enterprise_user_username"))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > maxNameLength {
		return nil, cmdFail("bad_inputs_enterprise_user_username", "%q is not a valid email address", email)
	}
	if j.exists(enterprisepb.EnterpriseDataEntity_USERS, fmt.Sprint(id)) {
		return nil, cmdFail("already_exists", "enterprise user id %d is already in use", id)
	}
	if rows, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(enterprisepb.EnterpriseDataEntity_USERS), strings.ToLower(email)); err != nil {
		return nil, err
	} else if len(rows) > 0 {
		return nil, cmdFail("already_exists", "user %s is already in the enterprise", email)
	}
	if acct, err := store.LoadAccount(j.ctx, j.tx, strings.ToLower(email)); err == nil && acct.EnterpriseID != j.eid {
		return nil, cmdFail("exists", "%s already has a Keeper account outside this enterprise", email)
	}
	enc := str(cmd, "encrypted_data")
	if enc != "" {
		if err := checkEncrypted(enc); err != nil {
			return nil, err
		}
	}
	u := &enterprisepb.User{EnterpriseUserId: id, NodeId: node, EncryptedData: enc, KeyType: "encrypted_by_data_key",
		Username: email, Status: "invited", FullName: str(cmd, "full_name"), JobTitle: str(cmd, "job_title"),
		TransferAcceptanceStatus: enterprisepb.TransferAcceptanceStatus_NOT_REQUIRED}
	if err := j.put(enterprisepb.EnterpriseDataEntity_USERS, fmt.Sprint(id), email, u); err != nil {
		return nil, err
	}
	return nil, nil
}

func userDelete(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := need(cmd, "enterprise_user_id")
	if err != nil {
		return nil, err
	}
	ok, err := j.del(enterprisepb.EnterpriseDataEntity_USERS, fmt.Sprint(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cmdFail("user_not_found", "enterprise user %d does not exist", id)
	}
	return nil, nil
}
