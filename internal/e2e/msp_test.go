package e2e

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// TestMSPSeatPool: adding, resizing and removing MCs moves seats out of and
// back into the product's pool, over-allocation is refused, unlimited MCs
// take none, and the next incremental sync carries the new MC entities,
// their tombstones and the re-sent licence with its pool.
func TestMSPSeatPool(t *testing.T) {
	m := newMSPEnv(t)
	pool := func() int32 {
		t.Helper()
		_, p := mspLicence(t, m.sync())
		return p["business"]
	}
	if p := pool(); p != 175 { // 200 - Acme Dental's 25
		t.Fatalf("seeded business pool %d", p)
	}
	r := m.reg("Fresh Co", "business", 100)
	fresh := m.add(r)
	if p := pool(); p != 75 {
		t.Errorf("after adding 100 seats: %d available, want 75", p)
	}
	mc := mcByID(m.e, fresh)
	if mc == nil || mc.McEnterpriseName != "Fresh Co" || mc.NumberOfSeats != 100 || mc.NumberOfUsers != 0 || mc.ProductId != "business" ||
		mc.FilePlanType != "STORAGE_100GB" || mc.TreeKey != r.EncryptedTreeKey || mc.TreeKeyTypeId != 3 ||
		mc.MspNodeId != m.e.Root().NodeId || mc.TreeKeyRole == 0 {
		t.Fatalf("new MC entity: %v", mc)
	}

	res := m.run(m.reg("Too Big", "business", 76), m.reg("Exactly", "business", 75), m.reg("Endless", "business", -1))
	wantCodes(t, res, "exceeds_available_seats", "", "")
	if p := pool(); p != 0 {
		t.Errorf("pool after filling it: %d", p)
	}
	endless, _ := m.e.ManagedCompany("Endless")
	if endless == nil || endless.NumberOfSeats != seed.Unlimited {
		t.Fatalf("unlimited MC: %v", endless)
	}
	exactly, _ := m.e.ManagedCompany("Exactly")

	// Shrinking returns seats; growing beyond what is left is refused.
	res = m.run(msp.Update{EnterpriseID: fresh, EnterpriseName: "Fresh Co", ProductID: "business", Seats: 50},
		msp.Update{EnterpriseID: exactly.McEnterpriseId, EnterpriseName: "Exactly", ProductID: "business", Seats: 126},
		msp.Update{EnterpriseID: exactly.McEnterpriseId, EnterpriseName: "Exactly", ProductID: "business", Seats: 125})
	wantCodes(t, res, "", "exceeds_available_seats", "")
	if p := pool(); p != 0 {
		t.Errorf("pool after shrinking 100->50 and growing 75->125: %d", p)
	}
	wantCodes(t, m.run(msp.Remove{EnterpriseID: fresh}), "")
	if p := pool(); p != 50 {
		t.Errorf("pool after removing a 50-seat MC: %d, want 50", p)
	}
	if mcByID(m.e, fresh) != nil || len(m.e.ManagedCompanies) != 7 {
		t.Errorf("removed MC still synced, %d MCs", len(m.e.ManagedCompanies))
	}
}

