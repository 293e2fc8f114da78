package commands

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/report"
	"github.com/keeper-go/keeper/internal/session"
)

// enterprise-team follows Commander's commands/enterprise.py
// EnterpriseTeamCommand: --add (team_add with client-made uid, team key and
// key pairs), --delete (team_delete), --name/--node/--restrict-* on existing
// teams (team_update), -au/-ru (team_queue_user for users who have not
// joined yet, team_enterprise_user_remove); without an action it shows the
// teams.

// accountKeys reaches the logged-in account: team_add encrypts the new team
// key with the account's data key, and makes an RSA pair only when the
// account does not forbid RSA keys (Commander's params.data_key and
// params.forbid_rsa).
type accountKeys interface {
	LiveSession(ctx context.Context) (*auth.Session, error)
}

var _ accountKeys = (*session.Manager)(nil)

type enterpriseTeamOptions struct {
	base
	Writer                                    enterpriseWriter
	Account                                   accountKeys
	Status                                    func(string, ...any)
	Confirm                                   confirmer
	Add, Delete, Force                        bool
	Node, Name                                string
	RestrictEdit, RestrictShare, RestrictView onOff
	AddUsers, RemoveUsers                     []string
	Report                                    report.Options
}

func newEnterpriseTeamCmd(f *Factory, runF func(context.Context, *enterpriseTeamOptions) error) *command.Command {
	return &command.Command{
		Name: "enterprise-team", Aliases: []string{"et"}, Group: GroupEnterprise,
		// No Needs: the input is checked first; loading the enterprise logs in
		// and refuses non-administrators.
		Summary: "Manage enterprise teams",
		Args:    "TEAM...",
		Long: "TEAM is a team name (case-insensitive) or uid; queued teams count too. --add creates teams in --node " +
			"(default the root); existing names are skipped. --name, --node and --restrict-* change existing teams; " +
			"-au/-ru change their users. Without an action the teams are shown.",
		LegacyShort: map[string]string{"-au": "--add-user", "-ru": "--remove-user"},
		Completions: map[string]command.CompletionKind{"": command.CompleteTeam, "node": command.CompleteNode,
			"add-user": command.CompleteUser, "remove-user": command.CompleteUser},
		Examples: []string{"et --add Helpdesk --node Europe --restrict-share on", "et Helpdesk --name 'Service Desk'",
			"et Helpdesk --restrict-edit off", "et Helpdesk -au ben@example.com", "et --delete Helpdesk -f", "et Helpdesk --format json"},
		JSON: etTeamJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &enterpriseTeamOptions{Writer: f.Session, Account: f.Session, Status: f.status(), Confirm: f.Confirm}
			fs.BoolVar(&o.Add, "add", false, "create the teams")
			fs.StringVar(&o.Node, "node", "", "`NODE` of new teams; on existing teams, move them there")
			fs.StringVar(&o.Name, "name", "", "rename the team to `NAME`")
			fs.Var(&o.RestrictEdit, "restrict-edit", "members cannot edit records (`on|off`)")
			fs.Var(&o.RestrictShare, "restrict-share", "members cannot share records (`on|off`)")
			fs.Var(&o.RestrictView, "restrict-view", "members cannot view passwords (`on|off`)")
			fs.BoolVar(&o.Delete, "delete", false, "delete the teams")
			fs.StringArrayVar(&o.AddUsers, "add-user", nil, "add the user `EMAIL` to the teams (-au; repeatable)")
			fs.StringArrayVar(&o.RemoveUsers, "remove-user", nil, "remove the user `EMAIL` from the teams (-ru; repeatable)")
			fs.BoolVarP(&o.Force, "force", "f", false, "do not ask for confirmation")
			o.Report.AddFlags(fs)
			return runner(o, runF, enterpriseTeamRun)
		},
	}
}

// etTeamJSON is one team in enterprise-team --format json.
type etTeamJSON struct {
	TeamUID       string   `json:"team_uid"`
	Name          string   `json:"name"`
	NodeID        int64    `json:"node_id"`
	Node          string   `json:"node"`
	Queued        bool     `json:"queued"`
	RestrictEdit  bool     `json:"restrict_edit"`
	RestrictShare bool     `json:"restrict_share"`
	RestrictView  bool     `json:"restrict_view"`
	Users         []string `json:"users"`
	Roles         []string `json:"roles"`
}

const etCmd = "enterprise-team"

func (o *enterpriseTeamOptions) restricts() bool {
	return o.RestrictEdit.set || o.RestrictShare.set || o.RestrictView.set
}

