package commands

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
)

func enterpriseDownCmd(d *Deps) *command.Command {
	return &command.Command{
		Name: "enterprise-down", Aliases: []string{"ed"}, Group: GroupEnterprise, Needs: command.NeedEnterpriseAdmin,
		Summary: "Download & decrypt enterprise data",
		Usage:   "[-f]",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			force := fs.BoolP("force", "f", false, "drop the local cache and download everything")
			return func(ctx context.Context, env *command.Env, args []string) error {
				if *force {
					if err := d.M.DropEnterpriseCache(); err != nil {
						return err
					}
				}
				_, err := d.M.Enterprise(ctx, true)
				return err
			}
		},
	}
}
