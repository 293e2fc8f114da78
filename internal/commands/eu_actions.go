package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// The changes to existing users (Commander's EnterpriseUserCommand in
// keepercommander/commands/enterprise.py): everything is resolved and
// confirmed first, then the JSON commands go in one execute batch, then
// --disable-2fa's REST call.

func (o *euOptions) report() *euReport { return &euReport{status: o.Status, errw: o.Env.Err} }

// deleteUsers deletes users after a confirmation (a terminal question, or
// -f; refused without either).
func (o *euOptions) deleteUsers(ctx context.Context, users []*enterprise.User) (euOutcome, error) {
	prompt := "Deleting a user also deletes the records the user owns and shares. Lock the account and transfer " +
		"important records first; this cannot be undone.\nDelete " + usernames(users) + "?"
	ok, err := confirmDestructive(ctx, o.Confirm, o.Force, euName, prompt)
	if err != nil || !ok {
		if err == nil {
			fmt.Fprintln(o.Env.Err, "Nothing was deleted")
		}
		return euOutcome{}, err
	}
	rep := o.report()
	var steps []euStep
	for _, u := range users {
		steps = append(steps, euStep{cmd: enterprise.UserDelete{EnterpriseUserID: u.EnterpriseUserId},
			ok: u.Username + " user deleted", fail: u.Username + " failed to delete user"})
	}
	err = runSteps(ctx, o.Writer, rep, steps)
	return rep.euOutcome, err
}

// euPlan is what change resolved before anything is sent.
type euPlan struct {
	addRoles, removeRoles []*enterprise.Role
	addTeams, removeTeams []*enterprise.Team
	nodeID                int64
	grant                 map[int64]bool // admin roles whose grant was confirmed
	expire                bool           // --expire confirmed
	keys                  map[string]userKeys
}

// change applies every action but --add, --delete and the aliases to the
// users; with @all, --unlock applies to every locked user and --extend to
// every user whose transfer consent has expired.
func (o *euOptions) change(ctx context.Context, e *enterprise.Enterprise, users []*enterprise.User, all bool) (euOutcome, error) {
	rep := o.report()
	p, err := o.plan(ctx, e, users)
	if err != nil {
		return euOutcome{}, err
	}
	unlock, extend := users, users
	if all {
		unlock, extend = withAll(users, e, o.lockedUser), withAll(users, e, o.expiredConsent)
		if o.Unlock && len(unlock) == 0 {
			rep.note("%s: no user is locked", euAll)
		}
		if o.Extend && len(extend) == 0 {
			rep.note("%s: no user's vault transfer consent has expired", euAll)
		}
	}
	var steps []euStep
	if o.Lock || o.Unlock {
		targets, verb, lock := users, "lock", "locked"
		if o.Unlock {
			targets, verb, lock = unlock, "unlock", "unlocked"
		}
		for _, u := range targets {
			if u.Status != "active" {
				rep.failure(errNotActive, "%s has not accepted the invitation yet: cannot %s", u.Username, verb)
				continue
			}
			steps = append(steps, euStep{cmd: enterprise.UserLock{EnterpriseUserID: u.EnterpriseUserId, Lock: lock},
				ok: u.Username + " is " + lock, fail: u.Username + " failed to " + verb + " user"})
		}
	}
	if p.expire {
		for _, u := range users {
			steps = append(steps, euStep{cmd: enterprise.ExpirePassword{Email: u.Username},
				ok: u.Username + " password expired", fail: u.Username + " failed to expire password"})
		}
	}
	if o.Extend {
		for _, u := range extend {
			steps = append(steps, euStep{cmd: enterprise.ExtendShareExpiration{EnterpriseUserID: u.EnterpriseUserId},
				ok:   u.Username + " vault transfer consent expiration extended by 7 days",
				fail: u.Username + " failed to extend vault transfer consent expiration"})
		}
	}
	steps = append(steps, o.roleSteps(e, users, p, rep)...)
	steps = append(steps, o.teamSteps(e, users, p, rep)...)
	if o.updating() {
		for _, u := range users {
			s, err := o.updateStep(e, u, p.nodeID)
			if err != nil {
				return rep.euOutcome, err
			}
			steps = append(steps, s)
		}
	}
	if err := runSteps(ctx, o.Writer, rep, steps); err != nil {
		return rep.euOutcome, err
	}
	if o.TFA {
		if err := o.disable2FA(ctx, users, rep); err != nil {
			return rep.euOutcome, err
		}
	}
	return rep.euOutcome, nil
}

