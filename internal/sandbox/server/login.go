package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// loginTokenTTL bounds a login in progress (start_login to validate_auth_hash).
const loginTokenTTL = 10 * time.Minute

func (s *Server) loginRoutes() {
	s.routes["authentication/register_device"] = handler{fn: s.registerDevice}
	s.routes["authentication/start_login"] = handler{fn: s.startLogin}
	s.routes["authentication/validate_auth_hash"] = handler{fn: s.validateAuthHash}
	s.routes["authentication/register_encrypted_data_key_for_device"] = handler{auth: true, fn: s.registerDataKey}
	s.routes["authentication/update_device"] = handler{auth: true, fn: s.updateDevice}
	s.routes["setting/set_user_setting"] = handler{auth: true, fn: s.setUserSetting}
	s.routes["vault/logout_v3"] = handler{auth: true, restricted: true, fn: s.logout}
	s.routes["keep_alive"] = handler{auth: true, restricted: true, fn: func(*call) (proto.Message, error) { return nil, nil }}
}

func (s *Server) registerDevice(c *call) (proto.Message, error) {
	var rq authpb.DeviceRegistrationRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if _, err := crypto.LoadECPublicKey(rq.DevicePublicKey); err != nil {
		return nil, fail(http.StatusBadRequest, "bad_request", "devicePublicKey must be a 65-byte P-256 point")
	}
	token := crypto.RandomBytes(32)
	name := rq.DeviceName
	if name == "" {
		name = "Unnamed device"
	}
	if err := s.st.PutDevice(c.ctx, &store.Device{Token: crypto.Base64URLEncode(token), PublicKey: rq.DevicePublicKey, Name: name}); err != nil {
		return nil, err
	}
	return &authpb.Device{EncryptedDeviceToken: token}, nil
}

func (s *Server) device(c *call, token []byte) (*store.Device, error) {
	d, err := s.st.GetDevice(c.ctx, crypto.Base64URLEncode(token))
	if errors.Is(err, store.ErrNotFound) || len(token) == 0 {
		return nil, &apiError{status: http.StatusBadRequest, body: envelopeBody("device_not_registered",
			"This device is not registered", "invalid device token")}
	}
	return d, err
}

func (s *Server) startLogin(c *call) (proto.Message, error) {
	var rq authpb.StartLoginRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	dev, err := s.device(c, rq.EncryptedDeviceToken)
	if err != nil {
		return nil, err
	}
	username := strings.ToLower(strings.TrimSpace(rq.Username))
	if len(rq.CloneCode) > 0 && !rq.ForceNewLogin {
		if resp, ok, err := s.cloneLogin(c, dev, rq.CloneCode, username); err != nil || ok {
			return resp, err
		}
		if username == "" {
			// A stale clone code with no username: ask for it (Commander
			// answers REQUIRES_USERNAME by resending username + clone code).
			token := crypto.RandomBytes(32)
			if err := s.st.PutLoginToken(c.ctx, token, "", dev.Token, loginTokenTTL); err != nil {
				return nil, err
			}
			return &authpb.LoginResponse{LoginState: authpb.LoginState_REQUIRES_USERNAME, EncryptedLoginToken: token}, nil
		}
	}
	if len(rq.EncryptedLoginToken) > 0 {
		_, _, _ = s.st.TakeLoginToken(c.ctx, rq.EncryptedLoginToken)
	}
	if username == "" {
		return &authpb.LoginResponse{LoginState: authpb.LoginState_REQUIRES_USERNAME, EncryptedLoginToken: crypto.RandomBytes(32)}, nil
	}
	acct, err := s.st.GetAccount(c.ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(http.StatusBadRequest, "user_does_not_exist", "no account with this email in keeper-sandbox")
	}
	if err != nil {
		return nil, err
	}
	if err := s.enterpriseActive(c, acct); err != nil {
		return nil, err
	}
	iterations, salt, _, err := crypto.ParseAuthVerifier(acct.AuthVerifier)
	if err != nil {
		return nil, err
	}
	token := crypto.RandomBytes(32)
	if err := s.st.PutLoginToken(c.ctx, token, acct.Username, dev.Token, loginTokenTTL); err != nil {
		return nil, err
	}
	uid := sha256.Sum256(append([]byte("salt:"), salt...))
	return &authpb.LoginResponse{
		LoginState:          authpb.LoginState_REQUIRES_AUTH_HASH,
		AccountUid:          acct.AccountUID,
		PrimaryUsername:     acct.Username,
		EncryptedLoginToken: token,
		Salt:                []*authpb.Salt{{Iterations: int32(iterations), Salt: salt, Algorithm: 2, Uid: uid[:16], Name: "Master"}},
	}, nil
}

