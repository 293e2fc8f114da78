// Package app is the entry point of the keeper binary: global flags, config,
// one-shot versus shell versus batch runs, and the one place where errors
// become exit codes.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/commands"
	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/session"
	"github.com/keeper-go/keeper/internal/version"
)

// Main runs keeper with the given arguments (without the program name) and
// returns the process exit code.
func Main(args []string) int {
	return runIO(args, os.Stdin, os.Stdout, os.Stderr, term.IsTerminal(int(os.Stdin.Fd())))
}

// run is Main for tests without a terminal.
func run(args []string, stdout, stderr io.Writer) int {
	return runIO(args, strings.NewReader(""), stdout, stderr, false)
}

// app is one keeper process.
type app struct {
	opts     *globalOptions
	in       io.Reader
	out, err io.Writer
	tty      bool
	quiet    bool
	m        *session.Manager
	reg      *command.Registry
	disp     *command.Dispatcher
	env      *command.Env
	history  *[]string
	// batchDepth counts the run-batch files being run, one inside another.
	batchDepth int
	// secret reads a password through the shell's line reader when the
	// shell runs (readline owns the terminal then).
	secret func(prompt string) ([]byte, error)
	// ask reads an answer through the shell's line reader when the shell
	// runs.
	ask func(prompt string) (string, error)
}

func runIO(args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	opts, rest, err := parseGlobal(args)
	if err != nil {
		return report(stderr, err)
	}
	if opts.Version {
		fmt.Fprintf(stdout, "keeper version %s\n", version.Version)
		return ExitOK
	}
	if opts.Help {
		globalUsage(stdout)
		return ExitOK
	}
	a, err := newApp(opts, stdin, stdout, stderr, tty)
	if err != nil {
		return report(stderr, err)
	}
	a.echoInvocation(args, rest)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch {
	case len(rest) == 0 && tty, len(rest) == 1 && rest[0] == "shell" && tty:
		stop()         // the shell handles Ctrl-C itself
		a.env.In = nil // the shell reads the terminal
		return a.shell(context.Background())
	case len(rest) == 0 || (len(rest) == 1 && rest[0] == "-"):
		a.env.In = nil // stdin carries the commands
		return report(stderr, a.disp.RunLines(ctx, a.env, stdin, a.echo))
	}
	return report(stderr, a.disp.Run(ctx, a.env, rest))
}

func newApp(o *globalOptions, stdin io.Reader, stdout, stderr io.Writer, tty bool) (*app, error) {
	cwd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	path := config.Locate(o.Config, os.Getenv("KEEPER_CONFIG_FILE"), cwd, home)
	cfg, warnings, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	server, err := resolveServer(o.Server)
	if err != nil {
		return nil, err
	}
	a := &app{opts: o, in: stdin, out: stdout, err: stderr, tty: tty, history: new([]string)}
	a.quiet = o.BatchMode || (cfg.BatchMode != nil && *cfg.BatchMode)
	password := o.Password
	if password == "" {
		password = os.Getenv("KEEPER_PASSWORD")
	}
	so := session.Options{ConfigPath: path, Config: cfg, Server: server, User: o.User, Password: password,
		NewLogin: o.NewLogin, FailOnThrottle: o.FailOnThrottle, Proxy: o.Proxy,
		Notify: func(msg string) { fmt.Fprintln(stderr, msg) }}
	if o.Debug || (cfg.Debug != nil && *cfg.Debug) {
		so.Debug = stderr
	}
	if isTerminal(stderr) {
		so.Progress = stderr
	}
	if tty && !a.quiet {
		so.PromptPassword = a.promptPassword
	}
	a.m = session.New(so)
	a.reg = command.NewRegistry()
	f := &commands.Factory{Session: a.m, Status: a.status}
	if tty && !a.quiet {
		f.Confirm, f.PromptPassword = a.confirm, a.readSecret
	}
	a.reg.Add(commands.All(f)...)
	a.reg.Add(a.builtins()...)
	a.reg.Add(a.completionCommands()...)
	a.disp = &command.Dispatcher{Registry: a.reg}
	a.env = &command.Env{In: stdin, Out: stdout, Err: stderr, State: &state{m: a.m}, Vars: map[string]string{}, Interactive: tty,
		StderrTTY: isTerminal(stderr)}
	return a, nil
}

// isTerminal reports whether w is a terminal file.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// status prints a status line on stderr unless in batch mode.
func (a *app) status(format string, args ...any) {
	if !a.quiet {
		fmt.Fprintf(a.err, format+"\n", args...)
	}
}

// echo shows a batch line under --debug; the caller masks its secrets.
func (a *app) echo(line string) {
	if a.opts.Debug {
		fmt.Fprintf(a.err, "> %s\n", line)
	}
}

// echoInvocation shows the process's own command line under --debug, with
// the values of --password (-kp) and of the command's secret flags masked.
// rest is the tail of args that follows the global flags.
func (a *app) echoInvocation(args, rest []string) {
	if !a.opts.Debug {
		return
	}
	globals, _ := command.RedactFlags(newGlobalFlagSet(&globalOptions{}), globalSecret, legacyGlobalShort, args[:len(args)-len(rest)])
	cmd, _ := a.reg.Redact(rest)
	a.echo(command.Join(append(append([]string{"keeper"}, globals...), cmd...)))
}

func (a *app) promptPassword(ctx context.Context, username string) (string, error) {
	fmt.Fprintf(a.err, "Enter master password for %s\n", username)
	return a.readSecret(ctx, "Password: ")
}

// readSecret reads a secret without echo: through the shell's line reader
// when the shell runs, else from the terminal on stdin. An empty answer
// is a cancellation; without a terminal there is nothing to read from.
func (a *app) readSecret(ctx context.Context, prompt string) (string, error) {
	if a.secret != nil {
		pw, err := a.secret(prompt)
		if err != nil {
			return "", errCancelled
		}
		if len(pw) == 0 {
			return "", errCancelled
		}
		return string(pw), nil
	}
	f, ok := a.in.(*os.File)
	if !ok {
		return "", session.ErrNoCredentials
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	// term.ReadPassword turns echo off and back on when it returns, but on
	// Ctrl-C it is still blocked reading: restore the state saved here, or
	// the terminal is left without echo after keeper exits.
	fd := int(f.Fd())
	saved, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	defer func() { _ = term.Restore(fd, saved) }()
	fmt.Fprint(a.err, prompt)
	type result struct {
		pw  []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		pw, err := term.ReadPassword(fd)
		ch <- result{pw, err}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(a.err)
		return "", ctx.Err()
	case r := <-ch:
		fmt.Fprintln(a.err)
		if r.err != nil {
			return "", r.err
		}
		if len(r.pw) == 0 {
			return "", errCancelled
		}
		return string(r.pw), nil
	}
}

// errCancelled is an empty password or another user cancellation.
var errCancelled = errors.New("cancelled")

// historyPath is the shell history file next to the config.
func (a *app) historyPath() string {
	return filepath.Join(filepath.Dir(a.m.ConfigPath()), "keeper_history")
}
