package server

import (
	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/accountpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func (s *Server) accountRoutes() {
	// Commander loads the summary before it handles a restricted session
	// (keepercommander/loginv3.py post_login_processing).
	s.routes["login/account_summary"] = handler{auth: true, restricted: true, fn: s.accountSummary}
	s.routes["vault/get_record_types"] = handler{auth: true, fn: func(*call) (proto.Message, error) {
		return &recordspb.RecordTypesResponse{}, nil
	}}
	// Commander asks for keys to convert after a full sync when the account
	// forbids RSA (keepercommander/convert_keys.py); the sandbox never holds
	// RSA-encrypted record or folder keys, so the answer is empty.
	s.routes["vault/get_change_key_types"] = handler{auth: true, fn: func(*call) (proto.Message, error) { return nil, nil }}
}

// accountSummary always carries settings and license (Commander indexes both
// unconditionally) and key material that decrypts with the data key.
func (s *Server) accountSummary(c *call) (proto.Message, error) {
	acct, err := s.st.GetAccount(c.ctx, c.sess.Username)
	if err != nil {
		return nil, err
	}
	devs, err := s.st.DevicesOf(c.ctx, acct.Username)
	if err != nil {
		return nil, err
	}
	lic, err := s.accountLicense(c.ctx, acct)
	if err != nil {
		return nil, err
	}
	forbidRSA, err := store.ForbidsRSA(c.ctx, s.st.DB(), acct.EnterpriseID)
	if err != nil {
		return nil, err
	}
	rs := &accountpb.AccountSummaryElements{
		ClientKey: acct.ClientKeyEnc,
		Settings:  accountSettings(acct),
		KeysInfo: &accountpb.KeysInfo{
			EncryptionParams:       acct.EncryptionParams,
			EncryptedPrivateKey:    acct.RSAPrivateEnc,
			EncryptedEccPrivateKey: acct.ECCPrivateEnc,
			EccPublicKey:           acct.ECCPublic,
		},
		IsEnterpriseAdmin: acct.IsAdmin,
		ForbidKeyType2:    forbidRSA,
		License:           lic,
		Enforcements:      &accountpb.Enforcements{},
		Usernames:         []string{acct.Username},
	}
	for _, d := range devs {
		token, _ := crypto.Base64URLDecode(d.Token)
		rs.Devices = append(rs.Devices, &accountpb.DeviceInfo{
			EncryptedDeviceToken:    token,
			DeviceName:              d.Name,
			DeviceStatus:            authpb.DeviceStatus_DEVICE_OK,
			DevicePublicKey:         d.PublicKey,
			Username:                acct.Username,
			EncryptedDataKeyPresent: len(d.DataKeyEnc) > 0,
		})
	}
	return rs, nil
}
