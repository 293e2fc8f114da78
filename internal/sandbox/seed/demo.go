package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Node, role and user numbers inside the demo MSP (ids are (1000 << 32) + n).
const (
	nRoot, nNorthAmerica, nEurope, nAsia, nChicago, nBerlin = 2, 3, 4, 5, 6, 7
	rAdmin, rEuropeAdmin, rDefault, rHelpdesk               = 10, 11, 12, 13
	uAdmin                                                  = 100
)

var firstNames = []string{"alice", "bruno", "chen", "dana", "emil", "farah", "gita", "hugo", "ines", "jonas",
	"kofi", "lena", "marta", "nils", "olga", "pavel", "quinn", "rosa", "sven", "tara"}

// demoUsers returns the MSP's users besides the admin: 30 active, 6 invited,
// 2 locked and 2 disabled, spread over the regional nodes.
func demoUsers() []userSpec {
	nodes := []int64{nNorthAmerica, nEurope, nAsia, nChicago, nBerlin, nRoot}
	titles := []string{"Engineer", "Support", "Sales", "Finance", ""}
	var out []userSpec
	for i := 0; i < 40; i++ {
		first := firstNames[i%len(firstNames)]
		last := []string{"smith", "meyer"}[i/len(firstNames)]
		u := userSpec{n: int64(uAdmin + 1 + i), node: nodes[i%len(nodes)],
			email:  fmt.Sprintf("%s.%s@msp.sandbox", first, last),
			name:   strings.ToUpper(first[:1]) + first[1:] + " " + strings.ToUpper(last[:1]) + last[1:],
			status: "active", jobTitle: titles[i%len(titles)], tfa: i%4 == 0}
		switch {
		case i >= 30 && i < 36:
			u.status, u.name = "invited", ""
		case i == 36 || i == 37:
			u.lock = 1
		case i >= 38:
			u.lock = 2
		}
		out = append(out, u)
	}
	return out
}

// mspTree writes the MSP's nodes, roles, teams and users; it returns the
// admin's enterprise user id.
func mspTree(b *builder) (int64, error) {
	steps := []struct {
		n, parent int64
		name      string
	}{{nRoot, 0, MSPName}, {nNorthAmerica, nRoot, "North America"}, {nEurope, nRoot, "Europe"},
		{nAsia, nRoot, "Asia Pacific"}, {nChicago, nNorthAmerica, "Chicago"}, {nBerlin, nEurope, "Berlin"}}
	for _, s := range steps {
		if _, err := b.node(s.n, s.parent, s.name); err != nil {
			return 0, err
		}
	}
	admin, err := b.user(userSpec{n: uAdmin, node: nRoot, email: AdminEmail, name: "MSP Admin", status: "active", jobTitle: "Administrator"})
	if err != nil {
		return 0, err
	}
	roles := []struct {
		n, node int64
		name    string
		newUser bool
	}{{rAdmin, nRoot, "Keeper Administrator", false}, {rEuropeAdmin, nEurope, "Europe Admins", false},
		{rDefault, nRoot, "Default Users", true}, {rHelpdesk, nNorthAmerica, "Helpdesk", false}}
	for _, r := range roles {
		if _, err := b.role(r.n, r.node, r.name, r.newUser, ""); err != nil {
			return 0, err
		}
	}
	if err := b.managedNode(b.id(rAdmin), b.id(nRoot), true, adminPrivileges...); err != nil {
		return 0, err
	}
	if err := b.managedNode(b.id(rEuropeAdmin), b.id(nEurope), true, "MANAGE_USER", "MANAGE_TEAMS"); err != nil {
		return 0, err
	}
	if err := b.roleUser(b.id(rAdmin), admin); err != nil {
		return 0, err
	}
	for _, e := range [][3]string{{"12", "master_password_minimum_length", "12"}, {"12", "require_two_factor", ""},
		{"12", "logout_timer_desktop", "60"}, {"13", "restrict_export", ""}} {
		var role int64
		fmt.Sscan(e[0], &role)
		if err := b.enforcement(b.id(role), e[1], e[2]); err != nil {
			return 0, err
		}
	}
	teams := []struct {
		uid  []byte
		node int64
		name string
	}{{teamUID(1), nRoot, "Helpdesk"}, {teamUID(2), nEurope, "Engineering"}, {teamUID(3), nNorthAmerica, "Sales"}}
	for i, t := range teams {
		if err := b.team(t.uid, t.node, t.name, i == 1, i == 2, false); err != nil {
			return 0, err
		}
	}
	if err := b.roleTeam(b.id(rHelpdesk), teams[0].uid); err != nil {
		return 0, err
	}
	for i, u := range demoUsers() {
		id, err := b.user(u)
		if err != nil {
			return 0, err
		}
		if u.status == "active" {
			if err := b.roleUser(b.id(rDefault), id); err != nil {
				return 0, err
			}
			userType := "USER"
			if i%7 == 0 {
				userType = "ADMIN"
			}
			if err := b.teamUser(teams[i%3].uid, id, userType); err != nil {
				return 0, err
			}
		}
		if i == 1 {
			if err := b.roleUser(b.id(rEuropeAdmin), id); err != nil {
				return 0, err
			}
			if err := b.alias(id, "bruno@msp-old.sandbox"); err != nil {
				return 0, err
			}
		}
	}
	return admin, nil
}

