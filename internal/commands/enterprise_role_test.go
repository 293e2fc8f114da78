package commands

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

type roleRun struct {
	w       *orgWriter
	rest    *fakeREST
	confirm confirmer
}

func newRoleRun() *roleRun { return &roleRun{w: newOrgWriter(basicEnterprise()), rest: &fakeREST{}} }

func (r *roleRun) run(t *testing.T, line string) (string, string, error) {
	t.Helper()
	return runLine(t, newEnterpriseRoleCmd(&Factory{}, func(ctx context.Context, o *enterpriseRoleOptions) error {
		o.Writer, o.REST, o.Status, o.Confirm = r.w, r.rest, testStatus(&o.base), r.confirm
		return enterpriseRoleRun(ctx, o)
	}), line)
}

var helpdeskUID = []byte("0123456789abcdef")

func TestEnterpriseRoleFlags(t *testing.T) {
	build := func(runF func(context.Context, *enterpriseRoleOptions) error) *command.Command {
		return newEnterpriseRoleCmd(noFactory, runF)
	}
	o, err := capture(t, build, "er --add Auditors --node Europe --new-user on -aa Berlin -aa=Europe --cascade off")
	if err != nil || !o.Add || o.Node != "Europe" || !o.NewUser.set || !o.NewUser.on || !o.Cascade.set || o.Cascade.on ||
		!reflect.DeepEqual(o.AddAdmins, []string{"Berlin", "Europe"}) {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = capture(t, build, "er Staff -au a@x -ru b@x -at T1 -rt T2 --add-user c@x")
	if err != nil || !reflect.DeepEqual(o.AddUsers, []string{"a@x", "c@x"}) || !reflect.DeepEqual(o.RemoveUsers, []string{"b@x"}) ||
		!reflect.DeepEqual(o.AddTeams, []string{"T1"}) || !reflect.DeepEqual(o.RemoveTeams, []string{"T2"}) {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = capture(t, build, "er X --new-user maybe")
	usageErr(t, err, `"maybe" is not on or off`)
	_, err = capture(t, build, "er -au ''")
	usageErr(t, err, "--add-user needs a non-empty value")
}

func TestEnterpriseRoleRefusesBeforeAnyCall(t *testing.T) {
	for line, want := range map[string]string{
		"er --add --delete X":                  "--add and --delete are mutually exclusive",
		"er --add X --name Y":                  "--name renames an existing role",
		"er --add X -au a@x":                   "run them after --add",
		"er Staff -aa Europe":                  "-aa/--add-admin works with --add",
		"er --add X --cascade on":              "--cascade goes with -aa/--add-admin",
		"er --delete Staff --name Y":           "--delete cannot be combined",
		"er Staff -au a@x --new-user on":       "in separate commands",
		"er Staff Auditors --name Y":           "--name renames one role at a time",
		"er --add " + strings.Repeat("r", 256): "is 256 characters long",
	} {
		r := newRoleRun()
		_, _, err := r.run(t, line)
		usageErr(t, err, want)
		if len(r.w.executed)+len(r.w.allocs)+len(r.rest.calls) != 0 {
			t.Fatalf("%s: something was sent", line)
		}
	}
}

func TestEnterpriseRoleAdd(t *testing.T) {
	r := newRoleRun()
	_, stderr, err := r.run(t, "er --add Auditors STAFF Reviewers --node Europe --new-user on -aa Berlin -aa 'Fixture MSP' --cascade on")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.w.allocs, []int{2}) || len(r.w.executed) != 6 {
		t.Fatalf("allocs %v executed %v", r.w.allocs, r.w.executed)
	}
	for i, want := range []string{"Auditors", "Reviewers"} {
		add := r.w.executed[i].(enterprise.RoleAdd)
		if add.RoleID != id(1000)+int64(i) || add.NodeID != id(3) || !add.NewUserInherit || add.VisibleBelow ||
			decryptName(t, r.w.e, add.EncryptedData) != want {
			t.Fatalf("role_add %d: %+v", i, add)
		}
	}
	want := []rest.Command{
		enterprise.ManagedNodeAdd{RoleID: id(1000), ManagedNodeID: id(4), CascadeNodeManagement: true, TreeKeys: []enterprise.TreeKey{}},
		enterprise.ManagedNodeAdd{RoleID: id(1000), ManagedNodeID: id(2), CascadeNodeManagement: true, TreeKeys: []enterprise.TreeKey{}},
		enterprise.ManagedNodeAdd{RoleID: id(1001), ManagedNodeID: id(4), CascadeNodeManagement: true, TreeKeys: []enterprise.TreeKey{}},
		enterprise.ManagedNodeAdd{RoleID: id(1001), ManagedNodeID: id(2), CascadeNodeManagement: true, TreeKeys: []enterprise.TreeKey{}},
	}
	if !reflect.DeepEqual(r.w.executed[2:], want) {
		t.Fatalf("managed nodes %+v", r.w.executed[2:])
	}
	if b, _ := json.Marshal(r.w.executed[2]); !strings.Contains(string(b), `"tree_keys":[]`) {
		t.Fatalf("tree_keys must be an empty list: %s", b)
	}
	for _, s := range []string{"Role 'STAFF' already exists: Skipping", "'Auditors' role created with Role ID: 330712482792",
		"Granted admin privileges for 'Reviewers' role on 'Berlin' node and subnodes"} {
		if !strings.Contains(stderr, s) {
			t.Fatalf("stderr lacks %q:\n%s", s, stderr)
		}
	}

	r = newRoleRun()
	if _, _, err := r.run(t, "er --add Plain"); err != nil {
		t.Fatal(err)
	}
	if add := r.w.executed[0].(enterprise.RoleAdd); add.NodeID != id(2) || add.NewUserInherit || len(r.w.executed) != 1 {
		t.Fatalf("defaults: %+v", r.w.executed)
	}
	r = newRoleRun()
	_, _, err = r.run(t, "er --add X -aa Nowhere")
	if err == nil || !strings.Contains(err.Error(), `node "Nowhere" not found`) || len(r.w.allocs) != 0 {
		t.Fatalf("unknown admin node: %v", err)
	}
}

func TestEnterpriseRoleDeleteAndUpdate(t *testing.T) {
	r := newRoleRun()
	_, _, err := r.run(t, "er --delete Staff")
	usageErr(t, err, "add -f/--force")
	if _, _, err := r.run(t, "er --delete staff -f"); err != nil || !reflect.DeepEqual(r.w.executed, []rest.Command{enterprise.RoleDelete{RoleID: id(21)}}) {
		t.Fatalf("%v %v", err, r.w.executed)
	}

	r = newRoleRun()
	r.w.e.Roles[id(21)].EncryptedData = "stored-staff"
	if _, _, err := r.run(t, "er Staff --name 'Staff EU'"); err != nil {
		t.Fatal(err)
	}
	upd := r.w.executed[0].(enterprise.RoleUpdate)
	if upd.RoleID != id(21) || upd.NodeID != id(3) || upd.NewUserInherit != nil || decryptName(t, r.w.e, upd.EncryptedData) != "Staff EU" {
		t.Fatalf("rename %+v", upd)
	}
	r.w.executed = nil
	if _, _, err := r.run(t, "er Staff --new-user off --node 'Fixture MSP'"); err != nil {
		t.Fatal(err)
	}
	upd = r.w.executed[0].(enterprise.RoleUpdate)
	if upd.NodeID != id(2) || upd.EncryptedData != "stored-staff" || upd.NewUserInherit == nil || *upd.NewUserInherit {
		t.Fatalf("move and new-user off %+v", upd)
	}
	r.w.executed = nil
	if _, stderr, err := r.run(t, "er Staff --node Europe"); err != nil || len(r.w.executed) != 0 || !strings.Contains(stderr, "already in node") {
		t.Fatalf("no change: %v %v", err, stderr)
	}
}

func TestEnterpriseRoleMembers(t *testing.T) {
	r := newRoleRun()
	_, stderr, err := r.run(t, "er Staff -au BEN@fixture.test -au anna@fixture.test -at Helpdesk -rt Helpdesk")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.w.executed, []rest.Command{enterprise.RoleUserAdd{RoleID: id(21), EnterpriseUserID: id(12)}}) {
		t.Fatalf("executed %v", r.w.executed)
	}
	if len(r.rest.calls) != 1 || r.rest.calls[0].endpoint != "enterprise/role_team_add" {
		t.Fatalf("calls %v", r.rest.calls)
	}
	rt := r.rest.calls[0].req.(*pb.RoleTeams).RoleTeam
	if len(rt) != 1 || rt[0].RoleId != id(21) || string(rt[0].TeamUid) != string(helpdeskUID) || r.rest.refresh != 0 {
		t.Fatalf("role teams %v, refresh %d", rt, r.rest.refresh)
	}
	for _, s := range []string{"User anna@fixture.test is already in role 'Staff': Skipping", "Team 'Helpdesk' is not in role 'Staff': Skipping",
		"'Staff' role assigned to team 'Helpdesk'", "'Staff' role assigned to ben@fixture.test"} {
		if !strings.Contains(stderr, s) {
			t.Fatalf("stderr lacks %q:\n%s", s, stderr)
		}
	}

	// A REST-only change syncs with Refresh.
	r = newRoleRun()
	r.w.e.RoleTeams = []*pb.RoleTeam{{RoleId: id(21), TeamUid: helpdeskUID}}
	if _, _, err := r.run(t, "er Staff -rt helpdesk -ru anna@fixture.test"); err != nil {
		t.Fatal(err)
	}
	if len(r.rest.calls) != 1 || r.rest.calls[0].endpoint != "enterprise/role_team_remove" || r.rest.refresh != 0 ||
		!reflect.DeepEqual(r.w.executed, []rest.Command{enterprise.RoleUserRemove{RoleID: id(21), EnterpriseUserID: id(11)}}) {
		t.Fatalf("calls %v executed %v", r.rest.calls, r.w.executed)
	}
	r.w.executed, r.rest.calls = nil, nil
	r.w.e.RoleTeams = []*pb.RoleTeam{{RoleId: id(21), TeamUid: helpdeskUID}}
	if _, _, err := r.run(t, "er Staff -rt helpdesk"); err != nil || r.rest.refresh != 1 || len(r.w.executed) != 0 {
		t.Fatalf("refresh %d: %v", r.rest.refresh, err)
	}

	// Admin roles: no users or teams added here; removal is fine.
	r = newRoleRun()
	_, stderr, err = r.run(t, "er 'Keeper Administrator' -au ben@fixture.test -at Helpdesk -ru admin@fixture.test")
	if err == nil || err.Error() != "enterprise-role: 2 of 3 changes failed" || len(r.rest.calls) != 0 ||
		!reflect.DeepEqual(r.w.executed, []rest.Command{enterprise.RoleUserRemove{RoleID: id(20), EnterpriseUserID: id(10)}}) {
		t.Fatalf("%v calls %v executed %v", err, r.rest.calls, r.w.executed)
	}
	if !strings.Contains(stderr, "adding users to an admin role is done with enterprise-user --add-role") ||
		!strings.Contains(stderr, "teams cannot be assigned to roles with administrative permissions") {
		t.Fatalf("stderr:\n%s", stderr)
	}
}

func TestEnterpriseRoleTeamCallFailure(t *testing.T) {
	r := newRoleRun()
	r.rest.fail = func(string, proto.Message) error {
		return &rest.APIError{Endpoint: "enterprise/role_team_add", Code: "bad", Message: "no such team"}
	}
	_, stderr, err := r.run(t, "er Staff -at Helpdesk")
	var api *rest.APIError
	if !errors.As(err, &api) || r.rest.refresh != 0 || !strings.Contains(stderr, "'Staff' role failed to be assigned to team 'Helpdesk': no such team") {
		t.Fatalf("%v refresh=%d\n%s", err, r.rest.refresh, stderr)
	}
}

func TestEnterpriseRoleResolution(t *testing.T) {
	r := newRoleRun()
	r.w.e.Roles[id(22)] = &enterprise.Role{Role: &pb.Role{RoleId: id(22), NodeId: id(2)}, Name: "staff"}
	_, _, err := r.run(t, "er Staff -au ben@fixture.test")
	if err == nil || !strings.Contains(err.Error(), `more than one role named "Staff": Staff (330712481813), staff (330712481814); use the id`) {
		t.Fatalf("ambiguity: %v", err)
	}
	if _, _, err := r.run(t, "er Staff --node Europe -au ben@fixture.test"); err != nil || len(r.w.executed) != 1 ||
		r.w.executed[0].(enterprise.RoleUserAdd).RoleID != id(21) {
		t.Fatalf("--node picks the role: %v %v", err, r.w.executed)
	}
	_, _, err = r.run(t, "er 330712481814 -au nobody@fixture.test")
	if err == nil || !strings.Contains(err.Error(), `user "nobody@fixture.test" not found`) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestEnterpriseRoleView(t *testing.T) {
	r := newRoleRun()
	out, _, err := r.run(t, "er 'keeper administrator' --format json")
	if err != nil {
		t.Fatal(err)
	}
	var got []erRoleJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	want := erRoleJSON{RoleID: id(20), Name: "Keeper Administrator", NodeID: id(2), Node: "Fixture MSP", Admin: true,
		Users: []string{"admin@fixture.test"}, Teams: []string{}, ManagedNodes: []string{"Fixture MSP"}, Enforcements: []string{}}
	if !reflect.DeepEqual(got[0], want) {
		t.Fatalf("got  %+v\nwant %+v", got[0], want)
	}
}
