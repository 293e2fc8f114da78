package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/progress"
	"github.com/keeper-go/keeper/internal/report"
	"github.com/keeper-go/keeper/internal/session"
)

// enterprise-user --file: the users of a file (the users.txt and
// user_emails.txt of Keeper's "Creating and Inviting Users" guide) in one
// call instead of one process per line. --add prints one row per line and
// can be run again safely: the enterprise data is the record of what was
// done, so a line already invited is reported as such and nothing is sent
// twice.

// Row statuses of enterprise-user --add --file (and statusFailed).
const (
	statusInvited        = "invited"
	statusAlreadyInvited = "already invited"
	statusReinvited      = "re-invited"
	statusAlreadyActive  = "already active"
)

// readFile reads and checks --file before any server call. --add takes
// email[,name[,node]] (--node is the node of lines without one, --job-title
// applies to every line); the other actions use the email column only,
// which may also be an alias or a user id.
func (o *euOptions) readFile() ([]userLine, error) {
	f := userFile{Cmd: euName, Path: o.File, In: o.Env.In, Nothing: "nothing was sent"}
	if o.inviting() {
		f.DefaultNode = o.Node
		f.Check = func(email string) string {
			if !validEmail(email) {
				return fmt.Sprintf("%q is not a valid email address", email)
			}
			return ""
		}
	} else {
		f.Check = func(email string) string {
			if !validEmail(email) && !isDigits(email) {
				return fmt.Sprintf("%q is not a valid email address or user id", email)
			}
			return ""
		}
	}
	return f.read()
}

// fileUsers resolves the lines of --file for an action on existing users;
// every line that does not name a user is reported with its line, and
// nothing is changed. A user named on two lines (email and alias) is
// changed once.
func (o *euOptions) fileUsers(e *enterprise.Enterprise, lines []userLine) ([]*enterprise.User, error) {
	var users []*enterprise.User
	var problems []string
	seen := map[int64]bool{}
	find := userFinder(e)
	for _, l := range lines {
		u, err := find(l.Email)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", l.Where, err))
			continue
		}
		if !seen[u.EnterpriseUserId] {
			seen[u.EnterpriseUserId] = true
			users = append(users, u)
		}
	}
	if len(problems) > 0 {
		return nil, userFile{Cmd: euName, Path: o.File, Nothing: "nothing was changed"}.problems(problems)
	}
	return users, nil
}

