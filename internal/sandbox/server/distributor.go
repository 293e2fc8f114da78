package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// distributorRoutes registers the endpoints of Commander's distributor
// command (keepercommander/commands/distributor.py): the MSPs a
// distributor manages, and the permits it grants each of them.
func (s *Server) distributorRoutes() {
	s.routes["distributor/get_distributor_info"] = handler{auth: true, fn: s.distributorInfo}
	s.routes["distributor/update_msp_permits"] = handler{auth: true, fn: s.updateMSPPermits}
}

// distributorAdmin refuses anyone but an administrator of a distributor
// enterprise (generalData.distributor) in its own session, and returns it.
func (s *Server) distributorAdmin(c *call) (*store.Enterprise, error) {
	acct, err := s.admin(c)
	if err != nil {
		return nil, err
	}
	ent, err := store.GetEnterprise(c.ctx, s.st.DB(), c.sess.EnterpriseID)
	if err != nil {
		return nil, err
	}
	if acct.EnterpriseID != c.sess.EnterpriseID || !ent.Distributor {
		return nil, fail(http.StatusForbidden, "access_denied", "not a distributor")
	}
	return ent, nil
}

// distributorInfo is distributor/get_distributor_info (no payload): the
// caller's distributor with every MSP it manages.
func (s *Server) distributorInfo(c *call) (proto.Message, error) {
	d, err := s.distributorAdmin(c)
	if err != nil {
		return nil, err
	}
	db := s.st.DB()
	msps, err := store.ManagedMSPs(c.ctx, db, d.ID)
	if err != nil {
		return nil, err
	}
	dist := &enterprisepb.Distributor{Name: d.Name}
	for _, m := range msps {
		info, err := mspInfo(c.ctx, db, m)
		if err != nil {
			return nil, err
		}
		dist.MspInfos = append(dist.MspInfos, info)
	}
	return &enterprisepb.GetDistributorInfoResponse{Distributors: []*enterprisepb.Distributor{dist}}, nil
}

// mspInfo describes a managed MSP: its permits (an unrestricted MSP is
// allowed every product, add-on, file plan and unlimited seats), its
// licence add-ons, its live managed companies without their tree keys,
// and allocatedLicenses = the seats of its limited MCs.
func mspInfo(ctx context.Context, q reader, m store.Enterprise) (*enterprisepb.MspInfo, error) {
	info := &enterprisepb.MspInfo{EnterpriseId: m.ID, EnterpriseName: m.Name}
	lic, err := mspLicence(ctx, q, m.ID)
	if err != nil {
		return nil, err
	}
	if p := lic.GetMspPermits(); p.GetRestricted() {
		info.AllowedMcProducts, info.AllowedAddOns = p.AllowedMcProducts, p.AllowedAddOns
		info.MaxFilePlanType, info.AllowUnlimitedLicenses = p.MaxFilePlanType, p.AllowUnlimitedLicenses
	} else {
		for _, p := range mcPlans {
			info.AllowedMcProducts = append(info.AllowedMcProducts, p.code)
		}
		for _, a := range biAddOns {
			info.AllowedAddOns = append(info.AllowedAddOns, a.code)
		}
		info.MaxFilePlanType, info.AllowUnlimitedLicenses = storagePlans[len(storagePlans)-1].code, true
	}
	info.AddOns = lic.GetAddOns()
	rows, err := store.FindEntities(ctx, q, m.ID, kindMCs, "")
	if err != nil {
		return nil, err
	}
	var allocated int64
	for _, r := range rows {
		mc := &enterprisepb.ManagedCompany{}
		if err := proto.Unmarshal(r.Data, mc); err != nil {
			return nil, err
		}
		mc.TreeKey, mc.TreeKeyRole, mc.TreeKeyTypeId = "", 0, 0 // encrypted for the MSP, not the distributor's
		if mc.NumberOfSeats > 0 && mc.NumberOfSeats != unlimitedSeats {
			allocated += int64(mc.NumberOfSeats)
		}
		info.ManagedCompanies = append(info.ManagedCompanies, mc)
	}
	slices.SortFunc(info.ManagedCompanies, func(a, b *enterprisepb.ManagedCompany) int {
		return int(a.McEnterpriseId) - int(b.McEnterpriseId)
	})
	info.AllocatedLicenses = int32(min(allocated, math.MaxInt32))
	return info, nil
}

// updateMSPPermits is distributor/update_msp_permits: the MSP's permits
// are replaced by the request's (restricted; the MC defaults stay), in its
// licence at a new revision, so the MSP's next sync carries them and its
// registrations and updates are checked against them from then on.
func (s *Server) updateMSPPermits(c *call) (proto.Message, error) {
	d, err := s.distributorAdmin(c)
	if err != nil {
		return nil, err
	}
	var rq enterprisepb.UpdateMSPPermitsRequest
	if err := unmarshal(c, &rq); err != nil {
		return nil, err
	}
	permits, err := requestedPermits(&rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.Tx(c.ctx, func(tx *sql.Tx) error {
		msp := rq.MspEnterpriseId
		dist, err := store.DistributorOf(c.ctx, tx, msp)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		removed, rerr := store.EnterpriseRemoved(c.ctx, tx, msp)
		if rerr != nil {
			return rerr
		}
		if dist != d.ID || removed {
			return fail(http.StatusForbidden, "access_denied", fmt.Sprintf("MSP %d is not managed by this distributor", msp))
		}
		rows, err := store.FindEntities(c.ctx, tx, msp, kindLicences, "")
		if err != nil {
			return err
		}
		for _, r := range rows {
			var l enterprisepb.License
			if err := proto.Unmarshal(r.Data, &l); err != nil {
				return err
			}
			if !strings.HasPrefix(l.LicenseStatus, "msp") {
				continue
			}
			permits.McDefaults = l.GetMspPermits().GetMcDefaults()
			l.MspPermits = permits
			rev, err := store.BumpRev(c.ctx, tx, msp)
			if err != nil {
				return err
			}
			if r.Data, err = proto.Marshal(&l); err != nil {
				return err
			}
			return store.PutEntity(c.ctx, tx, msp, rev, r)
		}
		return fail(http.StatusForbidden, "access_denied", fmt.Sprintf("enterprise %d has no MSP licence", msp))
	})
}
