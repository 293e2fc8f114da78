package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// deviceSource is what this-device reads and changes.
type deviceSource interface {
	accountSession
	Session() *auth.Session
	ConfigPath() string
}

type thisDeviceOptions struct {
	base
	Source deviceSource
	Status func(string, ...any)
	Format string
}

func newThisDeviceCmd(f *Factory, runF func(context.Context, *thisDeviceOptions) error) *command.Command {
	return &command.Command{
		Name: "this-device", Group: GroupAccount, Needs: command.NeedLogin,
		Summary: "Display and modify settings of the current device",
		Args:    "[register | persistent-login on|off | timeout DURATION]",
		Long: `Sub-commands:
  register                     store the data key encrypted for this device (needed by persistent login)
  persistent-login on|off      (also persistent_login, pl) stay logged in on this device
  timeout DURATION             (also to) logout timer: minutes, or e.g. 30mi, 2h, 1d, 1h30mi`,
		Examples:     []string{"this-device", "this-device persistent-login on", "this-device timeout 1h"},
		JSON:         deviceSettings{},
		ValidateArgs: validateThisDeviceArgs,
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &thisDeviceOptions{Source: f.Session, Status: f.status()}
			fs.StringVar(&o.Format, "format", "text", "output `FORMAT` of the settings view: text or json")
			return runner(o, runF, thisDeviceRun)
		},
	}
}

func validateThisDeviceArgs(args []string) error {
	if len(args) == 0 {
		return nil
	}
	want := map[string]int{"register": 1, "persistent-login": 2, "persistent_login": 2, "pl": 2, "timeout": 2, "to": 2}
	n, ok := want[strings.ToLower(args[0])]
	switch {
	case !ok:
		return command.Usagef("this-device", "unknown sub-command %q", args[0])
	case len(args) != n && n == 1:
		return command.Usagef("this-device", "%s takes no value", args[0])
	case len(args) != n && strings.HasPrefix(strings.ToLower(args[0]), "t"):
		return command.Usagef("this-device", "usage: this-device timeout DURATION")
	case len(args) != n:
		return command.Usagef("this-device", "usage: this-device persistent-login on|off")
	}
	return nil
}

func thisDeviceRun(ctx context.Context, o *thisDeviceOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return command.Usagef("this-device", "--format must be text or json")
	}
	if len(o.Args) == 0 {
		return deviceView(o)
	}
	switch strings.ToLower(o.Args[0]) {
	case "register":
		return o.Source.Account(ctx, func(s *auth.Session, c *rest.Client) error {
			already := s.Summary.DataKeyOnDevice
			if err := s.RegisterDataKey(ctx, c); err != nil {
				return err
			}
			if already {
				o.Status("Device already registered")
			} else {
				o.Status("Successfully registered device")
			}
			return nil
		})
	case "persistent-login", "persistent_login", "pl":
		on, err := parseBool(o.Args[1])
		if err != nil {
			return command.Usagef("this-device", "%v", err)
		}
		if err := o.Source.Account(ctx, func(s *auth.Session, c *rest.Client) error { return s.SetPersistentLogin(ctx, c, on) }); err != nil {
			return err
		}
		state := "DISABLED"
		if on {
			state = "ENABLED"
		}
		o.Status("Successfully %s Persistent Login on this account", state)
		return nil
	}
	minutes, err := parseDuration(o.Args[1])
	if err != nil {
		return command.Usagef("this-device", "%v", err)
	}
	err = o.Source.Account(ctx, func(s *auth.Session, c *rest.Client) error {
		if err := s.SetSetting(ctx, c, "logout_timer", strconv.FormatInt(minutes, 10)); err != nil {
			return err
		}
		s.Summary.LogoutTimerMS = minutes * 60_000
		return nil
	})
	if err != nil {
		return err
	}
	o.Status("Successfully set \"logout_timer\" to %s.", formatMinutes(minutes))
	return nil
}

