package shell

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
)

// savingReader is a fakeReader that keeps a history.
type savingReader struct {
	fakeReader
	saved []string
}

func (s *savingReader) SaveHistory(line string) error {
	s.saved = append(s.saved, line)
	return nil
}

func loginRegistry() *command.Registry {
	r := command.NewRegistry()
	r.Add(&command.Command{Name: "login", Secret: []string{"pass"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			fs.StringP("pass", "p", "", "")
			return func(context.Context, *command.Env, []string) error { return nil }
		}})
	return r
}

// TestHistoryIsRedacted: the reader's history and the history command see
// login lines with the password masked; an unsplittable login line is not
// kept at all.
func TestHistoryIsRedacted(t *testing.T) {
	fr := &savingReader{fakeReader: fakeReader{lines: []any{
		"login --pass hunter2 a@b.c", "login -p hunter2", "login --pass=hunter2", "login --pass 'hunter2", "quit"}}}
	sh := &Shell{Reader: fr, Dispatcher: &command.Dispatcher{Registry: loginRegistry()},
		Env: &command.Env{Out: io.Discard, Err: io.Discard, State: &fakeState{label: "Keeper"}, Vars: map[string]string{}}}
	if err := sh.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"login --pass ******** a@b.c", "login -p ********", "login --pass=********", "quit"}
	if !reflect.DeepEqual(fr.saved, want) {
		t.Fatalf("saved history %q, want %q", fr.saved, want)
	}
	if !reflect.DeepEqual(sh.History, want[:3]) {
		t.Fatalf("history command lines %q", sh.History)
	}
}

// TestHistoryFile: lines are appended with mode 0600, old secrets are
// scrubbed on load, and the file keeps at most the limit.
func TestHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keeper_history")
	old := "whoami\nlogin --pass hunter2 a@b.c\nlogin --pass 'hunter2\nmi\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := loadHistory(path, 3, loginRegistry().RedactLine)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.add("ei"); err != nil {
		t.Fatal(err)
	}
	if err := h.add("ei"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if got := string(data); strings.Contains(got, "hunter2") || got != "whoami\nlogin --pass ******** a@b.c\nmi\nei\n" {
		t.Fatalf("history file:\n%s", got)
	}
	if !reflect.DeepEqual(h.lines, []string{"login --pass ******** a@b.c", "mi", "ei"}) {
		t.Fatalf("lines %q", h.lines)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o", fi.Mode().Perm())
	}
}
