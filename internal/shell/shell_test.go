package shell

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
)

type fakeReader struct {
	lines   []any // string or error
	prompts []string
}

func (f *fakeReader) Readline() (string, error) {
	if len(f.lines) == 0 {
		return "", io.EOF
	}
	l := f.lines[0]
	f.lines = f.lines[1:]
	if err, ok := l.(error); ok {
		return "", err
	}
	return l.(string), nil
}
func (f *fakeReader) SetPrompt(p string) { f.prompts = append(f.prompts, p) }
func (f *fakeReader) Close() error       { return nil }

type fakeState struct{ label string }

func (s *fakeState) Ensure(context.Context, command.Need) error { return nil }
func (s *fakeState) PromptLabel() string                        { return s.label }
func (s *fakeState) CompletionNames(k command.CompletionKind) []string {
	if k == command.CompleteMC {
		return []string{"Acme Dental", "Bluebird"}
	}
	return nil
}

func registry(ran *[]string) *command.Registry {
	r := command.NewRegistry()
	r.Add(&command.Command{Name: "msp-info", Aliases: []string{"mi"}, Group: "MSP",
		Completions: map[string]command.CompletionKind{"managed-company": command.CompleteMC},
		LegacyShort: map[string]string{"-mc": "--managed-company"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			fs.Bool("verbose", false, "")
			mc := fs.String("managed-company", "", "")
			return func(ctx context.Context, env *command.Env, args []string) error {
				*ran = append(*ran, "mi:"+*mc)
				return nil
			}
		}})
	return r
}

func TestShellLoop(t *testing.T) {
	var ran []string
	var errs []error
	st := &fakeState{label: "Keeper"}
	fr := &fakeReader{lines: []any{"bogus", ErrInterrupt, "", `mi -mc "Acme Dental"`, "quit", "mi"}}
	sh := &Shell{Reader: fr, Dispatcher: &command.Dispatcher{Registry: registry(&ran)},
		Env:     &command.Env{Out: io.Discard, Err: io.Discard, State: st, Vars: map[string]string{}},
		OnError: func(err error) { errs = append(errs, err) }}
	if err := sh.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `unknown command "bogus"`) {
		t.Fatalf("errors %v", errs)
	}
	if len(ran) != 1 || ran[0] != "mi:Acme Dental" {
		t.Fatalf("ran %v (quit must stop before the last line)", ran)
	}
	if fr.prompts[0] != "Keeper> " {
		t.Fatalf("prompt %q", fr.prompts[0])
	}
	if sh.LastErr != nil {
		t.Fatalf("last error %v", sh.LastErr)
	}
}

func TestCompleter(t *testing.T) {
	var ran []string
	c := &Completer{Registry: registry(&ran), State: &fakeState{}}
	check := func(line string, want ...string) {
		t.Helper()
		got, _ := c.Do([]rune(line), len([]rune(line)))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if strings.Join(gs, "|") != strings.Join(want, "|") {
			t.Errorf("complete %q = %q, want %q", line, gs, want)
		}
	}
	check("msp-i", "nfo ")
	check("mi --verb", "ose ")
	check("mi -mc Acme", `\ Dental `)
	check("mi --managed-company B", "luebird ")
}

type namesState struct{ names []string }

func (s *namesState) Ensure(context.Context, command.Need) error      { return nil }
func (s *namesState) PromptLabel() string                             { return "" }
func (s *namesState) CompletionNames(command.CompletionKind) []string { return s.names }

// TestCompleterNamesWithSpaces: a name with spaces completes word by word
// as the line splitter will read it: escaped after a backslash-escaped
// prefix (also one ending in a lone backslash), inside an open quote and
// closing it; case-insensitively; a name repeated back to back once; and
// what is offered, appended to the line, splits back into the name.
func TestCompleterNamesWithSpaces(t *testing.T) {
	var ran []string
	st := &namesState{names: []string{"Acme Dental", "Bulk Company 3000", "Bulk Company 3001", "Bulk Company 3001",
		"Bulk Company 3100", `Quote's "Co" #1`, "Zoë Ltd"}}
	c := &Completer{Registry: registry(&ran), State: st}
	check := func(line string, wantLen int, want ...string) {
		t.Helper()
		got, n := c.Do([]rune(line), len([]rune(line)))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if strings.Join(gs, "|") != strings.Join(want, "|") || n != wantLen {
			t.Errorf("complete %q = %q (word length %d), want %q (%d)", line, gs, n, want, wantLen)
		}
		for _, g := range gs {
			words, err := command.Split(line + g)
			if err != nil || len(words) != 3 {
				t.Errorf("%q + %q splits into %q, %v", line, g, words, err)
			}
		}
	}
	check("mi -mc bulk", 4, `\ Company\ 3000 `, `\ Company\ 3001 `, `\ Company\ 3100 `)
	check(`mi -mc Bulk\ Company\ 30`, 17, "00 ", "01 ")
	check(`mi -mc Bulk\ Company\`, 14, ` 3000 `, ` 3001 `, ` 3100 `)
	check(`mi -mc "bulk company 31`, 16, `00" `)
	check(`mi -mc 'Quote`, 6, `'\''s "Co" #1' `)
	check(`mi -mc Quote\'s\ \"C`, 13, `o\"\ \#1 `)
	check(`mi -mc zo`, 2, `ë\ Ltd `)
	check(`mi -mc ZOË\ l`, 6, `td `)
	check(`mi -mc Nope`, 4)
}
