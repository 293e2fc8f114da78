package shell

import (
	"errors"
	"io"
	"os"

	"github.com/chzyer/readline"
	"github.com/spf13/pflag"
)

type pflagFlag = pflag.Flag

// rl adapts chzyer/readline to LineReader.
type rl struct{ r *readline.Instance }

// NewReadline returns a terminal line reader with history kept in
// historyPath (created 0600) and tab completion.
func NewReadline(historyPath string, completer readline.AutoCompleter, stdin io.ReadCloser, stdout, stderr io.Writer) (LineReader, error) {
	if historyPath != "" {
		if err := ensurePrivate(historyPath); err != nil {
			return nil, err
		}
	}
	inst, err := readline.NewEx(&readline.Config{
		Prompt:            "> ",
		HistoryFile:       historyPath,
		HistoryLimit:      1000,
		HistorySearchFold: true,
		AutoComplete:      completer,
		InterruptPrompt:   "^C",
		EOFPrompt:         "",
		Stdin:             stdin,
		Stdout:            stdout,
		Stderr:            stderr,
	})
	if err != nil {
		return nil, err
	}
	return &rl{r: inst}, nil
}

// ensurePrivate creates the history file with mode 0600 (and fixes a wider
// mode) before readline appends to it.
func ensurePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

func (r *rl) Readline() (string, error) {
	line, err := r.r.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", ErrInterrupt
	}
	return line, err
}

func (r *rl) SetPrompt(p string) { r.r.SetPrompt(p) }
func (r *rl) Close() error       { return r.r.Close() }

// ReadPassword reads a line without echo through the same terminal reader,
// so a login prompted in the middle of the shell does not race readline
// for the input.
func (r *rl) ReadPassword(prompt string) ([]byte, error) {
	b, err := r.r.ReadPassword(prompt)
	if errors.Is(err, readline.ErrInterrupt) {
		return nil, ErrInterrupt
	}
	return b, err
}

// PasswordReader is implemented by line readers that can read a secret.
type PasswordReader interface {
	ReadPassword(prompt string) ([]byte, error)
}
