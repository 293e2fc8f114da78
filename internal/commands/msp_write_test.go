package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/report"
)

// plainErr fails unless err is a plain (exit 1) error containing want.
func plainErr(t *testing.T, err error, want string) {
	t.Helper()
	var ue *command.UsageError
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want a plain error containing %q", err, want)
	}
}

// statusLog collects status lines.
type statusLog []string

func (s *statusLog) add(format string, args ...any) { *s = append(*s, fmt.Sprintf(format, args...)) }

func (s statusLog) String() string { return strings.Join(s, "\n") }

// permissive drops the fixture's permits (no restriction).
func permissive(e *enterprise.Enterprise) *enterprise.Enterprise {
	e.Licenses = []*pb.License{{LicenseStatus: "msp"}}
	return e
}

// withPermits sets the MSP's permits.
func withPermits(e *enterprise.Enterprise, p *pb.MSPPermits) *enterprise.Enterprise {
	p.Restricted = true
	e.Licenses = []*pb.License{{LicenseStatus: "msp", MspPermits: p}}
	return e
}

// registered answers enterprise_registration_by_msp with id and adds the
// company to the MSP's data, as the sync after the write would.
func registered(f *fakeEnterprise, mcID int32) func(cmd rest.Command) any {
	return func(cmd rest.Command) any {
		if r, ok := cmd.(msp.Registration); ok {
			f.e.ManagedCompanies[mcID] = &pb.ManagedCompany{McEnterpriseId: mcID, McEnterpriseName: r.EnterpriseName,
				MspNodeId: r.NodeID, ProductId: r.ProductID, NumberOfSeats: r.Seats}
			return msp.EnterpriseReply{EnterpriseID: mcID}
		}
		return map[string]any{}
	}
}

func failing(code string) func(rest.Command) rest.BatchResult {
	return func(rest.Command) rest.BatchResult {
		return rest.BatchResult{Result: "fail", ResultCode: code, Message: "refused by the fake"}
	}
}

// --- msp-add

func addCmd(f *fakeEnterprise, status *statusLog) *command.Command {
	return newMSPAddCmd(&Factory{}, func(ctx context.Context, o *mspAddOptions) error {
		o.Writer, o.Status = f, status.add
		return mspAddRun(ctx, o)
	})
}

func TestMSPAddFlags(t *testing.T) {
	build := func(runF func(context.Context, *mspAddOptions) error) *command.Command {
		return newMSPAddCmd(noFactory, runF)
	}
	o, err := capture(t, build, `ma "Acme Dental" -p business -s -1 -f 1TB -a chat -a connection_manager:5 --node Europe --format json`)
	if err != nil || o.Args[0] != "Acme Dental" || o.Plan != "business" || o.Seats != "-1" || o.FilePlan != "1TB" ||
		!reflect.DeepEqual(o.AddOns, []string{"chat", "connection_manager:5"}) || o.Node != "Europe" || o.Report.Format != report.JSON {
		t.Fatalf("%+v %v", o, err)
	}
	if o, err := capture(t, build, "msp-add --seats=10 --plan=enterprise 'MC Name'"); err != nil || o.Seats != "10" {
		t.Fatalf("the seed's example: %+v %v", o, err)
	}
	if o, _ := capture(t, build, "msp-add -p business X"); o.Seats != "0" {
		t.Fatalf("seats default to 0: %q", o.Seats)
	}
	for line, want := range map[string]string{
		"msp-add Acme":                  "--plan is required",
		"msp-add -p business":           "expected NAME",
		"msp-add -p business a b":       `unexpected argument "b"`,
		"msp-add -p business -a '' X":   "--addon needs a non-empty value",
		"msp-add -p business -s '' X":   "--seats needs a non-empty value",
		"msp-add -p business --bogus X": "unknown flag: --bogus",
	} {
		_, err := capture(t, build, line)
		usageErr(t, err, want)
	}
}

