package commands

import (
	"bytes"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// basicEnterprise is the first, smaller fixture (before enterprise-info's
// parity cases grew demoEnterprise): root > Europe > Berlin, three users,
// two roles, one team, two managed companies. The enterprise-node, -role,
// -team and -user tests are written against it.
func basicEnterprise() *enterprise.Enterprise {
	e := &enterprise.Enterprise{ID: 77, Name: "Fixture MSP", TreeKey: bytes.Repeat([]byte{7}, 32),
		Nodes: map[int64]*enterprise.Node{}, Users: map[int64]*enterprise.User{}, Roles: map[int64]*enterprise.Role{},
		Teams: map[string]*enterprise.Team{}, RoleEnforcements: map[int64]map[string]string{},
		QueuedTeams: map[string]*enterprise.QueuedTeam{}, RoleEnforcementTypes: map[int64][]string{}, ManagedCompanies: map[int32]*pb.ManagedCompany{}}
	node := func(n, parent int64, name string) {
		e.Nodes[id(n)] = &enterprise.Node{Node: &pb.Node{NodeId: id(n), ParentId: parent}, Name: name}
	}
	node(2, 0, "Fixture MSP")
	node(3, id(2), "Europe")
	node(4, id(3), "Berlin")
	user := func(n, node int64, email, name, status string, lock int32) {
		e.Users[id(n)] = &enterprise.User{User: &pb.User{EnterpriseUserId: id(n), NodeId: node, Username: email, Status: status,
			Lock: lock, TransferAcceptanceStatus: 1}, Name: name}
	}
	user(10, id(2), "admin@fixture.test", "Admin", "active", 0)
	user(11, id(4), "anna@fixture.test", "Anna", "active", 0)
	user(12, id(3), "ben@fixture.test", "", "invited", 0)
	e.Roles[id(20)] = &enterprise.Role{Role: &pb.Role{RoleId: id(20), NodeId: id(2)}, Name: "Keeper Administrator"}
	e.Roles[id(21)] = &enterprise.Role{Role: &pb.Role{RoleId: id(21), NodeId: id(3), NewUserInherit: true}, Name: "Staff"}
	e.RoleUsers = []*pb.RoleUser{{RoleId: id(20), EnterpriseUserId: id(10)}, {RoleId: id(21), EnterpriseUserId: id(11)}}
	e.ManagedNodes = []*pb.ManagedNode{{RoleId: id(20), ManagedNodeId: id(2), CascadeNodeManagement: true}}
	e.RoleEnforcements[id(21)] = map[string]string{"require_two_factor": "true"}
	e.RoleEnforcementTypes[id(21)] = []string{"require_two_factor"}
	uid := []byte("0123456789abcdef")
	e.Teams["MDEyMzQ1Njc4OWFiY2RlZg"] = &enterprise.Team{Team: &pb.Team{TeamUid: uid, Name: "Helpdesk", NodeId: id(3), RestrictEdit: true},
		UID: "MDEyMzQ1Njc4OWFiY2RlZg"}
	e.TeamUsers = []*pb.TeamUser{{TeamUid: uid, EnterpriseUserId: id(11), UserType: "USER"}}
	e.Licenses = []*pb.License{{LicenseStatus: "msp", MspPermits: &pb.MSPPermits{Restricted: true, AllowUnlimitedLicenses: true,
		AllowedMcProducts: []string{"business", "enterprise"}, MaxFilePlanType: "STORAGE_1TB"}}}
	e.ManagedCompanies[5001] = &pb.ManagedCompany{McEnterpriseId: 5001, McEnterpriseName: "Alpha Dental", MspNodeId: id(2),
		NumberOfSeats: 10, NumberOfUsers: 3, ProductId: "business", FilePlanType: "STORAGE_100GB",
		AddOns: []*pb.LicenseAddOn{{Name: "enterprise_breach_watch", Enabled: true}, {Name: "chat", Enabled: true}}}
	e.ManagedCompanies[5002] = &pb.ManagedCompany{McEnterpriseId: 5002, McEnterpriseName: "Zulu Legal", MspNodeId: id(3),
		NumberOfSeats: 2147483647, NumberOfUsers: 7, ProductId: "enterprise"}
	return e
}
