package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/session"
)

func loginCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "login", Group: GroupAccount, Needs: command.NeedNothing,
		Summary:  "Login to Keeper",
		Usage:    "[--pass PASSWORD] [--new-login] [EMAIL]",
		Long:     "Without a password the master password is asked for on the terminal; with persistent login on, no password is needed at all.",
		Examples: []string{"login admin@example.com", "KEEPER_PASSWORD=... keeper login admin@example.com"},
		Secret:   []string{"pass"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			pass := fs.StringP("pass", "p", "", "master password (prefer the prompt or $KEEPER_PASSWORD)")
			newLogin := fs.Bool("new-login", false, "ignore the persistent-login clone code")
			return func(ctx context.Context, env *command.Env, args []string) error {
				if len(args) > 1 {
					return command.Usagef("login", "expected at most one email")
				}
				email := ""
				if len(args) == 1 {
					email = args[0]
					if !strings.Contains(email, "@") {
						return command.Usagef("login", "%q is not an email address", email)
					}
				}
				if err := d.M.Login(ctx, session.LoginOptions{Username: email, Password: *pass, NewLogin: *newLogin}); err != nil {
					return err
				}
				d.status("Logged in as %s", d.M.Username())
				return nil
			}
		},
	}
}

func logoutCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "logout", Group: GroupAccount, Needs: command.NeedNothing,
		Summary: "Logout from Keeper",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return func(ctx context.Context, env *command.Env, args []string) error {
				if !d.M.LoggedIn() {
					// One-shot `keeper logout` resumes the session first, as Commander does.
					if err := d.M.EnsureLogin(ctx); err != nil {
						return err
					}
				}
				err := d.M.Logout(ctx)
				d.status("Logged out")
				return err
			}
		},
	}
}

// dataCenter names the region of a server host (Commander's whoami rule).
func dataCenter(server string) (dc, env string) {
	host := server
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		host = u.Hostname()
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

func whoamiCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "whoami", Group: GroupAccount, Needs: command.NeedLogin,
		Summary: "Display information about the currently logged in user",
		Usage:   "[-v] [--json]",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			fs.BoolP("verbose", "v", false, "more details")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, env *command.Env, args []string) error {
				s := d.M.Session()
				dc, envName := dataCenter(d.M.Server())
				out := whoami{LoggedIn: true, User: s.Username, Server: d.M.Server(), DataCenter: dc, Environment: envName,
					Admin: s.Summary.IsEnterpriseAdmin, AccountType: accountType(s.Summary.AccountType)}
				if mc := d.M.CurrentMC(); mc != nil {
					out.ManagedCompany = mc.Name
				}
				if *asJSON {
					b, err := json.MarshalIndent(out, "", "  ")
					if err != nil {
						return err
					}
					_, err = fmt.Fprintln(env.Out, string(b))
					return err
				}
				line := func(k, v string) { fmt.Fprintf(env.Out, "%22s: %s\n", k, v) }
				fmt.Fprintln(env.Out, "User Info")
				line("User", out.User)
				line("Server", out.Server)
				line("Data Center", out.DataCenter)
				if out.Environment != "" {
					line("Environment", out.Environment)
				}
				line("Admin", fmt.Sprint(out.Admin))
				line("Account Type", out.AccountType)
				if out.ManagedCompany != "" {
					line("Managed Company", out.ManagedCompany)
				}
				return nil
			}
		},
	}
}

// whoami is whoami --json's output (Commander's keys where they apply).
type whoami struct {
	LoggedIn       bool   `json:"logged_in"`
	User           string `json:"user"`
	Server         string `json:"server"`
	DataCenter     string `json:"data_center"`
	Environment    string `json:"environment,omitempty"`
	Admin          bool   `json:"admin"`
	AccountType    string `json:"account_type"`
	ManagedCompany string `json:"managed_company,omitempty"`
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
