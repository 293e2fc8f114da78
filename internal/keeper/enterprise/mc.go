package enterprise

import (
	"context"
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// LoginToMC opens a managed-company session (authentication/login_to_mc)
// and decrypts the MC's tree key: RSA or EC with the MSP enterprise keys when
// the key type (or length) says so, else AES-GCM under the MSP tree key.
func LoginToMC(ctx context.Context, c *rest.Client, mspToken []byte, mcID int32, mspTreeKey []byte) (token, treeKey []byte, err error) {
	var rs pb.LoginToMcResponse
	if err := c.Call(ctx, "authentication/login_to_mc", &pb.LoginToMcRequest{McEnterpriseId: mcID}, &rs,
		rest.WithSessionToken(mspToken)); err != nil {
		return nil, nil, fmt.Errorf("login to managed company %d: %w", mcID, err)
	}
	enc, err := crypto.Base64URLDecode(rs.EncryptedTreeKey)
	if err != nil || len(rs.EncryptedSessionToken) == 0 {
		return nil, nil, fmt.Errorf("login to managed company %d: malformed reply", mcID)
	}
	switch {
	case rs.KeyTypeId == 1 || len(enc) > 200, rs.KeyTypeId == 4 || len(enc) == 125:
		return nil, nil, fmt.Errorf("login to managed company %d: tree key type %d needs the MSP enterprise key pair (not supported yet)", mcID, rs.KeyTypeId)
	}
	key, err := crypto.DecryptAESv2(enc, mspTreeKey)
	if err != nil || len(key) != 32 {
		return nil, nil, fmt.Errorf("login to managed company %d: the tree key does not decrypt", mcID)
	}
	return rs.EncryptedSessionToken, key, nil
}
