package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/fsutil"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/session"
)

// TestExitCode checks every kind of error against README's exit-code table.
func TestExitCode(t *testing.T) {
	dir := t.TempDir()
	_, openErr := os.Open(filepath.Join(dir, "missing"))
	_, dirErr := os.ReadFile(dir)
	writeErr := fsutil.WriteFile(filepath.Join(dir, "no-such-dir", "x.csv"), nil, 0o600)
	_, splitErr := command.Split(`mi -mc "open`)
	_, slashErr := command.Split(`mi \`)
	_, ctrlErr := command.Split("mi\x00")
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain error", errors.New("boom"), ExitError},
		{"missing file", fmt.Errorf("run-batch: %w", openErr), ExitError},
		{"config is a directory", fmt.Errorf("read config: %w", dirErr), ExitError},
		{"unwritable output", writeErr, ExitError},
		{"global usage", &usageError{msg: "bad"}, ExitUsage},
		{"command usage", command.Usagef("mi", "bad"), ExitUsage},
		{"unknown command", &command.UnknownCommandError{Name: "x"}, ExitUsage},
		{"unterminated quote", splitErr, ExitUsage},
		{"trailing backslash", slashErr, ExitUsage},
		{"control character", ctrlErr, ExitUsage},
		{"batch line syntax", &command.LineError{Line: 3, Err: splitErr}, ExitUsage},
		{"ctrl-c", context.Canceled, ExitCancelled},
		{"empty password", errCancelled, ExitCancelled},
		{"wrong password", auth.ErrAuthFailed, ExitAuth},
		{"no password", auth.ErrNoPassword, ExitAuth},
		{"no terminal", session.ErrNoCredentials, ExitAuth},
		{"session expired", fmt.Errorf("x: %w", auth.ErrSessionExpired), ExitAuth},
		{"login step", &auth.StepError{Step: "two-factor"}, ExitAuth},
		{"region redirect", &auth.RegionRedirectError{Host: "keepersecurity.eu"}, ExitAuth},
		{"server error", &rest.APIError{Endpoint: "x", Code: "bad"}, ExitServer},
		{"connection lost", fmt.Errorf("x: %w", &rest.NetworkError{Server: "https://h", Err: io.ErrUnexpectedEOF}), ExitServer},
		{"bad reply", &rest.ReplyError{Endpoint: "x", Msg: "does not decrypt"}, ExitServer},
		{"deadline", context.DeadlineExceeded, ExitServer},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
	}
}
