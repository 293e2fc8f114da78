package commands

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/report"
)

// deviceSource is what this-device reads and changes.
type deviceSource interface {
	accountSession
	LiveSession(ctx context.Context) (*auth.Session, error)
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
		Args:    "[register | rename NAME | persistent-login on|off | ip-auto-approve on|off | no-yubikey-pin on|off | timeout DURATION]",
		Long: `Sub-commands:
  register                     store the data key encrypted for this device (needed by persistent login)
  rename NAME                  (also ren) change the display name of this device
  persistent-login on|off      (also persistent_login, pl) stay logged in on this device
  ip-auto-approve on|off       (also ip_auto_approve, iaa) approve new devices logging in from the same IP address
  no-yubikey-pin on|off        skip the PIN prompt of security keys (YubiKey)
  timeout DURATION             (also to) logout timer: minutes, or e.g. 30mi, 2h, 1d, 1h30mi`,
		Examples: []string{"this-device", "this-device persistent-login on", "this-device rename 'My Laptop'",
			"this-device ip-auto-approve off", "this-device timeout 1h"},
		JSON:         deviceSettings{},
		ValidateArgs: validateThisDeviceArgs,
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &thisDeviceOptions{Source: f.Session, Status: f.status()}
			fs.StringVar(&o.Format, "format", "text", "output `FORMAT` of the settings view: text or json")
			return runner(o, runF, thisDeviceRun)
		},
	}
}

// thisDeviceVerbs maps every accepted spelling of a sub-command (Commander
// keepercommander/commands/utils.py ThisDeviceCommand) to its canonical
// name and the value it takes ("" for none).
var thisDeviceVerbs = map[string]struct{ verb, value string }{
	"register":         {"register", ""},
	"rename":           {"rename", "NAME"},
	"ren":              {"rename", "NAME"},
	"persistent-login": {"persistent-login", "on|off"},
	"persistent_login": {"persistent-login", "on|off"},
	"pl":               {"persistent-login", "on|off"},
	"ip-auto-approve":  {"ip-auto-approve", "on|off"},
	"ip_auto_approve":  {"ip-auto-approve", "on|off"},
	"iaa":              {"ip-auto-approve", "on|off"},
	"no-yubikey-pin":   {"no-yubikey-pin", "on|off"},
	"timeout":          {"timeout", "DURATION"},
	"to":               {"timeout", "DURATION"},
}

// deviceToggles are the on|off sub-commands: the account change and
// Commander's message, whose ENABLED/DISABLED is inverted for
// no-yubikey-pin (on skips the PIN, so verification is DISABLED).
var deviceToggles = map[string]struct {
	set      func(s *auth.Session, ctx context.Context, c *rest.Client, on bool) error
	message  string
	inverted bool
}{
	"persistent-login": {(*auth.Session).SetPersistentLogin, "Successfully %s Persistent Login on this account", false},
	"ip-auto-approve":  {(*auth.Session).SetIPAutoApprove, "Successfully %s 'ip_auto_approve'", false},
	"no-yubikey-pin":   {(*auth.Session).SetSecurityKeyNoPIN, "Successfully %s Security Key PIN verification", true},
}

func validateThisDeviceArgs(args []string) error {
	if len(args) == 0 {
		return nil
	}
	v, ok := thisDeviceVerbs[strings.ToLower(args[0])]
	switch {
	case !ok:
		return command.Usagef("this-device", "unknown sub-command %q", args[0])
	case v.value == "" && len(args) != 1:
		return command.Usagef("this-device", "%s takes no value", args[0])
	case v.value != "" && len(args) != 2:
		return command.Usagef("this-device", "usage: this-device %s %s", v.verb, v.value)
	case v.verb == "rename" && strings.TrimSpace(args[1]) == "":
		return command.Usagef("this-device", "the device name must not be empty")
	}
	return nil
}

