package commands

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
)

// cacheDropper is an enterpriseSource whose local cache can be dropped.
type cacheDropper interface {
	enterpriseSource
	DropEnterpriseCache() error
}

type enterpriseDownOptions struct {
	base
	Source cacheDropper
	Force  bool
}

func newEnterpriseDownCmd(f *Factory, runF func(context.Context, *enterpriseDownOptions) error) *command.Command {
	return &command.Command{
		Name: "enterprise-down", Aliases: []string{"ed"}, Group: GroupEnterprise, Needs: command.NeedEnterpriseAdmin,
		Summary: "Download & decrypt enterprise data",
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &enterpriseDownOptions{Source: f.Session}
			fs.BoolVarP(&o.Force, "force", "f", false, "drop the local cache and download everything")
			return runner(o, runF, enterpriseDownRun)
		},
	}
}

func enterpriseDownRun(ctx context.Context, o *enterpriseDownOptions) error {
	if o.Force {
		if err := o.Source.DropEnterpriseCache(); err != nil {
			return err
		}
	}
	_, err := o.Source.Enterprise(ctx, true)
	return err
}
