package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// teamAccount is the logged-in account of team tests.
type teamAccount struct{ s *auth.Session }

func (f teamAccount) LiveSession(context.Context) (*auth.Session, error) { return f.s, nil }

var testDataKey = bytes.Repeat([]byte{9}, 32)

type teamRun struct {
	w       *orgWriter
	account teamAccount
	confirm confirmer
}

func newTeamRun() *teamRun {
	return &teamRun{w: newOrgWriter(basicEnterprise()),
		account: teamAccount{&auth.Session{DataKey: testDataKey, Summary: auth.Summary{ForbidRSA: true}}}}
}

func (r *teamRun) run(t *testing.T, line string) (string, string, error) {
	t.Helper()
	return runLine(t, newEnterpriseTeamCmd(&Factory{}, func(ctx context.Context, o *enterpriseTeamOptions) error {
		o.Writer, o.Account, o.Status, o.Confirm = r.w, r.account, testStatus(&o.base), r.confirm
		return enterpriseTeamRun(ctx, o)
	}), line)
}

func TestEnterpriseTeamFlags(t *testing.T) {
	build := func(runF func(context.Context, *enterpriseTeamOptions) error) *command.Command {
		return newEnterpriseTeamCmd(noFactory, runF)
	}
	o, err := capture(t, build, "et --add Ops --node Europe --restrict-edit on --restrict-share off")
	if err != nil || !o.Add || o.Node != "Europe" || !o.RestrictEdit.on || !o.RestrictShare.set || o.RestrictShare.on || o.RestrictView.set {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = capture(t, build, "et Helpdesk -au a@x -ru=b@x")
	if err != nil || !reflect.DeepEqual(o.AddUsers, []string{"a@x"}) || !reflect.DeepEqual(o.RemoveUsers, []string{"b@x"}) {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = capture(t, build, "et X --restrict-view 1")
	usageErr(t, err, `"1" is not on or off`)
}

func TestEnterpriseTeamRefusesBeforeAnyCall(t *testing.T) {
	for line, want := range map[string]string{
		"et --add --delete X":                  "--add and --delete are mutually exclusive",
		"et --add X --name Y":                  "--name renames an existing team",
		"et --add X -au a@x":                   "run them after --add",
		"et --delete X --restrict-edit on":     "--delete cannot be combined",
		"et X -au a@x --name Y":                "in separate commands",
		"et X Y --name Z":                      "--name renames one team at a time",
		"et --add " + strings.Repeat("t", 256): "is 256 characters long",
	} {
		r := newTeamRun()
		_, _, err := r.run(t, line)
		usageErr(t, err, want)
		if len(r.w.executed) != 0 {
			t.Fatalf("%s: something was sent", line)
		}
	}
}

// teamKeyOf decrypts team_add's keys and checks they agree: the team key
// under the data key and under the tree key, and the EC pair.
func teamKeyOf(t *testing.T, e *enterprise.Enterprise, add enterprise.TeamAdd) []byte {
	t.Helper()
	dec := func(s string) []byte {
		b, err := crypto.Base64URLDecode(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if uid := dec(add.TeamUID); len(uid) != 16 {
		t.Fatalf("team uid %q", add.TeamUID)
	}
	teamKey, err := crypto.DecryptAESv1(dec(add.TeamKey), testDataKey)
	if err != nil || len(teamKey) != 32 {
		t.Fatalf("team_key: %v", err)
	}
	byTree, err := crypto.DecryptAESv2(dec(add.EncryptedTeamKey), e.TreeKey)
	if err != nil || !bytes.Equal(byTree, teamKey) {
		t.Fatalf("encrypted_team_key: %v", err)
	}
	scalar, err := crypto.DecryptAESv2(dec(add.ECCPrivateKey), teamKey)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := crypto.LoadECPrivateKey(scalar)
	if err != nil || !bytes.Equal(crypto.ECPublicKeyBytes(ec.PublicKey()), dec(add.ECCPublicKey)) {
		t.Fatalf("EC pair: %v", err)
	}
	return teamKey
}

func TestEnterpriseTeamAdd(t *testing.T) {
	r := newTeamRun()
	_, stderr, err := r.run(t, "et --add Ops helpdesk 'Night Shift' ops --node Berlin --restrict-edit on --restrict-view on")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.w.executed) != 2 || len(r.w.allocs) != 0 {
		t.Fatalf("executed %v allocs %v", r.w.executed, r.w.allocs)
	}
	for i, name := range []string{"Ops", "Night Shift"} {
		add := r.w.executed[i].(enterprise.TeamAdd)
		if add.TeamName != name || add.NodeID != id(4) || !add.RestrictEdit || add.RestrictShare || !add.RestrictView || !add.ManageOnly ||
			add.PublicKey != "" || add.PrivateKey != "" {
			t.Fatalf("team_add %d: %+v", i, add)
		}
		teamKeyOf(t, r.w.e, add)
		if !strings.Contains(stderr, "'"+name+"' team is created with Team ID: "+add.TeamUID) {
			t.Fatalf("stderr:\n%s", stderr)
		}
	}
	if a, b := r.w.executed[0].(enterprise.TeamAdd), r.w.executed[1].(enterprise.TeamAdd); a.TeamUID == b.TeamUID || a.TeamKey == b.TeamKey {
		t.Fatal("every team gets its own uid and key")
	}
	if !strings.Contains(stderr, "Team 'helpdesk' already exists: Skipping") {
		t.Fatalf("stderr:\n%s", stderr)
	}
}

func TestEnterpriseTeamAddRSA(t *testing.T) {
	r := newTeamRun()
	r.account.s.Summary.ForbidRSA = false
	if _, _, err := r.run(t, "et --add Ops"); err != nil {
		t.Fatal(err)
	}
	add := r.w.executed[0].(enterprise.TeamAdd)
	if add.NodeID != id(2) {
		t.Fatalf("default node must be the root: %d", add.NodeID)
	}
	teamKey := teamKeyOf(t, r.w.e, add)
	enc, _ := crypto.Base64URLDecode(add.PrivateKey)
	der, err := crypto.DecryptAESv1(enc, teamKey)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := crypto.LoadRSAPrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := crypto.Base64URLDecode(add.PublicKey)
	if !bytes.Equal(crypto.RSAPublicKeyBytes(&priv.PublicKey), pub) {
		t.Fatal("RSA public key does not match the private key")
	}

	r = newTeamRun()
	r.account.s = nil
	if _, _, err := r.run(t, "et --add Ops"); err == nil || !strings.Contains(err.Error(), "not logged in") {
		t.Fatalf("no session: %v", err)
	}
}

func TestEnterpriseTeamDeleteAndUpdate(t *testing.T) {
	r := newTeamRun()
	queued := addQueuedTeam(r.w.e, &pb.QueuedTeam{TeamUid: []byte("queued-team-uid1"), Name: "Requested", NodeId: id(3)})
	_, _, err := r.run(t, "et --delete Helpdesk")
	usageErr(t, err, "add -f/--force")
	r.confirm = yes
	if _, _, err := r.run(t, "et --delete Helpdesk requested"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.w.executed, []rest.Command{enterprise.TeamDelete{TeamUID: "MDEyMzQ1Njc4OWFiY2RlZg"}, enterprise.TeamDelete{TeamUID: queued}}) {
		t.Fatalf("executed %v", r.w.executed)
	}

	r.w.executed = nil
	if _, _, err := r.run(t, "et Helpdesk --restrict-share on"); err != nil {
		t.Fatal(err)
	}
	want := enterprise.TeamUpdate{TeamUID: "MDEyMzQ1Njc4OWFiY2RlZg", TeamName: "Helpdesk", RestrictEdit: true, RestrictShare: true, NodeID: id(3)}
	if !reflect.DeepEqual(r.w.executed, []rest.Command{want}) {
		t.Fatalf("restrict: %+v", r.w.executed)
	}
	r.w.executed = nil
	if _, _, err := r.run(t, "et MDEyMzQ1Njc4OWFiY2RlZg --name 'Service Desk' --node Berlin --restrict-edit off"); err != nil {
		t.Fatal(err)
	}
	want = enterprise.TeamUpdate{TeamUID: "MDEyMzQ1Njc4OWFiY2RlZg", TeamName: "Service Desk", NodeID: id(4)}
	if !reflect.DeepEqual(r.w.executed, []rest.Command{want}) {
		t.Fatalf("rename and move: %+v", r.w.executed)
	}
	r.w.executed = nil
	if _, stderr, err := r.run(t, "et Helpdesk --restrict-edit on --node Europe"); err != nil || len(r.w.executed) != 0 ||
		!strings.Contains(stderr, "already has these settings") {
		t.Fatalf("no change: %v %q", err, stderr)
	}
	if _, stderr, err := r.run(t, "et Requested --restrict-edit on"); err == nil || len(r.w.executed) != 0 ||
		!strings.Contains(stderr, "Team 'Requested' is queued (not approved yet) and cannot be changed") {
		t.Fatalf("queued: %v %q", err, stderr)
	}
}

func TestEnterpriseTeamMembers(t *testing.T) {
	r := newTeamRun()
	_, stderr, err := r.run(t, "et Helpdesk -au ben@fixture.test -au ANNA@fixture.test -au admin@fixture.test -ru anna@fixture.test -ru admin@fixture.test")
	if err == nil || err.Error() != "enterprise-team: 1 of 3 changes failed" {
		t.Fatalf("err %v", err)
	}
	uid := "MDEyMzQ1Njc4OWFiY2RlZg"
	want := []rest.Command{enterprise.TeamUserRemove{TeamUID: uid, EnterpriseUserID: id(11)}, enterprise.TeamQueueUser{TeamUID: uid, EnterpriseUserID: id(12)}}
	if !reflect.DeepEqual(r.w.executed, want) {
		t.Fatalf("executed %+v", r.w.executed)
	}
	for _, s := range []string{"User admin@fixture.test is not a member of team 'Helpdesk': Skipping",
		"User anna@fixture.test is already a member of team 'Helpdesk': Skipping",
		"User admin@fixture.test not added to team 'Helpdesk'", "use enterprise-user admin@fixture.test --add-team 'Helpdesk'",
		"'Helpdesk' team: user ben@fixture.test queued"} {
		if !strings.Contains(stderr, s) {
			t.Fatalf("stderr lacks %q:\n%s", s, stderr)
		}
	}

	// A queued team queues active users too; an invited user's removal is
	// sent although queued memberships are not in the model.
	r = newTeamRun()
	queued := addQueuedTeam(r.w.e, &pb.QueuedTeam{TeamUid: []byte("queued-team-uid1"), Name: "Requested", NodeId: id(3)})
	if _, _, err := r.run(t, "et Requested -au admin@fixture.test -ru ben@fixture.test"); err != nil {
		t.Fatal(err)
	}
	want = []rest.Command{enterprise.TeamUserRemove{TeamUID: queued, EnterpriseUserID: id(12)}, enterprise.TeamQueueUser{TeamUID: queued, EnterpriseUserID: id(10)}}
	if !reflect.DeepEqual(r.w.executed, want) {
		t.Fatalf("queued team: %+v", r.w.executed)
	}
}

func TestEnterpriseTeamResolution(t *testing.T) {
	r := newTeamRun()
	other := []byte("fedcba9876543210")
	r.w.e.Teams[crypto.Base64URLEncode(other)] = &enterprise.Team{Team: &pb.Team{TeamUid: other, Name: "HELPDESK", NodeId: id(2)},
		UID: crypto.Base64URLEncode(other)}
	_, _, err := r.run(t, "et helpdesk -au ben@fixture.test")
	if err == nil || !strings.Contains(err.Error(), `more than one team named "helpdesk": HELPDESK (ZmVkY2JhOTg3NjU0MzIxMA), Helpdesk (MDEyMzQ1Njc4OWFiY2RlZg)`) {
		t.Fatalf("ambiguity: %v", err)
	}
	if _, _, err := r.run(t, "et helpdesk --node 'Fixture MSP' -au ben@fixture.test"); err != nil ||
		r.w.executed[0].(enterprise.TeamQueueUser).TeamUID != "ZmVkY2JhOTg3NjU0MzIxMA" {
		t.Fatalf("--node picks the team: %v %v", err, r.w.executed)
	}
}

func TestEnterpriseTeamView(t *testing.T) {
	r := newTeamRun()
	r.w.e.RoleTeams = []*pb.RoleTeam{{RoleId: id(21), TeamUid: helpdeskUID}}
	out, _, err := r.run(t, "et helpdesk --format json")
	if err != nil {
		t.Fatal(err)
	}
	var got []etTeamJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	want := etTeamJSON{TeamUID: "MDEyMzQ1Njc4OWFiY2RlZg", Name: "Helpdesk", NodeID: id(3), Node: "Fixture MSP\\Europe", RestrictEdit: true,
		Users: []string{"anna@fixture.test"}, Roles: []string{"Staff"}}
	if !reflect.DeepEqual(got[0], want) {
		t.Fatalf("got  %+v\nwant %+v", got[0], want)
	}
}