func (o *enterpriseTeamOptions) validate() error {
	members := len(o.AddUsers)+len(o.RemoveUsers) > 0
	switch {
	case o.Add && o.Delete:
		return command.Usagef(etCmd, "--add and --delete are mutually exclusive")
	case o.Add && o.Name != "":
		return command.Usagef(etCmd, "--name renames an existing team; with --add the TEAM arguments are the new names")
	case o.Add && members:
		return command.Usagef(etCmd, "-au/-ru change existing teams; run them after --add")
	case o.Delete && (o.Name != "" || o.restricts() || members):
		return command.Usagef(etCmd, "--delete cannot be combined with other changes")
	case members && (o.Name != "" || o.restricts()):
		return command.Usagef(etCmd, "change users (-au/-ru) and --name/--restrict-* in separate commands")
	case o.Name != "" && len(o.Args) > 1:
		return command.Usagef(etCmd, "--name renames one team at a time")
	}
	if err := checkNames(etCmd, "team", o.Args...); err != nil {
		return err
	}
	if o.Name != "" {
		if err := checkNames(etCmd, "team", o.Name); err != nil {
			return err
		}
	}
	return o.Report.Validate()
}

// teamRef is a team or a queued team (a team requested but not approved).
type teamRef struct {
	UID    string
	RawUID []byte
	Name   string
	NodeID int64
	Team   *enterprise.Team // nil for a queued team
}

func (t *teamRef) queued() bool { return t.Team == nil }

// findTeam resolves a team by uid or name (case-insensitive) among teams
// and queued teams; when several share the name, the one in node wins.
func findTeam(e *enterprise.Enterprise, name string, node *enterprise.Node) (*teamRef, error) {
	ref := func(t *enterprise.Team) *teamRef {
		return &teamRef{UID: t.UID, RawUID: t.TeamUid, Name: t.Name, NodeID: t.NodeId, Team: t}
	}
	if t, ok := e.Teams[name]; ok {
		return ref(t), nil
	}
	var found []*teamRef
	for _, t := range e.Teams {
		if strings.EqualFold(t.Name, name) {
			found = append(found, ref(t))
		}
	}
	for uid, q := range e.QueuedTeams {
		if uid == name || strings.EqualFold(q.Name, name) {
			found = append(found, &teamRef{UID: uid, RawUID: q.TeamUid, Name: q.Name, NodeID: q.NodeId})
		}
	}
	if len(found) > 1 && node != nil {
		var in []*teamRef
		for _, t := range found {
			if t.NodeID == node.NodeId {
				in = append(in, t)
			}
		}
		if len(in) == 1 {
			return in[0], nil
		}
	}
	switch len(found) {
	case 0:
		return nil, &enterprise.NotFoundError{What: "team", Name: name}
	case 1:
		return found[0], nil
	}
	amb := &enterprise.AmbiguousError{What: "team", Name: name}
	for _, t := range found {
		amb.Candidates = append(amb.Candidates, fmt.Sprintf("%s (%s)", t.Name, t.UID))
	}
	sort.Strings(amb.Candidates)
	return nil, amb
}

func enterpriseTeamRun(ctx context.Context, o *enterpriseTeamOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	e, err := o.Writer.Enterprise(ctx, false)
	if err != nil {
		return err
	}
	var node *enterprise.Node
	if o.Node != "" {
		if node, err = e.Node(o.Node); err != nil {
			return fmt.Errorf("%s: %w", etCmd, err)
		}
	}
	out := newOutcome(etCmd, o.Status, o.Env.Err)
	if o.Add {
		return teamAdd(ctx, o, e, node, out)
	}
	teams, err := resolveAll(etCmd, o.Env.Err, o.Args, func(name string) (*teamRef, error) { return findTeam(e, name, node) },
		func(t *teamRef) string { return t.UID })
	if err != nil {
		return err
	}
	switch {
	case o.Delete:
		return teamDelete(ctx, o, teams, out)
	case len(o.AddUsers)+len(o.RemoveUsers) > 0:
		return teamMembers(ctx, o, e, teams, out)
	case o.Name != "" || o.restricts() || node != nil:
		return teamUpdate(ctx, o, e, teams, node, out)
	}
	return teamView(o, e, teams)
}

