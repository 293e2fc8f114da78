package server

import (
	"errors"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// folderAdd is the JSON command folder_add for user folders (Commander
// keepercommander/commands/folder.py mkdir): folder_uid, key = the folder key
// AES-CBC under the data key, data = AES-CBC of {"name": ...} under the
// folder key, optional parent_uid (one of the caller's folders). Shared
// folders are not served by keeper-sandbox.
func folderAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	if ft := str(cmd, "folder_type"); ft != "user_folder" {
		return nil, cmdFail("bad_inputs_folder_type", "keeper-sandbox creates user folders only; folder_type %q is not supported", ft)
	}
	uid, err := crypto.Base64URLDecode(str(cmd, "folder_uid"))
	if err != nil || len(uid) != uidSize {
		return nil, cmdFail("bad_inputs_folder_uid", "folder_uid must be %d bytes base64url", uidSize)
	}
	key, err := crypto.Base64URLDecode(str(cmd, "key"))
	if err == nil {
		err = checkCBC(key, aesKeySize, "key")
	}
	if err != nil {
		return nil, cmdFail("bad_inputs_key", "key must be the folder key AES-CBC under the data key")
	}
	data, err := crypto.Base64URLDecode(str(cmd, "data"))
	if err == nil {
		err = checkCBC(data, -1, "data")
	}
	if err != nil || len(data) > maxRecordData {
		return nil, cmdFail("bad_inputs_data", "data must be AES-CBC under the folder key")
	}
	owner := j.sess.Username
	var parent []byte
	if p := str(cmd, "parent_uid"); p != "" {
		parent, err = crypto.Base64URLDecode(p)
		if err != nil || len(parent) != uidSize {
			return nil, cmdFail("bad_inputs_parent_uid", "parent_uid must be %d bytes base64url", uidSize)
		}
		f, err := store.GetFolder(j.ctx, j.tx, parent)
		if errors.Is(err, store.ErrNotFound) || (err == nil && f.Owner != owner) {
			return nil, cmdFail("bad_inputs_parent_uid", "parent folder %s not found in your vault", p)
		}
		if err != nil {
			return nil, err
		}
	}
	rev, err := store.BumpVaultRev(j.ctx, j.tx, owner)
	if err != nil {
		return nil, err
	}
	err = store.AddFolder(j.ctx, j.tx, &store.VaultFolder{UID: uid, Owner: owner, ParentUID: parent, Key: key,
		KeyType: int32(recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY), Data: data, Rev: rev})
	if errors.Is(err, store.ErrExists) {
		return nil, cmdFail("already_exists", "folder %s already exists", str(cmd, "folder_uid"))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"revision": rev}, nil
}
