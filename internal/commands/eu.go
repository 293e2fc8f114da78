package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// enterprise-user (eu): invite, change and show enterprise users, after
// Commander's keepercommander/commands/enterprise.py EnterpriseUserCommand.
// This file holds the options, the checks made before any server call and
// the dispatch; eu_add.go is the invitation path, eu_file.go the --file
// mode, eu_actions.go the changes to existing users, eu_keys.go the key
// handling and eu_view.go the detail view.

const euName = "enterprise-user"

// euAll is the pseudo-user "every user the action applies to".
const euAll = "@all"

type euOptions struct {
	base
	Writer  enterpriseWriter
	Rest    restCaller
	Status  func(string, ...any)
	Confirm confirmer
	// Now is the clock (@all --extend picks expired consents); nil is time.Now.
	Now func() time.Time

	Force, Verbose        bool
	Add, Invite, Delete   bool
	Lock, Unlock          bool
	Expire, Extend, TFA   bool
	Name, JobTitle, Node  string
	AddRoles, RemoveRoles []string
	AddTeams, RemoveTeams []string
	HideSharedFolders     string
	AddAlias, DeleteAlias string
	Format                string
	// File lists the users (--file; "-" is standard input); Resend re-sends
	// pending invitations of --add --file; Output is --output.
	File, Output string
	Resend       bool
}

func newEnterpriseUserCmd(f *Factory, runF func(context.Context, *euOptions) error) *command.Command {
	return &command.Command{
		Name: euName, Aliases: []string{"eu"}, Group: GroupEnterprise,
		// No Needs: the input is checked first; loading the enterprise logs in
		// and refuses non-administrators.
		Summary: "Manage an enterprise user",
		Args:    "[EMAIL...]",
		Long: "EMAIL is a user's email, alias or enterprise user id. Without an action, shows the users. " +
			"--add checks every address before contacting the server and invites the new ones (an invited user " +
			"gets the invitation again). Changes are sent in one batch; the command exits non-zero if any of them failed. " +
			"@all stands for every locked user with --unlock and every expired transfer consent with --extend.\n\n" +
			"--file FILE (- for standard input) takes the users from a file instead, one per line as email[,name[,node]] " +
			"(CSV quoting; a header line, blank lines and lines starting with # are skipped); every line is checked before " +
			"anything is sent. With --add the result is one row per line (email, status, user_id, message; --format " +
			"table, csv or json, --output) with status invited, already invited, re-invited, already active or failed, " +
			"and the exit code is 0 only if no line failed. Running the same file again invites nobody twice: users " +
			"already invited are reported as such, and get the invitation again only with --resend. With the other " +
			"actions only the email column is used.",
		LegacyShort: map[string]string{"-hsf": "--hide-shared-folders"},
		Completions: map[string]command.CompletionKind{"": command.CompleteUser, "node": command.CompleteNode,
			"add-role": command.CompleteRole, "remove-role": command.CompleteRole,
			"add-team": command.CompleteTeam, "remove-team": command.CompleteTeam},
		Examples: []string{
			`eu john.smith@example.com --add --node Chicago --name "John Smith"`,
			"eu anna@example.com",
			"eu anna@example.com --format json",
			"eu anna@example.com --add-role Staff --add-team Helpdesk -hsf on",
			"eu @all --unlock",
			"eu ben@example.com --delete -f",
			"eu --add --file users.txt",
			"eu --add --file users.txt --format csv --output invited.csv",
			"eu --file users.txt --add-team Helpdesk",
		},
		JSON: euUserJSON{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &euOptions{Writer: f.Session, Rest: f.Session, Status: f.status(), Confirm: f.Confirm}
			fs.BoolVarP(&o.Force, "force", "f", false, "do not ask for confirmation (needed without a terminal)")
			fs.BoolVarP(&o.Verbose, "verbose", "v", false, "show ids in the detail view")
			fs.BoolVar(&o.Add, "add", false, "invite the users (same as --invite)")
			fs.BoolVar(&o.Invite, "invite", false, "invite the users")
			fs.BoolVar(&o.Delete, "delete", false, "delete the users")
			fs.BoolVar(&o.Lock, "lock", false, "lock the users")
			fs.BoolVar(&o.Unlock, "unlock", false, "unlock the users (@all: every locked user)")
			fs.BoolVar(&o.Expire, "expire", false, "expire the master password")
			fs.BoolVar(&o.Extend, "extend", false, "extend the vault transfer consent by 7 days (@all: every expired consent)")
			fs.BoolVar(&o.TFA, "disable-2fa", false, "disable two-factor authentication")
			fs.StringVar(&o.Name, "name", "", "display `NAME`")
			fs.StringVar(&o.JobTitle, "job-title", "", "job `TITLE`")
			fs.StringVar(&o.Node, "node", "", "`NODE` (name, id or path) to invite into or move to")
			fs.StringArrayVar(&o.AddRoles, "add-role", nil, "add to `ROLE` (name or id; repeatable)")
			fs.StringArrayVar(&o.RemoveRoles, "remove-role", nil, "remove from `ROLE` (name or id; repeatable)")
			fs.StringArrayVar(&o.AddTeams, "add-team", nil, "add to `TEAM` (name or uid; repeatable)")
			fs.StringArrayVar(&o.RemoveTeams, "remove-team", nil, "remove from `TEAM` (name or uid; repeatable)")
			fs.StringVar(&o.HideSharedFolders, "hide-shared-folders", "", "with --add-team: `on|off` hides or shows the team's shared folders; -hsf also works")
			fs.StringVar(&o.AddAlias, "add-alias", "", "add an email `ALIAS` (one user only)")
			fs.StringVar(&o.DeleteAlias, "delete-alias", "", "delete an email `ALIAS` (one user only)")
			fs.StringVar(&o.Format, "format", "table", "output `FORMAT`: table or json for the detail view; table, csv or json for the rows of --add --file")
			fs.StringVar(&o.File, "file", "", "take the users from `FILE` (email[,name[,node]] per line; - is standard input)")
			fs.BoolVar(&o.Resend, "resend", false, "with --add --file: send the invitation again to users still invited")
			fs.StringVar(&o.Output, "output", "", "with --add --file: write the rows to `FILE` instead of stdout")
			return runner(o, runF, enterpriseUserRun)
		},
	}
}