func thisDeviceRun(ctx context.Context, o *thisDeviceOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return command.Usagef("this-device", "--format must be text or json")
	}
	if len(o.Args) == 0 {
		return deviceView(ctx, o)
	}
	account := func(fn func(s *auth.Session, c *rest.Client) error) error { return o.Source.Account(ctx, fn) }
	enabled := func(on bool) string {
		if on {
			return "ENABLED"
		}
		return "DISABLED"
	}
	verb := thisDeviceVerbs[strings.ToLower(o.Args[0])].verb
	switch verb {
	case "register":
		return account(func(s *auth.Session, c *rest.Client) error {
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
	case "rename":
		name := o.Args[1]
		if err := account(func(s *auth.Session, c *rest.Client) error { return s.RenameDevice(ctx, c, name) }); err != nil {
			return err
		}
		o.Status("Successfully renamed device to '%s'", name)
		return nil
	}
	if t, ok := deviceToggles[verb]; ok {
		on, err := parseBool(o.Args[1])
		if err != nil {
			return command.Usagef("this-device", "%v", err)
		}
		if err := account(func(s *auth.Session, c *rest.Client) error { return t.set(s, ctx, c, on) }); err != nil {
			return err
		}
		o.Status(t.message, enabled(on != t.inverted))
		return nil
	}
	minutes, err := parseDuration(o.Args[1])
	if err != nil {
		return command.Usagef("this-device", "%v", err)
	}
	err = account(func(s *auth.Session, c *rest.Client) error {
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

// deviceSettings is this-device --format json, Commander's get_device_info
// keys in its order; the two enterprise timeouts are null unless the
// enforcement logout_timer_desktop is set.
type deviceSettings struct {
	DeviceName              string  `json:"device_name"`
	DataKeyPresent          bool    `json:"data_key_present"`
	IPAutoApprove           bool    `json:"ip_auto_approve"`
	PersistentLogin         bool    `json:"persistent_login"`
	SecurityKeyNoPIN        bool    `json:"security_key_no_pin"`
	DeviceLogoutTimer       string  `json:"device_logout_timeout"`
	EnterpriseLogoutTimeout *string `json:"enterprise_logout_timeout"`
	EffectiveLogoutTimeout  *string `json:"effective_logout_timeout"`
	IsSSOUser               bool    `json:"is_sso_user"`
	ConfigFile              string  `json:"config_file"`
}

// deviceSettingsOf reads the settings view from the session summary.
func deviceSettingsOf(sum *auth.Summary, configPath string) deviceSettings {
	v := deviceSettings{DeviceName: sum.DeviceName, DataKeyPresent: sum.DataKeyOnDevice,
		IPAutoApprove:     !sum.IPDisableAutoApprove,
		PersistentLogin:   sum.PersistentLogin && sum.Enforcements["restrict_persistent_login"] != "true",
		SecurityKeyNoPIN:  sum.SecurityKeysNoUserVerify,
		DeviceLogoutTimer: "Default", IsSSOUser: sum.SSOUser, ConfigFile: configPath}
	if v.DeviceName == "" {
		v.DeviceName = "Unknown" // Commander: this_device.get('deviceName', 'Unknown')
	}
	device := time.Hour // Keeper's default logout timer, which the effective timeout compares with
	if sum.LogoutTimerMS > 0 {
		device = time.Duration(sum.LogoutTimerMS) * time.Millisecond
		v.DeviceLogoutTimer = formatTimeout(device)
	}
	if m, _ := strconv.ParseInt(sum.Enforcements["logout_timer_desktop"], 10, 64); m > 0 {
		ent := time.Duration(m) * time.Minute
		v.EnterpriseLogoutTimeout = ptr(formatTimeout(ent))
		v.EffectiveLogoutTimeout = ptr(formatTimeout(min(ent, device)))
	}
	return v
}

func deviceView(ctx context.Context, o *thisDeviceOptions) error {
	s, err := o.Source.LiveSession(ctx)
	if err != nil {
		return err
	}
	v := deviceSettingsOf(&s.Summary, o.Source.ConfigPath())
	env := o.Env
	if o.Format == "json" {
		b, err := report.PyDumps(v, 0)
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
	pyBool := map[bool]string{true: "True", false: "False"}
	line := func(k, v string) { fmt.Fprintf(env.Out, "%22s: %s\n", k, v) }
	fmt.Fprintln(env.Out, "Device Settings")
	line("Device Name", v.DeviceName)
	line("Data Key Present", yesNo[v.DataKeyPresent])
	line("IP Auto Approve", onOff(v.IPAutoApprove))
	line("Persistent Login", onOff(v.PersistentLogin))
	line("Security Key No PIN", onOff(v.SecurityKeyNoPIN))
	line("Logout Timeout", v.DeviceLogoutTimer)
	if v.EnterpriseLogoutTimeout != nil {
		line("Enterprise Timeout", *v.EnterpriseLogoutTimeout)
		line("Effective Timeout", *v.EffectiveLogoutTimeout)
	}
	line("Is SSO User", pyBool[v.IsSSOUser])
	line("Config file", v.ConfigFile)
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

// formatMinutes is a logout timer in minutes as the timeout sub-command
// reports it: "default value" for 0.
func formatMinutes(m int64) string {
	if m <= 0 {
		return "default value"
	}
	return formatTimeout(time.Duration(m) * time.Minute)
}

// formatTimeout writes a timeout as Commander's format_timeout does
// (keepercommander/commands/helpers/timeout.py): the non-zero days, hours
// and minutes, e.g. "1 hour, 30 minutes"; "0" for zero; seconds dropped.
func formatTimeout(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	m := int64(d / time.Minute)
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
