package e2e

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// distributorInfo calls distributor/get_distributor_info (no payload).
func (m *mspEnv) distributorInfo(s *auth.Session) (*enterprisepb.GetDistributorInfoResponse, error) {
	var rs enterprisepb.GetDistributorInfoResponse
	err := m.c.Call(m.ctx, "distributor/get_distributor_info", nil, &rs, rest.WithSessionToken(s.SessionToken))
	return &rs, err
}

// loginDistributor logs the demo distributor's administrator in.
func (m *mspEnv) loginDistributor() *auth.Session {
	m.t.Helper()
	s, err := loginAs(m.t, m.c, seed.DistributorAdminEmail)
	if err != nil {
		m.t.Fatal(err)
	}
	return s
}

// mspByID finds an MSP in a distributor info reply.
func mspByID(rs *enterprisepb.GetDistributorInfoResponse, id int32) *enterprisepb.MspInfo {
	for _, d := range rs.Distributors {
		for _, i := range d.MspInfos {
			if i.EnterpriseId == id {
				return i
			}
		}
	}
	return nil
}

// TestDistributorInfo: the demo distributor logs in as a distributor
// (generalData and licence say so, the licence status starts with msp) and
// get_distributor_info lists its three MSPs with their permits and managed
// companies (tree keys withheld); anyone else is refused.
func TestDistributorInfo(t *testing.T) {
	m := newMSPEnv(t)
	ds := m.loginDistributor()
	de, _, err := enterprise.Load(m.ctx, m.c, keys(ds), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !de.Distributor || de.Name != seed.DistributorName || len(de.Licenses) != 1 || !de.Licenses[0].Distributor ||
		!strings.HasPrefix(de.Licenses[0].LicenseStatus, "msp") || !de.IsMSP() {
		t.Fatalf("distributor enterprise %q distributor=%v licences %v", de.Name, de.Distributor, de.Licenses)
	}

	rs, err := m.distributorInfo(ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Distributors) != 1 || rs.Distributors[0].Name != seed.DistributorName {
		t.Fatalf("distributors %v", rs.Distributors)
	}
	var got []string
	for _, i := range rs.Distributors[0].MspInfos {
		var mcs []string
		for _, mc := range i.ManagedCompanies {
			mcs = append(mcs, fmt.Sprintf("%d %s", mc.McEnterpriseId, mc.McEnterpriseName))
			if mc.TreeKey != "" || mc.TreeKeyRole != 0 {
				t.Errorf("MC %d sent with its tree key", mc.McEnterpriseId)
			}
		}
		got = append(got, fmt.Sprintf("%d %s: %s", i.EnterpriseId, i.EnterpriseName, strings.Join(mcs, ", ")))
	}
	want := []string{
		"1000 Demo MSP: 2001 Acme Dental, 2002 Bluebird Logistics, 2003 Cobalt Legal, 2004 Delta Clinics, 2005 Evergreen Startups",
		"1100 Bob's MSP: 1101 Sunrise Bakery, 1102 Ridge Motors",
		"3456 My MSP: 3401 Harbor Dental, 3402 Summit Accounting",
	}
	if !slices.Equal(got, want) {
		t.Errorf("MSPs\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	demo := mspByID(rs, seed.MSPEnterpriseID)
	if demo.AllocatedLicenses != 25+50+100+5 || !demo.AllowUnlimitedLicenses || demo.MaxFilePlanType != "STORAGE_10TB" ||
		len(demo.AllowedMcProducts) != 5 {
		t.Errorf("Demo MSP: %v", demo)
	}
	bobs := mspByID(rs, seed.BobsMSPID)
	if !slices.Equal(bobs.AllowedMcProducts, []string{"enterprise", "enterprisePlus"}) || bobs.AllowUnlimitedLicenses ||
		len(bobs.AddOns) != 2 || bobs.AllocatedLicenses != 45 {
		t.Errorf("Bob's MSP: %v", bobs)
	}

	// An MSP administrator is no distributor, nor is a managed company.
	if _, err := m.distributorInfo(m.s); !errors.Is(err, &rest.APIError{Code: "access_denied"}) ||
		!strings.Contains(err.Error(), "not a distributor") {
		t.Errorf("MSP admin: %v", err)
	}
	tok, _, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, 2001, m.e)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.c.Call(m.ctx, "distributor/get_distributor_info", nil, nil, rest.WithSessionToken(tok)); !errors.Is(err,
		&rest.APIError{Code: "access_denied"}) {
		t.Errorf("MC session: %v", err)
	}
}

// TestUpdateMSPPermits: update_msp_permits replaces the MSP's permit lists
// wholesale; get_distributor_info shows them, the MSP's next incremental
// sync carries them in its licence, and its registrations are held to them
// from then on. Only the MSP's own distributor may change them, with known
// codes.
func TestUpdateMSPPermits(t *testing.T) {
	m := newMSPEnv(t)
	ds := m.loginDistributor()
	update := func(s *auth.Session, rq *enterprisepb.UpdateMSPPermitsRequest) error {
		return m.c.Call(m.ctx, "distributor/update_msp_permits", rq, nil, rest.WithSessionToken(s.SessionToken))
	}
	rq := &enterprisepb.UpdateMSPPermitsRequest{MspEnterpriseId: seed.MSPEnterpriseID,
		AllowedMcProducts: []string{"business", "enterprise"}, AllowedAddOns: []string{"compliance_report"},
		MaxFilePlanType: "STORAGE_1TB"}
	if err := update(ds, rq); err != nil {
		t.Fatal(err)
	}
	rs, err := m.distributorInfo(ds)
	if err != nil {
		t.Fatal(err)
	}
	demo := mspByID(rs, seed.MSPEnterpriseID)
	if !slices.Equal(demo.AllowedMcProducts, rq.AllowedMcProducts) || !slices.Equal(demo.AllowedAddOns, rq.AllowedAddOns) ||
		demo.MaxFilePlanType != "STORAGE_1TB" || demo.AllowUnlimitedLicenses {
		t.Errorf("after the update: %v", demo)
	}

	lic, _ := mspLicence(t, m.sync())
	p := lic.MspPermits
	if !p.GetRestricted() || !slices.Equal(p.AllowedMcProducts, rq.AllowedMcProducts) ||
		!slices.Equal(p.AllowedAddOns, rq.AllowedAddOns) || p.MaxFilePlanType != "STORAGE_1TB" || p.AllowUnlimitedLicenses {
		t.Errorf("the MSP's licence after its next sync: %v", p)
	}
	withAddOn := func(name, code string) rest.Command {
		r := m.reg(name, "business", 2)
		r.AddOns = []msp.AddOnRequest{{AddOn: code}}
		return r
	}
	tenTB := m.reg("Ten TB", "enterprise", 2)
	tenTB.FilePlanType = "STORAGE_10TB"
	wantCodes(t, m.run(m.reg("Plus Co", "businessPlus", 2), withAddOn("Secrets Co", "secrets_manager"), tenTB,
		m.reg("Endless Co", "business", -1), m.reg("Allowed Co", "business", 2), withAddOn("Compliant Co", "compliance_report")),
		"not_allowed_product", "not_allowed_add_on", "not_allowed_file_plan", "unlimited_not_allowed", "", "")

	// Someone else's MSP, a managed company, an unknown code, an MSP admin.
	for _, bad := range []struct {
		s    *auth.Session
		rq   *enterprisepb.UpdateMSPPermitsRequest
		code string
	}{
		{ds, &enterprisepb.UpdateMSPPermitsRequest{MspEnterpriseId: 2001}, "access_denied"},
		{ds, &enterprisepb.UpdateMSPPermitsRequest{MspEnterpriseId: 9999}, "access_denied"},
		{ds, &enterprisepb.UpdateMSPPermitsRequest{MspEnterpriseId: seed.MyMSPID, AllowedMcProducts: []string{"gold"}},
			"bad_inputs_allowed_mc_products"},
		{m.s, &enterprisepb.UpdateMSPPermitsRequest{MspEnterpriseId: seed.MSPEnterpriseID}, "access_denied"},
	} {
		if err := update(bad.s, bad.rq); !errors.Is(err, &rest.APIError{Code: bad.code}) {
			t.Errorf("%v: %v, want %s", bad.rq, err, bad.code)
		}
	}
	if lic, _ := mspLicence(t, m.sync()); !slices.Equal(lic.MspPermits.AllowedMcProducts, rq.AllowedMcProducts) {
		t.Errorf("a refused update changed the permits: %v", lic.MspPermits)
	}
}