// teamUID is a deterministic 16-byte team uid.
func teamUID(n byte) []byte {
	uid := []byte("sandbox-team-000")
	uid[15] = '0' + n
	return uid
}

type mcSpec struct {
	id       int32
	name     string
	plan     string
	seats    int32
	filePlan string
	node     int64
	addOns   []*enterprisepb.LicenseAddOn
	users    int
	domain   string // users' email domain label; "" for the first word of name
}

func addOn(name string, seats int32) *enterprisepb.LicenseAddOn {
	return &enterprisepb.LicenseAddOn{Name: name, Enabled: true, Seats: seats, Created: 1735689600000}
}

var demoMCs = []mcSpec{
	{2001, "Acme Dental", "business", 25, "STORAGE_100GB", nRoot, []*enterprisepb.LicenseAddOn{addOn("enterprise_breach_watch", 0)}, 6, ""},
	{2002, "Bluebird Logistics", "businessPlus", 50, "STORAGE_1TB", nNorthAmerica,
		[]*enterprisepb.LicenseAddOn{addOn("enterprise_audit_and_reporting", 0), addOn("compliance_report", 0)}, 8, ""},
	{2003, "Cobalt Legal", "enterprise", Unlimited, "STORAGE_10TB", nEurope,
		[]*enterprisepb.LicenseAddOn{addOn("connection_manager", 5), addOn("privileged_access_manager", 10)}, 5, ""},
	{2004, "Delta Clinics", "enterprisePlus", 100, "STORAGE_1TB", nChicago, []*enterprisepb.LicenseAddOn{addOn("secrets_manager", 0)}, 4, ""},
	{2005, "Evergreen Startups", "businessStarter", 5, "STORAGE_100GB", nAsia, nil, 3, ""},
}

// managedCompanies creates each MC of specs as an enterprise of its own
// and its ManagedCompany entity in the MSP msp (named mspName).
func managedCompanies(ctx context.Context, tx *sql.Tx, msp *builder, mspName string, mspTreeKey []byte, specs []mcSpec) ([]*enterprisepb.ManagedCompany, error) {
	var out []*enterprisepb.ManagedCompany
	for _, s := range specs {
		mc, err := createMC(ctx, tx, msp, mspName, mspTreeKey, s)
		if err != nil {
			return nil, fmt.Errorf("managed company %s: %w", s.name, err)
		}
		out = append(out, mc)
	}
	return out, nil
}

func createMC(ctx context.Context, tx *sql.Tx, msp *builder, mspName string, mspTreeKey []byte, s mcSpec) (*enterprisepb.ManagedCompany, error) {
	treeKey := crypto.GenerateAESKey()
	encTree, err := crypto.EncryptAESv2(treeKey, mspTreeKey)
	if err != nil {
		return nil, err
	}
	ent := &store.Enterprise{ID: s.id, Name: s.name, MSPID: msp.eid, TreeKeyForMSP: crypto.Base64URLEncode(encTree)}
	if err := store.PutEnterprise(ctx, tx, ent); err != nil {
		return nil, err
	}
	b, err := newBuilder(ctx, tx, msp.w, s.id, treeKey)
	if err != nil {
		return nil, err
	}
	b.keys = msp.keys
	if _, err := b.node(2, 0, "root"); err != nil {
		return nil, err
	}
	role, err := b.role(10, 2, "Keeper Administrator", false, "")
	if err != nil {
		return nil, err
	}
	if err := b.managedNode(role, b.id(2), true, adminPrivileges...); err != nil {
		return nil, err
	}
	slug := s.domain
	if slug == "" {
		slug = mcSlug(s.name)
	}
	active := 0
	for i := 0; i < s.users; i++ {
		u := userSpec{n: int64(100 + i), node: 2, email: fmt.Sprintf("%s%d@%s.sandbox", firstNames[i], i, slug),
			name: strings.ToUpper(firstNames[i][:1]) + firstNames[i][1:], status: "active"}
		if i == 0 {
			u.email, u.name = "admin@"+slug+".sandbox", "Company Admin"
		}
		if i == s.users-1 && i > 0 {
			u.status, u.name = "invited", ""
		} else {
			active++
		}
		id, err := b.user(u)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			if err := b.roleUser(role, id); err != nil {
				return nil, err
			}
		}
	}
	lic := &enterprisepb.License{Paid: true, NumberOfSeats: s.seats, ProductTypeId: 8, Name: s.plan,
		EnterpriseLicenseId: int64(s.id)<<32 + 1, SeatsAllocated: int32(active), SeatsPending: int32(s.users - active),
		LicenseStatus: "active", ManagedBy: &enterprisepb.MSPContact{EnterpriseId: msp.eid, EnterpriseName: mspName},
		AddOns: s.addOns}
	if err := b.license(lic); err != nil {
		return nil, err
	}
	mc := &enterprisepb.ManagedCompany{McEnterpriseId: s.id, McEnterpriseName: s.name, MspNodeId: msp.id(s.node),
		NumberOfSeats: s.seats, NumberOfUsers: int32(active), ProductId: s.plan, TreeKey: ent.TreeKeyForMSP,
		TreeKeyRole: msp.id(rAdmin), FilePlanType: s.filePlan, AddOns: s.addOns, TreeKeyTypeId: 3}
	return mc, msp.managedCompany(mc)
}
