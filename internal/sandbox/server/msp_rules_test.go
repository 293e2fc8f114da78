package server

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// code returns the result_code of a command failure, "" for nil.
func code(err error) string {
	var ce *cmdError
	if errors.As(err, &ce) {
		return ce.code
	}
	if err != nil {
		return "not a cmdError: " + err.Error()
	}
	return ""
}

func jsonCmd(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSeatCount: integers and numeric strings are seats; -1 and 2147483647
// are unlimited (stored as 2147483647); other negatives, fractions, text
// and counts beyond int32 are refused.
func TestSeatCount(t *testing.T) {
	for in, want := range map[string]int32{`0`: 0, `25`: 25, `"40"`: 40, `-1`: unlimitedSeats, `"-1"`: unlimitedSeats,
		`2147483647`: unlimitedSeats, `"2147483647"`: unlimitedSeats} {
		got, err := seatCount(jsonCmd(t, `{"v":`+in+`}`)["v"], "seats")
		if err != nil || got != want {
			t.Errorf("seats %s: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{`-2`, `-100`, `1.5`, `"abc"`, `"1e3"`, `2147483648`, `true`, `null`} {
		if _, err := seatCount(jsonCmd(t, `{"v":`+in+`}`)["v"], "seats"); code(err) != "bad_inputs_seats" {
			t.Errorf("seats %s: %v, want bad_inputs_seats", in, err)
		}
	}
}

// TestAddOnRules: known codes only (case-insensitive), seats only on add-ons
// that carry them, KEPM in its sold counts, RBI only with KCM seats.
func TestAddOnRules(t *testing.T) {
	ok := []string{
		`[]`, `[{"add_on":"Secrets_Manager"}]`, `[{"add_on":"connection_manager","seats":"5"}]`,
		`[{"add_on":"keeper_endpoint_privilege_manager","seats":25}]`,
		`[{"add_on":"keeper_endpoint_privilege_manager","seats":-1}]`,
		`[{"add_on":"connection_manager","seats":2},{"add_on":"remote_browser_isolation"}]`,
	}
	for _, in := range ok {
		if _, err := requestedAddOns(jsonCmd(t, `{"add_ons":`+in+`}`)); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	bad := map[string]string{
		`[{"add_on":"gold_bars"}]`:                                                "bad_inputs_add_on",
		`[{"add_on":"keeper_endpoint_privilege_manager","seats":30}]`:             "bad_inputs_seats",
		`[{"add_on":"remote_browser_isolation"}]`:                                 "bad_inputs_add_on",
		`[{"add_on":"connection_manager"},{"add_on":"remote_browser_isolation"}]`: "bad_inputs_add_on",
		`[{"add_on":"privileged_access_manager","seats":-7}]`:                     "bad_inputs_seats",
		`{"add_on":"chat"}`: "bad_inputs_add_ons",
		`[{"add_on":"connection_manager","seats":"x"},{"add_on":"remote_browser_isolation"}]`: "bad_inputs_seats",
	}
	for in, want := range bad {
		if _, err := requestedAddOns(jsonCmd(t, `{"add_ons":`+in+`}`)); code(err) != want {
			t.Errorf("%s: %v, want %s", in, err, want)
		}
	}
	got, _ := requestedAddOns(jsonCmd(t, `{"add_ons":[{"add_on":"chat","seats":9},{"add_on":"CHAT"}]}`))
	if len(got) != 1 || got[0].Name != "chat" || got[0].Seats != 0 {
		t.Errorf("seats on a seatless add-on, repeated code: %v", got)
	}
}

// TestFilePlanDefaults: an omitted file plan, or one not above the plan's
// own, is the plan's included storage; a higher one is kept.
func TestFilePlanDefaults(t *testing.T) {
	for in, want := range map[string]string{
		`{"product_id":"business"}`:                                         "STORAGE_100GB",
		`{"product_id":"BusinessPlus"}`:                                     "STORAGE_1TB",
		`{"product_id":"businessStarter"}`:                                  "",
		`{"product_id":"businessStarter","file_plan_type":"storage_100gb"}`: "STORAGE_100GB",
		`{"product_id":"businessPlus","file_plan_type":"STORAGE_100GB"}`:    "STORAGE_1TB",
		`{"product_id":"enterprise","file_plan_type":"STORAGE_10TB"}`:       "STORAGE_10TB",
	} {
		r, err := readPlan(jsonCmd(t, in), false)
		if err != nil || r.filePlan().code != want {
			t.Errorf("%s: %v %v, want %q", in, r, err, want)
		}
	}
	if _, err := readPlan(jsonCmd(t, `{"product_id":"gold"}`), false); code(err) != "bad_inputs_product_id" {
		t.Errorf("unknown product: %v", err)
	}
	if _, err := readPlan(jsonCmd(t, `{"product_id":"business","file_plan_type":"STORAGE_5TB"}`), false); code(err) != "bad_inputs_file_plan_type" {
		t.Errorf("unknown file plan: %v", err)
	}
	if _, err := readPlan(jsonCmd(t, `{"product_id":"business"}`), true); code(err) != "bad_inputs_seats" {
		t.Errorf("update without seats: %v", err)
	}
}

// TestPermits: a restricted MSP's product, unlimited, licence cap, storage
// and add-on permits; an unrestricted one has none; an update is checked
// only for what it changes.
func TestPermits(t *testing.T) {
	permits := &enterprisepb.MSPPermits{Restricted: true, AllowedMcProducts: []string{"BUSINESS", "enterprise"},
		AllowedAddOns: []string{"secrets_manager"}, MaxFilePlanType: "STORAGE_1TB", MaxAllowedLicenses: 50}
	check := func(cmd string, prev *enterprisepb.ManagedCompany) string {
		r, err := readPlan(jsonCmd(t, cmd), false)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return code(r.checkPermits(permits, prev))
	}
	cases := map[string]string{
		`{"product_id":"business","seats":50,"add_ons":[{"add_on":"secrets_manager"}]}`: "",
		`{"product_id":"businessPlus","seats":5}`:                                       "not_allowed_product",
		`{"product_id":"business","seats":-1}`:                                          "unlimited_not_allowed",
		`{"product_id":"business","seats":51}`:                                          "exceeds_max_licenses",
		`{"product_id":"business","file_plan_type":"STORAGE_10TB"}`:                     "not_allowed_file_plan",
		`{"product_id":"business","file_plan_type":"STORAGE_1TB"}`:                      "",
		`{"product_id":"business","add_ons":[{"add_on":"chat"}]}`:                       "not_allowed_add_on",
	}
	for cmd, want := range cases {
		if got := check(cmd, nil); got != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}
	r, _ := readPlan(jsonCmd(t, `{"product_id":"businessPlus","seats":-1,"add_ons":[{"add_on":"chat"}]}`), false)
	if err := r.checkPermits(&enterprisepb.MSPPermits{}, nil); err != nil {
		t.Errorf("unrestricted permits: %v", err)
	}
	// An MC that already has unlimited seats, chat and 10 TB keeps them.
	prev := &enterprisepb.ManagedCompany{ProductId: "businessPlus", NumberOfSeats: unlimitedSeats, FilePlanType: "STORAGE_10TB",
		AddOns: []*enterprisepb.LicenseAddOn{{Name: "chat", Enabled: true}}}
	if got := check(`{"product_id":"businessPlus","seats":-1,"file_plan_type":"STORAGE_10TB","add_ons":[{"add_on":"chat"}]}`, prev); got != "" {
		t.Errorf("grandfathered update: %q", got)
	}
	if got := check(`{"product_id":"businessPlus","seats":-1,"add_ons":[{"add_on":"compliance_report"}]}`, prev); got != "not_allowed_add_on" {
		t.Errorf("new add-on on update: %q", got)
	}
}

// TestPool: availability = pool seats - other MCs' seats on the product
// (unlimited ones consume none); no pool, no cap; lowering always allowed.
func TestPool(t *testing.T) {
	m := &mspCall{licence: &enterprisepb.License{MspPool: []*enterprisepb.MSPPool{{ProductId: "business", Seats: 100}}},
		mcs: map[int32]*enterprisepb.ManagedCompany{
			1: {McEnterpriseId: 1, ProductId: "business", NumberOfSeats: 60},
			2: {McEnterpriseId: 2, ProductId: "Business", NumberOfSeats: unlimitedSeats},
			3: {McEnterpriseId: 3, ProductId: "enterprise", NumberOfSeats: 500},
		}}
	cases := []struct {
		product string
		seats   int32
		prev    int32
		want    string
	}{
		{"business", 40, 0, ""},
		{"business", 41, 0, "exceeds_available_seats"},
		{"business", unlimitedSeats, 0, ""},
		{"business", 100, 1, ""},
		{"business", 101, 1, "exceeds_available_seats"},
		{"enterprise", 1, 0, "exceeds_available_seats"},
		{"enterprise", 400, 3, ""},
		{"business", 40, 3, ""},
	}
	for _, c := range cases {
		if got := code(m.checkPool(c.product, c.seats, m.mcs[c.prev])); got != c.want {
			t.Errorf("%s %d (mc %d): %q, want %q", c.product, c.seats, c.prev, got, c.want)
		}
	}
	m.licence.MspPool = nil
	if err := m.checkPool("business", 1_000_000, nil); err != nil {
		t.Errorf("no pool: %v", err)
	}
}

// TestMCName: 1-255 characters after trimming, counted as characters.
func TestMCName(t *testing.T) {
	for name, want := range map[string]string{"Acme": "", "  ": "bad_inputs_enterprise_name", strings.Repeat("é", 255): "",
		strings.Repeat("x", 256): "bad_inputs_enterprise_name"} {
		if _, err := mcName(map[string]any{"enterprise_name": name}); code(err) != want {
			t.Errorf("%d chars: %v, want %q", len([]rune(name)), err, want)
		}
	}
}
