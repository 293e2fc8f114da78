package e2e

import (
	"errors"
	"maps"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// uploadECPair uploads a new EC key pair for the session's enterprise, its
// private half AES-GCM under treeKey, as Commander's first MC login does.
func uploadECPair(t *testing.T, m *mspEnv, token, treeKey []byte) error {
	t.Helper()
	k, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(k), treeKey)
	if err != nil {
		t.Fatal(err)
	}
	return m.c.Call(m.ctx, "enterprise/set_enterprise_key_pair", &enterprisepb.EnterpriseKeyPairRequest{
		EnterprisePublicKey: crypto.ECPublicKeyBytes(k.PublicKey()), EncryptedEnterprisePrivateKey: enc, KeyType: enterprisepb.KeyType_ECC},
		nil, rest.WithSessionToken(token))
}

// TestLoginToNewMC: a just-registered MC accepts login_to_mc at once, its
// tree key decrypts with the MSP tree key, its first login uploads key pairs
// (once), and its tree is the empty one registration made: a root named
// after the MC and a Keeper Administrator role managing it.
func TestLoginToNewMC(t *testing.T) {
	m := newMSPEnv(t)
	id := m.add(m.reg("Newborn", "enterprisePlus", 10))
	tok, treeKey, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, id, m.sync())
	if err != nil {
		t.Fatal(err)
	}
	var keysRs enterprisepb.GetEnterpriseDataKeysResponse
	if err := m.c.Call(m.ctx, "enterprise/get_enterprise_data_keys", &enterprisepb.GetEnterpriseDataKeysRequest{}, &keysRs,
		rest.WithSessionToken(tok)); err != nil || len(keysRs.EnterpriseKeys.GetEccPublicKey()) != 0 {
		t.Fatalf("new MC keys: %v %v", keysRs.EnterpriseKeys, err)
	}
	if err := uploadECPair(t, m, tok, treeKey); err != nil {
		t.Fatalf("first EC pair: %v", err)
	}
	if err := uploadECPair(t, m, tok, treeKey); !errors.Is(err, &rest.APIError{Code: "key_pair_exists"}) {
		t.Errorf("second EC pair: %v", err)
	}
	mce := loadMC(t, m, tok, treeKey, id)
	root := mce.Root()
	if mce.Name != "Newborn" || len(mce.Nodes) != 1 || root == nil || root.ParentId != 0 || root.NodeId&0xFFFFFFFF != 2 ||
		len(mce.Users) != 0 || len(mce.Teams) != 0 {
		t.Fatalf("MC %q: %d nodes, root %v, %d users, %d teams", mce.Name, len(mce.Nodes), root, len(mce.Users), len(mce.Teams))
	}
	role, err := mce.Role("Keeper Administrator")
	if err != nil || role.NodeId != root.NodeId || role.KeyType != "encrypted_by_data_key" {
		t.Fatalf("admin role: %v %v", role, err)
	}
	privileges := 0
	for _, p := range mce.RolePrivileges {
		if p.RoleId == role.RoleId && p.ManagedNodeId == root.NodeId {
			privileges++
		}
	}
	if len(mce.ManagedNodes) != 1 || !mce.ManagedNodes[0].CascadeNodeManagement || mce.ManagedNodes[0].ManagedNodeId != root.NodeId || privileges < 4 {
		t.Errorf("admin role management: %v, %d privileges", mce.ManagedNodes, privileges)
	}
	if len(mce.Licenses) != 1 || mce.Licenses[0].ProductTypeId != 8 || mce.IsMSP() || len(mce.Licenses[0].AddOns) != 2 ||
		!mce.Licenses[0].AddOns[0].IncludedInProduct || mce.Licenses[0].FilePlanTypeId != 7 {
		t.Errorf("MC licence: %v", mce.Licenses)
	}
}

