package command

import (
	"fmt"
	"strings"
)

// UsageError is a bad invocation (flags, arguments): exit code 2.
type UsageError struct {
	Command string
	Msg     string
}

func (e *UsageError) Error() string {
	if e.Command == "" {
		return e.Msg
	}
	return fmt.Sprintf("%s: %s (see %s --help)", e.Command, e.Msg, e.Command)
}

// Usagef returns a UsageError for cmd.
func Usagef(cmd, format string, args ...any) error {
	return &UsageError{Command: cmd, Msg: fmt.Sprintf(format, args...)}
}

// UnknownCommandError names a command that does not exist: exit code 2.
type UnknownCommandError struct {
	Name        string
	Suggestions []string
}

func (e *UnknownCommandError) Error() string {
	msg := fmt.Sprintf("unknown command %q", e.Name)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean " + strings.Join(e.Suggestions, ", ") + "?"
	}
	return msg + ` (type "help" for the list)`
}

// SyntaxError is a command line that cannot be split into words (an
// unterminated quote, a trailing backslash, control characters, a batch line
// too long to read): exit code 2, like other usage errors.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }
