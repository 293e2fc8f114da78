// Package auth is Keeper's login v3 on the client side: device
// registration, password login, data key recovery, persistent login with a
// clone code, account summary and logout. It does no terminal I/O: the
// password comes from a callback and state to persist goes to another.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// MaxIterations caps the PBKDF2 work a server can ask of this client.
const MaxIterations = 10_000_000

// maxSteps bounds the login state machine.
const maxSteps = 12

// State is what a login wants persisted (config.json): written right after
// device registration and again the moment LOGGED_IN arrives, before any
// other request: the server has already rotated the clone code then, so a
// failure of a later call must not leave the old one in the config.
type State struct {
	Username  string
	Device    *Device
	CloneCode []byte
}

// Options drive one login.
type Options struct {
	Username  string
	Password  func(ctx context.Context, username string) (string, error)
	Device    *Device // nil: register a new one
	CloneCode []byte  // persistent-login code from config
	NewLogin  bool    // ignore the clone code
	Persist   func(State) error
	// LazySummary skips login/account_summary when the data key came
	// encrypted to this device (persistent login): the summary then tells
	// the login nothing it needs (the device evidently holds the data key),
	// and the caller loads it with Session.LoadSummary when a command does.
	// A password login still loads it.
	LazySummary bool
}

// Login runs login v3 until LOGGED_IN and loads the account summary
// (unless Options.LazySummary allows it to wait).
func Login(ctx context.Context, c *rest.Client, o Options) (*Session, error) {
	username := strings.ToLower(strings.TrimSpace(o.Username))
	dev := o.Device
	persist := func(clone []byte) error {
		if o.Persist == nil {
			return nil
		}
		return o.Persist(State{Username: username, Device: dev, CloneCode: clone})
	}
	if dev == nil || len(dev.Token) == 0 {
		d, err := RegisterDevice(ctx, c)
		if err != nil {
			return nil, err
		}
		dev = d
		if err := persist(o.CloneCode); err != nil {
			return nil, err
		}
	}
	clone := o.CloneCode
	if o.NewLogin {
		clone = nil
	}
	if username == "" && len(clone) == 0 {
		return nil, errors.New("no account email given")
	}
	rq := &authpb.StartLoginRequest{EncryptedDeviceToken: dev.Token, Username: username, ClientVersion: c.ClientVersion(),
		LoginMethod: authpb.LoginMethod_EXISTING_ACCOUNT, CloneCode: clone}
	if len(clone) > 0 {
		rq.Username = ""
	}
	reregistered := false
	rs, err := startLogin(ctx, c, rq)
	for step := 0; step < maxSteps; step++ {
		var ae *rest.APIError
		if errors.As(err, &ae) && ae.Code == "device_not_registered" && !reregistered {
			// The server forgot this device (or it is another server): register anew once.
			reregistered = true
			if dev, err = RegisterDevice(ctx, c); err != nil {
				return nil, err
			}
			if err := persist(nil); err != nil {
				return nil, err
			}
			rs, err = startLogin(ctx, c, &authpb.StartLoginRequest{EncryptedDeviceToken: dev.Token, Username: username,
				ClientVersion: c.ClientVersion(), LoginMethod: authpb.LoginMethod_EXISTING_ACCOUNT})
			continue
		}
		if err != nil {
			return nil, err
		}
		switch rs.LoginState {
		case authpb.LoginState_LOGGED_IN:
			return loggedIn(ctx, c, rs, dev, username, password{}, o)
		case authpb.LoginState_REQUIRES_USERNAME:
			if username == "" {
				return nil, &StepError{Step: "username", Hint: "persistent login was not accepted; log in with your email"}
			}
			rs, err = startLogin(ctx, c, &authpb.StartLoginRequest{EncryptedDeviceToken: dev.Token, Username: username,
				ClientVersion: c.ClientVersion(), EncryptedLoginToken: rs.EncryptedLoginToken, CloneCode: clone,
				LoginMethod: loginMethodIf(len(clone) > 0)})
		case authpb.LoginState_REQUIRES_AUTH_HASH:
			pw, sess, err := authHash(ctx, c, o, rs, username)
			if err != nil {
				return nil, err
			}
			if sess != nil {
				return loggedIn(ctx, c, sess, dev, username, pw, o)
			}
			return nil, errors.New("login: unexpected reply to the password")
		case authpb.LoginState_REGION_REDIRECT:
			return nil, &RegionRedirectError{Host: rs.StateSpecificValue}
		default:
			return nil, stepError(rs.LoginState)
		}
	}
	return nil, errors.New("login: too many steps; the server keeps asking")
}

func loginMethodIf(clone bool) authpb.LoginMethod {
	if clone {
		return authpb.LoginMethod_EXISTING_ACCOUNT
	}
	return authpb.LoginMethod_INVALID_LOGINMETHOD
}