func TestMSPAddRefusesBeforeAnyWrite(t *testing.T) {
	type tc struct {
		line, want string
		usage      bool
		permits    *pb.MSPPermits
	}
	limited := &pb.MSPPermits{AllowedMcProducts: []string{"business", "enterprise"}, MaxFilePlanType: "STORAGE_1TB",
		AllowedAddOns: []string{"chat"}}
	for _, c := range []tc{
		{line: "ma X -p gold", want: `--plan: Managed Company plan "gold" is not found (valid: business, businessPlus, businessStarter, enterprise, enterprisePlus)`, usage: true},
		{line: "ma X -p business -s ten", want: `--seats: number of seats "ten" is not a number`, usage: true},
		{line: "ma X -p business -s -5", want: "--seats: number of seats \"-5\" is out of range", usage: true},
		{line: "ma X -p business -f 5tb", want: `--file-plan: File plan "5tb" is not found (valid: 100GB, 1TB, 10TB)`, usage: true},
		{line: "ma X -p business -a teleport", want: `--addon: Addon "teleport" is not found (valid: chat, enterprise_audit_and_reporting`, usage: true},
		{line: "ma X -p business -a chat:3", want: `Addon "chat" has no seats`, usage: true},
		{line: "ma X -p business -a keeper_endpoint_privilege_manager:30", want: "Valid values are: 1, 25, 50, 100, 500, 1000, 5000, 10000, -1 (for unlimited)", usage: true},
		{line: "ma X -p business -a remote_browser_isolation", want: `requires "connection_manager" to be selected`, usage: true},
		{line: "ma X -p business -a remote_browser_isolation -a connection_manager", want: "to have seats specified", usage: true},
		{line: "ma '  ' -p business", want: "the managed company name is empty", usage: true},
		{line: "ma X -p enterprisePlus", want: `msp-add: Managed Company plan "enterprisePlus" is not allowed (allowed: business, enterprise)`, permits: limited},
		{line: "ma X -p business -s -1", want: "msp-add: Managed Company unlimited licences are not allowed", permits: limited},
		{line: "ma X -p business -f 10tb", want: `msp-add: Managed Company file storage "10TB" is not allowed (maximum: 1TB)`, permits: limited},
		{line: "ma X -p business -a secrets_manager", want: `msp-add: Managed Company add-on "secrets_manager" is not allowed (allowed: chat)`, permits: limited},
		{line: "ma 'alpha DENTAL' -p business", want: `msp-add: managed company "Alpha Dental" already exists (ID=5001)`},
		{line: "ma X -p business --node Nowhere", want: `msp-add: --node: node "Nowhere" not found`},
	} {
		e := permissive(demoEnterprise())
		if c.permits != nil {
			e = withPermits(e, c.permits)
		}
		f := &fakeEnterprise{e: e}
		var status statusLog
		out, _, err := runLine(t, addCmd(f, &status), c.line)
		if c.usage {
			usageErr(t, err, c.want)
		} else {
			plainErr(t, err, c.want)
		}
		if len(f.executed) != 0 || out != "" || len(status) != 0 {
			t.Fatalf("%s: sent %v, printed %q %v", c.line, f.executed, out, status)
		}
	}
}

