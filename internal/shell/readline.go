package shell

import (
	"errors"
	"io"

	"github.com/chzyer/readline"
	"github.com/spf13/pflag"
)

type pflagFlag = pflag.Flag

// historyLimit is how many lines the history keeps.
const historyLimit = 1000

// rl adapts chzyer/readline to LineReader. readline does not record lines
// itself: the shell hands them, redacted, to SaveHistory.
type rl struct {
	r    *readline.Instance
	hist *historyFile
}

// NewReadline returns a terminal line reader with tab completion and
// history kept in historyPath (created 0600). redact (may be nil) filters
// the lines already in the file: see loadHistory.
func NewReadline(historyPath string, redact func(line string) (string, bool), completer readline.AutoCompleter, stdin io.ReadCloser, stdout, stderr io.Writer) (LineReader, error) {
	hist, err := loadHistory(historyPath, historyLimit, redact)
	if err != nil {
		return nil, err
	}
	inst, err := readline.NewEx(&readline.Config{
		Prompt:                 "> ",
		HistoryLimit:           historyLimit,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           completer,
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
		Stdin:                  stdin,
		Stdout:                 stdout,
		Stderr:                 stderr,
	})
	if err != nil {
		return nil, err
	}
	r := &rl{r: inst, hist: hist}
	r.reload()
	return r, nil
}

// SaveHistory appends a line to the history file and to the lines the Up
// arrow recalls.
func (r *rl) SaveHistory(line string) error {
	err := r.hist.add(line)
	r.reload()
	return err
}

// reload replaces readline's in-memory history with the file's lines.
// readline's own SaveHistory stores the edited text of a recalled entry
// instead of the line it is given, so the history is rebuilt rather than
// appended to.
func (r *rl) reload() {
	r.r.ResetHistory()
	for _, l := range r.hist.lines {
		_ = r.r.SaveHistory(l) // in memory only: readline has no history file
	}
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
