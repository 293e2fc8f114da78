package command

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// benchRegistry is a registry the size of keeper's (some 40 names with
// aliases) whose msp-add declares flags like the real one: strings, a
// string slice, an int, bools, a shorthand, a Commander legacy option and
// completions.
func benchRegistry(ran *int) *Registry {
	r := NewRegistry()
	for i := 0; i < 30; i++ {
		r.Add(&Command{Name: fmt.Sprintf("filler-%02d", i), Aliases: []string{fmt.Sprintf("f%02d", i)}, Group: "Misc",
			Setup: func(fs *pflag.FlagSet) Runner {
				fs.String("format", "table", "")
				return func(context.Context, *Env, []string) error { return nil }
			}})
	}
	r.Add(&Command{Name: "msp-add", Aliases: []string{"ma"}, Group: "MSP", Args: "NAME", Needs: NeedMSPAdmin,
		LegacyShort: map[string]string{"-mc": "--managed-company"},
		Completions: map[string]CompletionKind{"node": CompleteNode, "managed-company": CompleteMC},
		Setup: func(fs *pflag.FlagSet) Runner {
			plan := fs.StringP("plan", "p", "", "")
			seats := fs.Int("seats", 0, "")
			fs.String("file-plan", "", "")
			fs.StringSlice("addon", nil, "")
			fs.String("node", "", "")
			fs.String("managed-company", "", "")
			fs.Bool("force", false, "")
			fs.String("format", "table", "")
			return func(ctx context.Context, env *Env, args []string) error {
				if *plan == "" || *seats == 0 || len(args) != 1 {
					return fmt.Errorf("flags not parsed: %q %d %v", *plan, *seats, args)
				}
				*ran++
				return nil
			}
		}})
	return r
}

type nopState struct{}

func (nopState) Ensure(context.Context, Need) error      { return nil }
func (nopState) PromptLabel() string                     { return "Keeper" }
func (nopState) CompletionNames(CompletionKind) []string { return nil }

// BenchmarkDispatchLine measures what keeper spends on one command line
// before and around the command's own work: splitting the line, expanding
// variables, masking it for the history, looking the command up, building
// and parsing its flags, checking its arguments and running a runner that
// does nothing (no network). Target: under 1 ms per line.
func BenchmarkDispatchLine(b *testing.B) {
	ran := 0
	d := &Dispatcher{Registry: benchRegistry(&ran)}
	env := &Env{Out: io.Discard, Err: io.Discard, State: nopState{}, Vars: map[string]string{"PLAN": "business"}}
	line := `msp-add "Acme Dental West" --plan ${PLAN} --seats 25 --file-plan STORAGE_1TB --addon connection_manager:5 ` +
		`--addon secrets_manager --node 'North America' -mc ignored --force`
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		words, err := Split(line)
		if err != nil {
			b.Fatal(err)
		}
		d.Registry.RedactLine(line)
		if err := d.Run(ctx, env, ExpandVars(words, env.Vars)); err != nil {
			b.Fatal(err)
		}
	}
	if ran != b.N {
		b.Fatalf("ran %d of %d", ran, b.N)
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Nanoseconds())/1e6, "ms/line")
	b.Logf("dispatch of one line took %s (target < 1ms)", per)
}
