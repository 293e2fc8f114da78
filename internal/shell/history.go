package shell

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/keeper-go/keeper/internal/fsutil"
)

// historyFile is the shell history on disk: one line per entry, the newest
// last, at most limit entries, mode 0600. keeper writes it itself (readline
// would record every line verbatim, passwords included).
type historyFile struct {
	path  string
	limit int
	lines []string
}

// loadHistory reads the history at path ("" keeps it in memory only).
// Every line goes through redact: lines it changes are rewritten and lines
// it refuses are dropped, so secrets saved by older versions are scrubbed.
// The file is created with mode 0600, and a wider mode is tightened.
func loadHistory(path string, limit int, redact func(line string) (string, bool)) (*historyFile, error) {
	h := &historyFile{path: path, limit: limit}
	if path == "" {
		return h, nil
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	rewrite := false
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if redact != nil {
			kept, ok := redact(l)
			if !ok || kept != l {
				rewrite = true
			}
			if !ok {
				continue
			}
			l = kept
		}
		h.lines = append(h.lines, l)
	}
	if len(h.lines) > limit {
		h.lines, rewrite = h.lines[len(h.lines)-limit:], true
	}
	if rewrite {
		if err := fsutil.WriteFile(path, []byte(joinLines(h.lines)), 0o600); err != nil {
			return nil, err
		}
	}
	return h, ensurePrivate(path)
}

// add records a line (already redacted) unless it repeats the last one.
func (h *historyFile) add(line string) error {
	if line == "" || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == line) {
		return nil
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > h.limit {
		h.lines = h.lines[len(h.lines)-h.limit:]
	}
	if h.path == "" {
		return nil
	}
	f, err := os.OpenFile(h.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// ensurePrivate creates the history file with mode 0600 (and fixes a wider
// mode).
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