// TestMCIsolation: a managed-company session, and the administrator of a
// managed company, can neither manage MCs nor reach the MSP or another MC.
func TestMCIsolation(t *testing.T) {
	m := newMSPEnv(t)
	acme, _ := m.e.ManagedCompany("Acme Dental")
	bluebird, _ := m.e.ManagedCompany("Bluebird Logistics")
	tok, acmeKey, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, acme.McEnterpriseId, m.e)
	if err != nil {
		t.Fatal(err)
	}
	mcSess := rest.JSONSession{Token: tok, Username: m.s.Username}
	europe, _ := m.e.Node("Europe")
	helpdesk, _ := m.e.Role("Helpdesk")
	res := m.runAs(mcSess, m.reg("From MC", "business", 1),
		msp.Update{EnterpriseID: bluebird.McEnterpriseId, EnterpriseName: "Taken", ProductID: "business", Seats: 1},
		msp.Remove{EnterpriseID: bluebird.McEnterpriseId},
		raw{"command": "node_update", "node_id": europe.NodeId, "encrypted_data": europe.EncryptedData},
		enterprise.RoleEnforcement{Op: "add", RoleID: helpdesk.RoleId, Enforcement: "require_two_factor"})
	wantCodes(t, res, "access_denied", "access_denied", "access_denied", "node_not_found", "bad_inputs_role_id")
	if _, _, err := msp.LoginToMC(m.ctx, m.c, tok, bluebird.McEnterpriseId, m.e); !errors.Is(err, &rest.APIError{Code: "access_denied"}) {
		t.Errorf("login_to_mc from an MC session: %v", err)
	}
	err = m.c.Call(m.ctx, "enterprise/node_to_managed_company", &enterprisepb.NodeToManagedCompanyRequest{CompanyId: bluebird.McEnterpriseId},
		nil, rest.WithSessionToken(tok))
	if !errors.Is(err, &rest.APIError{Code: "access_denied"}) {
		t.Errorf("node_to_managed_company from an MC session: %v", err)
	}
	mce := loadMC(t, m, tok, acmeKey, acme.McEnterpriseId)
	if mce.Name != "Acme Dental" || len(mce.Users) != 6 || len(mce.ManagedCompanies) != 0 {
		t.Errorf("MC session reads %q with %d users and %d MCs", mce.Name, len(mce.Users), len(mce.ManagedCompanies))
	}

	// Acme's own administrator (an account of the MC enterprise).
	admin, err := mce.User("admin@acme.sandbox")
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, m.sb, acme.McEnterpriseId, admin.EnterpriseUserId, "admin@acme.sandbox", true, acmeKey)
	own, err := loginAs(t, m.c, "admin@acme.sandbox")
	if err != nil {
		t.Fatal(err)
	}
	res = m.runAs(own.JSON(), m.reg("From MC Admin", "business", 1), msp.Remove{EnterpriseID: bluebird.McEnterpriseId})
	wantCodes(t, res, "access_denied", "access_denied")
	if _, _, err := msp.LoginToMC(m.ctx, m.c, own.SessionToken, bluebird.McEnterpriseId, m.e); !errors.Is(err, &rest.APIError{Code: "access_denied"}) {
		t.Errorf("login_to_mc by an MC admin: %v", err)
	}
	ownEnt, _, err := enterprise.Load(m.ctx, m.c, keys(own), nil)
	if err != nil || ownEnt.Name != "Acme Dental" || len(ownEnt.Users) != 6 || len(ownEnt.ManagedCompanies) != 0 {
		t.Errorf("MC admin reads %v: %v", ownEnt, err)
	}
	if n := len(m.sync().ManagedCompanies); n != 5 {
		t.Errorf("%d MCs after refused changes", n)
	}
}

// TestRoleEnforcements: role_enforcement_add/update/remove in a managed
// company, as msp-copy-role sends them: no value is boolean true, numbers
// and JSON values are stored as text, add refuses an existing enforcement
// and update/remove a missing one, and roles of other enterprises are out
// of reach.
func TestRoleEnforcements(t *testing.T) {
	m := newMSPEnv(t)
	id := m.add(m.reg("Policy Co", "business", 5))
	tok, treeKey, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, id, m.sync())
	if err != nil {
		t.Fatal(err)
	}
	role, err := loadMC(t, m, tok, treeKey, id).Role("Keeper Administrator")
	if err != nil {
		t.Fatal(err)
	}
	mspRole, _ := m.e.Role("Default Users")
	enf := func(op, name string, value any) enterprise.RoleEnforcement {
		return enterprise.RoleEnforcement{Op: op, RoleID: role.RoleId, Enforcement: name, Value: value}
	}
	res := m.runAs(rest.JSONSession{Token: tok, Username: m.s.Username},
		enf("add", "require_two_factor", nil),
		enf("add", "master_password_minimum_length", 14),
		enf("add", "restrict_record_types", map[string]any{"std": []string{"login"}}),
		enf("add", "require_two_factor", nil),
		enf("update", "master_password_minimum_length", 16),
		enf("update", "restrict_export", nil),
		enf("remove", "restrict_record_types", nil),
		enf("remove", "restrict_record_types", nil),
		enterprise.RoleEnforcement{Op: "add", RoleID: mspRole.RoleId, Enforcement: "restrict_export"},
		enf("add", "Not An Enforcement!", nil),
	)
	wantCodes(t, res, "", "", "", "already_exists", "", "enforcement_not_found", "", "enforcement_not_found",
		"bad_inputs_role_id", "bad_inputs_enforcement")
	got := loadMC(t, m, tok, treeKey, id).RoleEnforcements[role.RoleId]
	if want := map[string]string{"require_two_factor": "true", "master_password_minimum_length": "16"}; !maps.Equal(got, want) {
		t.Errorf("enforcements %v, want %v", got, want)
	}
	if got := m.sync().RoleEnforcements[mspRole.RoleId]; len(got) != 3 || got["restrict_export"] != "" {
		t.Errorf("MSP role changed: %v", got)
	}
}
