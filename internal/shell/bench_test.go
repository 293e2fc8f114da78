package shell

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
)

// bigState offers 1,000 managed-company and 10,000 node names, as the
// app's state does for a large tenant (sorted, as it returns them).
type bigState struct{ mcs, nodes []string }

func newBigState() *bigState {
	s := &bigState{}
	for i := 0; i < 1000; i++ {
		s.mcs = append(s.mcs, fmt.Sprintf("Bulk Company %d", 3000+i))
	}
	for i := 0; i < 10000; i++ {
		s.nodes = append(s.nodes, fmt.Sprintf("Region %02d Site %05d", i/500, i))
	}
	return s
}

func (s *bigState) Ensure(context.Context, command.Need) error { return nil }
func (s *bigState) PromptLabel() string                        { return "Keeper" }
func (s *bigState) CompletionNames(k command.CompletionKind) []string {
	switch k {
	case command.CompleteMC:
		return s.mcs
	case command.CompleteNode:
		return s.nodes
	}
	return nil
}

func bigRegistry() *command.Registry {
	var ran []string
	r := registry(&ran)
	r.Add(&command.Command{Name: "enterprise-node", Aliases: []string{"en"}, Group: "Enterprise",
		Completions: map[string]command.CompletionKind{"": command.CompleteNode, "parent": command.CompleteNode},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			fs.String("parent", "", "")
			return func(context.Context, *command.Env, []string) error { return nil }
		}})
	return r
}

// BenchmarkComplete measures one Tab over 1,000 managed-company names and
// 10,000 node names: every candidate (empty word), a narrowed word, and a
// word inside a name with spaces. Target: under 20 ms per completion.
func BenchmarkComplete(b *testing.B) {
	c := &Completer{Registry: bigRegistry(), State: newBigState()}
	for _, tc := range []struct {
		name, line string
		want       int
	}{
		{"mc-all", "msp-info --managed-company ", 1000},
		{"mc-narrow", `mi -mc Bulk\ Company\ 351`, 10},
		{"node-all", "enterprise-node --parent ", 10000},
		{"node-narrow", `en Region\ 07\ Site\ 0351`, 10},
	} {
		b.Run(tc.name, func(b *testing.B) {
			line := []rune(tc.line)
			b.ReportAllocs()
			for b.Loop() {
				if got, _ := c.Do(line, len(line)); len(got) != tc.want {
					b.Fatalf("%q: %d candidates, want %d", tc.line, len(got), tc.want)
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Nanoseconds())/1e6, "ms/completion")
			b.Logf("completing %q took %s (target < 20ms)", tc.line, per)
		})
	}
}

// linesReader feeds the same line for as long as the benchmark loops.
type linesReader struct {
	b    *testing.B
	line string
}

func (r *linesReader) Readline() (string, error) {
	if !r.b.Loop() {
		return "", io.EOF
	}
	return r.line, nil
}
func (r *linesReader) SetPrompt(string) {}
func (r *linesReader) Close() error     { return nil }

// BenchmarkShellLine measures the shell's own cost per line: prompt, history
// masking, splitting, variables, dispatch with flag parsing and a command
// that does nothing. Target: under 1 ms per line.
func BenchmarkShellLine(b *testing.B) {
	var ran []string
	sh := &Shell{Reader: &linesReader{b: b, line: `mi -mc "${MC}" --verbose`},
		Dispatcher: &command.Dispatcher{Registry: registry(&ran)},
		Env:        &command.Env{Out: io.Discard, Err: io.Discard, State: newBigState(), Vars: map[string]string{"MC": "Acme Dental"}},
		OnError:    func(err error) { b.Fatal(err) }}
	b.ReportAllocs()
	if err := sh.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	if len(ran) != b.N {
		b.Fatalf("ran %d of %d lines", len(ran), b.N)
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Nanoseconds())/1e6, "ms/line")
	b.Logf("one shell line took %s (target < 1ms)", per)
}
