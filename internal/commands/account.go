package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/session"
)

// loginer logs an account in or out.
type loginer interface {
	Login(ctx context.Context, o session.LoginOptions) error
	EnsureLogin(ctx context.Context) error
	Logout(ctx context.Context) error
	LoggedIn() bool
	Username() string
}

type loginOptions struct {
	base
	Session  loginer
	Status   func(string, ...any)
	Password string
	NewLogin bool
}

func newLoginCmd(f *Factory, runF func(context.Context, *loginOptions) error) *command.Command {
	return &command.Command{
		Name: "login", Group: GroupAccount, Needs: command.NeedNothing,
		Summary:  "Login to Keeper",
		Args:     "[EMAIL]",
		Long:     "Without a password the master password is asked for on the terminal; with persistent login on, no password is needed at all.",
		Examples: []string{"login admin@example.com", "KEEPER_PASSWORD=... keeper login admin@example.com"},
		Secret:   []string{"pass"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &loginOptions{Session: f.Session, Status: f.status()}
			fs.StringVarP(&o.Password, "pass", "p", "", "master `PASSWORD` (prefer the prompt or $KEEPER_PASSWORD)")
			fs.BoolVar(&o.NewLogin, "new-login", false, "ignore the persistent-login clone code")
			return runner(o, runF, loginRun)
		},
	}
}

func loginRun(ctx context.Context, o *loginOptions) error {
	email := ""
	if len(o.Args) == 1 {
		email = o.Args[0]
		if !strings.Contains(email, "@") {
			return command.Usagef("login", "%q is not an email address", email)
		}
	}
	if err := o.Session.Login(ctx, session.LoginOptions{Username: email, Password: o.Password, NewLogin: o.NewLogin}); err != nil {
		return err
	}
	o.Status("Logged in as %s", o.Session.Username())
	return nil
}

type logoutOptions struct {
	base
	Session loginer
	Status  func(string, ...any)
}

func newLogoutCmd(f *Factory, runF func(context.Context, *logoutOptions) error) *command.Command {
	return &command.Command{
		Name: "logout", Group: GroupAccount, Needs: command.NeedNothing,
		Summary: "Logout from Keeper",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return runner(&logoutOptions{Session: f.Session, Status: f.status()}, runF, logoutRun)
		},
	}
}

func logoutRun(ctx context.Context, o *logoutOptions) error {
	if !o.Session.LoggedIn() {
		// One-shot `keeper logout` resumes the session first, as Commander does.
		if err := o.Session.EnsureLogin(ctx); err != nil {
			return err
		}
	}
	err := o.Session.Logout(ctx)
	o.Status("Logged out")
	return err
}

// dataCenter names the region of a server host (Commander's whoami rule).
func dataCenter(server string) (dc, env string) {
	host := server
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, ":/"); i >= 0 {
		host = host[:i]
	}
	switch {
	case strings.HasSuffix(host, "govcloud.keepersecurity.us"):
		dc = "US GOV"
	case strings.HasSuffix(host, ".eu"):
		dc = "EU"
	case strings.HasSuffix(host, ".com.au"), strings.HasSuffix(host, ".au"):
		dc = "AU"
	case strings.HasSuffix(host, ".ca"):
		dc = "CA"
	case strings.HasSuffix(host, ".jp"):
		dc = "JP"
	case strings.HasSuffix(host, ".com"):
		dc = "US"
	default:
		dc = host
	}
	switch {
	case strings.HasPrefix(host, "dev."):
		env = "DEV"
	case strings.HasPrefix(host, "qa."):
		env = "QA"
	}
	return dc, env
}

func accountType(t int32) string {
	switch t {
	case 0:
		return "Consumer"
	case 1:
		return "Family"
	case 2:
		return "Enterprise"
	}
	return fmt.Sprint(t)
}
