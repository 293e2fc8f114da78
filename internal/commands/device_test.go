package commands

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
)

func deviceAccount() *fakeAccount {
	return &fakeAccount{config: "/home/x/.keeper/config.json", sess: &auth.Session{Username: "me@x.test",
		Summary: auth.Summary{DeviceName: "Laptop", DataKeyOnDevice: true, PersistentLogin: true, LogoutTimerMS: 90 * 60_000,
			Enforcements: map[string]string{}}}}
}

func runDevice(t *testing.T, src *fakeAccount, line string) (string, string, []string, error) {
	t.Helper()
	var status []string
	out, errOut, err := runLine(t, newThisDeviceCmd(noFactory, func(ctx context.Context, o *thisDeviceOptions) error {
		o.Source = src
		o.Status = func(f string, a ...any) { status = append(status, fmt.Sprintf(f, a...)) }
		return thisDeviceRun(ctx, o)
	}), line)
	return out, errOut, status, err
}

// TestThisDeviceView: the rows in Commander's order, IP Auto Approve the
// inverse of ipDisableAutoApprove, Python's True/False for Is SSO User; the
// enterprise rows only with logout_timer_desktop.
func TestThisDeviceView(t *testing.T) {
	src := deviceAccount()
	out, errOut, _, err := runDevice(t, src, "this-device")
	if err != nil {
		t.Fatal(err)
	}
	want := `Device Settings
           Device Name: Laptop
      Data Key Present: YES
       IP Auto Approve: ON
      Persistent Login: ON
   Security Key No PIN: OFF
        Logout Timeout: 1 hour, 30 minutes
           Is SSO User: False
           Config file: /home/x/.keeper/config.json
`
	if out != want || errOut != "For usage details, type this-device -h\n" {
		t.Fatalf("got\n%s%s\nwant\n%s", out, errOut, want)
	}
	sum := &src.sess.Summary
	sum.IPDisableAutoApprove, sum.SecurityKeysNoUserVerify, sum.SSOUser = true, true, true
	sum.Enforcements["logout_timer_desktop"] = "60"
	sum.Enforcements["restrict_persistent_login"] = "true"
	out, _, _, _ = runDevice(t, src, "this-device")
	for _, row := range []string{"       IP Auto Approve: OFF\n", "      Persistent Login: OFF\n", "   Security Key No PIN: ON\n",
		"        Logout Timeout: 1 hour, 30 minutes\n    Enterprise Timeout: 1 hour\n     Effective Timeout: 1 hour\n",
		"           Is SSO User: True\n"} {
		if !strings.Contains(out, row) {
			t.Errorf("missing %q in\n%s", row, out)
		}
	}
}

// TestThisDeviceJSON: one json.dumps line, Commander's keys, null
// enterprise timeouts unless enforced; the effective timeout is the
// smaller one, the device's default counting as one hour.
func TestThisDeviceJSON(t *testing.T) {
	src := deviceAccount()
	out, _, _, err := runDevice(t, src, "this-device --format json")
	want := `{"device_name": "Laptop", "data_key_present": true, "ip_auto_approve": true, "persistent_login": true, ` +
		`"security_key_no_pin": false, "device_logout_timeout": "1 hour, 30 minutes", "enterprise_logout_timeout": null, ` +
		`"effective_logout_timeout": null, "is_sso_user": false, "config_file": "/home/x/.keeper/config.json"}` + "\n"
	if err != nil || out != want {
		t.Fatalf("got  %s\nwant %s (%v)", out, want, err)
	}
	for _, tc := range []struct {
		deviceMS         int64
		enforced         string
		device, ent, eff string
	}{
		{0, "30", "Default", "30 minutes", "30 minutes"},
		{0, "120", "Default", "2 hours", "1 hour"},
		{3 * 86_400_000, "1500", "3 days", "1 day, 1 hour", "1 day, 1 hour"},
		{45_000, "10", "", "10 minutes", ""}, // under a minute: Commander prints nothing
	} {
		sum := auth.Summary{LogoutTimerMS: tc.deviceMS, Enforcements: map[string]string{"logout_timer_desktop": tc.enforced}}
		v := deviceSettingsOf(&sum, "")
		if v.DeviceLogoutTimer != tc.device || *v.EnterpriseLogoutTimeout != tc.ent || *v.EffectiveLogoutTimeout != tc.eff ||
			v.DeviceName != "Unknown" {
			t.Errorf("%+v: got %q %q %q %q", tc, v.DeviceLogoutTimer, *v.EnterpriseLogoutTimeout, *v.EffectiveLogoutTimeout, v.DeviceName)
		}
	}
}

// TestThisDeviceSubCommands: every spelling reaches the account with
// Commander's message; no-yubikey-pin on DISABLES PIN verification.
func TestThisDeviceSubCommands(t *testing.T) {
	for line, want := range map[string]string{
		"this-device iaa off":              "Successfully DISABLED 'ip_auto_approve'",
		"this-device ip-auto-approve YES":  "Successfully ENABLED 'ip_auto_approve'",
		"this-device ip_auto_approve 1":    "Successfully ENABLED 'ip_auto_approve'",
		"this-device no-yubikey-pin on":    "Successfully DISABLED Security Key PIN verification",
		"this-device NO-YUBIKEY-PIN false": "Successfully ENABLED Security Key PIN verification",
		"this-device rename 'My Laptop'":   "Successfully renamed device to 'My Laptop'",
		"this-device ren x":                "Successfully renamed device to 'x'",
		"this-device pl off":               "Successfully DISABLED Persistent Login on this account",
		"this-device to 90":                `Successfully set "logout_timer" to 1 hour, 30 minutes.`,
		"this-device timeout 0":            `Successfully set "logout_timer" to default value.`,
	} {
		src := deviceAccount()
		_, _, status, err := runDevice(t, src, line)
		if err != nil || src.accounts != 1 || len(status) != 1 || status[0] != want {
			t.Errorf("%s: %v %d %q, want %q", line, err, src.accounts, status, want)
		}
	}
	src := deviceAccount()
	_, _, _, err := runDevice(t, src, "this-device iaa maybe")
	usageErr(t, err, "unknown value \"maybe\"")
	if src.accounts != 0 {
		t.Fatal("a bad value reached the server")
	}
}
