package e2e

import (
	"errors"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// TestNodeCannotMoveIntoItsSubtree: node_update refuses a parent that is
// the node itself or one of its descendants (a cycle cut off from the root);
// an ordinary move still works.
func TestNodeCannotMoveIntoItsSubtree(t *testing.T) {
	m := newMSPEnv(t)
	ctx, c, s, e := m.ctx, m.c, m.s, m.e
	europe, _ := e.Node("Europe")
	berlin, _ := e.Node("Berlin")
	asia, _ := e.Node("Asia Pacific")
	res, err := c.ExecuteBatch(ctx, s.JSON(), raws(
		map[string]any{"command": "node_update", "node_id": europe.NodeId, "parent_id": berlin.NodeId},
		map[string]any{"command": "node_update", "node_id": europe.NodeId, "parent_id": europe.NodeId},
		map[string]any{"command": "node_update", "node_id": berlin.NodeId, "parent_id": asia.NodeId},
	))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"bad_inputs_parent_id", "bad_inputs_parent_id", ""} {
		if res[i].ResultCode != want || (want == "") != res[i].OK() {
			t.Errorf("request %d: %s/%s (%s), want %q", i, res[i].Result, res[i].ResultCode, res[i].Message, want)
		}
	}
	e2 := m.sync()
	if p := e2.NodePath(europe.NodeId); p != `Demo MSP\Europe` {
		t.Errorf("Europe is at %q", p)
	}
	if p := e2.NodePath(berlin.NodeId); p != `Demo MSP\Asia Pacific\Berlin` {
		t.Errorf("Berlin is at %q", p)
	}
}

// TestKeyPairNeverReplaced: set_enterprise_key_pair stores a missing pair
// (a managed company's first login) but refuses to replace an existing one.
func TestKeyPairNeverReplaced(t *testing.T) {
	m := newMSPEnv(t)
	ctx, c, s := m.ctx, m.c, m.s
	rsaKey, err := crypto.GenerateRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	rsaPair := &enterprisepb.EnterpriseKeyPairRequest{EnterprisePublicKey: crypto.RSAPublicKeyBytes(&rsaKey.PublicKey),
		EncryptedEnterprisePrivateKey: []byte("encrypted"), KeyType: enterprisepb.KeyType_RSA}
	ecPair := &enterprisepb.EnterpriseKeyPairRequest{EnterprisePublicKey: crypto.ECPublicKeyBytes(ecKey.PublicKey()),
		EncryptedEnterprisePrivateKey: []byte("encrypted"), KeyType: enterprisepb.KeyType_ECC}
	set := func(token []byte, rq *enterprisepb.EnterpriseKeyPairRequest) error {
		return c.Call(ctx, "enterprise/set_enterprise_key_pair", rq, nil, rest.WithSessionToken(token))
	}
	exists := &rest.APIError{Code: "key_pair_exists"}
	for _, rq := range []*enterprisepb.EnterpriseKeyPairRequest{rsaPair, ecPair} {
		if err := set(s.SessionToken, rq); !errors.Is(err, exists) {
			t.Errorf("replacing the MSP's %v pair: %v, want key_pair_exists", rq.KeyType, err)
		}
	}
	// A managed company starts without pairs: the first upload is stored,
	// a second one refused.
	mc, _ := m.e.ManagedCompany("Acme Dental")
	tok, _, err := msp.LoginToMC(ctx, c, s.SessionToken, mc.McEnterpriseId, m.e)
	if err != nil {
		t.Fatal(err)
	}
	if err := set(tok, ecPair); err != nil {
		t.Fatalf("first EC pair of an MC: %v", err)
	}
	if err := set(tok, ecPair); !errors.Is(err, exists) {
		t.Errorf("second EC pair of an MC: %v, want key_pair_exists", err)
	}
	var keysRs enterprisepb.GetEnterpriseDataKeysResponse
	if err := c.Call(ctx, "enterprise/get_enterprise_data_keys", &enterprisepb.GetEnterpriseDataKeysRequest{}, &keysRs,
		rest.WithSessionToken(tok)); err != nil {
		t.Fatal(err)
	}
	if string(keysRs.EnterpriseKeys.GetEccPublicKey()) != string(ecPair.EnterprisePublicKey) {
		t.Error("the MC's stored EC public key is not the uploaded one")
	}
}
