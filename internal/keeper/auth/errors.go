package auth

import (
	"errors"
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// ErrAuthFailed is returned when the server rejects the master password.
var ErrAuthFailed = errors.New("login failed: wrong email or master password")

// ErrNoPassword is returned when a password is needed but none can be asked.
var ErrNoPassword = errors.New("a master password is required and none was given")

// ErrSessionExpired matches an expired or revoked session token.
var ErrSessionExpired = rest.ErrSessionExpired

// StepError ends a login at a step this client does not support (two-factor,
// device approval, SSO ...) or that the account cannot pass (locked).
type StepError struct {
	Step string // e.g. "device approval"
	Hint string // what the user can do
}

func (e *StepError) Error() string {
	if e.Hint == "" {
		return fmt.Sprintf("login stopped at %s", e.Step)
	}
	return fmt.Sprintf("login stopped at %s: %s", e.Step, e.Hint)
}

// RegionRedirectError says the account lives in another Keeper region.
type RegionRedirectError struct{ Host string }

func (e *RegionRedirectError) Error() string {
	return fmt.Sprintf("this account is in another Keeper region: use --server %s", e.Host)
}