// TestMSPRefusals: each input rule and each permit refuses with its
// result_code and creates nothing; what the permits allow goes through.
func TestMSPRefusals(t *testing.T) {
	m := newMSPEnv(t)
	before := len(m.e.ManagedCompanies)
	base := func(name string, kv ...any) rest.Command {
		r := asMap(t, m.reg(name, "business", 5))
		for i := 0; i < len(kv); i += 2 {
			r[kv[i].(string)] = kv[i+1]
		}
		return r
	}
	addOns := func(list ...map[string]any) []any {
		out := []any{}
		for _, a := range list {
			out = append(out, a)
		}
		return out
	}
	res := m.run(
		base("Gold", "product_id", "gold"),
		base("Negative", "seats", -5),
		base("Text", "seats", "many"),
		base(""),
		base(strings.Repeat("n", 256)),
		base("ACME DENTAL"),
		base("Nowhere", "node_id", m.e.Root().NodeId+999_999),
		base("Foreign Node", "node_id", int64(2001)<<32+2),
		base("Bad Key", "encrypted_tree_key", "AAAA"),
		base("Chat", "add_ons", addOns(map[string]any{"add_on": "chat"})),
		base("Kepm", "add_ons", addOns(map[string]any{"add_on": "keeper_endpoint_privilege_manager", "seats": 30})),
		base("Rbi", "add_ons", addOns(map[string]any{"add_on": "remote_browser_isolation"})),
		base("Huge", "seats", 10_000),
		base("Bad Storage", "file_plan_type", "STORAGE_5TB"),
	)
	wantCodes(t, res, "bad_inputs_product_id", "bad_inputs_seats", "bad_inputs_seats", "bad_inputs_enterprise_name",
		"bad_inputs_enterprise_name", "duplicate_name", "bad_inputs_node_id", "bad_inputs_node_id",
		"bad_inputs_encrypted_tree_key", "not_allowed_add_on", "bad_inputs_seats", "bad_inputs_add_on",
		"exceeds_available_seats", "bad_inputs_file_plan_type")

	setPermits(t, m.sb, func(p *enterprisepb.MSPPermits) {
		p.AllowedMcProducts = []string{"business", "enterprise"}
		p.AllowUnlimitedLicenses, p.MaxFilePlanType, p.MaxAllowedLicenses = false, "STORAGE_1TB", 20
		p.AllowedAddOns = append(p.AllowedAddOns, "remote_browser_isolation")
	})
	res = m.run(
		base("Plus", "product_id", "businessPlus"),
		base("Upper", "product_id", "BUSINESS"),
		base("Unlimited", "seats", -1),
		base("Over Max", "seats", 21),
		base("At Max", "seats", 20),
		base("Ten TB", "file_plan_type", "STORAGE_10TB"),
		base("One TB", "file_plan_type", "STORAGE_1TB"),
		base("Rbi Ok", "add_ons", addOns(map[string]any{"add_on": "connection_manager", "seats": 5},
			map[string]any{"add_on": "remote_browser_isolation"})),
	)
	wantCodes(t, res, "not_allowed_product", "", "unlimited_not_allowed", "exceeds_max_licenses", "", "not_allowed_file_plan", "", "")

	e := m.sync()
	if len(e.ManagedCompanies) != before+4 {
		t.Errorf("%d MCs, want %d", len(e.ManagedCompanies), before+4)
	}
	if mc, err := e.ManagedCompany("upper"); err != nil || mc.ProductId != "business" {
		t.Errorf("product id sent as BUSINESS: %v %v", mc, err)
	}
	if mc, _ := e.ManagedCompany("One TB"); mc == nil || mc.FilePlanType != "STORAGE_1TB" {
		t.Errorf("file plan: %v", mc)
	}
	if n := len(m.licenceLog()); n != 4 {
		t.Errorf("%d log rows, want 4 (refusals write none)", n)
	}
}

// TestMSPUpdateIsFullReplacement: an update replaces name, plan, seats,
// storage and add-ons; included add-ons follow the plan; an omitted file
// plan falls back to the plan's own storage; seats may be strings; the
// node is kept unless sent; the MC's own licence follows; log rows record it.
func TestMSPUpdateIsFullReplacement(t *testing.T) {
	m := newMSPEnv(t)
	r := m.reg("Replace Co", "businessPlus", 10)
	r.FilePlanType = "STORAGE_10TB"
	r.AddOns = []msp.AddOnRequest{{AddOn: "secrets_manager"}, {AddOn: "connection_manager", Seats: 5}}
	id := m.add(r)
	addOnSet := func(id int32) []string {
		var out []string
		for _, a := range mcByID(m.e, id).AddOns {
			s := a.Name
			if a.Seats > 0 {
				s += fmt.Sprintf(":%d", a.Seats)
			}
			if a.IncludedInProduct {
				s += "(included)"
			}
			out = append(out, s)
		}
		slices.Sort(out)
		return out
	}
	m.sync()
	want := []string{"connection_manager:5", "enterprise_audit_and_reporting(included)", "enterprise_breach_watch(included)", "secrets_manager"}
	if got := addOnSet(id); !slices.Equal(got, want) || mcByID(m.e, id).FilePlanType != "STORAGE_10TB" {
		t.Fatalf("registered add-ons %v storage %s", got, mcByID(m.e, id).FilePlanType)
	}

	res := m.run(raw{"command": "enterprise_update_by_msp", "enterprise_id": id, "enterprise_name": "Replaced Co",
		"product_id": "enterprise", "seats": "20", "add_ons": []any{map[string]any{"add_on": "privileged_access_manager", "seats": "3"}}},
		msp.Update{EnterpriseID: 999_999, EnterpriseName: "Ghost", ProductID: "business", Seats: 1},
		msp.Update{EnterpriseID: id, EnterpriseName: "acme dental", ProductID: "business", Seats: 1},
		raw{"command": "enterprise_update_by_msp", "enterprise_id": id, "enterprise_name": "Replaced Co", "product_id": "enterprise"})
	wantCodes(t, res, "", "bad_inputs_enterprise_id", "duplicate_name", "bad_inputs_seats")
	var rep msp.EnterpriseReply
	if err := res[0].Decode(&rep); err != nil || rep.EnterpriseID != id {
		t.Errorf("update reply enterprise_id %d %v", rep.EnterpriseID, err)
	}
	m.sync()
	mc := mcByID(m.e, id)
	if mc.McEnterpriseName != "Replaced Co" || mc.ProductId != "enterprise" || mc.NumberOfSeats != 20 || mc.FilePlanType != "STORAGE_100GB" ||
		mc.MspNodeId != m.e.Root().NodeId || mc.TreeKey != r.EncryptedTreeKey || !slices.Equal(addOnSet(id), []string{"privileged_access_manager:3"}) {
		t.Fatalf("after update: %v add-ons %v", mc, addOnSet(id))
	}

	// The MC sees its new name and licence.
	tok, treeKey, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, id, m.e)
	if err != nil {
		t.Fatal(err)
	}
	mce := loadMC(t, m, tok, treeKey, id)
	if mce.Name != "Replaced Co" || len(mce.Licenses) != 1 {
		t.Fatalf("MC %q with %d licences", mce.Name, len(mce.Licenses))
	}
	l := mce.Licenses[0]
	if l.ProductTypeId != 8 || l.Name != "enterprise" || l.NumberOfSeats != 20 || l.FilePlanTypeId != 4 || l.MaxBytes != 100<<30 ||
		strings.HasPrefix(l.LicenseStatus, "msp") || l.ManagedBy.GetEnterpriseId() != seed.MSPEnterpriseID ||
		len(l.AddOns) != 1 || l.AddOns[0].Name != "privileged_access_manager" || l.AddOns[0].Seats != 3 {
		t.Errorf("MC licence: %v", l)
	}

	europe, _ := m.e.Node("Europe")
	wantCodes(t, m.run(msp.Update{EnterpriseID: id, EnterpriseName: "Replaced Co", ProductID: "enterprise", Seats: 20, NodeID: europe.NodeId}), "")
	if mc := mcByID(m.sync(), id); mc.MspNodeId != europe.NodeId {
		t.Errorf("node_id did not move the MC: %d", mc.MspNodeId)
	}
	var rows []string
	for _, l := range m.licenceLog() {
		if l.MCEnterpriseID == id {
			rows = append(rows, fmt.Sprintf("%s %s %d", l.Status, l.NewProductType, l.NewNumberOfSeats))
			if l.Date == 0 || l.MCEnterpriseName == "" || l.Note == "" {
				t.Errorf("log row without date, name or note: %+v", l)
			}
		}
	}
	if want := []string{"Added businessPlus 10", "Updated enterprise 20", "Updated enterprise 20"}; !slices.Equal(rows, want) {
		t.Errorf("log rows %v, want %v", rows, want)
	}
}

