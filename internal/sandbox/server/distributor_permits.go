package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// requestedPermits validates update_msp_permits into an MSP's new permits,
// restricted: product codes matched case-insensitively, add-on codes of
// MSP_ADDONS, a file plan code or none (no limit), maxAllowedLicenses not
// negative (0 = no limit). The lists come back deduplicated, in catalogue
// order and canonical spelling. Commander's distributor license sends
// whole lists (keepercommander/commands/distributor.py).
func requestedPermits(rq *enterprisepb.UpdateMSPPermitsRequest) (*enterprisepb.MSPPermits, error) {
	bad := func(field, format string, args ...any) error {
		return fail(http.StatusBadRequest, "bad_inputs_"+field, fmt.Sprintf(format, args...))
	}
	if rq.MaxAllowedLicenses < 0 {
		return nil, bad("max_allowed_licenses", "maxAllowedLicenses must not be negative")
	}
	p := &enterprisepb.MSPPermits{Restricted: true, MaxAllowedLicenses: rq.MaxAllowedLicenses,
		AllowUnlimitedLicenses: rq.AllowUnlimitedLicenses}
	var products, addOns []string
	for _, code := range rq.AllowedMcProducts {
		plan, ok := planByCode(strings.TrimSpace(code))
		if !ok {
			return nil, bad("allowed_mc_products", "unknown product %q", code)
		}
		products = append(products, plan.code)
	}
	for _, plan := range mcPlans {
		if slices.Contains(products, plan.code) {
			p.AllowedMcProducts = append(p.AllowedMcProducts, plan.code)
		}
	}
	for _, code := range rq.AllowedAddOns {
		code = strings.ToLower(strings.TrimSpace(code))
		if _, ok := mcAddOns[code]; !ok {
			return nil, bad("allowed_add_ons", "unknown add-on %q", code)
		}
		addOns = append(addOns, code)
	}
	for _, a := range biAddOns {
		if slices.Contains(addOns, a.code) {
			p.AllowedAddOns = append(p.AllowedAddOns, a.code)
		}
	}
	if code := strings.TrimSpace(rq.MaxFilePlanType); code != "" {
		fp, ok := storageByCode(code)
		if !ok {
			return nil, bad("max_file_plan_type", "unknown file plan %q", rq.MaxFilePlanType)
		}
		p.MaxFilePlanType = fp.code
	}
	return p, nil
}
