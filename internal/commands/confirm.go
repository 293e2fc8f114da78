package commands

import (
	"context"

	"github.com/keeper-go/keeper/internal/command"
)

// confirmer asks a yes/no question on the terminal; nil without one.
type confirmer func(ctx context.Context, prompt string) (bool, error)

// confirmDestructive decides whether a destructive action may go ahead:
// --force skips the question, a terminal asks it, and without a terminal
// the action is refused with a usage error (exit 2) rather than done
// silently.
func confirmDestructive(ctx context.Context, ask confirmer, force bool, cmd, prompt string) (bool, error) {
	if force {
		return true, nil
	}
	if ask == nil {
		return false, command.Usagef(cmd, "refusing to proceed without a terminal to confirm on; add -f/--force to run unattended")
	}
	return ask(ctx, prompt)
}
