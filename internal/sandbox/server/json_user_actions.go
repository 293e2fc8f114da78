package server

import (
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Lock values of enterprisepb.User (Keeper's UserLockStatus numbering).
const (
	lockNone     = 0
	lockLocked   = 1
	lockDisabled = 2
)

// shareExtension is how far extend_account_share_expiration pushes the
// vault-transfer consent deadline (Commander enterprise.py: "extended by
// 7 days").
const shareExtension = 7 * 24 * time.Hour

func notActive(u *enterprisepb.User) error {
	return cmdFail("user_not_active", "%s has not accepted the invitation yet", u.Username)
}

// userLock is enterprise_user_lock for active users: "locked" sets lock 1
// and "unlocked" lock 0. A disabled user (lock 2) stays disabled when
// locked and is enabled only by unlocking.
func userLock(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	if u.Status != "active" {
		return nil, notActive(u)
	}
	switch str(cmd, "lock") {
	case "locked":
		if u.Lock != lockDisabled {
			u.Lock = lockLocked
		}
	case "unlocked":
		u.Lock = lockNone
	default:
		return nil, cmdFail("bad_inputs_lock", `lock must be "locked" or "unlocked"`)
	}
	if err := j.putUser(u); err != nil {
		return nil, err
	}
	return nil, j.syncMCUsers()
}

// resendInvite is resend_enterprise_invite: a new invitation mail for a
// user who has not accepted yet.
func resendInvite(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	if u.Status != "invited" {
		return nil, cmdFail("user_not_invited", "%s has already accepted the invitation", u.Username)
	}
	return nil, j.invite(u, true)
}

// expirePassword is set_master_password_expire: the active user named by
// email must choose a new master password at the next login. It is
// recorded (table password_expired); sandbox logins do not act on it yet.
func expirePassword(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	email := strings.ToLower(strings.TrimSpace(str(cmd, "email")))
	if email == "" {
		return nil, cmdFail("missing_field", "email is required")
	}
	rows, err := store.FindEntities(j.ctx, j.tx, j.eid, int32(kUsers), email)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, cmdFail("user_not_found", "%s is not a user of this enterprise", email)
	}
	var u enterprisepb.User
	if err := proto.Unmarshal(rows[0].Data, &u); err != nil {
		return nil, err
	}
	if u.Status != "active" {
		return nil, notActive(&u)
	}
	return nil, store.ExpirePassword(j.ctx, j.tx, j.eid, u.EnterpriseUserId, time.Now())
}

// extendShareExpiration is extend_account_share_expiration: the user's
// vault-transfer consent deadline (accountShareExpiration) moves to seven
// days from now.
func extendShareExpiration(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	u, err := j.userArg(cmd)
	if err != nil {
		return nil, err
	}
	u.AccountShareExpiration = time.Now().Add(shareExtension).UnixMilli()
	return nil, j.putUser(u)
}