func (o *euOptions) usage(format string, args ...any) error {
	return command.Usagef(euName, format, args...)
}

func (o *euOptions) inviting() bool { return o.Add || o.Invite }

func (o *euOptions) updating() bool { return o.Name != "" || o.JobTitle != "" || o.Node != "" }

func (o *euOptions) aliasing() bool { return o.AddAlias != "" || o.DeleteAlias != "" }

// bulk reports --add --file: the mode with one result row per line.
func (o *euOptions) bulk() bool { return o.File != "" && o.inviting() }

// changes names the actions given other than --add and --delete, in the
// order of the flags.
func (o *euOptions) changes() []string {
	var out []string
	add := func(on bool, name string) {
		if on {
			out = append(out, name)
		}
	}
	add(o.Lock, "--lock")
	add(o.Unlock, "--unlock")
	add(o.Expire, "--expire")
	add(o.Extend, "--extend")
	add(o.TFA, "--disable-2fa")
	add(len(o.AddRoles) > 0, "--add-role")
	add(len(o.RemoveRoles) > 0, "--remove-role")
	add(len(o.AddTeams) > 0, "--add-team")
	add(len(o.RemoveTeams) > 0, "--remove-team")
	add(o.AddAlias != "", "--add-alias")
	add(o.DeleteAlias != "", "--delete-alias")
	return out
}