// inviteFile is --add --file: every node is resolved before anything is
// sent (a line whose node does not resolve fails the file), the new users'
// ids are allocated with one call, and the invitations go in execute
// requests of at most rest.BatchSize, followed by one sync. A progress bar
// is drawn on stderr when it is a terminal. The rows are printed even when
// the run is cut off: the lines the server answered with their outcome,
// the others as failed, "unknown" for those in the request that failed
// (the server may have run them) and "not sent" for the rest; running the
// same file again finishes the work.
func (o *euOptions) inviteFile(ctx context.Context, e *enterprise.Enterprise, lines []userLine) error {
	list := make([]invitee, len(lines))
	for i, l := range lines {
		list[i] = invitee{Email: l.Email, Name: l.Name, Node: l.Node, JobTitle: o.JobTitle}
	}
	invs, errs := planInvites(e, list)
	var problems []string
	for i, err := range errs {
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", lines[i].Where, err))
		}
	}
	if len(problems) > 0 {
		return userFile{Cmd: euName, Path: o.File, Nothing: "nothing was sent"}.problems(problems)
	}
	if err := prepareInvites(ctx, o.Writer, e, invs, o.Resend); err != nil {
		return fmt.Errorf("%s: nothing was sent: %w", euName, err)
	}

	rows := make([]userRow, len(invs))
	var cmds []rest.Command
	var sent []int // the invitation of each command
	for i, inv := range invs {
		rows[i].Email = inv.Email
		if u := inv.user; u != nil {
			rows[i].UserID = u.EnterpriseUserId
		}
		if inv.cmd != nil {
			cmds = append(cmds, inv.cmd)
			sent = append(sent, i)
			continue
		}
		rows[i].Status, rows[i].Message = existingRow(inv, lines)
	}
	bar := progress.New(o.Env.Err, o.Env.StderrTTY, len(invs), "Inviting users")
	bar.Add(len(invs) - len(cmds))
	results, err := executeFunc(ctx, o.Writer, bar.Add, cmds)
	bar.Finish()

	// Without the session's account of the failed request, every
	// unanswered command may have run.
	unknown, cause := len(cmds)-len(results), err
	var inc *session.IncompleteError
	if errors.As(err, &inc) {
		unknown, cause = inc.Unknown, inc.Err
	}
	failed := 0
	var refusal error
	for k, i := range sent {
		row, inv := &rows[i], invs[i]
		switch {
		case k < len(results) && results[k].OK():
			if inv.user == nil {
				row.Status, row.UserID = statusInvited, inv.id
			} else {
				row.Status, row.Message = statusReinvited, "the invitation was sent again"
			}
			continue
		case k < len(results):
			msg := serverMessage(results[k])
			if inv.user == nil {
				// enterprise_user_add details follow a ';' (as in runSteps).
				msg, _, _ = strings.Cut(msg, ";")
			}
			row.Message = strings.TrimSpace(msg)
			if refusal == nil {
				refusal = results[k].Err(inv.cmd.CommandName())
			}
		case k < len(results)+unknown:
			row.Message = fmt.Sprintf("unknown: the server did not answer (%v); run the same file again: "+
				"a user it invited shows as already invited", cause)
		default:
			row.Message = fmt.Sprintf("not sent (%v); run the same file again", cause)
		}
		row.Status = statusFailed
		failed++
	}
	ro := report.Options{Format: report.Format(o.Format), Output: o.Output}
	if rerr := report.Render(o.Env.Out, o.Env.Err, userRowsReport(rows, false), ro); rerr != nil {
		return rerr
	}
	switch {
	case err != nil && failed == 0:
		// Everything was answered; the sync after the writes failed.
		return err
	case err != nil:
		return &bulkError{failed: failed, total: len(rows), err: err}
	case failed > 0:
		return &bulkError{failed: failed, total: len(rows), err: refusal}
	}
	return nil
}

// existingRow is the status and message of a line that sends nothing: an
// active user, or an invited one without --resend.
func existingRow(inv *invitation, lines []userLine) (status, message string) {
	u := inv.user
	status, message = statusAlreadyActive, "already a member of the enterprise"
	if u.Status == "invited" {
		status, message = statusAlreadyInvited, "the invitation is pending; --resend sends it again"
	}
	switch {
	case inv.same >= 0:
		message = "the same user as " + lines[inv.same].Where
	case !strings.EqualFold(u.Username, inv.Email):
		message = "an alias of " + u.Username + "; " + message
	}
	return status, message
}

// executeFunc sends cmds as one execute batch, calling answered as the
// server answers them when the writer can report that.
func executeFunc(ctx context.Context, w enterpriseWriter, answered func(int), cmds []rest.Command) ([]rest.BatchResult, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	if pw, ok := w.(progressWriter); ok {
		return pw.ExecuteFunc(ctx, answered, cmds...)
	}
	results, err := w.Execute(ctx, cmds...)
	answered(len(results))
	return results, err
}

// progressWriter is an enterpriseWriter that reports each answered execute
// request (session.Manager).
type progressWriter interface {
	ExecuteFunc(ctx context.Context, answered func(n int), cmds ...rest.Command) ([]rest.BatchResult, error)
}

var _ progressWriter = (*session.Manager)(nil)

// bulkError is an --add --file run in which lines failed; each is in the
// rows. It unwraps to the cause (the first server refusal, or the failure
// that cut the run off), so the exit code says what happened.
type bulkError struct {
	failed, total int
	err           error
}

func (e *bulkError) Error() string {
	msg := fmt.Sprintf("%s: %d of %d lines failed (see the message column); run the same file again to finish", euName, e.failed, e.total)
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	return msg
}

func (e *bulkError) Unwrap() error { return e.err }
