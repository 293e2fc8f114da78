package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// fixture ids: enterprise 77, root node n=2.
func id(n int64) int64 { return 77<<32 + n }

// demoEnterprise is a small MSP tenant for run-function tests: a root with
// Europe > Berlin and an isolated Asia Pacific, four users, two roles, two
// teams and a queued team, email and SSO provisioning, and two managed
// companies. Seq (server order) deliberately differs from name order.
func demoEnterprise() *enterprise.Enterprise {
	e := &enterprise.Enterprise{ID: 77, Name: "Fixture MSP", TreeKey: bytes.Repeat([]byte{7}, 32),
		Nodes: map[int64]*enterprise.Node{}, Users: map[int64]*enterprise.User{}, Roles: map[int64]*enterprise.Role{},
		Teams: map[string]*enterprise.Team{}, RoleEnforcements: map[int64]map[string]string{},
		RoleEnforcementTypes: map[int64][]string{}, QueuedTeams: map[string]*enterprise.QueuedTeam{},
		ManagedCompanies: map[int32]*pb.ManagedCompany{}}
	node := func(n, parent int64, name string, isolated bool) {
		e.Nodes[id(n)] = &enterprise.Node{Node: &pb.Node{NodeId: id(n), ParentId: parent, RestrictVisibility: isolated},
			Name: name, Seq: len(e.Nodes)}
	}
	node(2, 0, "Fixture MSP", false)
	node(3, id(2), "Europe", false)
	node(4, id(3), "Berlin", false)
	node(5, id(2), "Asia Pacific", true)
	user := func(n, node int64, email, name, status string, lock int32) *pb.User {
		u := &pb.User{EnterpriseUserId: id(n), NodeId: node, Username: email, Status: status, Lock: lock, TransferAcceptanceStatus: 1}
		e.Users[id(n)] = &enterprise.User{User: u, Name: name, Seq: len(e.Users)}
		return u
	}
	user(10, id(2), "admin@fixture.test", "Admin", "active", 0)
	user(12, id(3), "ben@fixture.test", "", "invited", 0)
	user(11, id(4), "anna@fixture.test", "Anna", "active", 0)
	carl := user(13, id(3), "Carl@fixture.test", "Carl", "active", 0)
	carl.TfaEnabled, carl.JobTitle = true, "Auditor"
	e.UserAliases = []*pb.UserAlias{{EnterpriseUserId: id(11), Username: "anna.old@fixture.test"},
		{EnterpriseUserId: id(11), Username: "anna@fixture.test"}}
	e.Roles[id(20)] = &enterprise.Role{Role: &pb.Role{RoleId: id(20), NodeId: id(2)}, Name: "Keeper Administrator", Seq: 0}
	e.Roles[id(21)] = &enterprise.Role{Role: &pb.Role{RoleId: id(21), NodeId: id(3), NewUserInherit: true}, Name: "Staff", Seq: 1}
	e.RoleUsers = []*pb.RoleUser{{RoleId: id(20), EnterpriseUserId: id(10)}, {RoleId: id(21), EnterpriseUserId: id(11)},
		{RoleId: id(21), EnterpriseUserId: id(10)}}
	e.ManagedNodes = []*pb.ManagedNode{{RoleId: id(20), ManagedNodeId: id(2), CascadeNodeManagement: true},
		{RoleId: id(20), ManagedNodeId: id(5)}}
	e.RolePrivileges = []*pb.RolePrivilege{{RoleId: id(20), ManagedNodeId: id(2), PrivilegeType: "MANAGE_USER"},
		{RoleId: id(20), ManagedNodeId: id(2), PrivilegeType: "MANAGE_LICENCES"},
		{RoleId: id(20), ManagedNodeId: id(2), PrivilegeType: "MANAGE_COMPANIES"}}
	e.RoleEnforcements[id(21)] = map[string]string{"two_factor_duration_web": "0,12,24,30", "require_two_factor": "true"}
	e.RoleEnforcementTypes[id(21)] = []string{"two_factor_duration_web", "require_two_factor"}
	uid := []byte("0123456789abcdef")
	e.Teams["MDEyMzQ1Njc4OWFiY2RlZg"] = &enterprise.Team{Team: &pb.Team{TeamUid: uid, Name: "Helpdesk", NodeId: id(3), RestrictEdit: true},
		UID: "MDEyMzQ1Njc4OWFiY2RlZg"}
	audit := []byte("audit-team-00001")
	e.Teams["YXVkaXQtdGVhbS0wMDAwMQ"] = &enterprise.Team{Team: &pb.Team{TeamUid: audit, Name: "Audit", NodeId: id(2)},
		UID: "YXVkaXQtdGVhbS0wMDAwMQ", Seq: 1}
	e.TeamUsers = []*pb.TeamUser{{TeamUid: uid, EnterpriseUserId: id(13), UserType: "USER"},
		{TeamUid: uid, EnterpriseUserId: id(11), UserType: "USER"}, {TeamUid: audit, EnterpriseUserId: id(13), UserType: "USER"}}
	e.RoleTeams = []*pb.RoleTeam{{RoleId: id(21), TeamUid: uid}}
	queued := []byte("queued-team-0001")
	e.QueuedTeams["cXVldWVkLXRlYW0tMDAwMQ"] = &enterprise.QueuedTeam{QueuedTeam: &pb.QueuedTeam{TeamUid: queued, Name: "Onboarding",
		NodeId: id(3)}, UID: "cXVldWVkLXRlYW0tMDAwMQ"}
	e.QueuedTeamUsers = []*pb.QueuedTeamUser{{TeamUid: queued, Users: []int64{id(12)}}, {TeamUid: uid, Users: []int64{id(12), id(10)}}}
	e.EmailProvisions = []*pb.EmailProvision{{Id: 1, NodeId: id(3), Domain: "fixture.test"}}
	e.SsoServices = []*pb.SsoService{{SsoServiceProviderId: 9, NodeId: id(4), Name: "Okta"}}
	e.Licenses = []*pb.License{{LicenseStatus: "msp", MspPermits: &pb.MSPPermits{Restricted: true, AllowUnlimitedLicenses: true,
		AllowedMcProducts: []string{"business", "enterprise"}, MaxFilePlanType: "STORAGE_1TB"}}}
	e.ManagedCompanies[5001] = &pb.ManagedCompany{McEnterpriseId: 5001, McEnterpriseName: "Alpha Dental", MspNodeId: id(2),
		NumberOfSeats: 10, NumberOfUsers: 3, ProductId: "business", FilePlanType: "STORAGE_100GB",
		AddOns: []*pb.LicenseAddOn{{Name: "enterprise_breach_watch", Enabled: true}, {Name: "chat", Enabled: true}}}
	e.ManagedCompanies[5002] = &pb.ManagedCompany{McEnterpriseId: 5002, McEnterpriseName: "Zulu Legal", MspNodeId: id(3),
		NumberOfSeats: 2147483647, NumberOfUsers: 7, ProductId: "enterprise"}
	return e
}

