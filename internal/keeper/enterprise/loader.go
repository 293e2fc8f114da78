// Package enterprise loads Keeper enterprise data (nodes, users, roles,
// teams, links, licenses, managed companies), keeps it in an encrypted-as-
// received cache file so later processes sync only what changed, and
// resolves names the way Commander does.
package enterprise

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// maxPages bounds one sync. Keeper sends a page per 1,000 or so entities,
// so 10,000 pages is far beyond any real enterprise; a server that keeps
// saying "more" is broken or hostile.
const maxPages = 10_000

// Keys are the logged-in admin's credentials the loader needs.
type Keys struct {
	SessionToken []byte
	DataKey      []byte
	RSAKey       *rsa.PrivateKey // the admin's own keys (tree key types 2 and 4)
	ECKey        *ecdh.PrivateKey
	EnterpriseID int32
	// TreeKey, when set, is used as is (managed company sessions) and the
	// data-keys call is skipped.
	TreeKey []byte
	// CreateKeyPairs gives an enterprise without key pairs its pairs on
	// load (see ensureKeyPairs); ForbidRSA, the account's forbidKeyType2,
	// leaves out the RSA pair.
	CreateKeyPairs bool
	ForbidRSA      bool
}

// Stats reports what a load cost.
type Stats struct {
	Pages    int
	FromDisk bool
	// Changed is true when the server sent any entity (or cleared the
	// data): an incremental sync with nothing new leaves it false.
	Changed bool
}

// Loader keeps one enterprise's data between loads, as Commander's
// params.enterprise_loader does: after the first load each Load asks only
// for what changed since its continuation token. With a Cache the state
// also survives the process. A Loader is not safe for concurrent use.
type Loader struct {
	// Keys are the credentials; the session manager updates SessionToken
	// when a session is renewed.
	Keys Keys
	// Cache, when set, is read before the first load and rewritten after
	// every load.
	Cache *Cache
	state *cacheState
}

// Load syncs the enterprise. With a cache (nil for none) it starts from the
// cached data and continuation token and sends only get_enterprise_data_for_user
// when the cache holds the tree key; the cache is rewritten afterwards.
func Load(ctx context.Context, c *rest.Client, k Keys, cache *Cache) (*Enterprise, Stats, error) {
	l := &Loader{Keys: k, Cache: cache}
	return l.Load(ctx, c)
}

// Load brings the enterprise up to date and decodes it. A failed load
// forgets the in-memory state, so the next one starts again from the cache
// or from scratch and never from half-applied pages.
func (l *Loader) Load(ctx context.Context, c *rest.Client) (*Enterprise, Stats, error) {
	var st Stats
	k := l.Keys
	state := l.state
	l.state = nil
	if state == nil && l.Cache != nil {
		if s, err := l.Cache.read(k.DataKey); err == nil {
			state, st.FromDisk = s, true
		}
	}
	if state == nil {
		state = &cacheState{Raw: NewRaw()}
	}
	treeKey := k.TreeKey
	if treeKey == nil {
		treeKey = state.treeKey
	}
	if treeKey == nil {
		if err := fetchKeys(ctx, c, k, state); err != nil {
			return nil, st, err
		}
		treeKey = state.treeKey
	}
	if k.CreateKeyPairs {
		if err := ensureKeyPairs(ctx, c, k, state, treeKey); err != nil {
			return nil, st, err
		}
	}
	rsaKey, ecKey := enterpriseKeys(state, treeKey)
	token := state.Token
	for {
		var rs pb.EnterpriseDataResponse
		err := c.Call(ctx, "enterprise/get_enterprise_data_for_user", &pb.EnterpriseDataRequest{ContinuationToken: token}, &rs,
			rest.WithSessionToken(k.SessionToken), rest.WithAPIVersion(2))
		if err != nil {
			return nil, st, fmt.Errorf("enterprise data: %w", err)
		}
		st.Pages++
		if rs.CacheStatus == pb.CacheStatus_CLEAR {
			state.Raw.Clear()
		}
		if g := rs.GeneralData; g != nil && (state.Raw.Name == "" || rs.CacheStatus == pb.CacheStatus_CLEAR) {
			state.Raw.Name = g.EnterpriseName
		}
		if g := rs.GeneralData; g != nil && g.Distributor {
			state.Raw.Distributor = true
		}
		for _, d := range rs.Data {
			state.Raw.Apply(d)
			st.Changed = st.Changed || len(d.Data) > 0
		}
		st.Changed = st.Changed || rs.CacheStatus == pb.CacheStatus_CLEAR
		if rs.HasMore && bytes.Equal(rs.ContinuationToken, token) {
			return nil, st, &rest.ReplyError{Endpoint: "enterprise data",
				Msg: fmt.Sprintf("the server says there is more but repeats the continuation token (page %d)", st.Pages)}
		}
		token = rs.ContinuationToken
		if !rs.HasMore {
			break
		}
		if st.Pages >= maxPages {
			return nil, st, &rest.ReplyError{Endpoint: "enterprise data",
				Msg: fmt.Sprintf("the server still says there is more after %d pages; stopped", maxPages)}
		}
	}
	state.Token = token
	state.treeKey = treeKey
	if l.Cache != nil {
		// A cache that cannot be written only costs a full sync next time.
		_ = l.Cache.write(state, k.DataKey)
	}
	l.state = state
	e := build(state.Raw, treeKey, rsaKey, ecKey)
	e.ID = k.EnterpriseID
	e.RSAPublicKey, e.ECPublicKey = state.RSAPublic, state.ECPublic
	return e, st, nil
}

