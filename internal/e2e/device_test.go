package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
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
