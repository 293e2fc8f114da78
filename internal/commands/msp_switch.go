package commands

import (
	"context"
	"errors"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
)

type mspDownOptions struct {
	base
	Source mspSource
}

func newMSPDownCmd(f *Factory, runF func(context.Context, *mspDownOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-down", Aliases: []string{"md"}, Group: GroupMSP, Needs: command.NeedMSPAdmin,
		Summary: "Download current MSP data from the Keeper Cloud",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return runner(&mspDownOptions{Source: f.Session}, runF, func(ctx context.Context, o *mspDownOptions) error {
				_, err := o.Source.MSP(ctx, true)
				return err
			})
		},
	}
}

type switchOptions struct {
	base
	Switcher mcSwitcher
	Status   func(string, ...any)
}

func newSwitchToMCCmd(f *Factory, runF func(context.Context, *switchOptions) error) *command.Command {
	return &command.Command{
		Name: "switch-to-mc", Group: GroupMSP, Needs: command.NeedLogin,
		Summary:     "Switch user's context to a Managed Company",
		Args:        "MC",
		Completions: map[string]command.CompletionKind{"": command.CompleteMC},
		Examples:    []string{"switch-to-mc 'Acme Dental'", "switch-to-mc ${last_mc_id}"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return runner(&switchOptions{Switcher: f.Session, Status: f.status()}, runF, switchToMCRun)
		},
	}
}

func switchToMCRun(ctx context.Context, o *switchOptions) error {
	mc, err := o.Switcher.SwitchToMC(ctx, o.Args[0])
	if err != nil {
		return err
	}
	if _, err := o.Switcher.Enterprise(ctx, false); err != nil {
		o.Switcher.SwitchToMSP()
		return err
	}
	o.Status("Switched to MC '%s'", mc.Name)
	return nil
}

func newSwitchToMSPCmd(f *Factory, runF func(context.Context, *switchOptions) error) *command.Command {
	return &command.Command{
		Name: "switch-to-msp", Group: GroupEnterprise, Needs: command.NeedLogin,
		Summary: "Switch user's context back to the MSP tenant",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			return runner(&switchOptions{Switcher: f.Session, Status: f.status()}, runF, switchToMSPRun)
		},
	}
}

func switchToMSPRun(_ context.Context, o *switchOptions) error {
	if !o.Switcher.SwitchToMSP() {
		return errors.New("switch-to-msp: already in the MSP context (not switched to a managed company)")
	}
	o.Status("Switched back to MSP")
	return nil
}