// plan resolves roles, teams and the node, asks the confirmations and
// fetches the public keys the batch needs, so that a name that does not
// resolve, a refusal or an unreachable key service stops the call before
// anything is changed.
func (o *euOptions) plan(ctx context.Context, e *enterprise.Enterprise, users []*enterprise.User) (*euPlan, error) {
	p := &euPlan{grant: map[int64]bool{}}
	var err error
	if p.addRoles, err = resolveRoles(e, o.AddRoles); err != nil {
		return nil, err
	}
	if p.removeRoles, err = resolveRoles(e, o.RemoveRoles); err != nil {
		return nil, err
	}
	for _, a := range p.addRoles {
		for _, r := range p.removeRoles {
			if a.RoleId == r.RoleId {
				return nil, o.usage("role %q is both added and removed", a.Name)
			}
		}
	}
	if p.addTeams, err = resolveTeams(e, o.AddTeams); err != nil {
		return nil, err
	}
	if p.removeTeams, err = resolveTeams(e, o.RemoveTeams); err != nil {
		return nil, err
	}
	for _, a := range p.addTeams {
		for _, r := range p.removeTeams {
			if a.UID == r.UID {
				return nil, o.usage("team %q is both added and removed", a.Name)
			}
		}
	}
	if o.Node != "" {
		n, err := e.Node(o.Node)
		if err != nil {
			return nil, err
		}
		p.nodeID = n.NodeId
	}
	if o.Expire {
		prompt := "The users will have to create a new Master Password at their next login.\nExpire the master password of " +
			usernames(users) + "?"
		if p.expire, err = confirmDestructive(ctx, o.Confirm, o.Force, euName, prompt); err != nil {
			return nil, err
		}
		if !p.expire {
			fmt.Fprintln(o.Env.Err, "--expire skipped")
		}
	}
	var need []string
	for _, r := range p.addRoles {
		if !isAdminRole(e, r.RoleId) {
			continue
		}
		var grantees []*enterprise.User
		for _, u := range users {
			if !inRole(e, r.RoleId, u.EnterpriseUserId) {
				grantees = append(grantees, u)
			}
		}
		if len(grantees) == 0 {
			continue
		}
		prompt := fmt.Sprintf("Role '%s' is an administrative role. Grant its administrative privileges to %s?", r.Name, usernames(grantees))
		ok, err := confirmDestructive(ctx, o.Confirm, o.Force, euName, prompt)
		if err != nil {
			return nil, err
		}
		if !ok {
			fmt.Fprintf(o.Env.Err, "--add-role '%s' skipped\n", r.Name)
			continue
		}
		p.grant[r.RoleId] = true
		for _, u := range grantees {
			need = append(need, u.Username)
		}
	}
	for _, u := range users {
		for _, t := range p.addTeams {
			if u.Status == "active" && !inTeam(e, t, u.EnterpriseUserId) {
				need = append(need, u.Username)
				break
			}
		}
	}
	if p.keys, err = publicKeys(ctx, o.Rest, need); err != nil {
		return nil, err
	}
	return p, nil
}