// deviceSettings is this-device --format json.
type deviceSettings struct {
	DeviceName        string `json:"device_name"`
	DataKeyPresent    bool   `json:"data_key_present"`
	PersistentLogin   bool   `json:"persistent_login"`
	DeviceLogoutTimer string `json:"device_logout_timeout"`
	ConfigFile        string `json:"config_file"`
}

func deviceView(o *thisDeviceOptions) error {
	s := o.Source.Session()
	env := o.Env
	v := deviceSettings{DeviceName: auth.DeviceName(), DataKeyPresent: s.Summary.DataKeyOnDevice,
		PersistentLogin:   s.Summary.PersistentLogin && s.Summary.Enforcements["restrict_persistent_login"] != "true",
		DeviceLogoutTimer: "Default", ConfigFile: o.Source.ConfigPath()}
	if s.Summary.LogoutTimerMS > 0 {
		v.DeviceLogoutTimer = formatMinutes(s.Summary.LogoutTimerMS / 60_000)
	}
	if o.Format == "json" {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(env.Out, string(b))
		return err
	}
	onOff := func(b bool) string {
		if b {
			return "ON"
		}
		return "OFF"
	}
	yesNo := map[bool]string{true: "YES", false: "NO"}
	fmt.Fprintln(env.Out, "Device Settings")
	fmt.Fprintf(env.Out, "%22s: %s\n", "Device Name", v.DeviceName)
	fmt.Fprintf(env.Out, "%22s: %s\n", "Data Key Present", yesNo[v.DataKeyPresent])
	fmt.Fprintf(env.Out, "%22s: %s\n", "Persistent Login", onOff(v.PersistentLogin))
	fmt.Fprintf(env.Out, "%22s: %s\n", "Logout Timeout", v.DeviceLogoutTimer)
	fmt.Fprintf(env.Out, "%22s: %s\n", "Config file", v.ConfigFile)
	fmt.Fprintln(env.Err, "For usage details, type this-device -h")
	return nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "y", "on", "1", "true", "t":
		return true, nil
	case "no", "n", "off", "0", "false", "f":
		return false, nil
	}
	return false, fmt.Errorf("unknown value %q; available values 'yes'/'no', 'y'/'n', 'on'/'off', '1'/'0', 'true'/'false'", s)
}

var durationPart = regexp.MustCompile(`^(\d+)(years|y|months|mo|days|d|hours|h|minutes|mi|m)`)

// parseDuration reads Commander's duration grammar (bare integer = minutes;
// units years|y, months|mo, days|d, hours|h, minutes|mi). Unlike Commander
// it also accepts "m" for minutes, which its own help text suggests.
func parseDuration(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > 525600 {
			return 0, fmt.Errorf("timeout must be between 0 and 525600 minutes")
		}
		return n, nil
	}
	rest := strings.ToLower(s)
	var total int64
	for rest != "" {
		m := durationPart.FindStringSubmatch(rest)
		if m == nil {
			return 0, fmt.Errorf("invalid duration %q: use minutes or e.g. 30mi, 2h, 1d, 1h30mi", s)
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > 525600 {
			return 0, fmt.Errorf("timeout must be at most one year")
		}
		mult := map[string]int64{"years": 525600, "y": 525600, "months": 43200, "mo": 43200, "days": 1440, "d": 1440,
			"hours": 60, "h": 60, "minutes": 1, "mi": 1, "m": 1}[m[2]]
		total += n * mult
		if total > 525600 {
			return 0, fmt.Errorf("timeout must be at most one year")
		}
		rest = rest[len(m[0]):]
	}
	return total, nil
}

func formatMinutes(m int64) string {
	if m <= 0 {
		return "default value"
	}
	var parts []string
	for _, u := range []struct {
		n    int64
		name string
	}{{1440, "day"}, {60, "hour"}, {1, "minute"}} {
		if q := m / u.n; q > 0 {
			s := fmt.Sprintf("%d %s", q, u.name)
			if q > 1 {
				s += "s"
			}
			parts = append(parts, s)
			m -= q * u.n
		}
	}
	return strings.Join(parts, ", ")
}
