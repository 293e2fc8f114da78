package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// mspEnv is a sandbox with the demo MSP admin logged in and the MSP loaded
// into an on-disk cache, so every sync() is an incremental one.
type mspEnv struct {
	t     *testing.T
	ctx   context.Context
	sb    *sandbox.Sandbox
	c     *rest.Client
	s     *auth.Session
	e     *enterprise.Enterprise
	cache *enterprise.Cache
	// started is when the sandbox was started.
	started time.Time
}

func newMSPEnv(t *testing.T) *mspEnv {
	t.Helper()
	started := time.Now()
	env := sandboxtest.Start(t, nil)
	c := env.Client(t)
	m := &mspEnv{t: t, ctx: context.Background(), sb: env.Sandbox, c: c, s: login(t, c),
		cache: &enterprise.Cache{Path: filepath.Join(t.TempDir(), "enterprise.cache"), Owner: "test"}, started: started}
	e, _, err := enterprise.Load(m.ctx, c, keys(m.s), m.cache)
	if err != nil {
		t.Fatal(err)
	}
	m.e = e
	return m
}

// sync reloads the MSP incrementally from the cache.
func (m *mspEnv) sync() *enterprise.Enterprise {
	m.t.Helper()
	e, st, err := enterprise.Load(m.ctx, m.c, keys(m.s), m.cache)
	if err != nil {
		m.t.Fatal(err)
	}
	if !st.FromDisk {
		m.t.Fatal("sync was not incremental")
	}
	m.e = e
	return e
}

// run sends commands in one execute batch under the MSP session.
func (m *mspEnv) run(cmds ...rest.Command) []rest.BatchResult {
	m.t.Helper()
	return m.runAs(m.s.JSON(), cmds...)
}

func (m *mspEnv) runAs(sess rest.JSONSession, cmds ...rest.Command) []rest.BatchResult {
	m.t.Helper()
	res, err := m.c.ExecuteBatch(m.ctx, sess, cmds)
	if err != nil || len(res) != len(cmds) {
		m.t.Fatalf("execute: %v (%d results)", err, len(res))
	}
	return res
}

// reg is a registration with fresh MC keys under the MSP tree key.
func (m *mspEnv) reg(name, plan string, seats int32) msp.Registration {
	m.t.Helper()
	r := msp.Registration{NodeID: m.e.Root().NodeId, ProductID: plan, Seats: seats, EnterpriseName: name}
	if err := msp.NewMC(m.e.TreeKey, &r); err != nil {
		m.t.Fatal(err)
	}
	return r
}

// add registers an MC and returns its id, failing the test on refusal.
func (m *mspEnv) add(r msp.Registration) int32 {
	m.t.Helper()
	res := m.run(r)[0]
	var rep msp.EnterpriseReply
	if !res.OK() || res.Decode(&rep) != nil || rep.EnterpriseID == 0 {
		m.t.Fatalf("register %s: %s/%s %s", r.EnterpriseName, res.Result, res.ResultCode, res.Message)
	}
	return rep.EnterpriseID
}