// TestMSPRemove: removal ends the MC's sessions, refuses login_to_mc and
// its users' logins, tombstones the MC on the next sync, returns its seats
// and is logged; the id cannot be updated or removed again.
func TestMSPRemove(t *testing.T) {
	m := newMSPEnv(t)
	id := m.add(m.reg("Short Lived", "business", 30))
	e := m.sync()
	tok, treeKey, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, id, e)
	if err != nil {
		t.Fatal(err)
	}
	loadMC(t, m, tok, treeKey, id)
	addAccount(t, m.sb, id, int64(id)<<32+100, "worker@shortlived.sandbox", false, nil)
	if _, err := loginAs(t, m.c, "worker@shortlived.sandbox"); err != nil {
		t.Fatalf("MC user login before removal: %v", err)
	}

	wantCodes(t, m.run(msp.Remove{EnterpriseID: id}), "")
	var data enterprisepb.EnterpriseDataResponse
	err = m.c.Call(m.ctx, "enterprise/get_enterprise_data_for_user", &enterprisepb.EnterpriseDataRequest{}, &data, rest.WithSessionToken(tok))
	if !errors.Is(err, &rest.APIError{Code: "session_token_expired"}) {
		t.Errorf("MC session after removal: %v", err)
	}
	if _, _, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, id, e); !errors.Is(err, &rest.APIError{Code: "access_denied"}) {
		t.Errorf("login_to_mc into a removed MC: %v", err)
	}
	if _, err := loginAs(t, m.c, "worker@shortlived.sandbox"); !errors.Is(err, &rest.APIError{Code: "enterprise_removed"}) {
		t.Errorf("MC user login after removal: %v", err)
	}
	e = m.sync()
	if _, p := mspLicence(t, e); mcByID(e, id) != nil || p["business"] != 175 {
		t.Errorf("after removal: MC present=%v, business pool %d", mcByID(e, id) != nil, p["business"])
	}
	wantCodes(t, m.run(msp.Remove{EnterpriseID: id}, msp.Update{EnterpriseID: id, EnterpriseName: "Back", ProductID: "business", Seats: 1}),
		"bad_inputs_enterprise_id", "bad_inputs_enterprise_id")
	log := m.licenceLog()
	last := log[len(log)-1]
	if len(log) != 2 || last.Status != "Removed" || last.MCEnterpriseID != id || last.MCEnterpriseName != "Short Lived" ||
		last.NewNumberOfSeats != 0 || last.NewProductType != "business" {
		t.Errorf("log: %+v", log)
	}
	// A new MC never gets the removed one's id.
	if next := m.add(m.reg("Short Lived", "business", 1)); next <= id {
		t.Errorf("new MC id %d after removing %d", next, id)
	}
}