// Forget drops the in-memory state; the next Load starts from the cache or
// with a full sync.
func (l *Loader) Forget() { l.state = nil }

// fetchKeys calls get_enterprise_data_keys and decrypts the tree key with
// the admin's keys by keyTypeId (Commander keepercommander/enterprise.py _EnterpriseLoader).
func fetchKeys(ctx context.Context, c *rest.Client, k Keys, state *cacheState) error {
	var rs pb.GetEnterpriseDataKeysResponse
	if err := c.Call(ctx, "enterprise/get_enterprise_data_keys", &pb.GetEnterpriseDataKeysRequest{}, &rs,
		rest.WithSessionToken(k.SessionToken)); err != nil {
		return fmt.Errorf("enterprise keys: %w", err)
	}
	tk := rs.GetTreeKey()
	if tk == nil || tk.TreeKey == "" {
		return errors.New("enterprise keys: the server sent no tree key")
	}
	enc, err := crypto.Base64URLDecode(tk.TreeKey)
	if err != nil {
		return fmt.Errorf("enterprise keys: tree key is not base64url")
	}
	var key []byte
	switch tk.KeyTypeId {
	case pb.BackupKeyType_ENCRYPTED_BY_DATA_KEY:
		key, err = crypto.DecryptAESv1(enc, k.DataKey)
	case pb.BackupKeyType_ENCRYPTED_BY_PUBLIC_KEY:
		if k.RSAKey == nil {
			return errors.New("enterprise keys: tree key needs the account RSA key, which is missing")
		}
		key, err = crypto.DecryptRSA(enc, k.RSAKey)
	case pb.BackupKeyType_ENCRYPTED_BY_DATA_KEY_GCM:
		key, err = crypto.DecryptAESv2(enc, k.DataKey)
	case pb.BackupKeyType_ENCRYPTED_BY_PUBLIC_KEY_ECC:
		if k.ECKey == nil {
			return errors.New("enterprise keys: tree key needs the account EC key, which is missing")
		}
		key, err = crypto.DecryptEC(enc, k.ECKey)
	default:
		return fmt.Errorf("enterprise keys: unsupported tree key type %d", tk.KeyTypeId)
	}
	if err != nil || len(key) != 32 {
		return errors.New("enterprise keys: the tree key does not decrypt with this account's keys")
	}
	state.treeKey = key
	if ek := rs.GetEnterpriseKeys(); ek != nil {
		state.RSAPrivateEnc, state.ECPrivateEnc = ek.RsaEncryptedPrivateKey, ek.EccEncryptedPrivateKey
		state.RSAPublic, state.ECPublic = ek.RsaPublicKey, ek.EccPublicKey
	}
	return nil
}

// enterpriseKeys decrypts the enterprise key pairs (AES-GCM under the tree
// key); failures leave them nil, as Commander records them empty.
func enterpriseKeys(state *cacheState, treeKey []byte) (*rsa.PrivateKey, *ecdh.PrivateKey) {
	var rk *rsa.PrivateKey
	var ek *ecdh.PrivateKey
	if der, err := crypto.DecryptAESv2(state.RSAPrivateEnc, treeKey); err == nil {
		rk, _ = crypto.LoadRSAPrivateKey(der)
	}
	if raw, err := crypto.DecryptAESv2(state.ECPrivateEnc, treeKey); err == nil {
		ek, _ = crypto.LoadECPrivateKey(raw)
	}
	return rk, ek
}
