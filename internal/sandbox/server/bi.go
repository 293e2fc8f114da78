package server

import (
	"errors"
	"net/http"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// biRoutes registers the BI endpoints of Commander's msp-info -p and
// msp-billing-report (keepercommander/commands/msp.py: get_msp_addons,
// get_msp_pricing, get_daily_snapshots). They use the REST envelope and
// session token at their own path, and serve MSP administrators only.
func (s *Server) biRoutes() {
	s.routes[biPrefix+"mapping/addons"] = handler{auth: true, fn: s.biAddOnMapping}
	s.routes[biPrefix+"subscription/mc_pricing"] = handler{auth: true, fn: s.biPricing}
	s.routes[biPrefix+"reporting/daily_snapshot"] = handler{auth: true, fn: s.biDailySnapshot}
}

// mspAdmin refuses a REST call from anyone but an MSP administrator in the
// MSP's own session (403 access_denied); it returns the MSP licence.
func (s *Server) mspAdmin(c *call) (*enterprisepb.License, error) {
	if _, err := s.admin(c); err != nil {
		return nil, err
	}
	lic, err := callerIsMSP(c.ctx, s.st.DB(), c.sess)
	var ce *cmdError
	if errors.As(err, &ce) {
		return nil, fail(http.StatusForbidden, ce.code, ce.msg)
	}
	return lic, err
}

// biAddOnMapping is mapping/addons: the add-on and file-plan ids the other
// BI replies use.
func (s *Server) biAddOnMapping(c *call) (proto.Message, error) {
	if _, err := s.mspAdmin(c); err != nil {
		return nil, err
	}
	rs := &bipb.MappingAddonsResponse{}
	for _, a := range biAddOns {
		rs.Addons = append(rs.Addons, &bipb.MappingItem{Id: a.id, Name: a.code})
	}
	for _, f := range biFilePlans {
		rs.FilePlans = append(rs.FilePlans, &bipb.MappingItem{Id: f.id, Name: f.code})
	}
	return rs, nil
}

// biPricing is subscription/mc_pricing: the MSP's price list.
func (s *Server) biPricing(c *call) (proto.Message, error) {
	if _, err := s.mspAdmin(c); err != nil {
		return nil, err
	}
	rs := &bipb.SubscriptionMcPricingResponse{}
	for _, p := range biPlans {
		rs.BasePlans = append(rs.BasePlans, &bipb.BasePlan{Id: p.id, Cost: p.cost()})
	}
	for _, a := range biAddOns {
		rs.Addons = append(rs.Addons, &bipb.Addon{Id: a.id, Cost: a.cost()})
	}
	for _, f := range biFilePlans {
		rs.FilePlans = append(rs.FilePlans, &bipb.FilePlan{Id: f.id, Cost: f.cost()})
	}
	return rs, nil
}

// biDailySnapshot is reporting/daily_snapshot {month, year}: one record
// per managed company and UTC day of that month up to today, derived from
// the MCs' plan history (see dailySnapshots).
func (s *Server) biDailySnapshot(c *call) (proto.Message, error) {
	if _, err := s.mspAdmin(c); err != nil {
		return nil, err
	}
	var rq bipb.ReportingDailySnapshotRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	if rq.Month < 1 || rq.Month > 12 || rq.Year < 1970 || rq.Year > 9999 {
		return nil, fail(http.StatusBadRequest, "bad_request", "month must be 1-12 and year 1970-9999")
	}
	db, eid := s.st.DB(), c.sess.EnterpriseID
	hist, err := store.MCPlanHistory(c.ctx, db, eid)
	if err != nil {
		return nil, err
	}
	rows, err := store.FindEntities(c.ctx, db, eid, kindMCs, "")
	if err != nil {
		return nil, err
	}
	users := map[int32]int32{}
	for _, r := range rows {
		var mc enterprisepb.ManagedCompany
		if err := proto.Unmarshal(r.Data, &mc); err != nil {
			return nil, err
		}
		users[mc.McEnterpriseId] = mc.NumberOfUsers
	}
	return dailySnapshots(hist, users, int(rq.Year), time.Month(rq.Month), time.Now())
}
