package command

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Dispatcher runs command lines against a registry. Session renewal is
// not its business: the session retries the one call that met an expired
// session, so a command never runs twice.
type Dispatcher struct {
	Registry *Registry
}

// FlagSet builds a fresh FlagSet for cmd and returns it with its runner.
func FlagSet(cmd *Command) (*pflag.FlagSet, Runner) {
	fs := pflag.NewFlagSet(cmd.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	var run Runner
	if cmd.Setup != nil {
		run = cmd.Setup(fs)
	}
	if fs.Lookup("help") == nil {
		fs.BoolP("help", "h", false, "show help for this command")
	}
	return fs, run
}

// Run runs one command given as words (argv[0] is the command name).
func (d *Dispatcher) Run(ctx context.Context, env *Env, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	cmd, ok := d.Registry.Lookup(argv[0])
	if !ok {
		return &UnknownCommandError{Name: argv[0], Suggestions: d.Registry.Suggest(argv[0])}
	}
	fs, run := FlagSet(cmd)
	args := rewriteLegacy(cmd, argv[1:])
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return WriteCommandHelp(env.Out, cmd, argv[0])
		}
		return &UsageError{Command: cmd.Name, Msg: err.Error()}
	}
	if h, _ := fs.GetBool("help"); h {
		return WriteCommandHelp(env.Out, cmd, argv[0])
	}
	if err := checkFlags(cmd, fs); err != nil {
		return err
	}
	if err := checkArgs(cmd, fs.Args()); err != nil {
		return err
	}
	if run == nil {
		return fmt.Errorf("%s: not implemented", cmd.Name)
	}
	if env.State != nil {
		if err := env.State.Ensure(ctx, cmd.Needs); err != nil {
			return err
		}
	}
	return run(ctx, env, fs.Args())
}

// rewriteLegacy turns Commander's single-dash multi-letter options into
// their long forms (-mc X -> --managed-company X, -mc=X too).
func rewriteLegacy(cmd *Command, args []string) []string {
	if len(cmd.LegacyShort) == 0 {
		return args
	}
	out := make([]string, len(args))
	for i, a := range args {
		name, val, hasVal := strings.Cut(a, "=")
		if long, ok := cmd.LegacyShort[name]; ok {
			if hasVal {
				out[i] = long + "=" + val
			} else {
				out[i] = long
			}
			continue
		}
		out[i] = a
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
	}
	return out
}

// MaxLine is the longest line batch input may have, in bytes.
const MaxLine = 1 << 20

// LineError wraps the failure of one line of batch input.
type LineError struct {
	Line int
	Text string // the line, with secret flag values masked
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the command's error.
func (e *LineError) Unwrap() error { return e.Err }

// RunLines runs commands read line by line (keeper -, piped stdin,
// run-batch) and stops at the first failure. A line starting with @ may fail
// without stopping the batch, as in Commander. echo, when set, sees each
// line before it runs, with secret flag values masked.
func (d *Dispatcher) RunLines(ctx context.Context, env *Env, r io.Reader, echo func(line string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		if err := ctx.Err(); err != nil {
			return err
		}
		line := strings.TrimSpace(sc.Text())
		tolerant := strings.HasPrefix(line, "@")
		line = strings.TrimPrefix(line, "@")
		words, err := Split(line)
		shown, _ := d.Registry.RedactLine(line)
		if err == nil && len(words) > 0 {
			if echo != nil {
				echo(shown)
			}
			err = d.Run(ctx, env, ExpandVars(words, env.Vars))
		}
		if err != nil {
			if tolerant {
				fmt.Fprintf(env.Err, "line %d: %v (ignored)\n", n, err)
				continue
			}
			return &LineError{Line: n, Text: shown, Err: err}
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return &LineError{Line: n + 1, Err: &SyntaxError{Msg: fmt.Sprintf("line longer than %d bytes (1 MiB)", MaxLine)}}
	} else if err != nil {
		return err
	}
	return nil
}
