package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/keeper-go/keeper/internal/shell"
	"github.com/keeper-go/keeper/internal/version"
)

// shell runs the interactive REPL; its exit code is that of the last command.
func (a *app) shell(ctx context.Context) int {
	completer := &shell.Completer{Registry: a.reg, State: a.env.State}
	stdin, _ := a.in.(*os.File)
	if stdin == nil {
		stdin = os.Stdin
	}
	r, err := shell.NewReadline(a.historyPath(), a.reg.RedactLine, completer, stdin, a.out, a.err)
	if err != nil {
		return report(a.err, fmt.Errorf("cannot start the shell: %w", err))
	}
	defer r.Close()
	a.ask = func(prompt string) (string, error) {
		r.SetPrompt(prompt)
		return r.Readline()
	}
	defer func() { a.ask = nil }()
	if pr, ok := r.(shell.PasswordReader); ok {
		a.secret = pr.ReadPassword
		defer func() { a.secret = nil }()
	}
	ints := make(chan os.Signal, 1)
	signal.Notify(ints, os.Interrupt)
	defer signal.Stop(ints)
	if !a.quiet {
		fmt.Fprintf(a.err, "keeper %s — type help for commands, quit or Ctrl-D to leave.\n", version.Version)
		if u := a.m.Username(); u != "" {
			fmt.Fprintf(a.err, "Server %s, user %s (logged in on first command).\n", a.m.Server(), u)
		} else {
			fmt.Fprintln(a.err, "You are not logged in. Type login <email> to authenticate.")
		}
	}
	sh := &shell.Shell{Reader: r, Dispatcher: a.disp, Env: a.env, Interrupts: ints,
		OnError: func(err error) {
			code := exitCode(err)
			if code == ExitCancelled {
				fmt.Fprintln(a.err, "cancelled")
				return
			}
			fmt.Fprintf(a.err, "error: %v\n", err)
		}}
	a.history = &sh.History
	if err := sh.Run(ctx); err != nil {
		return report(a.err, err)
	}
	return exitCode(sh.LastErr)
}
