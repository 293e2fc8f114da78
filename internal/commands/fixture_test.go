package commands

import (
	"bytes"
	"context"
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
// Europe > Berlin, three users, two roles, a team and two managed companies.
func demoEnterprise() *enterprise.Enterprise {
	e := &enterprise.Enterprise{ID: 77, Name: "Fixture MSP", TreeKey: bytes.Repeat([]byte{7}, 32),
		Nodes: map[int64]*enterprise.Node{}, Users: map[int64]*enterprise.User{}, Roles: map[int64]*enterprise.Role{},
		Teams: map[string]*enterprise.Team{}, RoleEnforcements: map[int64]map[string]string{},
		QueuedTeams: map[string]*pb.QueuedTeam{}, ManagedCompanies: map[int32]*pb.ManagedCompany{}}
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

// fakeEnterprise serves a fixed enterprise and records writes: typed JSON
// commands, id allocations and REST calls.
type fakeEnterprise struct {
	e        *enterprise.Enterprise
	notMSP   bool
	loads    int // Enterprise calls
	refresh  int // Enterprise calls with refresh
	executed []rest.Command
	batches  int // Execute calls
	results  func(cmd rest.Command) rest.BatchResult
	// answer, when > 0, is how many commands of a batch the server answers
	// before execErr cuts it off.
	answer  int
	execErr error
	nextID  int64
	allocs  []int // AllocateIDs requests
	calls   []restCall
	callFn  func(endpoint string, req, resp proto.Message) error
	synced  int // Refresh calls
}

// restCall is one recorded restCaller.Call.
type restCall struct {
	endpoint string
	req      proto.Message
}

func (f *fakeEnterprise) Enterprise(_ context.Context, refresh bool) (*enterprise.Enterprise, error) {
	f.loads++
	if refresh {
		f.refresh++
	}
	return f.e, nil
}

func (f *fakeEnterprise) Call(_ context.Context, endpoint string, req, resp proto.Message) error {
	f.calls = append(f.calls, restCall{endpoint: endpoint, req: req})
	if f.callFn != nil {
		return f.callFn(endpoint, req, resp)
	}
	return nil
}

func (f *fakeEnterprise) Refresh(context.Context) error {
	f.synced++
	return nil
}

func (f *fakeEnterprise) MSP(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if f.notMSP {
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
	return res[0].Err(cmd.CommandName())
}

func (f *fakeEnterprise) AllocateIDs(_ context.Context, n int) (int64, error) {
	if f.nextID == 0 {
		f.nextID = id(1000)
	}
	f.allocs = append(f.allocs, n)
	first := f.nextID
	f.nextID += int64(n)
	return first, nil
}

var errNotMSPForTest = &command.UsageError{Msg: "not an MSP"}

// runLine runs one command line against cmd with fresh buffers and returns
// stdout, stderr and the error.
func runLine(t *testing.T, cmd *command.Command, line string) (string, string, error) {
	t.Helper()
	words, err := command.Split(line)
	if err != nil {
		t.Fatal(err)
	}
	reg := command.NewRegistry()
	reg.Add(cmd)
	var out, errOut bytes.Buffer
	env := &command.Env{In: strings.NewReader(""), Out: &out, Err: &errOut, Vars: map[string]string{}}
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
