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
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	authpb "github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// wire renders typed commands as "name json" lines, with the context
// (0 = MSP) they were sent in.
func wire(f *fakeEnterprise) []string {
	var out []string
	for i, c := range f.executed {
		b, _ := json.Marshal(c)
		out = append(out, strings.Join([]string{jsonInt(int64(f.where[i])), c.CommandName(), string(b)}, " "))
	}
	return out
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// --- msp-copy-role

// copyFixture: the MSP role Staff (21) with three enforcements; Alpha
// Dental (5001) has a role "staff" (id 5001<<32+20) with two, Zulu Legal
// (5002) has none.
func copyFixture() *fakeEnterprise {
	e := demoEnterprise()
	e.RoleEnforcements[id(21)] = map[string]string{"require_two_factor": "true", "master_password_minimum_length": "12",
		"restrict_record_types": `{"std":["login"]}`}
	alpha := mcEnterprise(5001, "Alpha Dental")
	staff := int64(5001)<<32 + 20
	alpha.Roles[staff] = &enterprise.Role{Role: &pb.Role{RoleId: staff, NodeId: int64(5001)<<32 + 2}, Name: "staff"}
	alpha.RoleEnforcements[staff] = map[string]string{"master_password_minimum_length": "8", "restrict_export": "true",
		"restrict_record_types": `{"std":["login"]}`}
	return &fakeEnterprise{e: e, mcs: map[int32]*enterprise.Enterprise{5001: alpha, 5002: mcEnterprise(5002, "Zulu Legal")}}
}

func copyCmd(f *fakeEnterprise, status *statusLog) *command.Command {
	return newMSPCopyRoleCmd(&Factory{}, func(ctx context.Context, o *mspCopyRoleOptions) error {
		o.Op, o.Status = f, status.add
		return mspCopyRoleRun(ctx, o)
	})
}

func TestMSPCopyRoleFlags(t *testing.T) {
	build := func(runF func(context.Context, *mspCopyRoleOptions) error) *command.Command {
		return newMSPCopyRoleCmd(noFactory, runF)
	}
	o, err := capture(t, build, `msp-copy-role SmithCoMC --role="Desktop Users" -r 12345 Other`)
	if err != nil || !reflect.DeepEqual(o.Args, []string{"SmithCoMC", "Other"}) || !reflect.DeepEqual(o.Roles, []string{"Desktop Users", "12345"}) {
		t.Fatalf("%+v %v", o, err)
	}
	for line, want := range map[string]string{
		"msp-copy-role X":                   "--role is required",
		"msp-copy-role -r Staff":            "expected MC...",
		"msp-copy-role -r '' X":             "--role needs a non-empty value",
		"msp-copy-role -r a --format xml X": `unknown output format "xml"`,
	} {
		_, err := capture(t, build, line)
		usageErr(t, err, want)
	}
}

func TestMSPCopyRoleRun(t *testing.T) {
	f := copyFixture()
	var status statusLog
	out, _, err := runLine(t, copyCmd(f, &status), `msp-copy-role "alpha dental" 5002 5001 -r Staff -r staff --format json`)
	if err != nil {
		t.Fatal(err)
	}
	newRole, staff := jsonInt(id(1000)), jsonInt(int64(5001)<<32+20)
	want := []string{
		`5001 role_enforcement_update {"role_id":` + staff + `,"enforcement":"master_password_minimum_length","value":12}`,
		`5001 role_enforcement_add {"role_id":` + staff + `,"enforcement":"require_two_factor"}`,
		`5001 role_enforcement_remove {"role_id":` + staff + `,"enforcement":"restrict_export"}`,
		`5002 role_add {"role_id":` + newRole + `,"node_id":` + jsonInt(int64(5002)<<32+2) + `,"encrypted_data":"X","visible_below":false,"new_user_inherit":true}`,
		`5002 role_enforcement_add {"role_id":` + newRole + `,"enforcement":"master_password_minimum_length","value":12}`,
		`5002 role_enforcement_add {"role_id":` + newRole + `,"enforcement":"require_two_factor"}`,
		`5002 role_enforcement_add {"role_id":` + newRole + `,"enforcement":"restrict_record_types","value":{"std":["login"]}}`,
	}
	got := wire(f)
	if len(got) == len(want) {
		ra := f.executed[3].(enterprise.RoleAdd)
		enc, _ := crypto.Base64URLDecode(ra.EncryptedData)
		plain, err := crypto.DecryptAESv1(enc, f.mcs[5002].TreeKey)
		if err != nil || string(plain) != `{"displayname":"Staff"}` {
			t.Fatalf("the role name must be encrypted under the company's tree key: %q %v", plain, err)
		}
		got[3] = strings.Replace(got[3], `"encrypted_data":"`+ra.EncryptedData+`"`, `"encrypted_data":"X"`, 1)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sent\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !reflect.DeepEqual(f.entered, []int32{5001, 5002}) || !reflect.DeepEqual(f.allocs, []int32{5002}) || f.in != 0 {
		t.Fatalf("contexts: entered %v, ids allocated in %v, left in %d", f.entered, f.allocs, f.in)
	}
	var rows []copyRoleJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantRows := []copyRoleJSON{
		{CompanyID: 5001, CompanyName: "Alpha Dental", Role: "Staff", RoleID: int64(5001)<<32 + 20, Status: "updated", Added: 1, Changed: 1, Removed: 1},
		{CompanyID: 5002, CompanyName: "Zulu Legal", Role: "Staff", RoleID: id(1000), Status: "created", Added: 3},
	}
	if !reflect.DeepEqual(rows, wantRows) || status.String() != "MC 5001: Roles are in sync\nMC 5002: Roles are in sync" {
		t.Fatalf("rows %+v\nstatus %v", rows, status)
	}

	// Again, with the company already equal: nothing to send.
	f = copyFixture()
	f.mcs[5001].RoleEnforcements[int64(5001)<<32+20] = f.e.RoleEnforcements[id(21)]
	out, _, err = runLine(t, copyCmd(f, &status), "msp-copy-role 5001 -r Staff")
	if err != nil || len(f.executed) != 0 || !strings.Contains(out, "in sync") {
		t.Fatalf("%v %v\n%s", err, f.executed, out)
	}
}

func TestMSPCopyRoleFailures(t *testing.T) {
	f := copyFixture()
	var status statusLog
	_, _, err := runLine(t, copyCmd(f, &status), "msp-copy-role Nope -r Staff")
	plainErr(t, err, `msp-copy-role: Managed Company "Nope" not found`)
	_, _, err = runLine(t, copyCmd(f, &status), "msp-copy-role 5001 -r Nobody")
	plainErr(t, err, `msp-copy-role: role "Nobody" not found`)
	if len(f.entered) != 0 {
		t.Fatal("names are resolved before any company is entered")
	}

	// Alpha cannot be logged in to, Zulu's role_add is refused, a third
	// company has two roles named Staff: every company is tried, the
	// report says what happened to each, and the command fails.
	f = copyFixture()
	f.e.ManagedCompanies[5003] = &pb.ManagedCompany{McEnterpriseId: 5003, McEnterpriseName: "Twins"}
	twins := mcEnterprise(5003, "Twins")
	for _, n := range []int64{1, 2} {
		rid := int64(5003)<<32 + 20 + n
		twins.Roles[rid] = &enterprise.Role{Role: &pb.Role{RoleId: rid}, Name: "Staff"}
	}
	f.mcs[5003] = twins
	f.mcErr = map[int32]error{5001: errors.New("login to managed company 5001: refused")}
	f.results = func(c rest.Command) rest.BatchResult {
		if c.CommandName() == "role_add" {
			return rest.BatchResult{Result: "fail", ResultCode: "bad_request", Message: "no"}
		}
		return rest.BatchResult{Result: "success"}
	}
	status = nil
	out, _, err := runLine(t, copyCmd(f, &status), "msp-copy-role 5001 5002 Twins -r Staff --format json")
	plainErr(t, err, "msp-copy-role: 2 of 3 role copies failed")
	var rows []copyRoleJSON
	if jerr := json.Unmarshal([]byte(out), &rows); jerr != nil || len(rows) != 3 {
		t.Fatalf("%v\n%s", jerr, out)
	}
	if rows[0].Status != "failed" || rows[0].Message != "login to managed company 5001: refused" ||
		rows[1].Status != "failed" || !strings.Contains(rows[1].Message, "bad_request") ||
		rows[2].Status != "skipped" || rows[2].Message != `there are 2 roles named "Staff" in the company` {
		t.Fatalf("%+v", rows)
	}
	if status.String() != "MC 5001: 1 of 1 role(s) failed\nMC 5002: 1 of 1 role(s) failed\nMC 5003: 1 of 1 role(s) skipped" {
		t.Fatalf("status %v", status)
	}
}

// --- msp-convert-node

// convertFixture makes Europe (with Berlin below) convertible: Zulu Legal
// moves to the root, the invited user goes, Staff (on Europe) manages
// Berlin, anna has an EC-encrypted data key; the MSP has an EC key.
// convertible is the demo tenant without what only the enterprise-info
// tests need (provisioning, queued teams, extra memberships), which would
// each stop a conversion of Europe.
func convertible() *enterprise.Enterprise {
	e := permissive(demoEnterprise())
	e.EmailProvisions, e.SsoServices, e.Bridges, e.Scims = nil, nil, nil, nil
	e.QueuedTeams, e.QueuedTeamUsers = map[string]*enterprise.QueuedTeam{}, nil
	e.RoleUsers = []*pb.RoleUser{{RoleId: id(20), EnterpriseUserId: id(10)}, {RoleId: id(21), EnterpriseUserId: id(11)}}
	var keep []*pb.TeamUser
	for _, tu := range e.TeamUsers {
		if tu.EnterpriseUserId == id(11) && string(tu.TeamUid) == "0123456789abcdef" {
			keep = append(keep, tu)
		}
	}
	e.TeamUsers = keep
	delete(e.Users, id(13))
	return e
}

func convertFixture(t *testing.T) (*fakeEnterprise, *ecKeys) {
	t.Helper()
	e := convertible()
	e.ManagedCompanies[5002].MspNodeId = id(2)
	delete(e.Users, id(12))
	e.ManagedNodes = append(e.ManagedNodes, &pb.ManagedNode{RoleId: id(21), ManagedNodeId: id(4)})
	mspEC, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	e.ECKey = mspEC
	k := &ecKeys{roleKey: crypto.GenerateAESKey(), dataKey: crypto.GenerateAESKey()}
	encRole, _ := crypto.EncryptAESv2(k.roleKey, e.TreeKey)
	encData, _ := crypto.EncryptEC(k.dataKey, mspEC.PublicKey())
	f := &fakeEnterprise{e: e, mcs: map[int32]*enterprise.Enterprise{5003: mcEnterprise(5003, "Europe")}}
	f.replies = registered(f, 5003)
	f.rest = func(in int32, endpoint string, rq proto.Message) (proto.Message, error) {
		switch {
		case endpoint == "enterprise/get_enterprise_data_keys" && in == 0:
			return &pb.GetEnterpriseDataKeysResponse{ReEncryptedRoleKey: []*pb.ReEncryptedRoleKey{{RoleId: id(21), EncryptedRoleKey: encRole}}}, nil
		case endpoint == "enterprise/get_enterprise_user_data_key_by_node":
			return &pb.EnterpriseUserDataKeysByNodeResponse{Keys: []*pb.EnterpriseUserDataKeysByNode{
				{NodeId: id(4), Keys: []*pb.EnterpriseUserDataKeyLight{{EnterpriseUserId: id(11), UserEncryptedDataKey: encData, KeyTypeId: 4}}}}}, nil
		case endpoint == "enterprise/get_enterprise_data_keys":
			return &pb.GetEnterpriseDataKeysResponse{}, nil // the new company has no key pair yet
		}
		return nil, nil
	}
	return f, k
}

type ecKeys struct{ roleKey, dataKey []byte }

func convertCmd(f *fakeEnterprise, status *statusLog) *command.Command {
	return newMSPConvertNodeCmd(&Factory{}, func(ctx context.Context, o *mspConvertOptions) error {
		o.Op, o.Status = f, status.add
		return mspConvertRun(ctx, o)
	})
}

func TestMSPConvertNodeFlags(t *testing.T) {
	build := func(runF func(context.Context, *mspConvertOptions) error) *command.Command {
		return newMSPConvertNodeCmd(noFactory, runF)
	}
	o, err := capture(t, build, "msp-convert-node 23613730193410 --seats 25 --plan enterprise")
	if err != nil || o.Seats != "25" || o.Plan != "enterprise" || o.Args[0] != "23613730193410" {
		t.Fatalf("%+v %v", o, err)
	}
	if o, _ := capture(t, build, "msp-convert-node Sales"); o.Plan != "business" || o.Seats != "" {
		t.Fatalf("defaults: %+v", o)
	}
	_, err = capture(t, build, "msp-convert-node")
	usageErr(t, err, "expected NODE")
}

func TestMSPConvertNodePreChecks(t *testing.T) {
	// The demo tenant as it is: Zulu Legal hangs under Europe (the check
	// Commander never fires) and ben is still invited there.
	f := &fakeEnterprise{e: convertible()}
	var status statusLog
	_, stderr, err := runLine(t, convertCmd(f, &status), "msp-convert-node Europe")
	plainErr(t, err, `msp-convert-node: node "Fixture MSP\Europe" cannot be converted yet: 2 problem(s) listed above`)
	if stderr != "Remove managed company Zulu Legal before conversion from node Fixture MSP\\Europe\nPending user ben@fixture.test must be removed\n" {
		t.Fatalf("stderr %q", stderr)
	}
	// Berlin alone: anna's role and team stay on Europe.
	_, stderr, err = runLine(t, convertCmd(f, &status), "msp-convert-node Berlin")
	plainErr(t, err, "2 problem(s)")
	if !strings.Contains(stderr, "Conflicting role membership: User: anna@fixture.test, Role: Staff") ||
		!strings.Contains(stderr, "Conflicting team membership: User: anna@fixture.test, Team: Helpdesk") {
		t.Fatalf("stderr %q", stderr)
	}
	for line, want := range map[string]string{
		"msp-convert-node 'Fixture MSP'": "msp-convert-node: root node cannot be converted",
		"msp-convert-node Nowhere":       `msp-convert-node: node "Nowhere" not found`,
	} {
		_, _, err := runLine(t, convertCmd(f, &status), line)
		plainErr(t, err, want)
	}
	for line, want := range map[string]string{
		"msp-convert-node Europe -p gold": `--plan: Managed Company plan "gold" is not found`,
		"msp-convert-node Europe -s many": "--seats: number of seats",
		"msp-convert-node Europe -s -1":   "unlimited seats are not supported here",
	} {
		_, _, err := runLine(t, convertCmd(f, &status), line)
		usageErr(t, err, want)
	}
	if len(f.executed) != 0 || len(f.calls) != 0 {
		t.Fatalf("sent %v %v", f.executed, f.calls)
	}
	// The licence's permits apply to a company to be created.
	f, _ = convertFixture(t)
	withPermits(f.e, &pb.MSPPermits{AllowedMcProducts: []string{"business"}})
	_, _, err = runLine(t, convertCmd(f, &status), "msp-convert-node Europe -p enterprise")
	plainErr(t, err, `Managed Company plan "enterprise" is not allowed (allowed: business)`)
	if len(f.executed) != 0 || len(f.calls) != 0 {
		t.Fatalf("sent %v %v", f.executed, f.calls)
	}
}

func TestMSPConvertNodeRun(t *testing.T) {
	f, keys := convertFixture(t)
	var status statusLog
	vars := map[string]string{}
	if _, _, err := runLineVars(t, convertCmd(f, &status), "msp-convert-node europe", vars); err != nil {
		t.Fatal(err)
	}
	if len(f.executed) != 1 {
		t.Fatalf("sent %v", f.executed)
	}
	reg := f.executed[0].(msp.Registration)
	if reg.EnterpriseName != "Europe" || reg.NodeID != id(2) || reg.Seats != 1 || reg.ProductID != "business" ||
		reg.FilePlanType != "" || reg.AddOns != nil || f.where[0] != 0 {
		t.Fatalf("registration %+v", reg)
	}
	var calls []string
	for _, c := range f.calls {
		calls = append(calls, jsonInt(int64(c.In))+" "+c.Endpoint)
	}
	wantCalls := []string{"0 enterprise/get_enterprise_data_keys", "0 enterprise/get_enterprise_user_data_key_by_node",
		"5003 enterprise/get_enterprise_data_keys", "5003 enterprise/set_enterprise_key_pair", "0 enterprise/node_to_managed_company"}
	if !reflect.DeepEqual(calls, wantCalls) {
		t.Fatalf("calls\n%s", strings.Join(calls, "\n"))
	}
	if rq := f.calls[0].Rq.(*pb.GetEnterpriseDataKeysRequest); !reflect.DeepEqual(rq.RoleId, []int64{id(21)}) {
		t.Fatalf("role keys asked for %v", rq.RoleId)
	}
	if rq := f.calls[1].Rq.(*authpb.UserDataKeyByNodeRequest); !reflect.DeepEqual(rq.NodeIds, []int64{id(3), id(4)}) {
		t.Fatalf("data keys asked for %v", rq.NodeIds)
	}
	mcKey := f.mcs[5003].TreeKey
	kp := f.calls[3].Rq.(*pb.EnterpriseKeyPairRequest)
	raw, err := crypto.DecryptAESv2(kp.EncryptedEnterprisePrivateKey, mcKey)
	if err != nil {
		t.Fatal(err)
	}
	mcEC, err := crypto.LoadECPrivateKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	rq := f.calls[4].Rq.(*pb.NodeToManagedCompanyRequest)
	name := func(d string) string {
		b, _ := crypto.Base64URLDecode(d)
		p, err := crypto.DecryptAESv1(b, mcKey)
		if err != nil {
			t.Fatalf("not under the company's tree key: %v", err)
		}
		return string(p)
	}
	if rq.CompanyId != 5003 || len(rq.Nodes) != 2 || rq.Nodes[0].Id != id(3) || name(rq.Nodes[0].Data) != `{"displayname":"Europe"}` ||
		rq.Nodes[1].Id != id(4) || len(rq.Roles) != 1 || name(rq.Roles[0].Data) != `{"displayname":"Staff"}` ||
		len(rq.Users) != 1 || rq.Users[0].Id != id(11) || name(rq.Users[0].Data) != `{"displayname":"Anna"}` {
		t.Fatalf("request %v", rq)
	}
	if len(rq.RoleKeys) != 1 || rq.RoleKeys[0].RoleId != id(21) {
		t.Fatalf("role keys %v", rq.RoleKeys)
	}
	if k, err := crypto.DecryptAESv2(rq.RoleKeys[0].EncryptedRoleKey, mcKey); err != nil || string(k) != string(keys.roleKey) {
		t.Fatal("the role key is not Staff's own under the company's tree key")
	}
	if len(rq.TeamKeys) != 1 || string(rq.TeamKeys[0].TeamUid) != "0123456789abcdef" || !rq.TeamKeys[0].Force {
		t.Fatalf("team keys %v", rq.TeamKeys)
	}
	if len(rq.UsersDataKeys) != 1 || rq.UsersDataKeys[0].EnterpriseUserId != id(11) {
		t.Fatalf("data keys %v", rq.UsersDataKeys)
	}
	if k, err := crypto.DecryptEC(rq.UsersDataKeys[0].UserEncryptedDataKey, mcEC); err != nil || string(k) != string(keys.dataKey) {
		t.Fatal("anna's data key is not re-encrypted to the company's EC key")
	}
	if !reflect.DeepEqual(f.entered, []int32{5003, 5003}) {
		t.Fatalf("the company is entered for its keys, then to reload its data after the move: %v", f.entered)
	}
	if vars["last_mc_id"] != "5003" || f.refresh != 2 || f.in != 0 ||
		status.String() != "Managed company \"Europe\" added. ID=5003\nNode \"Europe\" was converted to Managed Company. ID=5003" {
		t.Fatalf("vars %v refresh %d in %d status:\n%s", vars, f.refresh, f.in, status)
	}

	// A company named after the node is reused; seats are not sent then.
	f, _ = convertFixture(t)
	f.e.ManagedCompanies[5003] = &pb.ManagedCompany{McEnterpriseId: 5003, McEnterpriseName: "EUROPE", MspNodeId: id(2)}
	if _, _, err := runLine(t, convertCmd(f, &status), "msp-convert-node Europe --seats 40"); err != nil {
		t.Fatal(err)
	}
	if len(f.executed) != 0 || f.calls[len(f.calls)-1].Endpoint != "enterprise/node_to_managed_company" {
		t.Fatalf("sent %v", wire(f))
	}

	// The conversion refused by the server: the error is the server's.
	f, _ = convertFixture(t)
	rest0 := f.rest
	f.rest = func(in int32, endpoint string, rq proto.Message) (proto.Message, error) {
		if endpoint == "enterprise/node_to_managed_company" {
			return nil, &rest.APIError{Endpoint: endpoint, Code: "access_denied"}
		}
		return rest0(in, endpoint, rq)
	}
	_, _, err = runLine(t, convertCmd(f, &status), "msp-convert-node Europe -s 9")
	var api *rest.APIError
	if !errors.As(err, &api) || api.Code != "access_denied" || f.executed[0].(msp.Registration).Seats != 9 {
		t.Fatalf("%v", err)
	}
}