// teamAdd creates the teams not there yet in --node or the root.
func teamAdd(ctx context.Context, o *enterpriseTeamOptions, e *enterprise.Enterprise, node *enterprise.Node, out *outcome) error {
	if node == nil {
		if node = e.Root(); node == nil {
			return fmt.Errorf("%s: the enterprise has no root node; give --node", etCmd)
		}
	}
	s, err := o.Account.LiveSession(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", etCmd, err)
	}
	if s == nil || len(s.DataKey) == 0 {
		return fmt.Errorf("%s: not logged in", etCmd)
	}
	var changes []change
	seen := map[string]bool{}
	for _, name := range o.Args {
		var amb *enterprise.AmbiguousError
		if _, err := findTeam(e, name, nil); err == nil || errors.As(err, &amb) {
			out.skip("Team '%s' already exists: Skipping", name)
			continue
		}
		key := strings.ToLower(name)
		if seen[key] {
			continue
		}
		seen[key] = true
		add, err := newTeam(name, node.NodeId, o.RestrictEdit.on, o.RestrictShare.on, o.RestrictView.on,
			s.DataKey, e.TreeKey, s.Summary.ForbidRSA)
		if err != nil {
			return fmt.Errorf("%s: %w", etCmd, err)
		}
		changes = append(changes, change{cmd: add,
			ok:     fmt.Sprintf("'%s' team is created with Team ID: %s", name, add.TeamUID),
			failed: fmt.Sprintf("'%s' team is not created", name)})
	}
	if _, err := out.send(ctx, o.Writer, changes); err != nil {
		return err
	}
	return out.err()
}

// newTeam builds team_add as Commander's EnterpriseTeamCommand does: a new
// uid and a new 32-byte team key, kept as AES-v1 under the admin's data key
// (team_key) and AES-v2 under the tree key (encrypted_team_key); a P-256
// pair whose scalar is AES-v2 under the team key; and, unless the account
// forbids RSA, an RSA pair whose PKCS#1 private key is AES-v1 under the
// team key. Keys are base64url.
func newTeam(name string, nodeID int64, edit, share, view bool, dataKey, treeKey []byte, forbidRSA bool) (enterprise.TeamAdd, error) {
	teamKey := crypto.GenerateAESKey()
	byData, err := crypto.EncryptAESv1(teamKey, dataKey)
	if err != nil {
		return enterprise.TeamAdd{}, fmt.Errorf("team key: %w", err)
	}
	byTree, err := crypto.EncryptAESv2(teamKey, treeKey)
	if err != nil {
		return enterprise.TeamAdd{}, fmt.Errorf("team key: %w", err)
	}
	ec, err := crypto.GenerateECKey()
	if err != nil {
		return enterprise.TeamAdd{}, err
	}
	ecPriv, err := crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(ec), teamKey)
	if err != nil {
		return enterprise.TeamAdd{}, err
	}
	add := enterprise.TeamAdd{TeamUID: crypto.GenerateUID(), TeamName: name, RestrictEdit: edit, RestrictShare: share, RestrictView: view,
		NodeID: nodeID, TeamKey: crypto.Base64URLEncode(byData), EncryptedTeamKey: crypto.Base64URLEncode(byTree), ManageOnly: true,
		ECCPublicKey: crypto.Base64URLEncode(crypto.ECPublicKeyBytes(ec.PublicKey())), ECCPrivateKey: crypto.Base64URLEncode(ecPriv)}
	if !forbidRSA {
		rk, err := crypto.GenerateRSAKey()
		if err != nil {
			return enterprise.TeamAdd{}, err
		}
		rsaPriv, err := crypto.EncryptAESv1(crypto.RSAPrivateKeyBytes(rk), teamKey)
		if err != nil {
			return enterprise.TeamAdd{}, err
		}
		add.PublicKey, add.PrivateKey = crypto.Base64URLEncode(crypto.RSAPublicKeyBytes(&rk.PublicKey)), crypto.Base64URLEncode(rsaPriv)
	}
	return add, nil
}

// teamDelete deletes the teams (queued ones too) after confirmation.
func teamDelete(ctx context.Context, o *enterpriseTeamOptions, teams []*teamRef, out *outcome) error {
	items := make([]deletion, len(teams))
	for i, t := range teams {
		items[i] = deletion{label: t.Name, name: t.Name, cmd: enterprise.TeamDelete{TeamUID: t.UID}}
	}
	return deleteAll(ctx, o.Writer, o.Confirm, o.Force, etCmd, "team", items, out)
}

// teamUpdate renames, moves or changes the restrictions of existing teams
// with team_update, which carries every field: unchanged ones are sent as
// they are.
func teamUpdate(ctx context.Context, o *enterpriseTeamOptions, e *enterprise.Enterprise, teams []*teamRef, node *enterprise.Node, out *outcome) error {
	var changes []change
	for _, t := range teams {
		if t.queued() {
			out.fail("Team '%s' is queued (not approved yet) and cannot be changed", t.Name)
			continue
		}
		upd := enterprise.TeamUpdate{TeamUID: t.UID, TeamName: t.Name, NodeID: t.NodeID,
			RestrictEdit: o.RestrictEdit.or(t.Team.RestrictEdit), RestrictShare: o.RestrictShare.or(t.Team.RestrictShare),
			RestrictView: o.RestrictView.or(t.Team.RestrictView)}
		if o.Name != "" {
			upd.TeamName = o.Name
		}
		if node != nil {
			upd.NodeID = node.NodeId
		}
		if upd.TeamName == t.Name && upd.NodeID == t.NodeID && upd.RestrictEdit == t.Team.RestrictEdit &&
			upd.RestrictShare == t.Team.RestrictShare && upd.RestrictView == t.Team.RestrictView {
			out.skip("Team '%s' already has these settings: Skipping", t.Name)
			continue
		}
		changes = append(changes, change{cmd: upd,
			ok: fmt.Sprintf("'%s' team is updated", t.Name), failed: fmt.Sprintf("'%s' team is not updated", t.Name)})
	}
	if _, err := out.send(ctx, o.Writer, changes); err != nil {
		return err
	}
	return out.err()
}