func TestMSPAddRun(t *testing.T) {
	f := &fakeEnterprise{e: permissive(demoEnterprise())}
	f.replies = registered(f, 5003)
	var status statusLog
	vars := map[string]string{}
	out, _, err := runLineVars(t, addCmd(f, &status),
		`ma "Acme Dental" -p BUSINESS -s -1 -f 1tb -a CHAT -a connection_manager:5 -a remote_browser_isolation -a connection_manager:7 --node Europe`, vars)
	if err != nil {
		t.Fatal(err)
	}
	if out != "5003\n" || vars["last_mc_id"] != "5003" || status.String() != `Managed company "Acme Dental" added. ID=5003` {
		t.Fatalf("out %q vars %v status %v", out, vars, status)
	}
	if len(f.executed) != 1 {
		t.Fatalf("sent %v", f.executed)
	}
	r := f.executed[0].(msp.Registration)
	want := msp.Registration{NodeID: id(3), ProductID: "business", Seats: msp.Unlimited, EnterpriseName: "Acme Dental",
		FilePlanType: "STORAGE_1TB", AddOns: []msp.AddOnRequest{{AddOn: "chat"}, {AddOn: "connection_manager", Seats: 7}, {AddOn: "remote_browser_isolation"}},
		EncryptedTreeKey: r.EncryptedTreeKey, RoleData: r.RoleData, RootNode: r.RootNode}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("request\n got %+v\nwant %+v", r, want)
	}
	enc, _ := crypto.Base64URLDecode(r.EncryptedTreeKey)
	if k, err := crypto.DecryptAESv2(enc, f.e.TreeKey); err != nil || len(k) != 32 {
		t.Fatalf("the new tree key must be encrypted under the MSP tree key: %v", err)
	}

	// Defaults: root node, 0 seats, no file plan (100GB is business's own), no add-ons field;
	// a numeric name is a name even when a company has that id.
	f = &fakeEnterprise{e: permissive(demoEnterprise())}
	f.replies = registered(f, 5004)
	if _, _, err := runLine(t, addCmd(f, &status), "ma 5001 -p business -f 100GB"); err != nil {
		t.Fatal(err)
	}
	r = f.executed[0].(msp.Registration)
	if r.NodeID != id(2) || r.Seats != 0 || r.FilePlanType != "" || r.AddOns != nil || r.EnterpriseName != "5001" {
		t.Fatalf("%+v", r)
	}
	b, _ := json.Marshal(r)
	if strings.Contains(string(b), "add_ons") || strings.Contains(string(b), "file_plan_type") || !strings.Contains(string(b), `"seats":0`) {
		t.Fatalf("wire form %s", b)
	}
}