// asMap turns a typed command into a raw one to tamper with.
func asMap(t *testing.T, cmd rest.Command) raw {
	t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	m := raw{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["command"] = cmd.CommandName()
	return m
}

// wantCodes checks each result's result_code ("" = success).
func wantCodes(t *testing.T, res []rest.BatchResult, want ...string) {
	t.Helper()
	for i, w := range want {
		if res[i].ResultCode != w || (w == "") != res[i].OK() {
			t.Errorf("request %d: %s/%s (%s), want %q", i, res[i].Result, res[i].ResultCode, res[i].Message, w)
		}
	}
}

// mcByID returns a managed company of the loaded MSP, nil when absent.
func mcByID(e *enterprise.Enterprise, id int32) *enterprisepb.ManagedCompany {
	for _, mc := range e.ManagedCompanies {
		if mc.McEnterpriseId == id {
			return mc
		}
	}
	return nil
}

// editEntity rewrites a stored entity (decoded into msg) at a new revision
// of its enterprise, as a change the sandbox has no command for.
func editEntity(t *testing.T, sb *sandbox.Sandbox, eid int32, kind enterprisepb.EnterpriseDataEntity, ident string,
	msg proto.Message, edit func()) {
	t.Helper()
	ctx := context.Background()
	err := sb.Store().Tx(ctx, func(tx *sql.Tx) error {
		rev, err := store.BumpRev(ctx, tx, eid)
		if err != nil {
			return err
		}
		e, err := store.GetEntity(ctx, tx, eid, int32(kind), ident)
		if err != nil {
			return err
		}
		if err := proto.Unmarshal(e.Data, msg); err != nil {
			return err
		}
		edit()
		if e.Data, err = proto.Marshal(msg); err != nil {
			return err
		}
		return store.PutEntity(ctx, tx, eid, rev, *e)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setPermits edits the demo MSP licence's permits.
func setPermits(t *testing.T, sb *sandbox.Sandbox, edit func(*enterprisepb.MSPPermits)) {
	t.Helper()
	var l enterprisepb.License
	editEntity(t, sb, seed.MSPEnterpriseID, enterprisepb.EnterpriseDataEntity_LICENSES,
		fmt.Sprint(int64(seed.MSPEnterpriseID)<<32+1), &l, func() { edit(l.MspPermits) })
}

// licenceLog reads the MSP's licence adjustment log from the store: the
// rows of the test's changes (the seeded history is dated before it).
func (m *mspEnv) licenceLog() []store.LicenceLogEntry {
	m.t.Helper()
	log, err := store.LicenceLog(context.Background(), m.sb.Store().DB(), seed.MSPEnterpriseID, m.started.UnixMilli(), 1<<62)
	if err != nil {
		m.t.Fatal(err)
	}
	return log
}

// addAccount gives user (an entity of enterprise eid) a login with the
// sandbox password, as a provisioned account; an admin gets treeKey encrypted
// under the new data key (key type 1).
func addAccount(t *testing.T, sb *sandbox.Sandbox, eid int32, userID int64, email string, admin bool, treeKey []byte) {
	t.Helper()
	dataKey := crypto.GenerateAESKey()
	verifier, err := crypto.CreateAuthVerifier(sandboxtest.Password, crypto.RandomBytes(16), sandboxtest.Iterations)
	if err != nil {
		t.Fatal(err)
	}
	params, err := crypto.CreateEncryptionParams(sandboxtest.Password, crypto.RandomBytes(16), sandboxtest.Iterations, dataKey)
	if err != nil {
		t.Fatal(err)
	}
	a := &store.Account{Username: strings.ToLower(email), EnterpriseID: eid, EnterpriseUserID: userID, AccountUID: crypto.RandomBytes(16),
		AuthVerifier: verifier, EncryptionParams: params, IsAdmin: admin}
	if admin {
		tk, err := crypto.EncryptAESv1(treeKey, dataKey)
		if err != nil {
			t.Fatal(err)
		}
		a.TreeKeyEnc, a.TreeKeyType = crypto.Base64URLEncode(tk), 1
	}
	ctx := context.Background()
	if err := sb.Store().Tx(ctx, func(tx *sql.Tx) error { return store.PutAccount(ctx, tx, a) }); err != nil {
		t.Fatal(err)
	}
}

// loginAs logs in with the sandbox password as another account.
func loginAs(t *testing.T, c *rest.Client, email string) (*auth.Session, error) {
	t.Helper()
	return auth.Login(context.Background(), c, auth.Options{Username: email, Password: pw(sandboxtest.Password)})
}

// loadMC loads a managed company through its login_to_mc session.
func loadMC(t *testing.T, m *mspEnv, token, treeKey []byte, id int32) *enterprise.Enterprise {
	t.Helper()
	e, _, err := enterprise.Load(m.ctx, m.c, enterprise.Keys{SessionToken: token, DataKey: m.s.DataKey, TreeKey: treeKey, EnterpriseID: id}, nil)
	if err != nil {
		t.Fatalf("load MC %d: %v", id, err)
	}
	return e
}