// cloneLogin honours a persistent-login clone code: the device must have
// been bound to the account with this exact code, hold a deposited data key,
// and the account must allow persistent login.
func (s *Server) cloneLogin(c *call, dev *store.Device, clone []byte, username string) (proto.Message, bool, error) {
	if dev.Username == "" || dev.CloneCode == "" || len(dev.DataKeyEnc) == 0 {
		return nil, false, nil
	}
	if subtle.ConstantTimeCompare([]byte(dev.CloneCode), []byte(crypto.Base64URLEncode(clone))) != 1 {
		return nil, false, nil
	}
	if username != "" && username != dev.Username {
		return nil, false, nil
	}
	acct, err := s.st.GetAccount(c.ctx, dev.Username)
	if err != nil || !acct.PersistentLogin {
		return nil, false, nil
	}
	resp, err := s.loggedIn(c, acct, dev, authpb.EncryptedDataKeyType_BY_DEVICE_PUBLIC_KEY, dev.DataKeyEnc)
	return resp, err == nil, err
}

func (s *Server) validateAuthHash(c *call) (proto.Message, error) {
	var rq authpb.ValidateAuthHashRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	username, devToken, err := s.st.TakeLoginToken(c.ctx, rq.EncryptedLoginToken)
	if errors.Is(err, store.ErrNotFound) || (err == nil && username == "") {
		return nil, fail(http.StatusUnauthorized, "login_token_expired", "the login token is invalid or expired; start the login again")
	}
	if err != nil {
		return nil, err
	}
	acct, err := s.st.GetAccount(c.ctx, username)
	if err != nil {
		return nil, err
	}
	_, _, derived, err := crypto.ParseAuthVerifier(acct.AuthVerifier)
	if err != nil {
		return nil, err
	}
	want := sha256.Sum256(derived)
	if subtle.ConstantTimeCompare(want[:], rq.AuthResponse) != 1 {
		return nil, fail(http.StatusUnauthorized, "auth_failed", "Invalid username or password")
	}
	dev, err := s.st.GetDevice(c.ctx, devToken)
	if err != nil {
		return nil, err
	}
	return s.loggedIn(c, acct, dev, authpb.EncryptedDataKeyType_BY_PASSWORD, acct.EncryptionParams)
}

// loggedIn issues a session and a fresh clone code for acct on dev. An
// account that must change its master password gets a restricted
// (ACCOUNT_RECOVERY) session: see password.go.
func (s *Server) loggedIn(c *call, acct *store.Account, dev *store.Device, keyType authpb.EncryptedDataKeyType, dataKey []byte) (*authpb.LoginResponse, error) {
	if err := s.enterpriseActive(c, acct); err != nil {
		return nil, err
	}
	tokenType, err := s.sessionType(c, acct)
	if err != nil {
		return nil, err
	}
	token := crypto.RandomBytes(32)
	if err := s.st.PutSession(c.ctx, token, &store.Session{Username: acct.Username, DeviceToken: dev.Token,
		EnterpriseID: acct.EnterpriseID, TokenType: int32(tokenType)}); err != nil {
		return nil, err
	}
	var msg string
	if tokenType == authpb.SessionTokenType_ACCOUNT_RECOVERY {
		msg = "The master password has expired and must be changed."
	}
	clone := crypto.RandomBytes(32)
	if err := s.st.BindDevice(c.ctx, dev.Token, acct.Username, crypto.Base64URLEncode(clone)); err != nil {
		return nil, err
	}
	return &authpb.LoginResponse{
		LoginState:            authpb.LoginState_LOGGED_IN,
		AccountUid:            acct.AccountUID,
		PrimaryUsername:       acct.Username,
		EncryptedDataKey:      dataKey,
		EncryptedDataKeyType:  keyType,
		EncryptedSessionToken: token,
		SessionTokenType:      tokenType,
		Message:               msg,
		CloneCode:             clone,
	}, nil
}

