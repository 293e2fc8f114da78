package commands

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// euReport prints enterprise-user's per-user result lines and counts them:
// successes and notes go to the status printer (quiet in batch mode, like
// Commander's info log), failures and warnings to stderr always.
type euReport struct {
	status func(string, ...any)
	errw   io.Writer
	euOutcome
}

func (r *euReport) success(format string, args ...any) {
	r.ok()
	r.status(format, args...)
}

func (r *euReport) failure(err error, format string, args ...any) {
	r.fail(err)
	fmt.Fprintf(r.errw, format+"\n", args...)
}

// note reports a change that was not needed (already done); it counts as
// neither a change nor a failure.
func (r *euReport) note(format string, args ...any) { r.status(format, args...) }

// euStep is one JSON command of the call's batch with the lines that
// report its result.
type euStep struct {
	cmd  rest.Command
	ok   string // the success line
	fail string // the failure line, followed by ": <server message>"
	// short cuts the server message at the first ';' (enterprise_user_add
	// replies carry details after it; Commander's EnterpriseUserCommand).
	short bool
}

// runSteps sends the steps as one execute batch (the session splits it into
// requests of at most rest.BatchSize) and reports every answered result.
// A transport failure is returned after the results received before it.
func runSteps(ctx context.Context, w enterpriseWriter, rep *euReport, steps []euStep) error {
	if len(steps) == 0 {
		return nil
	}
	cmds := make([]rest.Command, len(steps))
	for i, s := range steps {
		cmds[i] = s.cmd
	}
	results, err := w.Execute(ctx, cmds...)
	for i, s := range steps {
		if i >= len(results) {
			break
		}
		r := results[i]
		if r.OK() {
			rep.success("%s", s.ok)
			continue
		}
		msg := serverMessage(r)
		if s.short {
			msg, _, _ = strings.Cut(msg, ";")
			msg = strings.TrimSpace(msg)
		}
		rep.failure(r.Err(s.cmd.CommandName()), "%s: %s", s.fail, msg)
	}
	return err
}
