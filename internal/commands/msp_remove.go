package commands

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/msp"
)

type mspRemoveOptions struct {
	base
	Writer  mspWriter
	Status  func(string, ...any)
	Confirm confirmer
	Force   bool
}

func newMSPRemoveCmd(f *Factory, runF func(context.Context, *mspRemoveOptions) error) *command.Command {
	return &command.Command{
		Name: "msp-remove", Aliases: []string{"mrm"}, Group: GroupMSP, Needs: command.NeedMSPAdmin,
		Summary: "Remove a managed company (MC) tenant",
		Args:    "MC",
		Long: "Removes a managed company: its licences expire and the MSP loses admin access to it. It asks " +
			"for confirmation on a terminal; without one it refuses unless -f/--force is given.",
		Completions: map[string]command.CompletionKind{"": command.CompleteMC},
		Examples:    []string{"msp-remove 23456", `msp-remove "MC Name"`, "mrm -f ${last_mc_id}"},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &mspRemoveOptions{Writer: f.Session, Status: f.status(), Confirm: f.Confirm}
			fs.BoolVarP(&o.Force, "force", "f", false, "do not prompt for confirmation")
			return runner(o, runF, mspRemoveRun)
		},
	}
}

func mspRemoveRun(ctx context.Context, o *mspRemoveOptions) error {
	const cmd = "msp-remove"
	e, err := o.Writer.MSP(ctx, false)
	if err != nil {
		return err
	}
	mc, err := e.ManagedCompany(o.Args[0])
	if err != nil {
		return fmt.Errorf("%s: Managed Company %q not found", cmd, o.Args[0])
	}
	if !o.Force && o.Confirm != nil {
		fmt.Fprintf(o.Env.Err, "ALERT!\nRemove Managed Company.\n\n"+
			"Removing will expire the licences for the managed company and your admin access for the account.\n"+
			"Managed Company Name: %q, Licences: %d\n\n", mc.McEnterpriseName, mc.NumberOfSeats)
	}
	ok, err := confirmDestructive(ctx, o.Confirm, o.Force, cmd,
		"I want to remove these licences managed vault folder and my access to the admin console from my MSP account.")
	if err != nil || !ok {
		return err
	}
	if err := o.Writer.Do(ctx, msp.Remove{EnterpriseID: mc.McEnterpriseId}, nil); err != nil {
		return err
	}
	o.Status("Managed company \"%s\" removed. ID=%d", mc.McEnterpriseName, mc.McEnterpriseId)
	return nil
}
