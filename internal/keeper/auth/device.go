package auth

import (
	"context"
	"crypto/ecdh"
	"fmt"
	"runtime"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// Device is this installation's registered device: the opaque token the
// server issued and the P-256 private key whose public half it holds.
type Device struct {
	Token      []byte
	PrivateKey []byte // 32-byte scalar
}

// String never shows key material.
func (d *Device) String() string { return "Device{<redacted>}" }

// key parses the device private key.
func (d *Device) key() (*ecdh.PrivateKey, error) {
	k, err := crypto.LoadECPrivateKey(d.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("device private key in config is invalid: %w", err)
	}
	return k, nil
}

// DeviceName is what this client calls itself when registering.
func DeviceName() string { return "Keeper Go CLI on " + runtime.GOOS }

// RegisterDevice creates a device key pair and registers it with the server.
func RegisterDevice(ctx context.Context, c *rest.Client) (*Device, error) {
	k, err := crypto.GenerateECKey()
	if err != nil {
		return nil, err
	}
	var rs authpb.Device
	err = c.Call(ctx, "authentication/register_device", &authpb.DeviceRegistrationRequest{
		ClientVersion:   c.ClientVersion(),
		DeviceName:      DeviceName(),
		DevicePublicKey: crypto.ECPublicKeyBytes(k.PublicKey()),
	}, &rs)
	if err != nil {
		return nil, fmt.Errorf("register device: %w", err)
	}
	if len(rs.EncryptedDeviceToken) == 0 {
		return nil, fmt.Errorf("register device: the server returned no device token")
	}
	return &Device{Token: rs.EncryptedDeviceToken, PrivateKey: crypto.ECPrivateKeyBytes(k)}, nil
}