// fakeEnterprise serves a fixed enterprise and records writes: typed JSON
// commands, id allocations and REST calls. It also plays the managed
// companies of mcs for InMC: inside, Enterprise, writes and REST calls act
// on the company's context (in) and are recorded with it (0 is the MSP).
type fakeEnterprise struct {
	e        *enterprise.Enterprise
	notMSP   bool
	loads    int // Enterprise calls
	refresh  int // Enterprise calls with refresh
	executed []rest.Command
	where    []int32 // context of each executed command
	batches  int     // Execute calls
	results  func(cmd rest.Command) rest.BatchResult
	// answer, when > 0, is how many commands of a batch the server answers
	// before execErr cuts it off.
	answer  int
	execErr error
	// replies gives the JSON reply of a command sent with Do (decoded into
	// its out); it may also change the data, as the sync after a write would.
	replies func(cmd rest.Command) any
	nextID  int64
	allocs  []int32 // context of each AllocateIDs
	allocN  []int   // size of each AllocateIDs
	synced  int     // Refresh calls

	mcs     map[int32]*enterprise.Enterprise
	mcErr   map[int32]error // InMC fails for these companies
	in      int32
	entered []int32
	calls   []restCall
	// callFn answers Call when set; else rest does; nil leaves the reply
	// empty.
	callFn func(endpoint string, req, resp proto.Message) error
	rest   func(in int32, endpoint string, rq proto.Message) (proto.Message, error)
}

// restCall is one Call as the fake saw it.
type restCall struct {
	In       int32
	Endpoint string
	Rq       proto.Message
}

func (f *fakeEnterprise) Enterprise(_ context.Context, refresh bool) (*enterprise.Enterprise, error) {
	f.loads++
	if refresh {
		f.refresh++
	}
	if f.in != 0 {
		return f.mcs[f.in], nil
	}
	return f.e, nil
}

func (f *fakeEnterprise) Refresh(context.Context) error {
	f.synced++
	return nil
}

func (f *fakeEnterprise) MSP(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if f.notMSP || f.in != 0 {
		return nil, errNotMSPForTest
	}
	return f.Enterprise(ctx, refresh)
}

