package msp

import (
	"context"
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// LoginToMC opens a managed-company session (authentication/login_to_mc)
// and decrypts the MC's tree key as Commander's loginv3.py loginToMc and
// mc_transfer.py do: key type 1 (or a blob over 200 bytes) with the MSP
// enterprise RSA key, type 4 (or exactly 125 bytes) with the MSP enterprise
// EC key, anything else AES-GCM under the MSP tree key.
func LoginToMC(ctx context.Context, c *rest.Client, mspToken []byte, mcID int32, mspEnt *enterprise.Enterprise) (token, treeKey []byte, err error) {
	var rs pb.LoginToMcResponse
	if err := c.Call(ctx, "authentication/login_to_mc", &pb.LoginToMcRequest{McEnterpriseId: mcID}, &rs,
		rest.WithSessionToken(mspToken)); err != nil {
		return nil, nil, fmt.Errorf("login to managed company %d: %w", mcID, err)
	}
	enc, err := crypto.Base64URLDecode(rs.EncryptedTreeKey)
	if err != nil || len(rs.EncryptedSessionToken) == 0 {
		return nil, nil, fmt.Errorf("login to managed company %d: malformed reply", mcID)
	}
	key, err := DecryptMCTreeKey(enc, rs.KeyTypeId, mspEnt)
	if err != nil {
		return nil, nil, fmt.Errorf("login to managed company %d: %w", mcID, err)
	}
	return rs.EncryptedSessionToken, key, nil
}

// DecryptMCTreeKey decrypts an MC tree key encrypted for the MSP.
func DecryptMCTreeKey(enc []byte, keyType int32, mspEnt *enterprise.Enterprise) ([]byte, error) {
	var key []byte
	var err error
	switch {
	case keyType == 1 || len(enc) > 200:
		if mspEnt.RSAKey == nil {
			return nil, fmt.Errorf("the tree key needs the MSP enterprise RSA key, which is missing")
		}
		key, err = crypto.DecryptRSA(enc, mspEnt.RSAKey)
	case keyType == 4 || len(enc) == 125:
		if mspEnt.ECKey == nil {
			return nil, fmt.Errorf("the tree key needs the MSP enterprise EC key, which is missing")
		}
		key, err = crypto.DecryptEC(enc, mspEnt.ECKey)
	default:
		key, err = crypto.DecryptAESv2(enc, mspEnt.TreeKey)
	}
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("the tree key does not decrypt")
	}
	return key, nil
}