// roleSteps removes, then adds, role memberships. Adding to an
// administrative role (one that manages nodes) carries the tree key
// encrypted to the user's public key.
func (o *euOptions) roleSteps(e *enterprise.Enterprise, users []*enterprise.User, p *euPlan, rep *euReport) []euStep {
	var steps []euStep
	for _, r := range p.removeRoles {
		for _, u := range users {
			if !inRole(e, r.RoleId, u.EnterpriseUserId) {
				rep.note("%s is not in role '%s'", u.Username, r.Name)
				continue
			}
			steps = append(steps, euStep{cmd: enterprise.RoleUserRemove{RoleID: r.RoleId, EnterpriseUserID: u.EnterpriseUserId},
				ok:   fmt.Sprintf("%s removed from role '%s'", u.Username, r.Name),
				fail: fmt.Sprintf("%s failed to remove from role '%s'", u.Username, r.Name)})
		}
	}
	for _, r := range p.addRoles {
		admin := isAdminRole(e, r.RoleId)
		if admin && !p.grant[r.RoleId] {
			continue
		}
		for _, u := range users {
			if inRole(e, r.RoleId, u.EnterpriseUserId) {
				rep.note("%s is already in role '%s'", u.Username, r.Name)
				continue
			}
			cmd := enterprise.RoleUserAdd{RoleID: r.RoleId, EnterpriseUserID: u.EnterpriseUserId}
			if admin {
				var err error
				cmd.TreeKey, cmd.TreeKeyType, err = encryptTo(e.TreeKey, p.keys[strings.ToLower(u.Username)])
				if err != nil {
					rep.failure(err, "%s cannot be added to administrative role '%s': %v", u.Username, r.Name, err)
					continue
				}
			}
			steps = append(steps, euStep{cmd: cmd,
				ok:   fmt.Sprintf("%s added to role '%s'", u.Username, r.Name),
				fail: fmt.Sprintf("%s failed to add to role '%s'", u.Username, r.Name)})
		}
	}
	return steps
}

// teamSteps removes, then adds, team memberships. An active user gets the
// team key encrypted to the user's public key; a user still invited is
// queued for the team instead.
func (o *euOptions) teamSteps(e *enterprise.Enterprise, users []*enterprise.User, p *euPlan, rep *euReport) []euStep {
	var steps []euStep
	for _, t := range p.removeTeams {
		for _, u := range users {
			if !inTeam(e, t, u.EnterpriseUserId) && !queuedFor(e, t.UID, u.EnterpriseUserId) {
				rep.note("%s is not in team '%s'", u.Username, t.Name)
				continue
			}
			steps = append(steps, euStep{cmd: enterprise.TeamUserRemove{TeamUID: t.UID, EnterpriseUserID: u.EnterpriseUserId},
				ok:   fmt.Sprintf("%s removed from team '%s'", u.Username, t.Name),
				fail: fmt.Sprintf("%s failed to remove from team '%s'", u.Username, t.Name)})
		}
	}
	userType := 0
	if o.HideSharedFolders == "on" {
		userType = 2
	}
	for _, t := range p.addTeams {
		var key []byte
		var keyErr error
		for _, u := range users {
			ok := fmt.Sprintf("%s added to team '%s'", u.Username, t.Name)
			fail := fmt.Sprintf("%s failed to add to team '%s'", u.Username, t.Name)
			switch {
			case u.Status != "active" && queuedFor(e, t.UID, u.EnterpriseUserId):
				rep.note("%s is already queued for team '%s'", u.Username, t.Name)
			case u.Status != "active":
				steps = append(steps, euStep{cmd: enterprise.TeamQueueUser{TeamUID: t.UID, EnterpriseUserID: u.EnterpriseUserId},
					ok: ok + " (queued until the invitation is accepted)", fail: fail})
			case inTeam(e, t, u.EnterpriseUserId) && o.HideSharedFolders == "":
				rep.note("%s is already in team '%s'", u.Username, t.Name)
			case inTeam(e, t, u.EnterpriseUserId):
				steps = append(steps, euStep{cmd: enterprise.TeamUserUpdate{TeamUID: t.UID, EnterpriseUserID: u.EnterpriseUserId, UserType: userType},
					ok:   fmt.Sprintf("%s in team '%s': shared folders %s", u.Username, t.Name, map[int]string{0: "shown", 2: "hidden"}[userType]),
					fail: fmt.Sprintf("%s failed to update in team '%s'", u.Username, t.Name)})
			default:
				if key == nil && keyErr == nil {
					key, keyErr = teamKey(e, t)
				}
				if keyErr != nil {
					rep.failure(keyErr, "%s: %v", fail, keyErr)
					continue
				}
				enc, typ, err := encryptTo(key, p.keys[strings.ToLower(u.Username)])
				if err != nil {
					rep.failure(err, "%s: %v", fail, err)
					continue
				}
				steps = append(steps, euStep{cmd: enterprise.TeamUserAdd{TeamUID: t.UID, EnterpriseUserID: u.EnterpriseUserId,
					UserType: userType, TeamKey: enc, TeamKeyType: typ}, ok: ok, fail: fail})
			}
		}
	}
	return steps
}