func (f *fakeEnterprise) Execute(_ context.Context, cmds ...rest.Command) ([]rest.BatchResult, error) {
	f.batches++
	var out []rest.BatchResult
	for i, c := range cmds {
		if f.answer > 0 && i == f.answer {
			return out, f.execErr
		}
		f.executed = append(f.executed, c)
		f.where = append(f.where, f.in)
		r := rest.BatchResult{Result: "success"}
		if f.results != nil {
			r = f.results(c)
		}
		out = append(out, r)
	}
	return out, nil
}

func (f *fakeEnterprise) Do(ctx context.Context, cmd rest.Command, out any) error {
	res, _ := f.Execute(ctx, cmd)
	if err := res[0].Err(cmd.CommandName()); err != nil {
		return err
	}
	if f.replies != nil && out != nil {
		b, _ := json.Marshal(f.replies(cmd))
		return json.Unmarshal(b, out)
	}
	return nil
}

func (f *fakeEnterprise) AllocateIDs(_ context.Context, n int) (int64, error) {
	if f.nextID == 0 {
		f.nextID = id(1000)
	}
	f.allocs = append(f.allocs, f.in)
	f.allocN = append(f.allocN, n)
	first := f.nextID
	f.nextID += int64(n)
	return first, nil
}

func (f *fakeEnterprise) InMC(ctx context.Context, nameOrID string, fn func(ctx context.Context) error) error {
	if f.in != 0 {
		return errors.New("already switched")
	}
	mc, err := f.e.ManagedCompany(nameOrID)
	if err != nil {
		return err
	}
	if err := f.mcErr[mc.McEnterpriseId]; err != nil {
		return err
	}
	if f.mcs[mc.McEnterpriseId] == nil {
		return fmt.Errorf("fake: no data for managed company %d", mc.McEnterpriseId)
	}
	f.in = mc.McEnterpriseId
	f.entered = append(f.entered, f.in)
	defer func() { f.in = 0 }()
	return fn(ctx)
}

func (f *fakeEnterprise) Call(_ context.Context, endpoint string, rq, rs proto.Message) error {
	f.calls = append(f.calls, restCall{In: f.in, Endpoint: endpoint, Rq: rq})
	if f.callFn != nil {
		return f.callFn(endpoint, rq, rs)
	}
	if f.rest == nil {
		return nil
	}
	ans, err := f.rest(f.in, endpoint, rq)
	if err != nil || ans == nil || rs == nil {
		return err
	}
	b, _ := proto.Marshal(ans)
	return proto.Unmarshal(b, rs)
}

// mcEnterprise is the data of a managed company for InMC: a root node
// (low id bits 2, as Keeper numbers roots) and its own tree key.
func mcEnterprise(mcID int32, name string) *enterprise.Enterprise {
	root := int64(mcID)<<32 + 2
	return &enterprise.Enterprise{ID: mcID, Name: name, TreeKey: bytes.Repeat([]byte{byte(mcID)}, 32),
		Nodes: map[int64]*enterprise.Node{root: {Node: &pb.Node{NodeId: root}, Name: name}}, Users: map[int64]*enterprise.User{},
		Roles: map[int64]*enterprise.Role{}, Teams: map[string]*enterprise.Team{}, RoleEnforcements: map[int64]map[string]string{},
		QueuedTeams: map[string]*enterprise.QueuedTeam{}}
}

var errNotMSPForTest = &command.UsageError{Msg: "not an MSP"}

var _ mspOperator = (*fakeEnterprise)(nil)

// runLine runs one command line against cmd with fresh buffers and returns
// stdout, stderr and the error.
func runLine(t *testing.T, cmd *command.Command, line string) (string, string, error) {
	t.Helper()
	return runLineVars(t, cmd, line, map[string]string{})
}

// runLineVars is runLine with the session's variables (${last_mc_id} ...).
func runLineVars(t *testing.T, cmd *command.Command, line string, vars map[string]string) (string, string, error) {
	t.Helper()
	words, err := command.Split(line)
	if err != nil {
		t.Fatal(err)
	}
	reg := command.NewRegistry()
	reg.Add(cmd)
	var out, errOut bytes.Buffer
	env := &command.Env{In: strings.NewReader(""), Out: &out, Err: &errOut, Vars: vars}
	err = (&command.Dispatcher{Registry: reg}).Run(context.Background(), env, words)
	return out.String(), errOut.String(), err
}

// capture parses line for a command built with a runF that records its
// options, and returns them (nil when parsing failed) with the error.
func capture[T any](t *testing.T, build func(runF func(context.Context, *T) error) *command.Command, line string) (*T, error) {
	t.Helper()
	var got *T
	cmd := build(func(_ context.Context, o *T) error { got = o; return nil })
	_, _, err := runLine(t, cmd, line)
	return got, err
}
