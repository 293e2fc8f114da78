package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// TestBulkSeedKeepsMSPFlows: after `keeper-sandbox seed` grows the demo
// tenant, its managed companies are real ones to the MSP rules (their names
// are taken, their ids come from the counter enterprise_registration_by_msp
// uses, their admins' emails are theirs alone on the server) and the demo
// flows still fit: the licence has a seat for an invitation and the
// business pool still has the demo's 175 seats free for a new company.
func TestBulkSeedKeepsMSPFlows(t *testing.T) {
	s := testServer(t)
	ctx := context.Background()
	const msp = seed.MSPEnterpriseID
	b64 := func(n int) string { return crypto.Base64URLEncode(crypto.RandomBytes(n)) }
	register := func(name, product string, seats int) map[string]any {
		return s.runJSON(as(msp, nil), map[string]any{"command": "enterprise_registration_by_msp", "product_id": product,
			"seats": float64(seats), "enterprise_name": name, "encrypted_tree_key": b64(60), "role_data": b64(48),
			"root_node": b64(48)})
	}
	// One company registered before the bulk seed takes an id from the counter.
	before := register("Before Bulk", "enterprisePlus", 10)
	if before["result"] != "success" {
		t.Fatalf("register before bulk: %v", before)
	}
	if err := seed.Bulk(ctx, s.st, "Unit-Test-1!", 50, 30); err != nil {
		t.Fatal(err)
	}
	mcs, err := store.FindEntities(ctx, s.st.DB(), msp, int32(kMCs), "")
	if err != nil {
		t.Fatal(err)
	}
	var bulk []*enterprisepb.ManagedCompany
	for _, e := range mcs {
		var mc enterprisepb.ManagedCompany
		if err := proto.Unmarshal(e.Data, &mc); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(mc.McEnterpriseName, "Bulk Company ") {
			bulk = append(bulk, &mc)
		}
	}
	if len(bulk) != 30 {
		t.Fatalf("%d bulk companies, want 30", len(bulk))
	}
	for _, mc := range bulk {
		if mc.McEnterpriseId <= before["enterprise_id"].(int32) {
			t.Errorf("bulk company %d not above the company registered before it (%v)", mc.McEnterpriseId, before["enterprise_id"])
		}
		ent, err := store.GetEnterprise(ctx, s.st.DB(), mc.McEnterpriseId)
		if err != nil || ent.MSPID != msp || ent.Name != mc.McEnterpriseName {
			t.Errorf("bulk company %d: enterprise %+v, %v", mc.McEnterpriseId, ent, err)
		}
		if mc.ProductId != "business" || mc.NumberOfSeats != 10 || mc.NumberOfUsers != 1 || mc.MspNodeId>>32 != msp {
			t.Errorf("bulk company %d: %v", mc.McEnterpriseId, mc)
		}
		admin := fmt.Sprintf("admin@bulk%d.sandbox", mc.McEnterpriseId)
		if use, err := store.FindEmail(ctx, s.st.DB(), admin); err != nil || use.EnterpriseID != mc.McEnterpriseId {
			t.Errorf("%s: %+v, %v", admin, use, err)
		}
	}
	// A company registered after takes the counter's next id, above them all.
	after := register("After Bulk", "business", 175)
	if after["result"] != "success" {
		t.Fatalf("register after bulk (the demo's 175 free business seats): %v", after)
	}
	for _, mc := range bulk {
		if mc.McEnterpriseId >= after["enterprise_id"].(int32) {
			t.Errorf("company registered after bulk got id %v, not above bulk company %d", after["enterprise_id"], mc.McEnterpriseId)
		}
	}
	if got := run(s, msp, map[string]any{"command": "enterprise_registration_by_msp", "product_id": "business", "seats": float64(1),
		"enterprise_name": strings.ToUpper(bulk[0].McEnterpriseName), "encrypted_tree_key": b64(60), "role_data": b64(48),
		"root_node": b64(48)}); got[0] != "duplicate_name" {
		t.Errorf("registering a bulk company's name: %v, want duplicate_name", got)
	}
	id := allocate(t, s, msp, 1)
	if got := run(s, msp, map[string]any{"command": "enterprise_user_add", "enterprise_user_id": float64(id),
		"node_id": float64(int64(msp)<<32 + 2), "enterprise_user_username": "after.bulk@msp.sandbox"}); got[0] != "ok" {
		t.Errorf("invite after bulk: %v", got)
	}
	lic, _ := syncLicence(t, s, msp)
	for _, p := range lic.MspPool {
		if p.ProductId == "business" && p.AvailableSeats != 0 {
			t.Errorf("business pool after bulk and a 175-seat company: %d available, want 0", p.AvailableSeats)
		}
	}
}