func startLogin(ctx context.Context, c *rest.Client, rq *authpb.StartLoginRequest) (*authpb.LoginResponse, error) {
	var rs authpb.LoginResponse
	if err := c.Call(ctx, "authentication/start_login", rq, &rs); err != nil {
		var ae *rest.APIError
		if errors.As(err, &ae) && ae.Code == "region_redirect" {
			return nil, &RegionRedirectError{Host: ae.RegionHost}
		}
		return nil, err
	}
	return &rs, nil
}

// password remembers what validate_auth_hash used, for BY_ALTERNATE keys.
type password struct {
	text       string
	salt       []byte
	iterations int
}

// authHash asks for the password, proves it with the salt the server chose
// and returns the reply to validate_auth_hash.
func authHash(ctx context.Context, c *rest.Client, o Options, rs *authpb.LoginResponse, username string) (password, *authpb.LoginResponse, error) {
	salt := pickSalt(rs.Salt)
	if salt == nil {
		return password{}, nil, &StepError{Step: "account recovery", Hint: "the server sent no password salt"}
	}
	if salt.Iterations <= 0 || salt.Iterations > MaxIterations {
		return password{}, nil, fmt.Errorf("login: the server asked for %d PBKDF2 iterations (allowed 1-%d)", salt.Iterations, MaxIterations)
	}
	if o.Password == nil {
		return password{}, nil, ErrNoPassword
	}
	if rs.PrimaryUsername != "" {
		username = rs.PrimaryUsername
	}
	pw, err := o.Password(ctx, username)
	if err != nil {
		return password{}, nil, err
	}
	if pw == "" {
		return password{}, nil, ErrNoPassword
	}
	var out authpb.LoginResponse
	err = c.Call(ctx, "authentication/validate_auth_hash", &authpb.ValidateAuthHashRequest{
		PasswordMethod:      authpb.PasswordMethod_ENTERED,
		AuthResponse:        crypto.DeriveKeyHashV1(pw, salt.Salt, int(salt.Iterations)),
		EncryptedLoginToken: rs.EncryptedLoginToken,
	}, &out)
	var ae *rest.APIError
	if errors.As(err, &ae) && ae.Code == "auth_failed" {
		return password{}, nil, fmt.Errorf("%w", ErrAuthFailed)
	}
	if err != nil {
		return password{}, nil, err
	}
	if out.LoginState != authpb.LoginState_LOGGED_IN {
		return password{}, nil, stepError(out.LoginState)
	}
	return password{text: pw, salt: salt.Salt, iterations: int(salt.Iterations)}, &out, nil
}

// pickSalt follows Commander: with several salts the one named "alternate",
// otherwise the first.
func pickSalt(salts []*authpb.Salt) *authpb.Salt {
	if len(salts) == 0 {
		return nil
	}
	if len(salts) > 1 {
		for _, s := range salts {
			if strings.EqualFold(s.Name, "alternate") {
				return s
			}
		}
	}
	return salts[0]
}

func stepError(s authpb.LoginState) error {
	switch s {
	case authpb.LoginState_DEVICE_APPROVAL_REQUIRED:
		return &StepError{Step: "device approval", Hint: "approve this device from the Keeper web vault or an admin console, then retry (not supported by this client yet)"}
	case authpb.LoginState_REQUIRES_2FA:
		return &StepError{Step: "two-factor authentication", Hint: "two-factor login is not supported by this client yet"}
	case authpb.LoginState_REDIRECT_CLOUD_SSO, authpb.LoginState_REDIRECT_ONSITE_SSO, authpb.LoginState_AFTER_CLOUD_SSO_LOGIN:
		return &StepError{Step: "SSO login", Hint: "SSO login is not supported by this client yet"}
	case authpb.LoginState_REQUIRES_DEVICE_ENCRYPTED_DATA_KEY:
		return &StepError{Step: "SSO device approval", Hint: "not supported by this client yet"}
	case authpb.LoginState_DEVICE_LOCKED, authpb.LoginState_DEVICE_ACCOUNT_LOCKED:
		return &StepError{Step: "locked device", Hint: "this device is locked; contact your Keeper administrator"}
	case authpb.LoginState_ACCOUNT_LOCKED:
		return &StepError{Step: "locked account", Hint: "the account is locked; contact your Keeper administrator"}
	case authpb.LoginState_LICENSE_EXPIRED:
		return &StepError{Step: "expired license", Hint: "the Keeper license has expired"}
	case authpb.LoginState_UPGRADE:
		return &StepError{Step: "client upgrade", Hint: "the server requires a newer client"}
	case authpb.LoginState_REQUIRES_ACCOUNT_CREATION:
		return &StepError{Step: "account creation", Hint: "the account does not exist yet"}
	}
	return &StepError{Step: fmt.Sprintf("unknown login state %d", int32(s))}
}