func TestMSPAddOutputFormats(t *testing.T) {
	run := func(line string) string {
		f := &fakeEnterprise{e: permissive(demoEnterprise())}
		f.replies = registered(f, 5003)
		var status statusLog
		out, _, err := runLine(t, addCmd(f, &status), line)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := run(`ma "Acme \"A\"" -p business --format json`); out != "{\n  \"company_id\": 5003,\n  \"company_name\": \"Acme \\\"A\\\"\"\n}\n" {
		t.Fatalf("json %q", out)
	}
	if out := run("ma Acme -p business --format csv"); out != "Company ID,Company Name\r\n5003,Acme\r\n" {
		t.Fatalf("csv %q", out)
	}
}

func TestMSPAddServerRefusal(t *testing.T) {
	f := &fakeEnterprise{e: permissive(demoEnterprise()), results: failing("duplicate_enterprise_name")}
	var status statusLog
	vars := map[string]string{}
	out, _, err := runLineVars(t, addCmd(f, &status), "ma Acme -p business", vars)
	var api *rest.APIError
	if !errors.As(err, &api) || api.Code != "duplicate_enterprise_name" || out != "" || len(vars) != 0 || len(status) != 0 {
		t.Fatalf("%v %q %v %v", err, out, vars, status)
	}
}

// --- msp-update

func updateCmd(f *fakeEnterprise, status *statusLog) *command.Command {
	return newMSPUpdateCmd(&Factory{}, func(ctx context.Context, o *mspUpdateOptions) error {
		o.Writer, o.Status = f, status.add
		return mspUpdateRun(ctx, o)
	})
}

func TestMSPUpdateFlags(t *testing.T) {
	build := func(runF func(context.Context, *mspUpdateOptions) error) *command.Command {
		return newMSPUpdateCmd(noFactory, runF)
	}
	o, err := capture(t, build, "msp-update mc2 --add-product business")
	if err != nil || o.Plan != "business" || o.Args[0] != "mc2" {
		t.Fatalf("the seed's --add-product: %+v %v", o, err)
	}
	o, err = capture(t, build, "mu -aa chat -aa connection_manager:5 -ra=secrets_manager -ra kcm --node 23613730193410 -n New -s 5 -f 1tb -p enterprise X")
	if err != nil || !reflect.DeepEqual(o.AddAddOns, []string{"chat", "connection_manager:5"}) ||
		!reflect.DeepEqual(o.RemoveAddOns, []string{"secrets_manager", "kcm"}) || o.Node != "23613730193410" || o.Name != "New" ||
		o.Seats != "5" || o.FilePlan != "1tb" || o.Plan != "enterprise" {
		t.Fatalf("%+v %v", o, err)
	}
	for line, want := range map[string]string{
		"mu":                 "expected MC",
		"mu X -n ''":         "--name needs a non-empty value",
		"mu X -aa ''":        "--add-addon needs a non-empty value",
		"mu X --add-product": "flag needs an argument",
	} {
		_, err := capture(t, build, line)
		usageErr(t, err, want)
	}
}

func TestMSPUpdateRefusals(t *testing.T) {
	limited := &pb.MSPPermits{AllowedMcProducts: []string{"business", "enterprise"}, MaxFilePlanType: "STORAGE_1TB", AllowedAddOns: []string{"chat"}}
	for _, c := range []struct {
		line, want string
		usage      bool
		permits    *pb.MSPPermits
	}{
		{line: "mu 'Alpha Dental'", want: "nothing to change", usage: true},
		{line: "mu 'Alpha Dental' -n ' '", want: "--name: the new name is empty", usage: true},
		{line: "mu 'Alpha Dental' -p gold", want: `--plan: Managed Company plan "gold" is not found`, usage: true},
		{line: "mu 'Alpha Dental' -s x", want: "--seats: number of seats", usage: true},
		{line: "mu 'Alpha Dental' -f 2tb", want: `--file-plan: File plan "2tb" is not found`, usage: true},
		{line: "mu 'Alpha Dental' -aa nope", want: `--add-addon: Addon "nope" is not found`, usage: true},
		{line: "mu 'Alpha Dental' -ra nope", want: `--remove-addon: Addon "nope" is not found`, usage: true},
		{line: "mu 'Alpha Dental' -aa remote_browser_isolation", want: `requires "connection_manager" to be selected`, usage: true},
		{line: "mu Nope -s 5", want: `msp-update: Managed Company "Nope" not found`},
		{line: "mu 'Alpha Dental' --add-product enterprisePlus", want: `msp-update: Managed Company plan "enterprisePlus" is not allowed`, permits: limited},
		{line: "mu 'Alpha Dental' -s -1", want: "unlimited licences are not allowed", permits: limited},
		{line: "mu 'Alpha Dental' -f 10TB", want: `file storage "10TB" is not allowed (maximum: 1TB)`, permits: limited},
		{line: "mu 'Alpha Dental' -aa secrets_manager", want: `add-on "secrets_manager" is not allowed (allowed: chat)`, permits: limited},
		{line: "mu 'Alpha Dental' -n 'zulu legal'", want: `msp-update: managed company "Zulu Legal" already exists (ID=5002)`},
		{line: "mu 'Alpha Dental' --node Nowhere", want: `msp-update: --node: node "Nowhere" not found`},
	} {
		e := permissive(demoEnterprise())
		if c.permits != nil {
			e = withPermits(e, c.permits)
		}
		f := &fakeEnterprise{e: e}
		var status statusLog
		_, _, err := runLine(t, updateCmd(f, &status), c.line)
		if c.usage {
			usageErr(t, err, c.want)
		} else {
			plainErr(t, err, c.want)
		}
		if len(f.executed) != 0 {
			t.Fatalf("%s: sent %v", c.line, f.executed)
		}
	}
}

func TestMSPUpdateRun(t *testing.T) {
	f := &fakeEnterprise{e: permissive(demoEnterprise())}
	f.e.ManagedCompanies[5001].AddOns = append(f.e.ManagedCompanies[5001].AddOns,
		&pb.LicenseAddOn{Name: "secrets_manager", Enabled: false},
		&pb.LicenseAddOn{Name: "compliance_report", Enabled: true, IncludedInProduct: true})
	var status statusLog
	_, _, err := runLine(t, updateCmd(f, &status),
		`mu "alpha dental" -n "Alpha Group" -s 25 --node Berlin -aa connection_manager:5 -aa CHAT -ra enterprise_breach_watch -ra password_rotation`)
	if err != nil {
		t.Fatal(err)
	}
	want := msp.Update{EnterpriseID: 5001, EnterpriseName: "Alpha Group", ProductID: "business", Seats: 25, NodeID: id(4),
		AddOns: []msp.AddOnRequest{{AddOn: "chat"}, {AddOn: "connection_manager", Seats: 5}}}
	if len(f.executed) != 1 || !reflect.DeepEqual(f.executed[0], want) {
		t.Fatalf("request\n got %+v\nwant %+v", f.executed, want)
	}
	wantStatus := `Add-on "password_rotation" is not enabled for "Alpha Dental"; nothing to remove` + "\n" +
		"Successfully updated 'Alpha Group' id=5001"
	if status.String() != wantStatus {
		t.Fatalf("status:\n%s", status)
	}

	// The seed's example: the plan changes, everything else is sent as it is
	// (Zulu Legal: unlimited seats, no file plan, no add-ons).
	f = &fakeEnterprise{e: permissive(demoEnterprise())}
	status = nil
	if _, _, err := runLine(t, updateCmd(f, &status), "msp-update 5002 --add-product business"); err != nil {
		t.Fatal(err)
	}
	want = msp.Update{EnterpriseID: 5002, EnterpriseName: "Zulu Legal", ProductID: "business", Seats: msp.Unlimited, AddOns: []msp.AddOnRequest{}}
	if !reflect.DeepEqual(f.executed[0], want) || status.String() != "Successfully updated 'Zulu Legal' id=5002" {
		t.Fatalf("%+v %v", f.executed[0], status)
	}
	b, _ := json.Marshal(f.executed[0])
	if !strings.Contains(string(b), `"add_ons":[]`) || strings.Contains(string(b), "node_id") {
		t.Fatalf("add_ons always sent, node_id only when moved: %s", b)
	}

	// A file plan above the plan's storage is re-sent when not changed.
	f = &fakeEnterprise{e: permissive(demoEnterprise())}
	f.e.ManagedCompanies[5001].FilePlanType = "STORAGE_10TB"
	if _, _, err := runLine(t, updateCmd(f, &status), "mu 5001 -s 3"); err != nil {
		t.Fatal(err)
	}
	if u := f.executed[0].(msp.Update); u.FilePlanType != "STORAGE_10TB" || u.Seats != 3 {
		t.Fatalf("%+v", u)
	}
}

// --- msp-remove

func removeCmd(f *fakeEnterprise, status *statusLog, ask confirmer) *command.Command {
	return newMSPRemoveCmd(&Factory{}, func(ctx context.Context, o *mspRemoveOptions) error {
		o.Writer, o.Status, o.Confirm = f, status.add, ask
		return mspRemoveRun(ctx, o)
	})
}

func TestMSPRemove(t *testing.T) {
	build := func(runF func(context.Context, *mspRemoveOptions) error) *command.Command {
		return newMSPRemoveCmd(noFactory, runF)
	}
	if o, err := capture(t, build, "mrm -f 23456"); err != nil || !o.Force || o.Args[0] != "23456" {
		t.Fatalf("%+v %v", o, err)
	}
	_, err := capture(t, build, "msp-remove")
	usageErr(t, err, "expected MC")

	// No terminal and no --force: refused, nothing sent.
	f := &fakeEnterprise{e: demoEnterprise()}
	var status statusLog
	_, stderr, err := runLine(t, removeCmd(f, &status, nil), "msp-remove 'Alpha Dental'")
	usageErr(t, err, "add -f/--force")
	if len(f.executed) != 0 || stderr != "" {
		t.Fatalf("sent %v, printed %q", f.executed, stderr)
	}

	// A terminal: the alert names the company and its licences; no means no.
	var asked []string
	no := func(_ context.Context, p string) (bool, error) { asked = append(asked, p); return false, nil }
	_, stderr, err = runLine(t, removeCmd(f, &status, no), "mrm 'Alpha Dental'")
	if err != nil || len(f.executed) != 0 || len(asked) != 1 || len(status) != 0 ||
		!strings.Contains(stderr, `Managed Company Name: "Alpha Dental", Licences: 10`) {
		t.Fatalf("%v %v %q %v", err, f.executed, stderr, status)
	}
	yes := func(context.Context, string) (bool, error) { return true, nil }
	if _, _, err := runLine(t, removeCmd(f, &status, yes), "mrm 'Alpha Dental'"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.executed, []rest.Command{msp.Remove{EnterpriseID: 5001}}) ||
		status.String() != `Managed company "Alpha Dental" removed. ID=5001` {
		t.Fatalf("%v %v", f.executed, status)
	}

	// --force does not ask.
	f, status = &fakeEnterprise{e: demoEnterprise()}, nil
	never := func(context.Context, string) (bool, error) { t.Fatal("asked despite --force"); return false, nil }
	_, stderr, err = runLine(t, removeCmd(f, &status, never), "mrm -f 5002")
	if err != nil || !reflect.DeepEqual(f.executed, []rest.Command{msp.Remove{EnterpriseID: 5002}}) || stderr != "" {
		t.Fatalf("%v %v %q", err, f.executed, stderr)
	}
	_, _, err = runLine(t, removeCmd(f, &status, never), "mrm -f Nope")
	plainErr(t, err, `msp-remove: Managed Company "Nope" not found`)
}

// --- msp-info: plans and licences

func poolEnterprise() *enterprise.Enterprise {
	e := demoEnterprise()
	e.Licenses[0].MspPool = []*pb.MSPPool{
		{ProductId: "business", AvailableSeats: 6, Seats: 10, Stash: 10},
		{ProductId: "businessPlus", AvailableSeats: 8, Seats: 10, Stash: 10},
		{ProductId: "enterprise", AvailableSeats: 2, Seats: 10, Stash: 10},
		{ProductId: "enterprisePlus", AvailableSeats: 6, Seats: 10, Stash: 10},
	}
	return e
}

func infoRun(t *testing.T, e *enterprise.Enterprise, line string) (string, error) {
	t.Helper()
	out, _, err := runLine(t, newMSPInfoCmd(&Factory{}, func(ctx context.Context, o *mspInfoOptions) error {
		o.Source, o.Status = &fakeEnterprise{e: e}, func(string, ...any) {}
		return mspInfoRun(ctx, o)
	}), line)
	return out, err
}

func TestMSPInfoPlansAndLicenses(t *testing.T) {
	out, err := infoRun(t, poolEnterprise(), "mi")
	if err != nil {
		t.Fatal(err)
	}
	// As the seed page's msp-info example shows it.
	head := strings.Join([]string{"",
		"MSP Plans and Licenses",
		"-----------------------",
		"  #  Plan Id           Available Licenses    Total Licenses    Stash",
		"---  --------------  --------------------  ----------------  -------",
		"  1  business                           6                10       10",
		"  2  businessPlus                       8                10       10",
		"  3  enterprise                         2                10       10",
		"  4  enterprisePlus                     6                10       10",
		"",
		"  #    Company ID  Company Name"}, "\n")
	if !strings.HasPrefix(out, head) || !strings.Contains(out, "Zulu Legal") {
		t.Fatalf("table:\n%s", out)
	}
	// Machine formats stay a list of companies; -mc shows the company only.
	for _, line := range []string{"mi --format json", "mi --format csv", "mi -mc 'Alpha Dental'"} {
		if out, err := infoRun(t, poolEnterprise(), line); err != nil || strings.Contains(out, "Plan Id") || strings.Contains(out, "MSP Plans") {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
	}
	var rows []map[string]any
	out, err = infoRun(t, poolEnterprise(), "mi --licenses --format json")
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 4 ||
		!reflect.DeepEqual(rows[1], map[string]any{"plan_id": "businessPlus", "available_licenses": 8.0, "total_licenses": 10.0, "stash": 10.0}) {
		t.Fatalf("licenses json: %v\n%s", err, out)
	}
	if out, err := infoRun(t, poolEnterprise(), "mi --licenses --format csv"); err != nil ||
		!strings.HasPrefix(out, "Plan Id,Available Licenses,Total Licenses,Stash\r\nbusiness,6,10,10\r\n") {
		t.Fatalf("licenses csv: %v %q", err, out)
	}
	if out, err := infoRun(t, demoEnterprise(), "mi --licenses --format json"); err != nil || out != "[]\n" {
		t.Fatalf("no pool: %v %q", err, out)
	}
	_, err = infoRun(t, poolEnterprise(), "mi -r --licenses")
	usageErr(t, err, "exclusive")
	// No companies: the pool alone.
	e := poolEnterprise()
	e.ManagedCompanies = nil
	if out, err := infoRun(t, e, "mi"); err != nil || !strings.HasPrefix(out, "\nMSP Plans and Licenses\n---") || strings.Contains(out, "Company") {
		t.Fatalf("%v\n%s", err, out)
	}
}