func (s *Server) registerDataKey(c *call) (proto.Message, error) {
	var rq authpb.RegisterDeviceDataKeyRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	dev, err := s.device(c, rq.EncryptedDeviceToken)
	if err != nil {
		return nil, err
	}
	if dev.Token != c.sess.DeviceToken {
		return nil, fail(http.StatusForbidden, "access_denied", "the device is not the one this session logged in on")
	}
	if len(rq.EncryptedDeviceDataKey) < 65+12+16 {
		return nil, fail(http.StatusBadRequest, "bad_request", "encryptedDeviceDataKey is too short")
	}
	ok, err := s.st.SetDeviceDataKey(c.ctx, dev.Token, rq.EncryptedDeviceDataKey)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fail(http.StatusBadRequest, "device_data_key_exists", "a data key is already registered for this device")
	}
	return nil, nil
}

// maxDeviceName bounds a device name set through update_device.
const maxDeviceName = 128

// updateDevice renames a device of the session's account, the one use
// Commander makes of authentication/update_device (loginv3.py rename_device
// sends encryptedDeviceToken, clientVersion and deviceName). Other fields of
// the request (status, public key) are not applied.
func (s *Server) updateDevice(c *call) (proto.Message, error) {
	var rq authpb.DeviceUpdateRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	dev, err := s.device(c, rq.EncryptedDeviceToken)
	if err != nil {
		return nil, err
	}
	if dev.Token != c.sess.DeviceToken && dev.Username != c.sess.Username {
		return nil, fail(http.StatusForbidden, "access_denied", "the device does not belong to this account")
	}
	name := strings.TrimSpace(rq.DeviceName)
	if name == "" || len(name) > maxDeviceName {
		return nil, fail(http.StatusBadRequest, "bad_request", "deviceName must be 1 to 128 bytes")
	}
	if _, err := s.st.RenameDevice(c.ctx, dev.Token, name); err != nil {
		return nil, err
	}
	return nil, nil
}

func (s *Server) setUserSetting(c *call) (proto.Message, error) {
	var rq authpb.UserSettingRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	switch rq.Setting {
	case "persistent_login":
		on := rq.Value == "1"
		if !on && rq.Value != "0" {
			return nil, fail(http.StatusBadRequest, "bad_request", "persistent_login must be 1 or 0")
		}
		return nil, s.st.SetUserSetting(c.ctx, c.sess.Username, &on, nil)
	case "ip_disable_auto_approve", "security_keys_no_user_verify":
		on := rq.Value == "1"
		if !on && rq.Value != "0" {
			return nil, fail(http.StatusBadRequest, "bad_request", rq.Setting+" must be 1 or 0")
		}
		return nil, s.st.SetAccountFlag(c.ctx, c.sess.Username, rq.Setting, on)
	case "logout_timer":
		minutes, err := strconv.ParseInt(rq.Value, 10, 64)
		if err != nil || minutes < 0 || minutes > 525600 {
			return nil, fail(http.StatusBadRequest, "bad_request", "logout_timer must be minutes between 0 and 525600")
		}
		ms := minutes * 60_000
		return nil, s.st.SetUserSetting(c.ctx, c.sess.Username, nil, &ms)
	}
	return nil, fail(http.StatusBadRequest, "unknown_setting", "setting "+rq.Setting+" is not supported by keeper-sandbox")
}

func (s *Server) logout(c *call) (proto.Message, error) {
	return nil, s.st.DeleteSession(c.ctx, c.token)
}
