package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// outcome is the output funnel of the enterprise write commands: one status
// line per item on stderr, and an error at the end when any item failed.
// Successes go through the status printer (quiet in batch mode, like
// Commander's logging.info); skips and failures are always written, like
// Commander's logging.warning.
type outcome struct {
	cmd    string
	status func(format string, args ...any)
	errw   io.Writer
	total  int
	failed int
	server error // the first failure the server reported, if any
}

func newOutcome(cmd string, status func(string, ...any), errw io.Writer) *outcome {
	if status == nil {
		status = func(string, ...any) {}
	}
	return &outcome{cmd: cmd, status: status, errw: errw}
}

// done reports an item that succeeded.
func (o *outcome) done(format string, args ...any) {
	o.total++
	o.status(format, args...)
}

// skip reports an item left alone on purpose (already there, nothing to
// do); it does not fail the command.
func (o *outcome) skip(format string, args ...any) {
	fmt.Fprintf(o.errw, format+"\n", args...)
}

// fail reports an item that failed or was refused.
func (o *outcome) fail(format string, args ...any) {
	o.total++
	o.failed++
	fmt.Fprintf(o.errw, format+"\n", args...)
}

// serverFail reports an item the server refused with err.
func (o *outcome) serverFail(err error, format string, args ...any) {
	if o.server == nil {
		o.server = err
	}
	o.fail(format, args...)
}

// change is one JSON command of a batch with the words its status line
// uses: ok is printed on success; failed is followed by the server's
// message.
type change struct {
	cmd    rest.Command
	ok     string
	failed string
}

// send runs the changes as one execute batch and reports each. A batch cut
// off by a transport failure reports the unanswered changes as unknown and
// returns that failure; per-item refusals are counted for err.
func (o *outcome) send(ctx context.Context, w enterpriseWriter, changes []change) (succeeded int, err error) {
	if len(changes) == 0 {
		return 0, nil
	}
	cmds := make([]rest.Command, len(changes))
	for i, c := range changes {
		cmds[i] = c.cmd
	}
	results, err := w.Execute(ctx, cmds...)
	for i, c := range changes {
		if i >= len(results) {
			o.fail("%s: not confirmed by the server", c.failed)
			continue
		}
		r := results[i]
		if r.OK() {
			succeeded++
			o.done("%s", c.ok)
			continue
		}
		o.serverFail(r.Err(c.cmd.CommandName()), "%s: %s", c.failed, serverMessage(r))
	}
	return succeeded, err
}

// err is nil when every item succeeded (or was skipped), else an error
// counting the failures. It unwraps to the first server refusal, so the
// exit code says the server refused (5) rather than a local failure (1).
func (o *outcome) err() error {
	if o.failed == 0 {
		return nil
	}
	return &itemsError{Command: o.cmd, Failed: o.failed, Total: o.total, Server: o.server}
}

// itemsError says some items of a multi-item command failed; each failure
// was reported on its own line before.
type itemsError struct {
	Command       string
	Failed, Total int
	Server        error
}

func (e *itemsError) Error() string {
	if e.Total == 1 {
		return e.Command + ": the change failed"
	}
	return fmt.Sprintf("%s: %d of %d changes failed", e.Command, e.Failed, e.Total)
}

// Unwrap returns the first server refusal, or nil.
func (e *itemsError) Unwrap() error { return e.Server }

// lengthMessage is the server's length-violation message, as matched by
// Commander's helpers/enterprise.py simplify_backend_message.
var lengthMessage = regexp.MustCompile(`(?is)max\s*=\s*(\d+)\s*,\s*length\s*=\s*(\d+)(?:\s*,\s*value\s*=.*)?`)

// serverMessage is a failed result's message for a status line, with the
// length-violation wording made readable as Commander does.
func serverMessage(r rest.BatchResult) string {
	msg := r.Message
	if msg == "" {
		msg = r.ResultCode
	}
	if m := lengthMessage.FindStringSubmatch(msg); m != nil {
		limit, _ := strconv.Atoi(m[1])
		got, _ := strconv.Atoi(m[2])
		return fmt.Sprintf("value is %d characters but the maximum allowed is %d", got, limit)
	}
	return msg
}

// restMessage is a failed REST call's error for a status line: the
// server's message when it sent one.
func restMessage(err error) string {
	var api *rest.APIError
	if errors.As(err, &api) {
		if api.Message != "" {
			return api.Message
		}
		if api.Code != "" {
			return api.Code
		}
	}
	return err.Error()
}

// resolveAll resolves every name before anything is sent, dropping repeats
// of the same entity (by key). One unresolved or ambiguous name fails the
// command with nothing changed; with several, each is reported first.
func resolveAll[T any](cmd string, errw io.Writer, names []string, find func(string) (T, error), key func(T) string) ([]T, error) {
	var out []T
	var errs []error
	seen := map[string]bool{}
	for _, n := range names {
		v, err := find(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if k := key(v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	switch len(errs) {
	case 0:
		return out, nil
	case 1:
		return nil, fmt.Errorf("%s: %w", cmd, errs[0])
	}
	for _, err := range errs {
		fmt.Fprintln(errw, err)
	}
	return nil, fmt.Errorf("%s: %d names did not resolve; nothing was changed: %w", cmd, len(errs), errs[0])
}

// deletion is one entity a delete action removes: its label in the prompt,
// its name in the status lines and its delete command.
type deletion struct {
	label, name string
	cmd         rest.Command
}

// deleteAll asks once for every entity of kind ("node", "role", "team")
// unless force (refusing without a terminal), then sends the deletes in one
// batch with a status line each.
func deleteAll(ctx context.Context, w enterpriseWriter, ask confirmer, force bool, cmd, kind string, items []deletion, out *outcome) error {
	labels := make([]string, len(items))
	changes := make([]change, len(items))
	for i, it := range items {
		labels[i] = "'" + it.label + "'"
		changes[i] = change{cmd: it.cmd, ok: fmt.Sprintf("'%s' %s is deleted", it.name, kind),
			failed: fmt.Sprintf("'%s' %s is not deleted", it.name, kind)}
	}
	proceed, err := confirmDestructive(ctx, ask, force, cmd,
		fmt.Sprintf("Delete %s(s) %s? This cannot be undone.", kind, strings.Join(labels, ", ")))
	if err != nil {
		return err
	}
	if !proceed {
		out.skip("Nothing deleted.")
		return out.err()
	}
	if _, err := out.send(ctx, w, changes); err != nil {
		return err
	}
	return out.err()
}
