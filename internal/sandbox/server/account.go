package server

import (
	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/accountpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
)

func (s *Server) accountRoutes() {
	// Commander loads the summary before it handles a restricted session
	// (keepercommander/loginv3.py post_login_processing).
	s.routes["login/account_summary"] = handler{auth: true, restricted: true, fn: s.accountSummary}
	s.routes["vault/get_record_types"] = handler{auth: true, fn: func(*call) (proto.Message, error) {
		return &recordspb.RecordTypesResponse{}, nil
	}}
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
