package auth

import (
	"context"
	"crypto/ecdh"
	"crypto/rsa"
	"errors"
	"fmt"
	"strconv"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/accountpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// Session is a logged-in account.
type Session struct {
	Username     string
	AccountUID   []byte
	SessionToken []byte
	DataKey      []byte
	CloneCode    []byte
	Device       *Device
	// Summary is login/account_summary as this client uses it; zero until
	// loaded (see HasSummary and Options.LazySummary).
	Summary Summary
	// DataKeyFromDevice says the login recovered the data key with this
	// device's key (persistent login), so the device holds a data key.
	DataKeyFromDevice bool

	summaryLoaded bool
}

// HasSummary reports whether Summary was loaded from the server.
func (s *Session) HasSummary() bool { return s.summaryLoaded }

// Summary is what this client uses of login/account_summary.
type Summary struct {
	IsEnterpriseAdmin bool
	EnterpriseID      int32
	AccountType       int32
	// License is the account's licence (nil when the summary had none);
	// whoami's Account section reads it.
	License         *License
	PersistentLogin bool
	LogoutTimerMS   int64
	// IPDisableAutoApprove, SecurityKeysNoUserVerify and SSOUser are the
	// account settings this-device shows (ipDisableAutoApprove,
	// securityKeysNoUserVerify, ssoUser).
	IPDisableAutoApprove     bool
	SecurityKeysNoUserVerify bool
	SSOUser                  bool
	DataKeyOnDevice          bool   // this device holds a deposited data key
	DeviceName               string // this device's name on the server ("" when the summary does not list it)
	ForbidRSA                bool
	RSAKey                   *rsa.PrivateKey
	ECKey                    *ecdh.PrivateKey
	Enforcements             map[string]string
}

// License is what whoami shows of AccountSummary.License. Commander reads
// the message as a dict without default values (MessageToDict), so a zero
// BytesTotal means "no storage plan" there and here.
type License struct {
	ProductTypeName       string
	ExpirationDate        string // yyyy-mm-dd, as the server formats it
	BytesUsed             int64
	BytesTotal            int64
	StorageExpirationDate string
	BreachWatchEnabled    bool
	AuditAndReporting     bool // auditAndReportingEnabled
}

// String never shows secrets.
func (s *Session) String() string { return fmt.Sprintf("Session{user=%s}", s.Username) }

// JSON returns the credentials JSON commands need.
func (s *Session) JSON() rest.JSONSession {
	return rest.JSONSession{Token: s.SessionToken, Username: s.Username}
}

func loggedIn(ctx context.Context, c *rest.Client, rs *authpb.LoginResponse, dev *Device, username string, pw password,
	o Options) (*Session, error) {
	persist := o.Persist
	if rs.PrimaryUsername != "" {
		username = rs.PrimaryUsername
	}
	// The server rotated the clone code when it answered: keep the new one
	// before anything else can fail.
	if persist != nil {
		if err := persist(State{Username: username, Device: dev, CloneCode: rs.CloneCode}); err != nil {
			return nil, err
		}
	}
	if len(rs.EncryptedSessionToken) == 0 {
		return nil, errors.New("login: the server sent no session token")
	}
	dataKey, err := decryptDataKey(rs, dev, pw)
	if err != nil {
		return nil, err
	}
	switch rs.SessionTokenType {
	case authpb.SessionTokenType_NO_RESTRICTION:
	case authpb.SessionTokenType_ACCOUNT_RECOVERY:
		// Commander loginv3.py post_login_processing: "Master Password has
		// expired" (a provisioned account, or one an admin expired).
		return nil, &StepError{Step: "master password change",
			Hint: "the master password has expired and must be changed; log in to the Keeper web vault to set a new one"}
	default:
		return nil, &StepError{Step: "restricted session", Hint: "log into the Keeper web vault to resolve the account restriction"}
	}
	s := &Session{Username: username, AccountUID: rs.AccountUid, SessionToken: rs.EncryptedSessionToken, DataKey: dataKey,
		CloneCode: rs.CloneCode, Device: dev, DataKeyFromDevice: rs.EncryptedDataKeyType == authpb.EncryptedDataKeyType_BY_DEVICE_PUBLIC_KEY}
	if o.LazySummary && s.DataKeyFromDevice {
		return s, nil
	}
	if err := s.LoadSummary(ctx, c); err != nil {
		return nil, err
	}
	return s, nil
}

// decryptDataKey recovers the data key per encryptedDataKeyType, as
// Commander's loginv3.py post_login_processing does.
func decryptDataKey(rs *authpb.LoginResponse, dev *Device, pw password) ([]byte, error) {
	switch rs.EncryptedDataKeyType {
	case authpb.EncryptedDataKeyType_BY_PASSWORD:
		k, err := crypto.DecryptEncryptionParams(rs.EncryptedDataKey, pw.text)
		if err != nil {
			return nil, fmt.Errorf("login: the data key does not decrypt with this password: %w", err)
		}
		return k, nil
	case authpb.EncryptedDataKeyType_BY_ALTERNATE:
		key := crypto.DeriveKeyHashV2("data_key", pw.text, pw.salt, pw.iterations)
		k, err := crypto.DecryptAESv2(rs.EncryptedDataKey, key)
		if err != nil {
			return nil, fmt.Errorf("login: the data key does not decrypt with this password: %w", err)
		}
		return k, nil
	case authpb.EncryptedDataKeyType_BY_DEVICE_PUBLIC_KEY:
		priv, err := dev.key()
		if err != nil {
			return nil, err
		}
		k, err := crypto.DecryptEC(rs.EncryptedDataKey, priv)
		if err != nil {
			return nil, fmt.Errorf("login: the data key does not decrypt with this device's key: %w", err)
		}
		return k, nil
	}
	return nil, &StepError{Step: fmt.Sprintf("data key type %s", rs.EncryptedDataKeyType), Hint: "not supported by this client"}
}

// LoadSummary calls login/account_summary and decodes what this client uses.
func (s *Session) LoadSummary(ctx context.Context, c *rest.Client) error {
	var rs accountpb.AccountSummaryElements
	if err := c.Call(ctx, "login/account_summary", &accountpb.AccountSummaryRequest{SummaryVersion: 3}, &rs,
		rest.WithSessionToken(s.SessionToken)); err != nil {
		return fmt.Errorf("account summary: %w", err)
	}
	sum := Summary{
		IsEnterpriseAdmin: rs.IsEnterpriseAdmin,
		EnterpriseID:      rs.GetLicense().GetEnterpriseId(),
		AccountType:       rs.GetLicense().GetAccountType(),
		PersistentLogin:   rs.GetSettings().GetPersistentLogin(),
		LogoutTimerMS:     rs.GetSettings().GetLogoutTimer(),
		ForbidRSA:         rs.ForbidKeyType2,
		Enforcements:      map[string]string{},

		IPDisableAutoApprove:     rs.GetSettings().GetIpDisableAutoApprove(),
		SecurityKeysNoUserVerify: rs.GetSettings().GetSecurityKeysNoUserVerify(),
		SSOUser:                  rs.GetSettings().GetSsoUser(),
	}
	if l := rs.GetLicense(); l != nil {
		sum.License = &License{ProductTypeName: l.ProductTypeName, ExpirationDate: l.ExpirationDate, BytesUsed: l.BytesUsed,
			BytesTotal: l.BytesTotal, StorageExpirationDate: l.StorageExpirationDate, BreachWatchEnabled: l.BreachWatchEnabled,
			AuditAndReporting: l.AuditAndReportingEnabled}
	}
	if k := rs.GetKeysInfo(); k != nil {
		if len(k.EncryptedPrivateKey) > 0 {
			der, err := crypto.DecryptAESv1(k.EncryptedPrivateKey, s.DataKey)
			if err != nil {
				return fmt.Errorf("account summary: RSA private key does not decrypt: %w", err)
			}
			if sum.RSAKey, err = crypto.LoadRSAPrivateKey(der); err != nil {
				return fmt.Errorf("account summary: %w", err)
			}
		}
		if len(k.EncryptedEccPrivateKey) > 0 {
			raw, err := crypto.DecryptAESv2(k.EncryptedEccPrivateKey, s.DataKey)
			if err != nil {
				return fmt.Errorf("account summary: EC private key does not decrypt: %w", err)
			}
			if sum.ECKey, err = crypto.LoadECPrivateKey(raw); err != nil {
				return fmt.Errorf("account summary: %w", err)
			}
		}
	}
	if e := rs.GetEnforcements(); e != nil {
		for _, kv := range e.Strings {
			sum.Enforcements[kv.Key] = kv.Value
		}
		for _, kv := range e.Booleans {
			sum.Enforcements[kv.Key] = strconv.FormatBool(kv.Value)
		}
		for _, kv := range e.Longs {
			sum.Enforcements[kv.Key] = strconv.FormatInt(kv.Value, 10)
		}
	}
	if s.Device != nil {
		for _, d := range rs.Devices {
			if string(d.EncryptedDeviceToken) == string(s.Device.Token) {
				sum.DataKeyOnDevice = d.EncryptedDataKeyPresent
				sum.DeviceName = d.DeviceName
			}
		}
	}
	s.Summary, s.summaryLoaded = sum, true
	return nil
}

// RegisterDataKey deposits the data key encrypted to this device's public
// key, which persistent login needs. An existing one is not an error.
func (s *Session) RegisterDataKey(ctx context.Context, c *rest.Client) error {
	priv, err := s.Device.key()
	if err != nil {
		return err
	}
	enc, err := crypto.EncryptEC(s.DataKey, priv.PublicKey())
	if err != nil {
		return err
	}
	err = c.Call(ctx, "authentication/register_encrypted_data_key_for_device", &authpb.RegisterDeviceDataKeyRequest{
		EncryptedDeviceToken: s.Device.Token, EncryptedDeviceDataKey: enc}, nil, rest.WithSessionToken(s.SessionToken))
	if errors.Is(err, &rest.APIError{Code: "device_data_key_exists"}) {
		err = nil
	}
	if err == nil {
		s.Summary.DataKeyOnDevice = true
	}
	return err
}

// SetSetting changes an account setting (setting/set_user_setting).
func (s *Session) SetSetting(ctx context.Context, c *rest.Client, name, value string) error {
	return c.Call(ctx, "setting/set_user_setting", &authpb.UserSettingRequest{Setting: name, Value: value}, nil,
		rest.WithSessionToken(s.SessionToken))
}

// SetPersistentLogin turns persistent login on or off for the account; on
// also deposits the device data key.
func (s *Session) SetPersistentLogin(ctx context.Context, c *rest.Client, on bool) error {
	if on && s.Summary.Enforcements["restrict_persistent_login"] == "true" {
		return errors.New(`"Stay Logged In" feature is restricted by Keeper Administrator`)
	}
	value := "0"
	if on {
		value = "1"
	}
	if err := s.SetSetting(ctx, c, "persistent_login", value); err != nil {
		return err
	}
	s.Summary.PersistentLogin = on
	if on {
		return s.RegisterDataKey(ctx, c)
	}
	return nil
}

// SetIPAutoApprove turns IP auto-approval of new devices on or off. The
// account setting is its inverse, ip_disable_auto_approve (Commander
// keepercommander/commands/utils.py ThisDeviceCommand).
func (s *Session) SetIPAutoApprove(ctx context.Context, c *rest.Client, on bool) error {
	value := "1"
	if on {
		value = "0"
	}
	if err := s.SetSetting(ctx, c, "ip_disable_auto_approve", value); err != nil {
		return err
	}
	s.Summary.IPDisableAutoApprove = !on
	return nil
}

// SetSecurityKeyNoPIN turns off (on=true) or back on the PIN check of
// security keys: setting security_keys_no_user_verify.
func (s *Session) SetSecurityKeyNoPIN(ctx context.Context, c *rest.Client, on bool) error {
	value := "0"
	if on {
		value = "1"
	}
	if err := s.SetSetting(ctx, c, "security_keys_no_user_verify", value); err != nil {
		return err
	}
	s.Summary.SecurityKeysNoUserVerify = on
	return nil
}

// RenameDevice changes this device's name on the server
// (authentication/update_device, as Commander loginv3.py rename_device).
func (s *Session) RenameDevice(ctx context.Context, c *rest.Client, name string) error {
	if s.Device == nil {
		return errors.New("rename device: this session has no device")
	}
	err := c.Call(ctx, "authentication/update_device", &authpb.DeviceUpdateRequest{
		EncryptedDeviceToken: s.Device.Token, ClientVersion: c.ClientVersion(), DeviceName: name}, nil,
		rest.WithSessionToken(s.SessionToken))
	if err != nil {
		return err
	}
	s.Summary.DeviceName = name
	return nil
}

// Logout ends the session on the server (vault/logout_v3).
func (s *Session) Logout(ctx context.Context, c *rest.Client) error {
	return c.Call(ctx, "vault/logout_v3", nil, nil, rest.WithSessionToken(s.SessionToken))
}

// KeepAlive refreshes the session's idle timer.
func (s *Session) KeepAlive(ctx context.Context, c *rest.Client) error {
	return c.Call(ctx, "keep_alive", nil, nil, rest.WithSessionToken(s.SessionToken))
}
