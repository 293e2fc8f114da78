package server

import (
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// freshID checks that a new entity id came from enterprise_allocate_ids
// for this enterprise and was never used, not even by an entity deleted
// since: Keeper hands every id out once.
func (j *jsonCall) freshID(id int64, field string) error {
	if err := j.ownID(id, field); err != nil {
		return err
	}
	ok, err := store.IDAllocated(j.ctx, j.tx, j.eid, id)
	if err != nil {
		return err
	}
	if !ok {
		return cmdFail("bad_inputs_"+field, "%s %d was not allocated by enterprise_allocate_ids", field, id)
	}
	used, err := store.IDUsed(j.ctx, j.tx, j.eid, id)
	if err != nil {
		return err
	}
	if used {
		return cmdFail("bad_inputs_"+field, "%s %d has already been used", field, id)
	}
	return nil
}

// userAdd is enterprise_user_add: an invitation. The id must be freshly
// allocated, the node the caller's, the email valid and unused on the whole
// server, and the licence must have a free seat. The user is created
// invited, unlocked, with the encrypted_data echoed verbatim (Commander
// enterprise.py, enterprise-user --add); the invitation mail goes to the
// outbox unless suppress_email_invite is set.
func userAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	id, err := need(cmd, "enterprise_user_id")
	if err != nil {
		return nil, err
	}
	if err := j.freshID(id, "enterprise_user_id"); err != nil {
		return nil, err
	}
	node, err := need(cmd, "node_id")
	if err != nil {
		return nil, err
	}
	if err := j.ownNode(node, "node_id"); err != nil {
		return nil, err
	}
	email, err := checkEmail(str(cmd, "enterprise_user_username"), "enterprise_user_username")
	if err != nil {
		return nil, err
	}
	if err := j.emailFree(email); err != nil {
		return nil, err
	}
	enc := str(cmd, "encrypted_data")
	if enc != "" {
		if err := checkEncrypted(enc); err != nil {
			return nil, err
		}
	}
	fullName, _, err := checkLength(cmd, "full_name")
	if err != nil {
		return nil, err
	}
	jobTitle, _, err := checkLength(cmd, "job_title")
	if err != nil {
		return nil, err
	}
	if err := j.checkSeats(); err != nil {
		return nil, err
	}
	u := &enterprisepb.User{EnterpriseUserId: id, NodeId: node, EncryptedData: enc, KeyType: "encrypted_by_data_key",
		Username: email, Status: "invited", FullName: fullName, JobTitle: jobTitle,
		TransferAcceptanceStatus: enterprisepb.TransferAcceptanceStatus_NOT_REQUIRED}
	if err := j.putUser(u); err != nil {
		return nil, err
	}
	if !flag(cmd, "suppress_email_invite") {
		if err := j.invite(u, false); err != nil {
			return nil, err
		}
	}
	return nil, j.syncMCUsers()
}

// userUpdate is enterprise_user_update: node, display data, job title and
// full name. The username is not changed this way (aliases do that), so
// enterprise_user_username must be the user's own.
func userUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	if name := strings.TrimSpace(str(cmd, "enterprise_user_username")); name != "" && !strings.EqualFold(name, u.Username) {
		return nil, cmdFail("bad_inputs_enterprise_user_username",
			"enterprise user %d is %s: a username changes through an alias made primary", u.EnterpriseUserId, u.Username)
	}
	if node, ok := num(cmd, "node_id"); ok {
		if err := j.ownNode(node, "node_id"); err != nil {
			return nil, err
		}
		u.NodeId = node
	}
	keyType := str(cmd, "key_type")
	if keyType == "" {
		keyType = u.KeyType
	}
	if enc, ok := cmd["encrypted_data"].(string); ok {
		if err := checkUserData(enc, keyType); err != nil {
			return nil, err
		}
		u.EncryptedData, u.KeyType = enc, keyType
	} else if keyType != u.KeyType {
		return nil, cmdFail("bad_inputs_encrypted_data", "a new key_type needs encrypted_data")
	}
	if v, ok, err := checkLength(cmd, "job_title"); err != nil {
		return nil, err
	} else if ok {
		u.JobTitle = v
	}
	if v, ok, err := checkLength(cmd, "full_name"); err != nil {
		return nil, err
	} else if ok {
		u.FullName = v
	}
	return nil, j.putUser(u)
}

// checkUserData validates a user's encrypted_data for its key type
// (Commander enterprise.py _EnterpriseUserEntity: no_key data is the plain
// display name, the others base64url ciphertext).
func checkUserData(enc, keyType string) error {
	switch keyType {
	case "encrypted_by_data_key":
		return checkEncrypted(enc)
	case "no_key":
		if len(enc) > maxNameLength {
			return cmdFail("bad_inputs_encrypted_data", "max=%d, length=%d, value=encrypted_data", maxNameLength, len(enc))
		}
		return nil
	case "encrypted_by_data_key_gcm", "encrypted_by_public_key", "encrypted_by_public_key_ecc":
		b, err := crypto.Base64URLDecode(enc)
		if err != nil || len(b) < 28 || len(enc) > 4*maxNameLength+200 {
			return cmdFail("bad_inputs_encrypted_data", "encrypted_data must be base64url encrypted data")
		}
		return nil
	}
	return cmdFail("bad_inputs_key_type", "key_type %q is not a key type", keyType)
}

// userDelete is enterprise_user_delete. The user's team and role links,
// queued team memberships and aliases are deleted with it and sent as
// deletes in the sync (Commander does not cascade aliases or queued
// memberships itself, enterprise.py _EnterpriseLoader).
func userDelete(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	id := u.EnterpriseUserId
	if _, err := j.del(kUsers, fmt.Sprint(id)); err != nil {
		return nil, err
	}
	suffix := fmt.Sprintf(":%d", id)
	bySuffix := func(ident string, _ []byte) bool { return strings.HasSuffix(ident, suffix) }
	for _, kind := range []enterprisepb.EnterpriseDataEntity{kTeamUsers, kRoleUsers, kQueuedUsers} {
		if err := j.deleteWhere(kind, bySuffix); err != nil {
			return nil, err
		}
	}
	if err := j.deleteWhere(kAliases, func(_ string, data []byte) bool { return aliasOf(data) == id }); err != nil {
		return nil, err
	}
	if err := store.DeleteMemberKeys(j.ctx, j.tx, j.eid, "", id); err != nil {
		return nil, err
	}
	return nil, j.syncMCUsers()
}
