package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/commands"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/session"
)

// TestUpdateDeviceRenames: authentication/update_device renames the
// session's device (the summary lists the new name), refuses an empty name
// and a device of no account of the session, and answers an unknown token
// with device_not_registered.
func TestUpdateDeviceRenames(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	if s.Summary.DeviceName != auth.DeviceName() {
		t.Fatalf("device name before rename %q", s.Summary.DeviceName)
	}
	if err := s.RenameDevice(ctx, c, "Build Box"); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadSummary(ctx, c); err != nil || s.Summary.DeviceName != "Build Box" {
		t.Fatalf("after rename: %q %v", s.Summary.DeviceName, err)
	}
	call := func(rq *authpb.DeviceUpdateRequest) error {
		return c.Call(ctx, "authentication/update_device", rq, nil, rest.WithSessionToken(s.SessionToken))
	}
	for name, tc := range map[string]struct {
		rq   *authpb.DeviceUpdateRequest
		code string
	}{
		"empty name":   {&authpb.DeviceUpdateRequest{EncryptedDeviceToken: s.Device.Token, DeviceName: "  "}, "bad_request"},
		"unknown":      {&authpb.DeviceUpdateRequest{EncryptedDeviceToken: []byte("nope"), DeviceName: "x"}, "device_not_registered"},
		"long name":    {&authpb.DeviceUpdateRequest{EncryptedDeviceToken: s.Device.Token, DeviceName: strings.Repeat("x", 129)}, "bad_request"},
		"other device": {&authpb.DeviceUpdateRequest{EncryptedDeviceToken: otherDevice(t, sb), DeviceName: "x"}, "access_denied"},
	} {
		if err := call(tc.rq); !errors.Is(err, &rest.APIError{Code: tc.code}) {
			t.Errorf("%s: got %v, want %s", name, err, tc.code)
		}
	}
}

// otherDevice registers a device no account has logged in on.
func otherDevice(t *testing.T, sb *sandboxtest.Env) []byte {
	t.Helper()
	d, err := auth.RegisterDevice(context.Background(), sb.Client(t))
	if err != nil {
		t.Fatal(err)
	}
	return d.Token
}

// TestThisDeviceSettingsRoundTrip runs this-device's sub-commands through
// the command layer against a sandbox of its own (they change account
// settings, which the shared script sandbox must not see): each change is
// stored and shows in the next login's settings view, IP auto-approval as
// the inverse of ip_disable_auto_approve.
func TestThisDeviceSettingsRoundTrip(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "config.json")
	sb.WriteConfig(t, path)
	m := session.New(session.Options{ConfigPath: path, Config: sb.Config(), Password: sandboxtest.Password})
	if err := m.Login(ctx, session.LoginOptions{Username: seed.AdminEmail}); err != nil {
		t.Fatal(err)
	}
	run := func(m *session.Manager, line string) string {
		t.Helper()
		f := &commands.Factory{Session: m}
		reg := command.NewRegistry()
		for _, c := range commands.All(f) {
			reg.Add(c)
		}
		words, err := command.Split(line)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		env := &command.Env{In: strings.NewReader(""), Out: &out, Err: &bytes.Buffer{}, Vars: map[string]string{}}
		if err := (&command.Dispatcher{Registry: reg}).Run(ctx, env, words); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return out.String()
	}
	view := func(m *session.Manager) map[string]any {
		t.Helper()
		out := run(m, "this-device --format json")
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return v
	}
	if v := view(m); v["ip_auto_approve"] != true || v["security_key_no_pin"] != false || v["device_name"] != auth.DeviceName() {
		t.Fatalf("initial view %v", v)
	}
	for _, line := range []string{"this-device iaa off", "this-device no-yubikey-pin on", "this-device rename 'Build Box'",
		"this-device timeout 2h", "this-device persistent-login on"} {
		run(m, line)
	}
	if v := view(m); v["ip_auto_approve"] != false || v["security_key_no_pin"] != true || v["device_name"] != "Build Box" ||
		v["device_logout_timeout"] != "2 hours" {
		t.Fatalf("view after the changes, same session: %v", v)
	}
	// A new process: persistent login, everything read back from the server.
	m2 := session.New(session.Options{ConfigPath: path, Config: m.Config()})
	if err := m2.EnsureLogin(ctx); err != nil {
		t.Fatal(err)
	}
	if v := view(m2); v["ip_auto_approve"] != false || v["security_key_no_pin"] != true || v["device_name"] != "Build Box" ||
		v["device_logout_timeout"] != "2 hours" || v["persistent_login"] != true {
		t.Fatalf("view after a new login: %v", v)
	}
	run(m2, "this-device iaa on")
	run(m2, "this-device no-yubikey-pin off")
	if err := m2.Session().LoadSummary(ctx, mustClient(t, m2)); err != nil {
		t.Fatal(err)
	}
	if sum := m2.Session().Summary; sum.IPDisableAutoApprove || sum.SecurityKeysNoUserVerify {
		t.Fatalf("settings not switched back: %+v", sum)
	}
}

func mustClient(t *testing.T, m *session.Manager) *rest.Client {
	t.Helper()
	c, err := m.Client()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