func (o *euOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// validate refuses every bad combination before any server call.
func (o *euOptions) validate() error {
	format := strings.ToLower(strings.TrimSpace(o.Format))
	if format != "table" && format != "json" && format != "csv" {
		return o.usage("--format must be table, csv or json, not %q", o.Format)
	}
	o.Format = format
	changes := o.changes()
	action := o.inviting() || o.Delete || len(changes) > 0 || o.updating()
	switch {
	case o.File == "" && len(o.Args) == 0:
		return o.usage("expected EMAIL... or --file FILE")
	case o.File != "" && len(o.Args) > 0:
		return o.usage("give EMAIL... or --file FILE, not both")
	case o.File != "" && !action:
		return o.usage("--file needs an action (--add, --lock, --add-team, --delete, ...)")
	case o.File != "" && o.aliasing():
		return o.usage("--add-alias and --delete-alias apply to a single user, not to --file")
	case o.bulk() && o.Name != "":
		return o.usage("--name applies to EMAIL arguments; with --file put the names in the file")
	case o.Resend && !o.bulk():
		return o.usage("--resend applies to --add --file (--add with EMAIL arguments always re-sends)")
	case o.Output != "" && !o.bulk():
		return o.usage("--output applies to --add --file only")
	case o.Format == "csv" && !o.bulk():
		return o.usage("--format csv applies to --add --file only")
	case o.inviting() && o.Delete:
		return o.usage("--add and --delete are mutually exclusive")
	case o.Lock && o.Unlock:
		return o.usage("--lock and --unlock are mutually exclusive")
	case o.inviting() && len(changes) > 0:
		return o.usage("--add takes only --name, --node and --job-title, not %s", changes[0])
	case o.Delete && (len(changes) > 0 || o.updating()):
		return o.usage("--delete cannot be combined with other changes")
	case o.AddAlias != "" && o.DeleteAlias != "":
		return o.usage("--add-alias and --delete-alias are mutually exclusive")
	case o.aliasing() && (len(changes) > 1 || o.updating()):
		return o.usage("--add-alias and --delete-alias cannot be combined with other changes")
	case o.aliasing() && len(o.Args) != 1:
		return o.usage("an alias can be added to or deleted from a single user only")
	case o.HideSharedFolders != "" && len(o.AddTeams) == 0:
		return o.usage("--hide-shared-folders applies to --add-team only")
	case o.Format == "json" && action && !o.bulk():
		return o.usage("--format applies to the detail view and to --add --file only")
	case len([]rune(o.Name)) > maxEnterpriseName:
		return o.usage("--name is %d characters; the maximum is %d", len([]rune(o.Name)), maxEnterpriseName)
	}
	if o.HideSharedFolders != "" {
		switch v := strings.ToLower(o.HideSharedFolders); v {
		case "on", "off":
			o.HideSharedFolders = v
		default:
			return o.usage("--hide-shared-folders takes on or off, not %q", o.HideSharedFolders)
		}
	}
	if o.AddAlias != "" && !validEmail(o.AddAlias) {
		return o.usage("--add-alias: %q is not a valid email address", o.AddAlias)
	}
	allOK := (o.Unlock || o.Extend) && !o.inviting() && !o.Delete && !o.updating() && len(changes) == boolCount(o.Unlock, o.Extend)
	for _, a := range o.Args {
		if strings.EqualFold(a, euAll) && !allOK {
			return o.usage("%s can be used only with --unlock and --extend", euAll)
		}
	}
	if o.inviting() {
		return checkInvitees(o.invitees())
	}
	return nil
}

// maxEnterpriseName is the longest display name Commander lets through
// (helpers/enterprise.py MAX_ENTERPRISE_NAME_LENGTH).
const maxEnterpriseName = 255

func boolCount(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func enterpriseUserRun(ctx context.Context, o *euOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	var lines []userLine
	if o.File != "" {
		var err error
		if lines, err = o.readFile(); err != nil {
			return err
		}
	}
	e, err := o.Writer.Enterprise(ctx, false)
	if err != nil {
		return err
	}
	if o.bulk() {
		return o.inviteFile(ctx, e, lines)
	}
	if o.inviting() {
		return o.finish(inviteUsers(ctx, o.inviteEnv(), e, o.invitees()))
	}
	var users []*enterprise.User
	all := false
	if o.File != "" {
		users, err = o.fileUsers(e, lines)
	} else {
		users, all, err = o.resolveUsers(e)
	}
	if err != nil {
		return err
	}
	switch {
	case o.aliasing():
		return o.alias(ctx, e, users[0])
	case o.Delete:
		return o.finish(o.deleteUsers(ctx, users))
	case len(o.changes()) > 0 || o.updating():
		return o.finish(o.change(ctx, e, users, all))
	}
	return o.view(e, users)
}

// resolveUsers finds every named user (id, email or alias); one that does
// not resolve fails the command before anything is changed. all reports
// whether @all was given.
func (o *euOptions) resolveUsers(e *enterprise.Enterprise) (users []*enterprise.User, all bool, err error) {
	seen := map[int64]bool{}
	for _, a := range o.Args {
		if strings.EqualFold(a, euAll) {
			all = true
			continue
		}
		u, err := e.User(a)
		if err != nil {
			return nil, false, err
		}
		if !seen[u.EnterpriseUserId] {
			seen[u.EnterpriseUserId] = true
			users = append(users, u)
		}
	}
	return users, all, nil
}

// finish turns the outcome of a batch into the command's error: nil when
// everything succeeded, else a failure summary that unwraps to the first
// cause (a server refusal keeps its exit code).
func (o *euOptions) finish(out euOutcome, err error) error {
	if err != nil {
		return err
	}
	if out.failed == 0 {
		return nil
	}
	return &euFailure{failed: out.failed, total: out.total, first: out.first}
}

// euOutcome counts the per-user results of a call.
type euOutcome struct {
	total, failed int
	first         error
}

func (r *euOutcome) ok() { r.total++ }

func (r *euOutcome) fail(err error) {
	r.total++
	r.failed++
	if r.first == nil {
		r.first = err
	}
}

// euFailure is a call in which some per-user changes failed; each was
// reported on its own line already.
type euFailure struct {
	failed, total int
	first         error
}

func (e *euFailure) Error() string {
	return fmt.Sprintf("%s: %d of %d changes failed", euName, e.failed, e.total)
}

// Unwrap returns the first failure.
func (e *euFailure) Unwrap() error { return e.first }

var errNotActive = errors.New("the user has not accepted the invitation yet")
