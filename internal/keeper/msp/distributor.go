package msp

import (
	"context"
	"strings"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Distributor endpoints (Commander's commands/distributor.py): the MSPs a
// distributor manages, and the replacement of one MSP's permits.
const (
	EndpointDistributorInfo  = "distributor/get_distributor_info"
	EndpointUpdateMSPPermits = "distributor/update_msp_permits"
)

// DistributorMSP is one MSP of a distributor with the distributor's name,
// as Commander's DistributorMixin.get_distributor_list flattens the reply.
type DistributorMSP struct {
	Distributor string
	*pb.MspInfo
}

// DistributorInfo reads distributor/get_distributor_info (sent without a
// payload, as Commander sends it): every MSP of every distributor, in the
// server's order.
func DistributorInfo(ctx context.Context, c RESTCaller) ([]DistributorMSP, error) {
	var rs pb.GetDistributorInfoResponse
	if err := c.Call(ctx, EndpointDistributorInfo, nil, &rs); err != nil {
		return nil, err
	}
	var out []DistributorMSP
	for _, d := range rs.Distributors {
		for _, m := range d.MspInfos {
			out = append(out, DistributorMSP{Distributor: d.Name, MspInfo: m})
		}
	}
	return out, nil
}

// UpdatePermits sends distributor/update_msp_permits.
func UpdatePermits(ctx context.Context, c RESTCaller, rq *pb.UpdateMSPPermitsRequest) error {
	return c.Call(ctx, EndpointUpdateMSPPermits, rq, nil)
}

// ParseProduct finds a plan as distributor license takes it: the code in
// any case, also written with underscores, hyphens or blanks between the
// words as Keeper's documentation does (enterprise_plus), or the display
// name (Enterprise Plus).
func ParseProduct(s string) (Plan, error) {
	squash := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	}
	want := squash(s)
	for _, p := range Plans {
		if want != "" && (squash(p.Code) == want || squash(p.Display) == want) {
			return p, nil
		}
	}
	codes := make([]string, len(Plans))
	for i, p := range Plans {
		codes[i] = p.Code
	}
	return Plan{}, inputErrorf("Unknown Product: %q (valid: %s)", s, strings.Join(codes, ", "))
}

// ParseAddOnCode finds an add-on by code, case-insensitively.
func ParseAddOnCode(s string) (AddOn, error) {
	if i := AddOnIndex(strings.ToLower(strings.TrimSpace(s))); i >= 0 {
		return AddOns[i], nil
	}
	codes := make([]string, len(AddOns))
	for i, a := range AddOns {
		codes[i] = a.Code
	}
	return AddOn{}, inputErrorf("Unknown Add On: %q (valid: %s)", s, strings.Join(codes, ", "))
}

// PermitChange is what distributor license changes in an MSP's permits;
// nil and empty fields keep the current value.
type PermitChange struct {
	AddProducts, RemoveProducts []Plan
	AddAddOns, RemoveAddOns     []AddOn
	MaxFilePlan                 *FilePlan
	AllowUnlimited              *bool
}

// Empty reports whether c changes nothing.
func (c PermitChange) Empty() bool {
	return len(c.AddProducts)+len(c.RemoveProducts)+len(c.AddAddOns)+len(c.RemoveAddOns) == 0 &&
		c.MaxFilePlan == nil && c.AllowUnlimited == nil
}

// NewPermits builds the update_msp_permits request of c applied to m, a
// full replacement of the MSP's permits as Commander's
// DistributorLicenseCommand sends it: products and add-ons are compared
// case-insensitively and sent in their canonical spelling, known ones in
// MSP_PLANS / MSP_ADDONS order and values Commander does not know kept as
// they were, after them; a remove wins over an add of the same value. The
// maximum number of licences (maxAllowedLicenses) is never set: the reply
// of get_distributor_info does not carry it. changed reports whether the
// request differs from the MSP's current permits.
func NewPermits(m *pb.MspInfo, c PermitChange) (rq *pb.UpdateMSPPermitsRequest, changed bool) {
	products := map[string]bool{}
	var unknownProducts []string
	for _, p := range m.AllowedMcProducts {
		if pl, ok := PlanByCode(p); ok {
			products[pl.Code] = true
		} else if !containsFold(unknownProducts, p) {
			unknownProducts = append(unknownProducts, p)
		}
	}
	for _, p := range c.AddProducts {
		products[p.Code] = true
	}
	for _, p := range c.RemoveProducts {
		delete(products, p.Code)
	}
	addOns := map[string]bool{}
	var unknownAddOns []string
	for _, a := range m.AllowedAddOns {
		if i := AddOnIndex(strings.ToLower(a)); i >= 0 {
			addOns[AddOns[i].Code] = true
		} else if !containsFold(unknownAddOns, a) {
			unknownAddOns = append(unknownAddOns, a)
		}
	}
	for _, a := range c.AddAddOns {
		addOns[a.Code] = true
	}
	for _, a := range c.RemoveAddOns {
		delete(addOns, a.Code)
	}
	rq = &pb.UpdateMSPPermitsRequest{MspEnterpriseId: m.EnterpriseId, MaxFilePlanType: m.MaxFilePlanType,
		AllowUnlimitedLicenses: m.AllowUnlimitedLicenses}
	for _, p := range Plans {
		if products[p.Code] {
			rq.AllowedMcProducts = append(rq.AllowedMcProducts, p.Code)
		}
	}
	rq.AllowedMcProducts = append(rq.AllowedMcProducts, unknownProducts...)
	for _, a := range AddOns {
		if addOns[a.Code] {
			rq.AllowedAddOns = append(rq.AllowedAddOns, a.Code)
		}
	}
	rq.AllowedAddOns = append(rq.AllowedAddOns, unknownAddOns...)
	if c.MaxFilePlan != nil {
		rq.MaxFilePlanType = c.MaxFilePlan.Code
	}
	if c.AllowUnlimited != nil {
		rq.AllowUnlimitedLicenses = *c.AllowUnlimited
	}
	changed = !sameFold(rq.AllowedMcProducts, m.AllowedMcProducts) || !sameFold(rq.AllowedAddOns, m.AllowedAddOns) ||
		!strings.EqualFold(rq.MaxFilePlanType, m.MaxFilePlanType) || rq.AllowUnlimitedLicenses != m.AllowUnlimitedLicenses
	return rq, changed
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// sameFold reports whether a and b hold the same values, ignoring case,
// order and repeats.
func sameFold(a, b []string) bool {
	for _, v := range a {
		if !containsFold(b, v) {
			return false
		}
	}
	for _, v := range b {
		if !containsFold(a, v) {
			return false
		}
	}
	return true
}
