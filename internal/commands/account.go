package commands

import (
	"context"
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

// serverHost is the host name of a server URL or bare host, lower-cased and
// without port (Commander keepercommander/commands/helpers/whoami.py
// get_hostname).
func serverHost(server string) string {
	host := server
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return strings.ToLower(host)
}

// dataCenter names the region of a server host (Commander's whoami rule,
// helpers/whoami.py get_data_center and get_environment).
func dataCenter(server string) (dc, env string) {
	host := serverHost(server)
	switch {
	case strings.HasSuffix(host, ".eu"):
		dc = "EU"
	case strings.HasSuffix(host, ".com"):
		dc = "US"
	case strings.HasSuffix(host, "govcloud.keepersecurity.us"):
		dc = "US GOV"
	case strings.HasSuffix(host, ".au"):
		dc = "AU"
	// Commander shows the host for these two regions; ours names them.
	case strings.HasSuffix(host, ".ca"):
		dc = "CA"
	case strings.HasSuffix(host, ".jp"):
		dc = "JP"
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

// accountType names the account type as whoami does: Enterprise (2),
// Family Plan (1), else the licence's product name.
func accountType(t int32, product string) string {
	switch t {
	case 2:
		return "Enterprise"
	case 1:
		return "Family Plan"
	}
	return product
}