// updateStep is enterprise_user_update for --name, --job-title and --node:
// the display name is re-encrypted under the tree key when --name is given
// or the stored one is plaintext (key type no_key), else sent back as
// stored.
func (o *euOptions) updateStep(e *enterprise.Enterprise, u *enterprise.User, nodeID int64) (euStep, error) {
	cmd := enterprise.UserUpdate{EnterpriseUserID: u.EnterpriseUserId, NodeID: u.NodeId, EncryptedData: u.EncryptedData,
		Username: u.Username, JobTitle: o.JobTitle, FullName: o.Name}
	if nodeID != 0 {
		cmd.NodeID = nodeID
	}
	if o.Name != "" || strings.EqualFold(u.KeyType, "no_key") {
		name := o.Name
		if name == "" {
			name = u.Name
		}
		data, err := enterprise.EncryptData(e.TreeKey, name)
		if err != nil {
			return euStep{}, err
		}
		cmd.EncryptedData, cmd.KeyType = data, "encrypted_by_data_key"
	}
	return euStep{cmd: cmd, ok: u.Username + " user updated", fail: u.Username + " failed to update user"}, nil
}

// disable2FA resets two-factor authentication of the active users with one
// REST enterprise/disable_two_fa call, then syncs.
func (o *euOptions) disable2FA(ctx context.Context, users []*enterprise.User, rep *euReport) error {
	rq := &pb.EnterpriseUserIds{}
	var names []string
	for _, u := range users {
		if u.Status != "active" {
			rep.failure(errNotActive, "%s has not accepted the invitation yet: cannot disable 2FA", u.Username)
			continue
		}
		rq.EnterpriseUserId = append(rq.EnterpriseUserId, u.EnterpriseUserId)
		names = append(names, u.Username)
	}
	if len(names) == 0 {
		return nil
	}
	if err := o.Rest.Call(ctx, "enterprise/disable_two_fa", rq, nil); err != nil {
		for range names {
			rep.fail(err)
		}
		fmt.Fprintf(o.Env.Err, "failed to disable 2FA for %s: %v\n", strings.Join(names, ", "), err)
		return nil
	}
	for range names {
		rep.ok()
	}
	o.Status("2FA successfully removed for %s", strings.Join(names, ", "))
	return o.Rest.Refresh(ctx)
}

// alias adds (or makes primary) or deletes an email alias of one user with
// REST calls, then syncs.
func (o *euOptions) alias(ctx context.Context, e *enterprise.Enterprise, u *enterprise.User) error {
	if o.DeleteAlias != "" {
		rq := &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: u.EnterpriseUserId, Alias: o.DeleteAlias}
		if err := o.Rest.Call(ctx, "enterprise/enterprise_user_delete_alias", rq, nil); err != nil {
			return fmt.Errorf("failed to delete alias %q from user %q: %w", o.DeleteAlias, u.Username, err)
		}
		o.Status("Alias \"%s\" deleted from user \"%s\"", o.DeleteAlias, u.Username)
		return o.Rest.Refresh(ctx)
	}
	alias := strings.ToLower(o.AddAlias)
	if owner, err := e.User(alias); err == nil && owner.EnterpriseUserId != u.EnterpriseUserId {
		return fmt.Errorf("%s: %q already belongs to %s", euName, alias, owner.Username)
	}
	has := false
	for _, a := range e.UserAliases {
		has = has || (a.EnterpriseUserId == u.EnterpriseUserId && strings.EqualFold(a.Username, alias))
	}
	var err error
	if has {
		err = o.Rest.Call(ctx, "enterprise/enterprise_user_set_primary_alias",
			&authpb.EnterpriseUserAliasRequest{EnterpriseUserId: u.EnterpriseUserId, Alias: alias}, nil)
	} else {
		err = o.Rest.Call(ctx, "enterprise/enterprise_user_add_alias",
			&authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: u.EnterpriseUserId, Alias: alias, Primary: true}, nil)
	}
	if err != nil {
		return fmt.Errorf("failed to add alias %q for user %q: %w", alias, u.Username, err)
	}
	o.Status("Added alias \"%s\" for user \"%s\"", alias, u.Username)
	return o.Rest.Refresh(ctx)
}

