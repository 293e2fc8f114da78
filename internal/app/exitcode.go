package app

// Exit codes of the keeper binary. They are a public contract for scripts:
// never renumber them. README.md documents the same table.
const (
	ExitOK        = 0 // success
	ExitError     = 1 // any other failure
	ExitUsage     = 2 // bad flags, bad arguments, unknown command
	ExitCancelled = 3 // interrupted (Ctrl-C) or cancelled by the user
	ExitAuth      = 4 // login failed, no credentials, session expired
	ExitServer    = 5 // the Keeper server answered with an error or could not be reached
)

// usageError is a bad invocation of keeper itself (global flags).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
