package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// tenant is the demo admin logged in to a sandbox and acting on one
// enterprise (the MSP, or a managed company after login_to_mc), with the
// enterprise cached so every reload is an incremental sync.
type tenant struct {
	t     *testing.T
	sb    *sandboxtest.Env
	c     *rest.Client
	json  rest.JSONSession
	keys  enterprise.Keys
	cache *enterprise.Cache
	e     *enterprise.Enterprise
}

func newTenant(t *testing.T) *tenant {
	t.Helper()
	sb := sandboxtest.Start(t, nil)
	c := sb.Client(t)
	s := login(t, c)
	tn := &tenant{t: t, sb: sb, c: c, json: s.JSON(), keys: keys(s),
		cache: &enterprise.Cache{Path: filepath.Join(t.TempDir(), "msp.cache"), Owner: "test"}}
	tn.load(false)
	return tn
}

// mc returns the tenant of a managed company, through login_to_mc.
func (tn *tenant) mc(name string) *tenant {
	tn.t.Helper()
	mc, err := tn.e.ManagedCompany(name)
	if err != nil {
		tn.t.Fatal(err)
	}
	tok, treeKey, err := msp.LoginToMC(context.Background(), tn.c, tn.keys.SessionToken, mc.McEnterpriseId, tn.e)
	if err != nil {
		tn.t.Fatal(err)
	}
	m := &tenant{t: tn.t, sb: tn.sb, c: tn.c, json: rest.JSONSession{Token: tok, Username: tn.json.Username},
		keys:  enterprise.Keys{SessionToken: tok, DataKey: tn.keys.DataKey, TreeKey: treeKey, EnterpriseID: mc.McEnterpriseId},
		cache: &enterprise.Cache{Path: filepath.Join(tn.t.TempDir(), "mc.cache"), Owner: "test"}}
	m.load(false)
	return m
}

// load syncs the enterprise; an incremental load must come from the cache.
func (tn *tenant) load(incremental bool) *enterprise.Enterprise {
	tn.t.Helper()
	e, st, err := enterprise.Load(context.Background(), tn.c, tn.keys, tn.cache)
	if err != nil {
		tn.t.Fatal(err)
	}
	if st.FromDisk != incremental {
		tn.t.Fatalf("load from cache %v, want %v", st.FromDisk, incremental)
	}
	tn.e = e
	return e
}

// reload is the incremental sync a client runs after a change.
func (tn *tenant) reload() *enterprise.Enterprise { return tn.load(true) }

// run sends JSON commands in one execute batch and returns "ok" or the
// result_code of each.
func (tn *tenant) run(cmds ...map[string]any) []string {
	tn.t.Helper()
	res, err := tn.c.ExecuteBatch(context.Background(), tn.json, raws(cmds...))
	if err != nil {
		tn.t.Fatal(err)
	}
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = "ok"
		if !r.OK() {
			out[i] = r.ResultCode
			if r.Message == "" {
				tn.t.Errorf("%s failed with %s but no message", r.Command, r.ResultCode)
			}
		}
	}
	return out
}

// alloc reserves n ids with enterprise_allocate_ids.
func (tn *tenant) alloc(n int) int64 {
	tn.t.Helper()
	var a enterprise.AllocatedIDs
	if err := tn.c.Execute(context.Background(), tn.json, enterprise.AllocateIDs{NumberRequested: n}, &a); err != nil {
		tn.t.Fatal(err)
	}
	return a.BaseID
}

// call sends a REST request of the tenant's session and returns "ok" or
// Keeper's error code.
func (tn *tenant) call(endpoint string, rq, rs proto.Message) string {
	tn.t.Helper()
	err := tn.c.Call(context.Background(), endpoint, rq, rs, rest.WithSessionToken(tn.keys.SessionToken))
	var ae *rest.APIError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ae):
		if ae.Message == "" {
			tn.t.Errorf("%s: %s without a message", endpoint, ae.Code)
		}
		return ae.Code
	}
	tn.t.Fatalf("%s: %v", endpoint, err)
	return ""
}

// user resolves a user of the last loaded enterprise.
func (tn *tenant) user(name string) *enterprise.User {
	tn.t.Helper()
	u, err := tn.e.User(name)
	if err != nil {
		tn.t.Fatal(err)
	}
	return u
}

// publicKey fetches a user's RSA public key with vault/get_public_keys.
func (tn *tenant) publicKey(username string) []byte {
	tn.t.Helper()
	var rs authpb.GetPublicKeysResponse
	if code := tn.call("vault/get_public_keys", &authpb.GetPublicKeysRequest{Usernames: []string{username}}, &rs); code != "ok" ||
		len(rs.KeyResponses) != 1 || len(rs.KeyResponses[0].PublicKey) == 0 {
		tn.t.Fatalf("public key of %s: %s %v", username, code, rs.KeyResponses)
	}
	return rs.KeyResponses[0].PublicKey
}

// encryptTo encrypts a key to a user's RSA public key, as Commander does
// for team keys and tree keys (encrypted_by_public_key).
func (tn *tenant) encryptTo(username string, key []byte) string {
	tn.t.Helper()
	pub, err := crypto.LoadRSAPublicKey(tn.publicKey(username))
	if err != nil {
		tn.t.Fatal(err)
	}
	enc, err := crypto.EncryptRSA(key, pub)
	if err != nil {
		tn.t.Fatal(err)
	}
	return crypto.Base64URLEncode(enc)
}

// rawSync runs get_enterprise_data_for_user from token into raw (what a
// client applies) and returns the next token.
func (tn *tenant) rawSync(raw *enterprise.Raw, token []byte) []byte {
	tn.t.Helper()
	for {
		var rs enterprisepb.EnterpriseDataResponse
		if err := tn.c.Call(context.Background(), "enterprise/get_enterprise_data_for_user",
			&enterprisepb.EnterpriseDataRequest{ContinuationToken: token}, &rs, rest.WithSessionToken(tn.keys.SessionToken),
			rest.WithAPIVersion(2)); err != nil {
			tn.t.Fatal(err)
		}
		if rs.CacheStatus == enterprisepb.CacheStatus_CLEAR {
			raw.Clear()
		}
		for _, d := range rs.Data {
			raw.Apply(d)
		}
		token = rs.ContinuationToken
		if !rs.HasMore {
			return token
		}
	}
}

func storePasswordExpired(tn *tenant, id int64) (time.Time, error) {
	return store.PasswordExpired(context.Background(), tn.sb.Store().DB(), tn.keys.EnterpriseID, id)
}
