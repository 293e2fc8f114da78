// Package commands holds keeper's commands, grouped by family in files:
// account (login, logout, whoami, this-device, version), enterprise
// (enterprise-info, enterprise-down) and msp (msp-info, msp-down,
// switch-to-mc, switch-to-msp). Each declares its flags on a fresh FlagSet
// and reaches Keeper only through the session manager.
package commands

import (
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

// Deps is what the commands need from the app.
type Deps struct {
	M *session.Manager
	// Status prints a status line to stderr unless quiet (batch mode).
	Status func(format string, args ...any)
}

// All returns every command of this package.
func All(d *Deps) []*command.Command {
	return []*command.Command{
		loginCmd(d), logoutCmd(d), whoamiCmd(d), thisDeviceCmd(d),
		enterpriseInfoCmd(d), enterpriseDownCmd(d),
		mspInfoCmd(d), mspDownCmd(d), switchToMCCmd(d), switchToMSPCmd(d),
	}
}

func (d *Deps) status(format string, args ...any) {
	if d.Status != nil {
		d.Status(format, args...)
	}
}