// lockedUser is @all's filter for --unlock: users locked by an admin (lock
// 1; 2 is a lock by the identity provider).
func (o *euOptions) lockedUser(u *enterprise.User) bool { return u.Lock == 1 }

// expiredConsent is @all's filter for --extend: a vault transfer consent
// that has expired.
func (o *euOptions) expiredConsent(u *enterprise.User) bool {
	exp := u.AccountShareExpiration
	return exp > 0 && exp < o.now().UnixMilli()
}

// withAll adds to users every user of the enterprise that match selects,
// in username order.
func withAll(users []*enterprise.User, e *enterprise.Enterprise, match func(*enterprise.User) bool) []*enterprise.User {
	out := append([]*enterprise.User(nil), users...)
	seen := map[int64]bool{}
	for _, u := range users {
		seen[u.EnterpriseUserId] = true
	}
	for _, u := range sortedUsers(e) {
		if !seen[u.EnterpriseUserId] && match(u) {
			out = append(out, u)
		}
	}
	return out
}

func sortedUsers(e *enterprise.Enterprise) []*enterprise.User {
	out := make([]*enterprise.User, 0, len(e.Users))
	for _, u := range e.Users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Username) < strings.ToLower(out[j].Username) })
	return out
}

func resolveRoles(e *enterprise.Enterprise, names []string) ([]*enterprise.Role, error) {
	var out []*enterprise.Role
	seen := map[int64]bool{}
	for _, n := range names {
		r, err := e.Role(n)
		if err != nil {
			return nil, err
		}
		if !seen[r.RoleId] {
			seen[r.RoleId] = true
			out = append(out, r)
		}
	}
	return out, nil
}

func resolveTeams(e *enterprise.Enterprise, names []string) ([]*enterprise.Team, error) {
	var out []*enterprise.Team
	seen := map[string]bool{}
	for _, n := range names {
		t, err := e.Team(n)
		if err != nil {
			return nil, err
		}
		if !seen[t.UID] {
			seen[t.UID] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// isAdminRole reports a role that manages nodes.
func isAdminRole(e *enterprise.Enterprise, roleID int64) bool {
	for _, mn := range e.ManagedNodes {
		if mn.RoleId == roleID {
			return true
		}
	}
	return false
}

func inRole(e *enterprise.Enterprise, roleID, userID int64) bool {
	for _, ru := range e.RoleUsers {
		if ru.RoleId == roleID && ru.EnterpriseUserId == userID {
			return true
		}
	}
	return false
}

func inTeam(e *enterprise.Enterprise, t *enterprise.Team, userID int64) bool {
	for _, tu := range e.TeamUsers {
		if tu.EnterpriseUserId == userID && crypto.Base64URLEncode(tu.TeamUid) == t.UID {
			return true
		}
	}
	return false
}

func queuedFor(e *enterprise.Enterprise, teamUID string, userID int64) bool {
	for _, id := range e.QueuedUsers(teamUID) {
		if id == userID {
			return true
		}
	}
	return false
}

func usernames(users []*enterprise.User) string {
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Username
	}
	return strings.Join(names, ", ")
}
