package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/keeper-go/keeper/internal/session"
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
	onError := func(err error) {
		if exitCode(err) == ExitCancelled {
			fmt.Fprintln(a.err, "cancelled")
			return
		}
		fmt.Fprintf(a.err, "error: %v\n", err)
	}
	if !a.quiet {
		fmt.Fprintf(a.err, "keeper %s — type help for commands, quit or Ctrl-D to leave.\n", version.Version)
	}
	if err := a.loginAtStart(ints); err != nil {
		onError(err)
	}
	if !a.quiet {
		switch u := a.m.Username(); {
		case a.m.LoggedIn():
			fmt.Fprintf(a.err, "Logged in as %s.\n", u)
		case u != "":
			fmt.Fprintf(a.err, "Server %s, user %s (logged in on first command).\n", a.m.Server(), u)
		default:
			fmt.Fprintln(a.err, "You are not logged in. Type login <email> to authenticate.")
		}
	}
	sh := &shell.Shell{Reader: r, Dispatcher: a.disp, Env: a.env, Interrupts: ints, OnError: onError}
	a.history = &sh.History
	if err := sh.Run(ctx); err != nil {
		return report(a.err, err)
	}
	return exitCode(sh.LastErr)
}

// loginAtStart logs in when the shell starts if no password has to be
// asked, as Commander does, so the first prompt does not read "Not logged
// in" for a login that would happen silently anyway. It tries only when the
// config holds a device and a clone code (persistent login). When a
// password would be needed the shell stays lazy: the first command that
// needs a session asks for it. Ctrl-C abandons the attempt.
func (a *app) loginAtStart(ints <-chan os.Signal) error {
	cfg := a.m.Config()
	if cfg.CloneCode == "" || cfg.DeviceToken == "" {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ints:
			cancel()
		case <-done:
		}
	}()
	if err := a.m.TryLogin(ctx); err != nil && !errors.Is(err, session.ErrNoCredentials) {
		return err
	}
	return nil
}
