// Package commands holds keeper's commands, one file per command or small
// family (account, device, enterprise info, msp ...).
//
// Every command has the same three parts, after gh's cmd packages: an
// options struct holding the parsed flags and the narrow interfaces it
// reads and writes through; a constructor newXCmd(f, runF) that declares
// the command, binds its flags into the options and calls runF instead of
// the real run function when a test gives one; and xRun(ctx, opts), which
// does the work and can be tested with fakes, without a server.
package commands

import (
	"context"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/session"
)

// Group names, in help order.
const (
	GroupAccount    = "Account"
	GroupEnterprise = "Enterprise Management"
	GroupMSP        = "MSP Management"
	GroupMisc       = "Miscellaneous"
)

// Factory is what commands get from the app. Commands copy the parts they
// need into their options as narrow interfaces.
type Factory struct {
	// Session is the process's session manager.
	Session *session.Manager
	// Status prints a status line to stderr unless in batch mode.
	Status func(format string, args ...any)
	// Confirm asks a yes/no question on the terminal; nil when there is no
	// terminal to ask on (destructive commands then need --force).
	Confirm func(ctx context.Context, prompt string) (bool, error)
	// PromptPassword reads a secret on the terminal without echo (through
	// the shell's line reader in the shell); nil when there is no terminal.
	// An empty answer is a cancellation.
	PromptPassword func(ctx context.Context, prompt string) (string, error)
}

// All returns every command of this package.
func All(f *Factory) []*command.Command {
	return []*command.Command{
		newLoginCmd(f, nil), newLogoutCmd(f, nil), newWhoamiCmd(f, nil), newThisDeviceCmd(f, nil),
		newEnterpriseInfoCmd(f, nil), newEnterpriseDownCmd(f, nil), newEnterpriseUserCmd(f, nil), newCreateUserCmd(f, nil),
		newEnterpriseNodeCmd(f, nil), newEnterpriseRoleCmd(f, nil), newEnterpriseTeamCmd(f, nil),
		newMSPInfoCmd(f, nil), newMSPDownCmd(f, nil), newMSPAddCmd(f, nil), newMSPUpdateCmd(f, nil), newMSPRemoveCmd(f, nil),
		newMSPConvertNodeCmd(f, nil), newMSPCopyRoleCmd(f, nil), newSwitchToMCCmd(f, nil), newSwitchToMSPCmd(f, nil),
		newMSPBillingReportCmd(f, nil), newMSPLegacyReportCmd(f, nil), newDistributorCmd(f, nil),
	}
}

// status returns a status printer that is never nil.
func (f *Factory) status() func(format string, args ...any) {
	if f.Status != nil {
		return f.Status
	}
	return func(string, ...any) {}
}

// base is embedded in every options struct: the streams and variables of
// the run, and the positional arguments.
type base struct {
	Env  *command.Env
	Args []string
}

func (b *base) bind(env *command.Env, args []string) { b.Env, b.Args = env, args }

type binder interface {
	bind(env *command.Env, args []string)
}

// runner returns the Runner of a command whose options o are filled by its
// flags: it binds the run's environment and arguments into o and calls runF
// (a test's capture) or run.
func runner[T binder](o T, runF, run func(context.Context, T) error) command.Runner {
	return func(ctx context.Context, env *command.Env, args []string) error {
		o.bind(env, args)
		if runF != nil {
			return runF(ctx, o)
		}
		return run(ctx, o)
	}
}
