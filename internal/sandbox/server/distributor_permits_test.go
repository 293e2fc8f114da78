package server

import (
	"errors"
	"slices"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// TestRequestedPermits: update_msp_permits lists come back restricted,
// canonical, deduplicated and in catalogue order; unknown products, add-ons
// and file plans and a negative licence cap are refused with 400.
func TestRequestedPermits(t *testing.T) {
	p, err := requestedPermits(&enterprisepb.UpdateMSPPermitsRequest{MspEnterpriseId: 1,
		AllowedMcProducts: []string{"ENTERPRISE", "business", "Business"},
		AllowedAddOns:     []string{"Secrets_Manager", "chat", "chat"}, MaxFilePlanType: "storage_1tb", AllowUnlimitedLicenses: true})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Restricted || !slices.Equal(p.AllowedMcProducts, []string{"business", "enterprise"}) ||
		!slices.Equal(p.AllowedAddOns, []string{"chat", "secrets_manager"}) || p.MaxFilePlanType != "STORAGE_1TB" ||
		!p.AllowUnlimitedLicenses || p.MaxAllowedLicenses != 0 {
		t.Errorf("permits %v", p)
	}
	if p, err := requestedPermits(&enterprisepb.UpdateMSPPermitsRequest{}); err != nil || !p.Restricted ||
		len(p.AllowedMcProducts)+len(p.AllowedAddOns) != 0 || p.MaxFilePlanType != "" {
		t.Errorf("empty request: %v %v", p, err)
	}
	for code, rq := range map[string]*enterprisepb.UpdateMSPPermitsRequest{
		"bad_inputs_allowed_mc_products":  {AllowedMcProducts: []string{"gold"}},
		"bad_inputs_allowed_add_ons":      {AllowedAddOns: []string{"onboarding_and_certificate"}},
		"bad_inputs_max_file_plan_type":   {MaxFilePlanType: "1TB"},
		"bad_inputs_max_allowed_licenses": {MaxAllowedLicenses: -1},
	} {
		_, err := requestedPermits(rq)
		var ae *apiError
		if !errors.As(err, &ae) || ae.status != 400 || ae.body.Error != code {
			t.Errorf("%v: %v, want 400 %s", rq, err, code)
		}
	}
}
