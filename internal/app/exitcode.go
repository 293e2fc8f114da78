package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/session"
)

// Exit codes of the keeper binary. They are a public contract for scripts:
// never renumber them. README.md documents the same table.
const (
	ExitOK        = 0 // success
	ExitError     = 1 // any other failure
	ExitUsage     = 2 // bad flags, bad arguments, unknown command
	ExitCancelled = 3 // interrupted (Ctrl-C) or cancelled by the user
	ExitAuth      = 4 // login failed, no credentials, session expired
	ExitServer    = 5 // the Keeper server answered with an error or could not be reached
)

// usageError is a bad invocation of keeper itself (global flags).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitCode maps an error to the documented exit code. Failures to talk to
// the server are recognised only by the rest layer's types (*rest.APIError,
// *rest.NetworkError, *rest.ReplyError): a generic net.Error match would
// also catch local file errors, since the syscall.Errno inside every
// *fs.PathError implements net.Error.
func exitCode(err error) int {
	var (
		ue    *usageError
		cue   *command.UsageError
		unk   *command.UnknownCommandError
		syn   *command.SyntaxError
		step  *auth.StepError
		rr    *auth.RegionRedirectError
		api   *rest.APIError
		nerr  *rest.NetworkError
		reply *rest.ReplyError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue), errors.As(err, &cue), errors.As(err, &unk), errors.As(err, &syn):
		return ExitUsage
	case errors.Is(err, context.Canceled), errors.Is(err, errCancelled):
		return ExitCancelled
	case errors.Is(err, auth.ErrAuthFailed), errors.Is(err, auth.ErrNoPassword), errors.Is(err, session.ErrNoCredentials),
		errors.Is(err, auth.ErrSessionExpired), errors.As(err, &step), errors.As(err, &rr):
		return ExitAuth
	case errors.As(err, &api), errors.As(err, &nerr), errors.As(err, &reply), errors.Is(err, context.DeadlineExceeded):
		return ExitServer
	}
	return ExitError
}

// report prints err (one line, on stderr) and returns its exit code.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if code == ExitCancelled {
		fmt.Fprintln(stderr, "keeper: cancelled")
		return code
	}
	fmt.Fprintf(stderr, "keeper: %v\n", err)
	return code
}
