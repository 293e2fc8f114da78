package commands

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/session"
)

// whoamiSource is what whoami reads: the logged-in session, the server and
// the managed company switched to.
type whoamiSource interface {
	Session() *auth.Session
	Server() string
	CurrentMC() *session.MC
}

type whoamiOptions struct {
	base
	Source  whoamiSource
	Verbose bool
	JSON    bool
}

func newWhoamiCmd(f *Factory, runF func(context.Context, *whoamiOptions) error) *command.Command {
	return &command.Command{
		Name: "whoami", Group: GroupAccount, Needs: command.NeedLogin,
		Summary: "Display information about the currently logged in user",
		JSON:    whoami{},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &whoamiOptions{Source: f.Session}
			fs.BoolVarP(&o.Verbose, "verbose", "v", false, "more details")
			fs.BoolVar(&o.JSON, "json", false, "print JSON")
			return runner(o, runF, whoamiRun)
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

func whoamiRun(ctx context.Context, o *whoamiOptions) error {
	s := o.Source.Session()
	dc, envName := dataCenter(o.Source.Server())
	out := whoami{LoggedIn: true, User: s.Username, Server: o.Source.Server(), DataCenter: dc, Environment: envName,
		Admin: s.Summary.IsEnterpriseAdmin, AccountType: accountType(s.Summary.AccountType)}
	if mc := o.Source.CurrentMC(); mc != nil {
		out.ManagedCompany = mc.Name
	}
	w := o.Env.Out
	if o.JSON {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	line := func(k, v string) { fmt.Fprintf(w, "%22s: %s\n", k, v) }
	fmt.Fprintln(w, "User Info")
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
