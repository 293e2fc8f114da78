package seed

import (
	"context"
	"database/sql"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Demo distributor facts, documented in internal/sandbox/README.md. The
// MSP names and My MSP's id are those of the distributor examples on
// Keeper's "MSP Management Commands" page.
const (
	// DistributorEnterpriseID is the demo distributor's enterprise id.
	DistributorEnterpriseID = 500
	// DistributorName is the demo distributor's enterprise name.
	DistributorName = "Demo Distributor"
	// DistributorAdminEmail is the demo distributor administrator's login
	// (same password as AdminEmail).
	DistributorAdminEmail = "admin@distributor.sandbox"
	// BobsMSPID and BobsMSPName are a smaller MSP of the distributor.
	BobsMSPID   = 1100
	BobsMSPName = "Bob's MSP"
	// MyMSPID and MyMSPName are another smaller MSP of the distributor.
	MyMSPID   = 3456
	MyMSPName = "My MSP"
)

// distributorContact is what a managed MSP's licence names as its manager.
var distributorContact = &enterprisepb.MSPContact{EnterpriseId: DistributorEnterpriseID, EnterpriseName: DistributorName}

// smallMSP is one of the distributor's smaller MSPs: no login, no key
// pairs, restricted permits and a couple of managed companies.
type smallMSP struct {
	id      int32
	name    string
	admin   string
	addOns  []*enterprisepb.LicenseAddOn
	permits *enterprisepb.MSPPermits
	mcs     []mcSpec
}

var smallMSPs = []smallMSP{
	{BobsMSPID, BobsMSPName, "admin@bobs-msp.sandbox",
		[]*enterprisepb.LicenseAddOn{addOn("secrets_manager", 0), addOn("connection_manager", 10)},
		&enterprisepb.MSPPermits{Restricted: true, MaxFilePlanType: "STORAGE_1TB",
			AllowedMcProducts: []string{"enterprise", "enterprisePlus"},
			AllowedAddOns:     []string{"enterprise_breach_watch", "secrets_manager"}},
		[]mcSpec{{1101, "Sunrise Bakery", "enterprise", 15, "STORAGE_100GB", nRoot, nil, 2, ""},
			{1102, "Ridge Motors", "enterprisePlus", 30, "STORAGE_1TB", nRoot,
				[]*enterprisepb.LicenseAddOn{addOn("enterprise_breach_watch", 0)}, 2, ""}}},
	{MyMSPID, MyMSPName, "admin@my-msp.sandbox", nil,
		&enterprisepb.MSPPermits{Restricted: true, AllowUnlimitedLicenses: true, MaxFilePlanType: "STORAGE_100GB",
			AllowedMcProducts: []string{"business", "businessPlus", "enterprise"},
			AllowedAddOns:     []string{"enterprise_breach_watch", "compliance_report", "connection_manager"}},
		[]mcSpec{{3401, "Harbor Dental", "business", 10, "STORAGE_100GB", nRoot, nil, 2, ""},
			{3402, "Summit Accounting", "businessPlus", 20, "STORAGE_1TB", nRoot,
				[]*enterprisepb.LicenseAddOn{addOn("compliance_report", 0)}, 3, ""}}},
}

// distributorKeys are the distributor's enterprise row and admin account,
// made before the seed's transaction (key generation is slow).
type distributorKeys struct {
	ent     *store.Enterprise
	acct    *store.Account
	pub     store.PublicKeys
	treeKey []byte
}

func newDistributorKeys(password string, iterations int) (*distributorKeys, error) {
	k := &distributorKeys{treeKey: crypto.GenerateAESKey()}
	var err error
	if k.ent, err = enterpriseKeys(DistributorEnterpriseID, DistributorName, k.treeKey); err != nil {
		return nil, err
	}
	k.ent.Distributor = true
	k.acct, k.pub, err = newAccount(DistributorAdminEmail, password, iterations, k.treeKey)
	return k, err
}

// distributor seeds the demo distributor, which manages the demo MSP and
// the smaller MSPs it creates.
func distributor(ctx context.Context, tx *sql.Tx, w *store.EntityWriter, k *distributorKeys, now time.Time) error {
	if err := store.PutEnterprise(ctx, tx, k.ent); err != nil {
		return err
	}
	b, err := newBuilder(ctx, tx, w, DistributorEnterpriseID, k.treeKey)
	if err != nil {
		return err
	}
	b.keys = &[]store.PublicKeys{k.pub}
	admin, err := adminTree(b, DistributorName, DistributorAdminEmail, "Distributor Admin")
	if err != nil {
		return err
	}
	k.acct.EnterpriseID, k.acct.EnterpriseUserID = DistributorEnterpriseID, admin
	if err := store.PutAccount(ctx, tx, k.acct); err != nil {
		return err
	}
	if err := b.license(&enterprisepb.License{Paid: true, NumberOfSeats: 10, Expiration: 1893456000000, ProductTypeId: 9,
		Name: "Keeper Distributor", EnterpriseLicenseId: b.id(1), Tier: 1, LicenseStatus: "msp", Distributor: true}); err != nil {
		return err
	}
	if err := store.SetDistributor(ctx, tx, MSPEnterpriseID, DistributorEnterpriseID); err != nil {
		return err
	}
	for _, m := range smallMSPs {
		if err := m.create(ctx, tx, w, now); err != nil {
			return err
		}
	}
	return nil
}

// adminTree writes an enterprise's root node, its Keeper Administrator role
// managing the root with every privilege and its administrator; it returns
// the administrator's enterprise user id.
func adminTree(b *builder, name, email, fullName string) (int64, error) {
	if _, err := b.node(nRoot, 0, name); err != nil {
		return 0, err
	}
	role, err := b.role(rAdmin, nRoot, "Keeper Administrator", false, "")
	if err != nil {
		return 0, err
	}
	if err := b.managedNode(role, b.id(nRoot), true, adminPrivileges...); err != nil {
		return 0, err
	}
	admin, err := b.user(userSpec{n: uAdmin, node: nRoot, email: email, name: fullName, status: "active", jobTitle: "Administrator"})
	if err != nil {
		return 0, err
	}
	return admin, b.roleUser(role, admin)
}

// create seeds a smaller MSP with its licence, managed companies and their
// history (added three months back).
func (m smallMSP) create(ctx context.Context, tx *sql.Tx, w *store.EntityWriter, now time.Time) error {
	treeKey := crypto.GenerateAESKey()
	if err := store.PutEnterprise(ctx, tx, &store.Enterprise{ID: m.id, Name: m.name}); err != nil {
		return err
	}
	if err := store.SetDistributor(ctx, tx, m.id, DistributorEnterpriseID); err != nil {
		return err
	}
	b, err := newBuilder(ctx, tx, w, m.id, treeKey)
	if err != nil {
		return err
	}
	if _, err := adminTree(b, m.name, m.admin, "MSP Admin"); err != nil {
		return err
	}
	if _, err := managedCompanies(ctx, tx, b, m.name, treeKey, m.mcs); err != nil {
		return err
	}
	if err := b.license(&enterprisepb.License{Paid: true, NumberOfSeats: 100, Expiration: 1893456000000, ProductTypeId: 9,
		Name: "Managed MSP", EnterpriseLicenseId: b.id(1), Tier: 1, LicenseStatus: "msp", ManagedBy: distributorContact,
		AddOns: m.addOns, MspPermits: m.permits}); err != nil {
		return err
	}
	names, steps := map[int32]string{}, map[int32][]mcStep{}
	for i, s := range m.mcs {
		names[s.id], steps[s.id] = s.name, addedStep(s, 7+i)
	}
	return writeHistory(ctx, tx, historyEvents(m.id, names, steps, now))
}
