package app

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
)

// globalOptions are the process-wide flags that come before the command.
// Names follow Keeper Commander where it has them.
type globalOptions struct {
	Config         string
	Server         string
	User           string
	Password       string
	Proxy          string
	Debug          bool
	BatchMode      bool
	Version        bool
	NewLogin       bool
	FailOnThrottle bool
	Help           bool
}

// legacyGlobalShort maps Commander's two-letter single-dash global options
// (which pflag cannot express) to their long names.
var legacyGlobalShort = map[string]string{
	"-ks": "--server",
	"-ku": "--user",
	"-kp": "--password",
}

// globalSecret lists the global flags whose values are masked when the
// invocation is echoed (see command.RedactFlags).
var globalSecret = []string{"password"}

func newGlobalFlagSet(o *globalOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("keeper", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(false) // everything after the command word belongs to the command
	fs.SortFlags = false
	fs.StringVar(&o.Config, "config", "", "config file `PATH` (default: $KEEPER_CONFIG_FILE, ./config.json or ~/.keeper/config.json)")
	fs.StringVar(&o.Server, "server", "", "Keeper region (US, EU, AU, CA, JP, GOV) or `HOST`; -ks also works")
	fs.StringVar(&o.User, "user", "", "account `EMAIL`; -ku also works")
	fs.StringVar(&o.Password, "password", "", "master `PASSWORD` (prefer $KEEPER_PASSWORD); -kp also works")
	fs.StringVar(&o.Proxy, "proxy", "", "proxy `URL` for all HTTPS calls")
	fs.BoolVar(&o.Debug, "debug", false, "log protocol traffic (secrets redacted) to stderr")
	fs.BoolVar(&o.BatchMode, "batch-mode", false, "never prompt; fail instead")
	fs.BoolVar(&o.NewLogin, "new-login", false, "ignore the persistent-login clone code and log in with the password")
	fs.BoolVar(&o.FailOnThrottle, "fail-on-throttle", false, "fail at once when the server throttles instead of waiting")
	fs.BoolVar(&o.Version, "version", false, "print the version and exit")
	fs.BoolVarP(&o.Help, "help", "h", false, "show this help")
	return fs
}

// parseGlobal parses the global flags and returns the remaining command words.
func parseGlobal(args []string) (*globalOptions, []string, error) {
	o := &globalOptions{}
	fs := newGlobalFlagSet(o)
	rewritten := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" || (!strings.HasPrefix(a, "-") && (i == 0 || !takesValue(args[i-1]))) {
			rewritten = append(rewritten, args[i:]...)
			break
		}
		rewritten = append(rewritten, rewriteLegacy(a))
	}
	if err := fs.Parse(rewritten); err != nil {
		return nil, nil, &usageError{msg: err.Error()}
	}
	// An explicitly empty value (--config "$UNSET") is a mistake, not a
	// request for the default: the default may be another file or server.
	for _, name := range []string{"config", "server", "user", "password", "proxy"} {
		if f := fs.Lookup(name); fs.Changed(name) && f.Value.String() == "" {
			return nil, nil, &usageError{msg: fmt.Sprintf("--%s needs a non-empty value", name)}
		}
	}
	return o, fs.Args(), nil
}

func takesValue(flag string) bool {
	switch rewriteLegacy(flag) {
	case "--config", "--server", "--user", "--password", "--proxy":
		return true
	}
	return false
}

func rewriteLegacy(a string) string {
	name, value, hasValue := strings.Cut(a, "=")
	if long, ok := legacyGlobalShort[name]; ok {
		if hasValue {
			return long + "=" + value
		}
		return long
	}
	return a
}

func globalUsage(w io.Writer) {
	o := &globalOptions{}
	fmt.Fprintf(w, "Usage: keeper [OPTIONS] [COMMAND] [COMMAND_OPTIONS]\n\n")
	fmt.Fprintf(w, "With no command keeper opens the interactive shell; `keeper -` reads commands from stdin.\n\n")
	fmt.Fprintf(w, "Options:\n%s\n", command.FlagUsages(newGlobalFlagSet(o)))
	fmt.Fprintf(w, "Type \"keeper help\" for the list of commands.\n")
}
