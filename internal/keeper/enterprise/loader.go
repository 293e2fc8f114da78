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

// AccountFacts are what the session learns from login/account_summary for
// enterprise loads. They are kept in the encrypted cache with the data, so
// a later process with a warm cache loads the enterprise without asking
// for the summary: the cache exists only because this account, as an
// administrator of this enterprise, loaded it, and the server refuses the
// incremental sync if that is no longer so.
type AccountFacts struct {
	EnterpriseAdmin bool
	EnterpriseID    int32
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
	// every load that changed something.
	Cache *Cache
	// Account, when set, is stored in the cache with the data; when nil the
	// facts already cached are kept.
	Account *AccountFacts
	// Progress, when set, is called after every page of a load with the
	// pages and entities received so far and whether more pages follow.
	Progress func(pages, entities int, more bool)

	state    *cacheState
	fromDisk bool // state came from the cache file and no load used it yet
	tried    bool // the cache file was read (successfully or not)
}

// Load syncs the enterprise. With a cache (nil for none) it starts from the
// cached data and continuation token and sends only get_enterprise_data_for_user
// when the cache holds the tree key; the cache is rewritten afterwards.
func Load(ctx context.Context, c *rest.Client, k Keys, cache *Cache) (*Enterprise, Stats, error) {
	l := &Loader{Keys: k, Cache: cache}
	return l.Load(ctx, c)
}

// Cached reads the cache file if no load or earlier call did, and returns
// the account facts stored with a cache that opens with Keys.DataKey. ok is
// false when there is no usable cache or it holds no facts; the next Load
// then starts from scratch (or from the state in memory).
func (l *Loader) Cached() (AccountFacts, bool) {
	l.readCache()
	if l.state == nil || l.state.Account == nil {
		return AccountFacts{}, false
	}
	return *l.state.Account, true
}

func (l *Loader) readCache() {
	if l.state != nil || l.tried || l.Cache == nil {
		return
	}
	l.tried = true
	if s, err := l.Cache.read(l.Keys.DataKey); err == nil {
		l.state, l.fromDisk = s, true
	}
}

// Load brings the enterprise up to date and returns its model, decoding
// the parts the context asks for (PartsOf; the rest on demand). A failed
// load forgets the in-memory state, so the next one starts again from the
// cache or from scratch and never from half-applied pages.
func (l *Loader) Load(ctx context.Context, c *rest.Client) (*Enterprise, Stats, error) {
	var st Stats
	k := l.Keys
	l.readCache()
	state := l.state
	st.FromDisk = l.fromDisk
	l.state, l.fromDisk, l.tried = nil, false, false
	if state != nil && state.Account != nil && k.EnterpriseID != 0 && state.Account.EnterpriseID != k.EnterpriseID {
		state, st.FromDisk = nil, false // the account now belongs to another enterprise
	}
	if state == nil {
		state = &cacheState{Raw: NewRaw(), dirty: true}
	}
	if l.Account != nil && (state.Account == nil || *state.Account != *l.Account) {
		a := *l.Account
		state.Account, state.dirty = &a, true
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
		ec, rsaPub := state.ECPublic, state.RSAPublic
		if err := ensureKeyPairs(ctx, c, k, state, treeKey); err != nil {
			return nil, st, err
		}
		if !bytes.Equal(ec, state.ECPublic) || !bytes.Equal(rsaPub, state.RSAPublic) {
			state.dirty = true
		}
	}
	name, distributor := state.Raw.Name, state.Raw.Distributor
	token, err := l.fetch(ctx, c, state, &st)
	if err != nil {
		return nil, st, err
	}
	if !bytes.Equal(token, state.Token) || name != state.Raw.Name || distributor != state.Raw.Distributor ||
		!bytes.Equal(treeKey, state.treeKey) {
		state.dirty = true
	}
	state.Token = token
	state.treeKey = treeKey
	if l.Cache != nil && (state.dirty || state.Raw.changed) {
		// A cache that cannot be written only costs a full sync next time.
		_ = l.Cache.write(state, k.DataKey)
	}
	l.state = state
	rsaKey, ecKey := enterpriseKeys(state, treeKey)
	e := newModel(state.Raw, treeKey, rsaKey, ecKey)
	e.ID = k.EnterpriseID
	if e.ID == 0 && state.Account != nil {
		e.ID = state.Account.EnterpriseID
	}
	e.RSAPublicKey, e.ECPublicKey = state.RSAPublic, state.ECPublic
	e.Ensure(PartsOf(ctx))
	return e, st, nil
}

// page is one reply of get_enterprise_data_for_user with the identities of
// its entities, or the error that ended the sync.
type page struct {
	rs  *pb.EnterpriseDataResponse
	ids [][]ident
	err error
}

// fetch runs the sync from state.Token and applies every page to
// state.Raw, returning the last continuation token. The next page is
// requested as soon as a reply arrives, while the previous one is being
// applied, so the server's work and this side's overlap.
func (l *Loader) fetch(ctx context.Context, c *rest.Client, state *cacheState, st *Stats) ([]byte, error) {
	fctx, cancel := context.WithCancel(ctx)
	pages := make(chan page, 1)
	session := l.Keys.SessionToken
	go func() {
		defer close(pages)
		token := state.Token
		for n := 1; ; n++ {
			rs := &pb.EnterpriseDataResponse{}
			err := c.Call(fctx, "enterprise/get_enterprise_data_for_user", &pb.EnterpriseDataRequest{ContinuationToken: token}, rs,
				rest.WithSessionToken(session), rest.WithAPIVersion(2))
			var ids [][]ident
			if err == nil {
				ids = make([][]ident, len(rs.Data))
				for i, d := range rs.Data {
					ids[i] = identities(d)
				}
			}
			select {
			case pages <- page{rs, ids, err}:
			case <-fctx.Done():
				return
			}
			// Stop where the consumer stops: an error, the last page, a
			// repeated token or the page cap.
			if err != nil || !rs.HasMore || bytes.Equal(rs.ContinuationToken, token) || n >= maxPages {
				return
			}
			token = rs.ContinuationToken
		}
	}()
	defer func() {
		cancel()
		for range pages { // wait for the fetcher to stop using the client
		}
	}()
	token := state.Token
	entities := 0
	for p := range pages {
		if p.err != nil {
			return nil, fmt.Errorf("enterprise data: %w", p.err)
		}
		rs := p.rs
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
		for i, d := range rs.Data {
			state.Raw.apply(d, p.ids[i])
			entities += len(d.Data)
		}
		st.Changed = st.Changed || entities > 0 || rs.CacheStatus == pb.CacheStatus_CLEAR
		if l.Progress != nil {
			l.Progress(st.Pages, entities, rs.HasMore)
		}
		if rs.HasMore && bytes.Equal(rs.ContinuationToken, token) {
			return nil, &rest.ReplyError{Endpoint: "enterprise data",
				Msg: fmt.Sprintf("the server says there is more but repeats the continuation token (page %d)", st.Pages)}
		}
		token = rs.ContinuationToken
		if !rs.HasMore {
			return token, nil
		}
		if st.Pages >= maxPages {
			return nil, &rest.ReplyError{Endpoint: "enterprise data",
				Msg: fmt.Sprintf("the server still says there is more after %d pages; stopped", maxPages)}
		}
	}
	return nil, errors.New("enterprise data: the sync ended early") // not reached: the fetcher always sends the last page
}

// Forget drops the in-memory state; the next Load starts from the cache or
// with a full sync.
func (l *Loader) Forget() { l.state, l.fromDisk, l.tried = nil, false, false }

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