// teamMembers adds and removes team users in one batch. Users who have not
// joined yet (and any user of a queued team) are queued with
// team_queue_user; an active user needs the team key encrypted to their
// public key, which enterprise-user --add-team does, so it is refused here.
// Removal of a user who has not joined is sent even when the user is not
// among the team's members: queued memberships are not in the model.
func teamMembers(ctx context.Context, o *enterpriseTeamOptions, e *enterprise.Enterprise, teams []*teamRef, out *outcome) error {
	userKey := func(u *enterprise.User) string { return strconv.FormatInt(u.EnterpriseUserId, 10) }
	addUsers, err := resolveAll(etCmd, o.Env.Err, o.AddUsers, e.User, userKey)
	if err != nil {
		return err
	}
	removeUsers, err := resolveAll(etCmd, o.Env.Err, o.RemoveUsers, e.User, userKey)
	if err != nil {
		return err
	}
	member := map[string]bool{}
	for _, tu := range e.TeamUsers {
		member[fmt.Sprintf("%x:%d", tu.TeamUid, tu.EnterpriseUserId)] = true
	}
	var changes []change
	for _, t := range teams {
		for _, u := range removeUsers {
			if !member[fmt.Sprintf("%x:%d", t.RawUID, u.EnterpriseUserId)] && u.Status == "active" {
				out.skip("User %s is not a member of team '%s': Skipping", u.Username, t.Name)
				continue
			}
			changes = append(changes, change{cmd: enterprise.TeamUserRemove{TeamUID: t.UID, EnterpriseUserID: u.EnterpriseUserId},
				ok:     fmt.Sprintf("'%s' team: user %s removed", t.Name, u.Username),
				failed: fmt.Sprintf("'%s' team: user %s not removed", t.Name, u.Username)})
		}
		for _, u := range addUsers {
			switch {
			case member[fmt.Sprintf("%x:%d", t.RawUID, u.EnterpriseUserId)]:
				out.skip("User %s is already a member of team '%s': Skipping", u.Username, t.Name)
				continue
			case u.Status == "active" && !t.queued():
				out.fail("User %s not added to team '%s': an active user gets the team key encrypted to their public key; "+
					"use enterprise-user %s --add-team '%s'", u.Username, t.Name, u.Username, t.Name)
				continue
			}
			changes = append(changes, change{cmd: enterprise.TeamQueueUser{TeamUID: t.UID, EnterpriseUserID: u.EnterpriseUserId},
				ok:     fmt.Sprintf("'%s' team: user %s queued (added when they join)", t.Name, u.Username),
				failed: fmt.Sprintf("'%s' team: user %s not queued", t.Name, u.Username)})
		}
	}
	if _, err := out.send(ctx, o.Writer, changes); err != nil {
		return err
	}
	return out.err()
}

// teamView shows the teams: node, restrictions, users and roles.
func teamView(o *enterpriseTeamOptions, e *enterprise.Enterprise, teams []*teamRef) error {
	ix := newIndex(e)
	r := report.Report{Headers: []string{"team_uid", "name", "node", "queued", "restrict_edit", "restrict_share", "restrict_view", "users", "roles"},
		TitleFunc: report.CapitalizeWords}
	var js []etTeamJSON
	for _, t := range teams {
		j := etTeamJSON{TeamUID: t.UID, Name: t.Name, NodeID: t.NodeID, Node: e.NodePath(t.NodeID), Queued: t.queued(),
			Users: nonNil(sorted(ix.teamUsers[t.UID])), Roles: nonNil(sorted(ix.teamRoles[t.UID]))}
		if !t.queued() {
			j.RestrictEdit, j.RestrictShare, j.RestrictView = t.Team.RestrictEdit, t.Team.RestrictShare, t.Team.RestrictView
		}
		r.Rows = append(r.Rows, []any{j.TeamUID, j.Name, j.Node, j.Queued, j.RestrictEdit, j.RestrictShare, j.RestrictView, j.Users, j.Roles})
		js = append(js, j)
	}
	r.JSON = js
	return report.Render(o.Env.Out, o.Env.Err, r, o.Report)
}
