package enterprise

import (
	"context"
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// ensureKeyPairs gives the enterprise its key pairs when it has none, as
// Commander's enterprise loader does (keepercommander/enterprise.py
// _EnterpriseLoader.load): a P-256 pair always, an RSA-2048 pair unless
// the account forbids RSA keys, each private half AES-GCM under the tree
// key, uploaded with enterprise/set_enterprise_key_pair. A managed company
// created by msp-add has no pairs until its first admin login, and
// create-user needs the EC public key to escrow a new user's data key.
//
// An upload the server refuses (another client uploaded first) is not an
// error: the pairs are read again.
func ensureKeyPairs(ctx context.Context, c *rest.Client, k Keys, state *cacheState, treeKey []byte) error {
	if len(state.ECPublic) > 0 && (len(state.RSAPublic) > 0 || k.ForbidRSA) {
		return nil
	}
	read := func() error {
		var rs pb.GetEnterpriseDataKeysResponse
		if err := c.Call(ctx, "enterprise/get_enterprise_data_keys", &pb.GetEnterpriseDataKeysRequest{}, &rs,
			rest.WithSessionToken(k.SessionToken)); err != nil {
			return fmt.Errorf("enterprise keys: %w", err)
		}
		if ek := rs.GetEnterpriseKeys(); ek != nil {
			state.RSAPrivateEnc, state.ECPrivateEnc = ek.RsaEncryptedPrivateKey, ek.EccEncryptedPrivateKey
			state.RSAPublic, state.ECPublic = ek.RsaPublicKey, ek.EccPublicKey
		}
		return nil
	}
	if err := read(); err != nil {
		return err
	}
	upload := func(public, private []byte, kind pb.KeyType) (bool, error) {
		enc, err := crypto.EncryptAESv2(private, treeKey)
		if err != nil {
			return false, err
		}
		err = c.Call(ctx, "enterprise/set_enterprise_key_pair", &pb.EnterpriseKeyPairRequest{EnterprisePublicKey: public,
			EncryptedEnterprisePrivateKey: enc, KeyType: kind}, nil, rest.WithSessionToken(k.SessionToken))
		return err == nil, nil
	}
	changed := false
	if len(state.ECPublic) == 0 {
		priv, err := crypto.GenerateECKey()
		if err != nil {
			return err
		}
		ok, err := upload(crypto.ECPublicKeyBytes(priv.PublicKey()), crypto.ECPrivateKeyBytes(priv), pb.KeyType_ECC)
		if err != nil {
			return err
		}
		changed = changed || ok
	}
	if len(state.RSAPublic) == 0 && !k.ForbidRSA {
		priv, err := crypto.GenerateRSAKey()
		if err != nil {
			return err
		}
		ok, err := upload(crypto.RSAPublicKeyBytes(&priv.PublicKey), crypto.RSAPrivateKeyBytes(priv), pb.KeyType_RSA)
		if err != nil {
			return err
		}
		changed = changed || ok
	}
	if changed {
		return read()
	}
	return nil
}
