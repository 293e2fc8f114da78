package msp

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	authpb "github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

func inputErr(t *testing.T, err error, want string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an input error containing %q", err, want)
	}
}

func permitErr(t *testing.T, err error, want string) {
	t.Helper()
	var pe *PermitError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want a permit error containing %q", err, want)
	}
}

func TestParsePlanAndFilePlan(t *testing.T) {
	if p, err := ParsePlan("BUSINESSplus"); err != nil || p.Code != "businessPlus" {
		t.Fatalf("%+v %v", p, err)
	}
	_, err := ParsePlan("gold")
	inputErr(t, err, `plan "gold" is not found (valid: business, businessPlus, businessStarter, enterprise, enterprisePlus)`)
	for _, s := range []string{"1tb", "storage_1TB", "1TB"} {
		if f, err := ParseFilePlan(s); err != nil || f.Code != "STORAGE_1TB" {
			t.Fatalf("%s: %+v %v", s, f, err)
		}
	}
	_, err = ParseFilePlan("5tb")
	inputErr(t, err, `File plan "5tb" is not found (valid: 100GB, 1TB, 10TB)`)
}

func TestParseSeats(t *testing.T) {
	for in, want := range map[string]int32{"0": 0, "10": 10, "-1": Unlimited, "2147483647": Unlimited, " 5 ": 5} {
		if got, err := ParseSeats(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	_, err := ParseSeats("ten")
	inputErr(t, err, `number of seats "ten" is not a number`)
	_, err = ParseSeats("-5")
	inputErr(t, err, "out of range")
	_, err = ParseSeats("2147483648")
	inputErr(t, err, "out of range")
}

func TestParseAddOn(t *testing.T) {
	ok := map[string]AddOnRequest{
		"chat":                                   {AddOn: "chat"},
		"Connection_Manager:5":                   {AddOn: "connection_manager", Seats: 5},
		"connection_manager:0":                   {AddOn: "connection_manager"},
		"keeper_endpoint_privilege_manager:-1":   {AddOn: AddOnKEPM, Seats: Unlimited},
		"keeper_endpoint_privilege_manager:25":   {AddOn: AddOnKEPM, Seats: 25},
		"keeper_endpoint_privilege_manager":      {AddOn: AddOnKEPM},
		"privileged_access_manager: 3":           {AddOn: "privileged_access_manager", Seats: 3},
		"remote_browser_isolation":               {AddOn: AddOnRBI},
		"enterprise_breach_watch":                {AddOn: "enterprise_breach_watch"},
		"professional_services_silver_add_on":    {AddOn: "professional_services_silver_add_on"},
		"platinum_professional_services_add_on":  {AddOn: "platinum_professional_services_add_on"},
		"keeper_endpoint_privilege_manager:1000": {AddOn: AddOnKEPM, Seats: 1000},
	}
	for in, want := range ok {
		if got, err := ParseAddOn(in); err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"teleport":                             `Addon "teleport" is not found (valid: chat,`,
		"chat:5":                               `Addon "chat" has no seats`,
		"connection_manager:many":              `Addon "connection_manager". Number of seats "many" is not integer`,
		"connection_manager:-2":                `must be 0 or more`,
		"keeper_endpoint_privilege_manager:30": `Invalid seat value "30". Valid values are: 1, 25, 50, 100, 500, 1000, 5000, 10000, -1 (for unlimited)`,
	} {
		_, err := ParseAddOn(in)
		inputErr(t, err, want)
	}
}

func TestCheckAddOnSet(t *testing.T) {
	if err := CheckAddOnSet([]AddOnRequest{{AddOn: AddOnRBI}, {AddOn: AddOnKCM, Seats: 2}}); err != nil {
		t.Fatal(err)
	}
	inputErr(t, CheckAddOnSet([]AddOnRequest{{AddOn: AddOnRBI}}), `requires "connection_manager" to be selected`)
	inputErr(t, CheckAddOnSet([]AddOnRequest{{AddOn: AddOnKCM}, {AddOn: AddOnRBI}}), "to have seats specified (e.g., connection_manager:N)")
}

func TestPermits(t *testing.T) {
	none := Permits{}
	biz, _ := PlanByCode("business")
	ent, _ := PlanByCode("enterprisePlus")
	tb10, _ := FilePlanByName("10TB")
	tb1, _ := FilePlanByName("1TB")
	if none.Plan(ent) != nil || none.Seats(Unlimited) != nil || none.FilePlan(tb10) != nil || none.AddOn("chat") != nil {
		t.Fatal("no permits restrict nothing")
	}
	p := Permits{&pb.MSPPermits{Restricted: true, AllowedMcProducts: []string{"Business"}, MaxFilePlanType: "STORAGE_1TB",
		AllowedAddOns: []string{"chat"}}}
	if p.Plan(biz) != nil || p.FilePlan(tb1) != nil || p.AddOn("CHAT") != nil || p.Seats(10) != nil {
		t.Fatal("allowed values refused")
	}
	permitErr(t, p.Plan(ent), `Managed Company plan "enterprisePlus" is not allowed (allowed: Business)`)
	permitErr(t, p.Seats(Unlimited), "unlimited licences are not allowed")
	permitErr(t, p.FilePlan(tb10), `file storage "10TB" is not allowed (maximum: 1TB)`)
	permitErr(t, p.AddOn("secrets_manager"), `add-on "secrets_manager" is not allowed (allowed: chat)`)
	p.P.AllowedAddOns = nil
	permitErr(t, p.AddOn("chat"), "(allowed: none)")
}

func TestNewRegistration(t *testing.T) {
	mspKey := crypto.GenerateAESKey()
	biz, _ := PlanByCode("business")
	gb100, _ := FilePlanByName("100GB")
	tb1, _ := FilePlanByName("1TB")
	r, err := NewRegistration(mspKey, NewCompany{Name: "Acme", NodeID: 42, Plan: biz, Seats: 5, FilePlan: &gb100})
	if err != nil || r.FilePlanType != "" || r.AddOns != nil || r.NodeID != 42 || r.ProductID != "business" || r.Seats != 5 {
		t.Fatalf("100GB is included in business and must not be sent: %+v %v", r, err)
	}
	r, err = NewRegistration(mspKey, NewCompany{Name: "Acme", Plan: biz, FilePlan: &tb1, AddOns: []AddOnRequest{{AddOn: "chat"}}})
	if err != nil || r.FilePlanType != "STORAGE_1TB" || len(r.AddOns) != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m["seats"] != 0.0 || m["add_ons"] == nil {
		t.Fatalf("seats 0 must be sent, add_ons present with -a: %s", b)
	}
	enc, _ := crypto.Base64URLDecode(r.EncryptedTreeKey)
	treeKey, err := crypto.DecryptAESv2(enc, mspKey)
	if err != nil || len(treeKey) != 32 {
		t.Fatalf("tree key does not decrypt with the MSP tree key: %v", err)
	}
	for field, want := range map[string]string{r.RoleData: "Keeper Administrator", r.RootNode: "root"} {
		enc, _ := crypto.Base64URLDecode(field)
		plain, err := crypto.DecryptAESv1(enc, treeKey)
		if err != nil || string(plain) != `{"displayname":"`+want+`"}` {
			t.Fatalf("%q %v", plain, err)
		}
	}
}

func mcFixture() *pb.ManagedCompany {
	return &pb.ManagedCompany{McEnterpriseId: 7, McEnterpriseName: "Acme", ProductId: "business", NumberOfSeats: 10,
		FilePlanType: "STORAGE_1TB", AddOns: []*pb.LicenseAddOn{
			{Name: "connection_manager", Enabled: true, Seats: 3},
			{Name: "chat", Enabled: true},
			{Name: "secrets_manager", Enabled: false},
			{Name: "enterprise_breach_watch", Enabled: true, IncludedInProduct: true},
		}}
}

func TestNewUpdateIsAFullReplacement(t *testing.T) {
	u, err := NewUpdate(mcFixture(), Change{})
	want := Update{EnterpriseID: 7, EnterpriseName: "Acme", ProductID: "business", Seats: 10, FilePlanType: "STORAGE_1TB",
		AddOns: []AddOnRequest{{AddOn: "connection_manager", Seats: 3}, {AddOn: "chat"}}}
	if err != nil || !reflect.DeepEqual(u, want) {
		t.Fatalf("nothing changed:\n got %+v\nwant %+v", u, want)
	}
	seats := int32(Unlimited)
	plus, _ := PlanByCode("businessPlus")
	u, err = NewUpdate(mcFixture(), Change{Name: "Acme Ltd", NodeID: 99, Plan: &plus, Seats: &seats,
		AddAddOns:    []AddOnRequest{{AddOn: "connection_manager", Seats: 8}, {AddOn: "secrets_manager"}},
		RemoveAddOns: []string{"CHAT", "password_rotation"}})
	want = Update{EnterpriseID: 7, EnterpriseName: "Acme Ltd", ProductID: "businessPlus", Seats: Unlimited, NodeID: 99,
		AddOns: []AddOnRequest{{AddOn: "connection_manager", Seats: 8}, {AddOn: "secrets_manager"}}}
	if err != nil || !reflect.DeepEqual(u, want) {
		t.Fatalf("1TB is businessPlus's own storage, so it is not re-sent:\n got %+v\nwant %+v", u, want)
	}
	b, _ := json.Marshal(u)
	if !strings.Contains(string(b), `{"add_on":"connection_manager","seats":8}`) {
		t.Fatalf("add-on seats must be numbers: %s", b)
	}
	tb10, _ := FilePlanByName("10tb")
	gb100, _ := FilePlanByName("100gb")
	if u, _ := NewUpdate(mcFixture(), Change{FilePlan: &tb10}); u.FilePlanType != "STORAGE_10TB" {
		t.Fatalf("%+v", u)
	}
	if u, _ := NewUpdate(mcFixture(), Change{FilePlan: &gb100}); u.FilePlanType != "" {
		t.Fatalf("the included storage is not sent: %+v", u)
	}
	_, err = NewUpdate(mcFixture(), Change{AddAddOns: []AddOnRequest{{AddOn: AddOnRBI}}, RemoveAddOns: []string{AddOnKCM}})
	inputErr(t, err, `requires "connection_manager" to be selected`)
	mc := mcFixture()
	mc.AddOns = nil
	if u, _ := NewUpdate(mc, Change{}); u.AddOns == nil {
		t.Fatal("add_ons is always sent, empty when none")
	}
}

// convertFixture: root 2 > Sales 3 > EMEA 4, and Ops 5 under the root.
func convertFixture(t *testing.T) *enterprise.Enterprise {
	t.Helper()
	ec, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	e := &enterprise.Enterprise{ID: 1, Name: "MSP", TreeKey: crypto.GenerateAESKey(), ECKey: ec,
		Nodes: map[int64]*enterprise.Node{}, Users: map[int64]*enterprise.User{}, Roles: map[int64]*enterprise.Role{},
		Teams: map[string]*enterprise.Team{}, QueuedTeams: map[string]*enterprise.QueuedTeam{}, ManagedCompanies: map[int32]*pb.ManagedCompany{}}
	for _, n := range []struct {
		id, parent int64
		name       string
	}{{2, 0, "MSP"}, {3, 2, "Sales"}, {4, 3, "EMEA"}, {5, 2, "Ops"}} {
		e.Nodes[n.id] = &enterprise.Node{Node: &pb.Node{NodeId: n.id, ParentId: n.parent}, Name: n.name}
	}
	e.Users[10] = &enterprise.User{User: &pb.User{EnterpriseUserId: 10, NodeId: 4, Username: "anna@x", Status: "active", KeyType: "encrypted_by_data_key"}, Name: "Anna"}
	e.Users[11] = &enterprise.User{User: &pb.User{EnterpriseUserId: 11, NodeId: 3, Username: "bob@x", Status: "active", KeyType: "no_key"}, Name: "Bob"}
	e.Users[12] = &enterprise.User{User: &pb.User{EnterpriseUserId: 12, NodeId: 5, Username: "ops@x", Status: "active"}, Name: "Ops"}
	e.Roles[20] = &enterprise.Role{Role: &pb.Role{RoleId: 20, NodeId: 3}, Name: "Sales Admin"}
	e.Roles[21] = &enterprise.Role{Role: &pb.Role{RoleId: 21, NodeId: 4}, Name: "EMEA Admin"}
	e.ManagedNodes = []*pb.ManagedNode{{RoleId: 20, ManagedNodeId: 3}, {RoleId: 20, ManagedNodeId: 4}, {RoleId: 21, ManagedNodeId: 4}}
	e.RoleUsers = []*pb.RoleUser{{RoleId: 20, EnterpriseUserId: 10}}
	teamKey := crypto.GenerateAESKey()
	enc, _ := crypto.EncryptAESv2(teamKey, e.TreeKey)
	e.Teams["dGVhbTE"] = &enterprise.Team{Team: &pb.Team{TeamUid: []byte("team1"), Name: "Deals", NodeId: 4, EncryptedTeamKey: crypto.Base64URLEncode(enc)}, UID: "dGVhbTE"}
	e.Teams["dGVhbTI"] = &enterprise.Team{Team: &pb.Team{TeamUid: []byte("team2"), Name: "Leads", NodeId: 3}, UID: "dGVhbTI"}
	e.TeamUsers = []*pb.TeamUser{{TeamUid: []byte("team1"), EnterpriseUserId: 10}}
	return e
}

func TestPlanConversion(t *testing.T) {
	e := convertFixture(t)
	cv := PlanConversion(e, e.Nodes[3])
	if !reflect.DeepEqual(cv.Nodes, []int64{3, 4}) || !reflect.DeepEqual(cv.Roles, []int64{20, 21}) ||
		!reflect.DeepEqual(cv.Users, []int64{10, 11}) || !reflect.DeepEqual(cv.Teams, []string{"dGVhbTE", "dGVhbTI"}) ||
		!reflect.DeepEqual(cv.AdminRoles, []int64{20, 21}) || len(cv.Problems) != 0 {
		t.Fatalf("%+v", cv)
	}
	e.ManagedCompanies[50] = &pb.ManagedCompany{McEnterpriseId: 50, McEnterpriseName: "Acme", MspNodeId: 4}
	e.Bridges = []*pb.Bridge{{BridgeId: 1, NodeId: 4}}
	e.Scims = []*pb.Scim{{ScimId: 1, NodeId: 5}}
	e.SsoServices = []*pb.SsoService{{SsoServiceProviderId: 1, NodeId: 3}}
	e.EmailProvisions = []*pb.EmailProvision{{Id: 1, NodeId: 3}}
	e.QueuedTeams["q"] = &enterprise.QueuedTeam{QueuedTeam: &pb.QueuedTeam{TeamUid: []byte("q"), Name: "Later", NodeId: 4}, UID: "q"}
	e.Users[13] = &enterprise.User{User: &pb.User{EnterpriseUserId: 13, NodeId: 4, Username: "new@x", Status: "invited"}}
	e.RoleUsers = append(e.RoleUsers, &pb.RoleUser{RoleId: 20, EnterpriseUserId: 12})
	e.RoleTeams = []*pb.RoleTeam{{RoleId: 99, TeamUid: []byte("team2")}}
	e.TeamUsers = append(e.TeamUsers, &pb.TeamUser{TeamUid: []byte("team1"), EnterpriseUserId: 12})
	e.ManagedNodes = append(e.ManagedNodes, &pb.ManagedNode{RoleId: 20, ManagedNodeId: 5})
	cv = PlanConversion(e, e.Nodes[3])
	want := []string{
		`Remove bridge provisioning before conversion from node MSP\Sales\EMEA`,
		`Remove SSO provisioning before conversion from node MSP\Sales`,
		`Remove email provisioning before conversion from node MSP\Sales`,
		`Remove managed company Acme before conversion from node MSP\Sales\EMEA`,
		`Remove queued team Later before conversion from node MSP\Sales\EMEA`,
		"Pending user new@x must be removed",
		"Conflicting role membership: User: ops@x, Role: Sales Admin",
		"Conflicting role membership: Team: Leads, Role: 99",
		"Conflicting team membership: User: ops@x, Team: Deals",
		`Conflicting admin role management: Node: MSP\Ops, Role: Sales Admin`,
	}
	if !reflect.DeepEqual(cv.Problems, want) {
		t.Fatalf("problems:\n%s", strings.Join(cv.Problems, "\n"))
	}
}

func TestConversionRequest(t *testing.T) {
	e := convertFixture(t)
	cv := PlanConversion(e, e.Nodes[3])
	mcKey := crypto.GenerateAESKey()
	mcEC, _ := crypto.GenerateECKey()
	roleKey20 := crypto.GenerateAESKey()
	dataKey := crypto.GenerateAESKey()
	encDK, _ := crypto.EncryptEC(dataKey, e.ECKey.PublicKey())
	rq, err := cv.Request(e, Target{CompanyID: 77, TreeKey: mcKey, ECPublicKey: mcEC.PublicKey()}, map[int64][]byte{20: roleKey20},
		[]*pb.EnterpriseUserDataKeyLight{{EnterpriseUserId: 10, UserEncryptedDataKey: encDK, KeyTypeId: 4},
			{EnterpriseUserId: 11, UserEncryptedDataKey: []byte("rsa"), KeyTypeId: 2}})
	if err != nil {
		t.Fatal(err)
	}
	name := func(data string) string {
		b, _ := crypto.Base64URLDecode(data)
		plain, err := crypto.DecryptAESv1(b, mcKey)
		if err != nil {
			t.Fatalf("not encrypted under the MC tree key: %v", err)
		}
		return string(plain)
	}
	if rq.CompanyId != 77 || len(rq.Nodes) != 2 || rq.Nodes[0].Id != 3 || name(rq.Nodes[0].Data) != `{"displayname":"Sales"}` ||
		name(rq.Nodes[1].Data) != `{"displayname":"EMEA"}` {
		t.Fatalf("nodes %v", rq.Nodes)
	}
	if len(rq.Roles) != 2 || name(rq.Roles[1].Data) != `{"displayname":"EMEA Admin"}` {
		t.Fatalf("roles %v", rq.Roles)
	}
	if len(rq.Users) != 2 || name(rq.Users[0].Data) != `{"displayname":"Anna"}` || rq.Users[1].Data != "Bob" {
		t.Fatalf("users (no_key keeps the plain name) %v", rq.Users)
	}
	if len(rq.RoleKeys) != 1 || rq.RoleKeys[0].RoleId != 20 {
		t.Fatalf("each admin role gets its own key, roles without one none: %v", rq.RoleKeys)
	}
	if k, err := crypto.DecryptAESv2(rq.RoleKeys[0].EncryptedRoleKey, mcKey); err != nil || string(k) != string(roleKey20) {
		t.Fatal("role key not re-encrypted under the MC tree key")
	}
	if len(rq.TeamKeys) != 2 || string(rq.TeamKeys[0].TeamUid) != "team1" || rq.TeamKeys[0].Force || !rq.TeamKeys[1].Force {
		t.Fatalf("team keys %v", rq.TeamKeys)
	}
	if _, err := crypto.DecryptAESv2(rq.TeamKeys[0].EncryptedTeamKey, mcKey); err != nil {
		t.Fatal("team key not re-encrypted under the MC tree key")
	}
	if len(rq.UsersDataKeys) != 1 || rq.UsersDataKeys[0].EnterpriseUserId != 10 {
		t.Fatalf("only type-4 keys move: %v", rq.UsersDataKeys)
	}
	if k, err := crypto.DecryptEC(rq.UsersDataKeys[0].UserEncryptedDataKey, mcEC); err != nil || string(k) != string(dataKey) {
		t.Fatal("user data key not re-encrypted to the MC's EC key")
	}
	_, err = cv.Request(e, Target{CompanyID: 77, TreeKey: mcKey}, nil,
		[]*pb.EnterpriseUserDataKeyLight{{EnterpriseUserId: 10, UserEncryptedDataKey: encDK, KeyTypeId: 4}})
	if err == nil || !strings.Contains(err.Error(), "EC public key") {
		t.Fatalf("missing MC EC key: %v", err)
	}
}

func TestSyncEnforcements(t *testing.T) {
	src := map[string]string{
		"require_two_factor":             "",
		"restrict_export":                "",
		"restrict_import":                "true",
		"master_password_minimum_length": "12",
		"logout_timer_web":               "abc",
		"restrict_record_types":          `{"std":["login"]}`,
		"restrict_domain_access":         "example.com",
		"require_account_share":          "5",
		"something_new":                  "1",
		"max_session_login_time":         "60",
	}
	dst := map[string]string{
		"master_password_minimum_length": "8",
		"max_session_login_time":         "60",
		"restrict_export":                "true",
		"restrict_offline_access":        "true",
		"require_account_share":          "9",
	}
	cmds, warnings := SyncEnforcements(5, src, dst)
	var got []string
	for _, c := range cmds {
		b, _ := json.Marshal(c)
		got = append(got, c.CommandName()+" "+string(b))
	}
	want := []string{
		`role_enforcement_update {"role_id":5,"enforcement":"master_password_minimum_length","value":12}`,
		`role_enforcement_add {"role_id":5,"enforcement":"require_two_factor"}`,
		`role_enforcement_add {"role_id":5,"enforcement":"restrict_domain_access","value":"example.com"}`,
		`role_enforcement_add {"role_id":5,"enforcement":"restrict_import"}`,
		`role_enforcement_add {"role_id":5,"enforcement":"restrict_record_types","value":{"std":["login"]}}`,
		`role_enforcement_remove {"role_id":5,"enforcement":"restrict_offline_access"}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "logout_timer_web: invalid integer value: abc") ||
		!strings.Contains(warnings[1], "something_new: unknown") {
		t.Fatalf("warnings %v", warnings)
	}
}

// fakeCaller answers REST calls from a table and records them.
type fakeCaller struct {
	calls   []string
	sent    []proto.Message
	answers map[string]proto.Message
}

func (f *fakeCaller) Call(_ context.Context, endpoint string, rq, rs proto.Message) error {
	f.calls = append(f.calls, endpoint)
	f.sent = append(f.sent, rq)
	if a, ok := f.answers[endpoint]; ok && rs != nil {
		b, _ := proto.Marshal(a)
		return proto.Unmarshal(b, rs)
	}
	return nil
}

func TestKeyLookups(t *testing.T) {
	ctx := context.Background()
	e := convertFixture(t)
	cv := PlanConversion(e, e.Nodes[3])
	roleKey := crypto.GenerateAESKey()
	enc, _ := crypto.EncryptAESv2(roleKey, e.TreeKey)
	f := &fakeCaller{answers: map[string]proto.Message{
		"enterprise/get_enterprise_data_keys": &pb.GetEnterpriseDataKeysResponse{ReEncryptedRoleKey: []*pb.ReEncryptedRoleKey{{RoleId: 21, EncryptedRoleKey: enc}}},
		"enterprise/get_enterprise_user_data_key_by_node": &pb.EnterpriseUserDataKeysByNodeResponse{Keys: []*pb.EnterpriseUserDataKeysByNode{
			{NodeId: 4, Keys: []*pb.EnterpriseUserDataKeyLight{{EnterpriseUserId: 10, KeyTypeId: 4}}},
			{NodeId: 5, Keys: []*pb.EnterpriseUserDataKeyLight{{EnterpriseUserId: 12, KeyTypeId: 4}}},
		}},
	}}
	keys, err := RoleKeys(ctx, f, e.TreeKey, cv.AdminRoles)
	if err != nil || len(keys) != 1 || string(keys[21]) != string(roleKey) {
		t.Fatalf("%v %v", keys, err)
	}
	if rq := f.sent[0].(*pb.GetEnterpriseDataKeysRequest); !reflect.DeepEqual(rq.RoleId, []int64{20, 21}) {
		t.Fatalf("role ids %v", rq.RoleId)
	}
	dks, err := cv.UserDataKeys(ctx, f)
	if err != nil || len(dks) != 1 || dks[0].EnterpriseUserId != 10 || !NeedsECKeys(dks) {
		t.Fatalf("only moved users' keys: %v %v", dks, err)
	}
	if rq := f.sent[1].(*authpb.UserDataKeyByNodeRequest); !reflect.DeepEqual(rq.NodeIds, []int64{3, 4}) {
		t.Fatalf("node ids %v", rq.NodeIds)
	}

	mcKey := crypto.GenerateAESKey()
	f = &fakeCaller{answers: map[string]proto.Message{"enterprise/get_enterprise_data_keys": &pb.GetEnterpriseDataKeysResponse{}}}
	pub, err := EnterpriseECPublicKey(ctx, f, mcKey)
	if err != nil || !reflect.DeepEqual(f.calls, []string{"enterprise/get_enterprise_data_keys", "enterprise/set_enterprise_key_pair"}) {
		t.Fatalf("a company without an EC pair gets one: %v %v", f.calls, err)
	}
	kp := f.sent[1].(*pb.EnterpriseKeyPairRequest)
	raw, err := crypto.DecryptAESv2(kp.EncryptedEnterprisePrivateKey, mcKey)
	if err != nil || kp.KeyType != pb.KeyType_ECC || string(kp.EnterprisePublicKey) != string(crypto.ECPublicKeyBytes(pub)) {
		t.Fatalf("key pair request %v %v", kp, err)
	}
	if priv, err := crypto.LoadECPrivateKey(raw); err != nil || !priv.PublicKey().Equal(pub) {
		t.Fatal("the uploaded private key does not match the public key")
	}
	f = &fakeCaller{answers: map[string]proto.Message{"enterprise/get_enterprise_data_keys": &pb.GetEnterpriseDataKeysResponse{
		EnterpriseKeys: &pb.EnterpriseKeys{EccPublicKey: crypto.ECPublicKeyBytes(pub)}}}}
	if got, err := EnterpriseECPublicKey(ctx, f, mcKey); err != nil || !got.Equal(pub) || len(f.calls) != 1 {
		t.Fatalf("an existing key is used as is: %v %v", f.calls, err)
	}
}
