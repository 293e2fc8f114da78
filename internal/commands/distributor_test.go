package commands

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/session"
)

// distFake is a distributor's session: its own enterprise and a server
// that answers get_distributor_info from info and applies
// update_msp_permits to it, as a full replacement.
type distFake struct {
	e         *enterprise.Enterprise
	inMC      bool
	info      *pb.GetDistributorInfoResponse
	infoErr   error
	updateErr error
	calls     []restCall
	loads     int
}

func (f *distFake) AccountEnterprise(context.Context, bool) (*enterprise.Enterprise, error) {
	f.loads++
	if f.inMC {
		return nil, session.ErrInMC
	}
	return f.e, nil
}

func (f *distFake) Call(_ context.Context, endpoint string, rq, rs proto.Message) error {
	f.calls = append(f.calls, restCall{Endpoint: endpoint, Rq: rq})
	switch endpoint {
	case msp.EndpointDistributorInfo:
		if f.infoErr != nil {
			return f.infoErr
		}
		b, _ := proto.Marshal(f.info)
		return proto.Unmarshal(b, rs)
	case msp.EndpointUpdateMSPPermits:
		if f.updateErr != nil {
			return f.updateErr
		}
		u := rq.(*pb.UpdateMSPPermitsRequest)
		for _, d := range f.info.Distributors {
			for _, m := range d.MspInfos {
				if m.EnterpriseId == u.MspEnterpriseId {
					m.AllowedMcProducts, m.AllowedAddOns = u.AllowedMcProducts, u.AllowedAddOns
					m.MaxFilePlanType, m.AllowUnlimitedLicenses = u.MaxFilePlanType, u.AllowUnlimitedLicenses
				}
			}
		}
		return nil
	}
	return errors.New("unexpected endpoint " + endpoint)
}

func (f *distFake) count(endpoint string) int {
	n := 0
	for _, c := range f.calls {
		if c.Endpoint == endpoint {
			n++
		}
	}
	return n
}

func (f *distFake) updates() []*pb.UpdateMSPPermitsRequest {
	var out []*pb.UpdateMSPPermitsRequest
	for _, c := range f.calls {
		if c.Endpoint == msp.EndpointUpdateMSPPermits {
			out = append(out, c.Rq.(*pb.UpdateMSPPermitsRequest))
		}
	}
	return out
}

var _ distributorSource = (*distFake)(nil)

// demoDistributor is the Demo Distributor tenant: Demo MSP (with KCM and
// PAM seats, KSM calls and three companies: one with PAM but no KCM, one
// expired, one unlimited), Bob's MSP (PAM without seats, no KCM), My MSP
// (id 3456) and an MSP with a name over 40 characters, under a second
// distributor name.
func demoDistributor() *distFake {
	addOn := func(name string, seats, calls int32, included bool) *pb.LicenseAddOn {
		return &pb.LicenseAddOn{Name: name, Enabled: true, Seats: seats, ApiCallCount: calls, IncludedInProduct: included}
	}
	return &distFake{
		e: &enterprise.Enterprise{ID: 900, Name: "Demo Distributor", Distributor: true},
		info: &pb.GetDistributorInfoResponse{Distributors: []*pb.Distributor{{Name: "Demo Distributor", MspInfos: []*pb.MspInfo{
			{EnterpriseId: 1001, EnterpriseName: "Demo MSP", AllocatedLicenses: 25, AllowedMcProducts: []string{"business", "enterprise"},
				AllowedAddOns: []string{"connection_manager", "chat"}, MaxFilePlanType: "STORAGE_1TB", AllowUnlimitedLicenses: true,
				AddOns: []*pb.LicenseAddOn{addOn("connection_manager", 5, 0, false), addOn("privileged_access_manager", 3, 0, false),
					addOn("secrets_manager", 0, 50000, false), addOn("enterprise_breach_watch", 0, 0, false),
					addOn("enterprise_audit_and_reporting", 0, 0, true), addOn("brand_new_addon", 0, 0, false)},
				ManagedCompanies: []*pb.ManagedCompany{
					{McEnterpriseId: 5001, McEnterpriseName: "Acme Dental", MspNodeId: 7002, NumberOfSeats: 10, NumberOfUsers: 3,
						ProductId: "business", FilePlanType: "STORAGE_100GB",
						AddOns: []*pb.LicenseAddOn{addOn("privileged_access_manager", 4, 0, false), addOn("chat", 0, 0, false)}},
					{McEnterpriseId: 5002, McEnterpriseName: "Expired Co", MspNodeId: 7002, NumberOfSeats: 5, NumberOfUsers: 2,
						ProductId: "enterprisePlus", FilePlanType: "STORAGE_1TB", IsExpired: true,
						AddOns: []*pb.LicenseAddOn{addOn("connection_manager", 2, 0, false), addOn("secrets_manager", 0, 0, false)}},
					{McEnterpriseId: 5003, McEnterpriseName: "Unlimited Ltd", MspNodeId: 7003, NumberOfSeats: msp.Unlimited,
						NumberOfUsers: 40, ProductId: "mystery", FilePlanType: "STORAGE_X"},
				}},
			{EnterpriseId: 1002, EnterpriseName: "Bob's MSP", AllocatedLicenses: 4, AllowedMcProducts: []string{"enterprise"},
				MaxFilePlanType: "STORAGE_100GB", AllowUnlimitedLicenses: true,
				AddOns: []*pb.LicenseAddOn{addOn("privileged_access_manager", 0, 0, false)}},
			{EnterpriseId: 3456, EnterpriseName: "My MSP", AllocatedLicenses: 0, MaxFilePlanType: "STORAGE_100GB"},
		}}, {Name: "Second Distributor", MspInfos: []*pb.MspInfo{
			{EnterpriseId: 1004, EnterpriseName: "An MSP With A Really Quite Long Name Indeed Ltd", AllowUnlimitedLicenses: true,
				AllowedMcProducts: []string{"businessPlus"}},
		}}}},
	}
}

// distRunner runs lines with one distributor command (whose MSP cache
// lives as long as it) against src, collecting the status lines of each.
type distRunner struct {
	cmd    *command.Command
	status []string
}

func newDistRunner(src *distFake) *distRunner {
	r := &distRunner{}
	r.cmd = newDistributorCmd(&Factory{}, func(ctx context.Context, o *distributorOptions) error {
		o.Source = src
		o.Status = func(f string, a ...any) { r.status = append(r.status, f) }
		return distributorRun(ctx, o)
	})
	return r
}

func (r *distRunner) run(t *testing.T, line string) (string, []string, error) {
	t.Helper()
	r.status = nil
	out, _, err := runLine(t, r.cmd, line)
	return out, r.status, err
}

// runDist runs one line with a fresh command.
func runDist(t *testing.T, src *distFake, line string) (string, []string, error) {
	t.Helper()
	return newDistRunner(src).run(t, line)
}

func TestDistributorArgs(t *testing.T) {
	build := func(runF func(context.Context, *distributorOptions) error) *command.Command {
		return newDistributorCmd(noFactory, runF)
	}
	for line, want := range map[string]string{
		"distributor fly":                            `unknown sub-command "fly" (info, msp-info, license)`,
		"distributor info extra":                     `unexpected argument "extra"`,
		"distributor msp-info":                       `"msp" parameter is required`,
		"ds mi ''":                                   `"msp" parameter is required`,
		"distributor msp-info a b":                   `unexpected argument "b"`,
		"distributor license --allocate-unlimited x": `"x" is not on, off, true or false`,
		"distributor license --max-file-plan ''":     "--max-file-plan needs a non-empty value",
		"distributor license --add-product ''":       "--add-product needs a non-empty value",
	} {
		_, err := capture(t, build, line)
		usageErr(t, err, want)
	}
	for line, check := range map[string]func(o *distributorOptions) bool{
		"distributor":                   func(o *distributorOptions) bool { return len(o.Args) == 0 },
		"ds --mc-details --format json": func(o *distributorOptions) bool { return o.MCDetails && len(o.Args) == 0 },
		"distributor license --allocate-unlimited=off *": func(o *distributorOptions) bool {
			return reflect.DeepEqual(o.Args, []string{"license", "*"}) && o.AllocateUnlimited.set && !o.AllocateUnlimited.on
		},
		"distributor license Bob --allocate-unlimited true": func(o *distributorOptions) bool {
			return o.AllocateUnlimited.set && o.AllocateUnlimited.on
		},
		"distributor license x --allocate-unlimited=FALSE": func(o *distributorOptions) bool {
			return o.AllocateUnlimited.set && !o.AllocateUnlimited.on
		},
		"distributor license x --allocate-unlimited On": func(o *distributorOptions) bool { return o.AllocateUnlimited.on },
		`distributor license "My MSP" 3456 --max-file-plan 1TB`: func(o *distributorOptions) bool {
			return reflect.DeepEqual(o.Args, []string{"license", "My MSP", "3456"}) && o.MaxFilePlan == "1TB"
		},
		"ds l x --add-product business --add-product=enterprise_plus --remove-addon chat": func(o *distributorOptions) bool {
			return reflect.DeepEqual(o.AddProducts, []string{"business", "enterprise_plus"}) &&
				reflect.DeepEqual(o.RemoveAddOns, []string{"chat"})
		},
		`ds MI "Bob's msp" -v --reload`: func(o *distributorOptions) bool { return o.Verbose && o.Reload },
		"distributor I":                 func(o *distributorOptions) bool { return o.Args[0] == "I" },
	} {
		o, err := capture(t, build, line)
		if err != nil || !check(o) {
			t.Errorf("%s: %+v %v", line, o, err)
		}
	}
}

func TestDistributorRefusesBeforeAnyCall(t *testing.T) {
	for line, want := range map[string]string{
		"distributor info --add-product business":                      "distributor info does not take --add-product",
		"distributor --allocate-unlimited on":                          "distributor info does not take --allocate-unlimited",
		"distributor msp-info x --mc-details":                          "distributor msp-info does not take --mc-details",
		"distributor license --mc-details -v":                          "distributor license does not take --mc-details, --verbose",
		"distributor license x --add-product gold":                     `--add-product: Unknown Product: "gold" (valid: business, businessPlus`,
		"distributor license x --remove-product x":                     `--remove-product: Unknown Product: "x"`,
		"distributor license x --add-addon onboarding_and_certificate": `--add-addon: Unknown Add On: "onboarding_and_certificate"`,
		"distributor license x --remove-addon nope":                    `--remove-addon: Unknown Add On: "nope"`,
		"distributor license x --max-file-plan 5TB":                    `--max-file-plan: File plan "5TB" is not found (valid: 100GB, 1TB, 10TB)`,
		"distributor license --add-product business":                   "Changes to MSP configuration will be ignored. Pass MSP ID, name, or name search pattern.",
		"distributor license --allocate-unlimited=false":               "Changes to MSP configuration will be ignored.",
	} {
		src := demoDistributor()
		_, _, err := runDist(t, src, line)
		usageErr(t, err, want)
		if src.loads != 0 || len(src.calls) != 0 {
			t.Errorf("%s: loaded %d, calls %v", line, src.loads, src.calls)
		}
	}
}

func TestDistributorNotADistributor(t *testing.T) {
	src := demoDistributor()
	src.e.Distributor = false
	for _, line := range []string{"distributor", "distributor msp-info 1001", "distributor license"} {
		_, _, err := runDist(t, src, line)
		if err == nil || !strings.Contains(err.Error(), `only available for Distributors ("Demo Distributor" is not one)`) {
			t.Fatalf("%s: %v", line, err)
		}
	}
	if len(src.calls) != 0 {
		t.Fatalf("calls %v", src.calls)
	}
	// A distributor flag the server does not honour: its refusal.
	src = demoDistributor()
	src.infoErr = &rest.APIError{Endpoint: msp.EndpointDistributorInfo, Code: "access_denied", Message: "not a distributor"}
	_, _, err := runDist(t, src, "distributor")
	var api *rest.APIError
	if !errors.As(err, &api) || !strings.Contains(err.Error(), "only available for Distributors; the server refused") {
		t.Fatalf("%v", err)
	}
	src = demoDistributor()
	src.inMC = true
	if _, _, err := runDist(t, src, "ds"); !errors.Is(err, session.ErrInMC) {
		t.Fatalf("%v", err)
	}
}

func TestDistributorInfo(t *testing.T) {
	src := demoDistributor()
	out, _, err := runDist(t, src, "distributor")
	if err != nil {
		t.Fatal(err)
	}
	// PAM shows PAM (Commander: "enabled" when KCM is there, its seats in
	// the KCM cell); included add-ons are left out of Addons; names over 40
	// characters are cut.
	// (A list cell spreads a row over lines, whose blank cells make every
	// column text, left-aligned, as in Commander's dump_report_data.)
	want := `#    ID    MSP Name                                  # MC's    Unlimited allowed    Allowed Addons    Licenses used    KSM                KCM       PAM       Addons
---  ----  ----------------------------------------  --------  -------------------  ----------------  ---------------  -----------------  --------  --------  ---------------
1    1001  Demo MSP                                  3         Allowed              KCM               25               50000 Calls/Month  5 seats   3 seats   Enterprise BW
                                                                                    Chat                                                                      brand_new_addon
2    1002  Bob's MSP                                 0         Allowed                                4                disabled           disabled  enabled
3    3456  My MSP                                    0         Not Allowed                            0                disabled           disabled  disabled
4    1004  An MSP With A Really Quite Long Name ...  0         Allowed                                0                disabled           disabled  disabled
`
	if out != want {
		t.Fatalf("info\n%s\nwant\n%s", out, want)
	}
	out, _, err = runDist(t, src, "ds info --mc-details")
	if err != nil {
		t.Fatal(err)
	}
	// A company with PAM but no KCM (Commander fails on it), an expired one
	// (-), an unlimited one with codes Commander does not know.
	want = `#    ID    MSP Name                                  # MC's    MC Name        Plan             Storage    Total Licenses    Licenses used    KSM                KCM       PAM       Addons
---  ----  ----------------------------------------  --------  -------------  ---------------  ---------  ----------------  ---------------  -----------------  --------  --------  ---------------
1    1001  Demo MSP                                  3                                                                      25               50000 Calls/Month  5 seats   3 seats   Enterprise BW
                                                                                                                                                                                    brand_new_addon
2    5001  Demo MSP                                            Acme Dental    Business         100GB      10                3                disabled           disabled  4 seats   Chat
3    5002  Demo MSP                                            Expired Co     Enterprise Plus  1TB        5                 -                enabled            2 seats   disabled
4    5003  Demo MSP                                            Unlimited Ltd  mystery          STORAGE_X  Unlimited         40               disabled           disabled  disabled
5    1002  Bob's MSP                                 0                                                                      4                disabled           disabled  enabled
6    3456  My MSP                                    0                                                                      0                disabled           disabled  disabled
7    1004  An MSP With A Really Quite Long Name ...  0                                                                      0                disabled           disabled  disabled
`
	if out != want {
		t.Fatalf("--mc-details\n%s\nwant\n%s", out, want)
	}
	out, _, _ = runDist(t, src, "ds -v")
	if !strings.Contains(out, "An MSP With A Really Quite Long Name Indeed Ltd") {
		t.Fatalf("-v:\n%s", out)
	}
}

func TestDistributorInfoFormats(t *testing.T) {
	src := demoDistributor()
	out, _, err := runDist(t, src, "ds --format json")
	if err != nil {
		t.Fatal(err)
	}
	// Commander's json.dumps(msps, indent=4) of its dicts.
	if !strings.HasPrefix(out, "[\n    {\n        \"distributor_name\": \"Demo Distributor\",\n        \"enterprise_id\": 1001,\n") ||
		!strings.Contains(out, "\"distributor_name\": \"Second Distributor\"") || !strings.Contains(out, `"Bob's MSP"`) {
		t.Fatalf("json:\n%s", out)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 4 {
		t.Fatalf("%v", err)
	}
	keys := sortedKeys(list[0])
	if strings.Join(keys, ",") != "add_ons,allocated_licenses,allow_unlimited_licenses,allowed_add_ons,allowed_mc_products,"+
		"distributor_name,enterprise_id,enterprise_name,managed_companies,max_file_plan_type" {
		t.Fatalf("keys %v", keys)
	}
	mc := list[0]["managed_companies"].([]any)[1].(map[string]any)
	if mc["is_expired"] != true || mc["product_id"] != "enterprisePlus" || mc["msp_node_id"] != float64(7002) ||
		len(mc["add_ons"].([]any)) != 2 {
		t.Fatalf("mc %v", mc)
	}
	if list[2]["allowed_mc_products"] == nil || len(list[2]["managed_companies"].([]any)) != 0 {
		t.Fatalf("empty lists are [] not null: %v", list[2])
	}

	dir := t.TempDir()
	_, _, err = runDist(t, src, "distributor info --mc-details --format csv --output "+filepath.Join(dir, "msp-report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "msp-report.csv"))
	if !strings.HasPrefix(string(b), "ID,MSP Name,# MC's,MC Name,Plan,Storage,Total Licenses,Licenses used,KSM,KCM,PAM,Addons\r\n"+
		"1001,Demo MSP,3,,,,,25,50000 Calls/Month,5 seats,3 seats,\"Enterprise BW\nbrand_new_addon\"\r\n"+
		"5001,Demo MSP,,Acme Dental,Business,100GB,10,3,disabled,disabled,4 seats,Chat\r\n") {
		t.Fatalf("csv:\n%q", b)
	}
}

func TestDistributorMSPInfo(t *testing.T) {
	src := demoDistributor()
	out, _, err := runDist(t, src, `distributor msp-info "demo msp"`)
	if err != nil {
		t.Fatal(err)
	}
	want := `  #    ID  MC Name          Node ID  Plan             Storage      Addons  Allocated    Active
---  ----  -------------  ---------  ---------------  ---------  --------  -----------  --------
  1  5001  Acme Dental         7002  Business         100GB             2  10           3
  2  5002  Expired Co          7002  Enterprise Plus  1TB               2  5            -
  3  5003  Unlimited Ltd       7003  mystery          STORAGE_X         0  Unlimited    40
`
	if out != want {
		t.Fatalf("msp-info\n%s\nwant\n%s", out, want)
	}
	out, _, err = runDist(t, src, "ds mi 1001 -v")
	if err != nil || !strings.Contains(out, "1    5001  Acme Dental    7002       Business         100GB      Chat      10") ||
		!strings.Contains(out, "\n                                                                 PAM (4)\n") ||
		!strings.Contains(out, "KCM (2)   5            -\n") || !strings.Contains(out, "\n                                                                 KSM\n") {
		t.Fatalf("-v: %v\n%s", err, out)
	}
	out, _, err = runDist(t, src, `distributor msp-info "BOB'S MSP" --format json`)
	var m distMSPJSON
	if err != nil || json.Unmarshal([]byte(out), &m) != nil || m.EnterpriseID != 1002 || m.DistributorName != "Demo Distributor" ||
		!strings.HasPrefix(out, "{\n    \"distributor_name\"") {
		t.Fatalf("%v\n%s", err, out)
	}
	_, _, err = runDist(t, src, `distributor msp-info "Nobody's MSP"`)
	if err == nil || !strings.Contains(err.Error(), `MSP "Nobody's MSP" not found`) {
		t.Fatalf("%v", err)
	}
	_, _, err = runDist(t, src, `distributor msp-info "Bob*"`)
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("msp-info takes no pattern: %v", err)
	}
}

func TestDistributorCache(t *testing.T) {
	src := demoDistributor()
	r := newDistRunner(src)
	for _, line := range []string{"distributor", "ds mi 1001", "distributor license"} {
		if _, _, err := r.run(t, line); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.count(msp.EndpointDistributorInfo); n != 1 {
		t.Fatalf("read %d times", n)
	}
	if _, _, err := r.run(t, "distributor --reload"); err != nil || src.count(msp.EndpointDistributorInfo) != 2 {
		t.Fatalf("--reload: %v", err)
	}
	// Another enterprise (after a new login) reads its own list.
	src.e = &enterprise.Enterprise{ID: 901, Name: "Other", Distributor: true}
	if _, _, err := r.run(t, "distributor"); err != nil || src.count(msp.EndpointDistributorInfo) != 3 {
		t.Fatalf("other enterprise: %v", err)
	}
	// A change starts from fresh data and reloads after it.
	src.e.ID = 900
	if _, _, err := r.run(t, "ds l 3456 --add-product business"); err != nil || src.count(msp.EndpointDistributorInfo) != 5 {
		t.Fatalf("license: %v %d", err, src.count(msp.EndpointDistributorInfo))
	}
}

func TestDistributorLicenseSeedExamples(t *testing.T) {
	src := demoDistributor()
	out, status, err := runDist(t, src, `distributor license "Bob's MSP" --add-product business`)
	if err != nil {
		t.Fatal(err)
	}
	ups := src.updates()
	want := &pb.UpdateMSPPermitsRequest{MspEnterpriseId: 1002, AllowedMcProducts: []string{"business", "enterprise"},
		MaxFilePlanType: "STORAGE_100GB", AllowUnlimitedLicenses: true}
	if len(ups) != 1 || !proto.Equal(ups[0], want) || len(status) != 0 {
		t.Fatalf("%v %v", ups, status)
	}
	if out != `MSP ID    MSP Name    Unlimited Allowed    Allowed Products         Allowed Addons    Max File Plan
--------  ----------  -------------------  -----------------------  ----------------  ---------------
1002      Bob's MSP   True                 business (Business)                        100GB
                                           enterprise (Enterprise)
` {
		t.Fatalf("table\n%s", out)
	}

	src = demoDistributor()
	_, status, err = runDist(t, src, `distributor license "My MSP" 3456 --max-file-plan 1TB`)
	ups = src.updates()
	if err != nil || len(ups) != 1 || ups[0].MspEnterpriseId != 3456 || ups[0].MaxFilePlanType != "STORAGE_1TB" || len(status) != 0 {
		t.Fatalf("%v %v %v", err, ups, status)
	}

	src = demoDistributor()
	out, status, err = runDist(t, src, "distributor license --allocate-unlimited=off *")
	ups = src.updates()
	// Only the MSPs allowed unlimited licences change; My MSP is not sent.
	if err != nil || len(ups) != 3 || ups[0].MspEnterpriseId != 1001 || ups[1].MspEnterpriseId != 1002 || ups[2].MspEnterpriseId != 1004 ||
		ups[0].AllowUnlimitedLicenses || !proto.Equal(ups[0], &pb.UpdateMSPPermitsRequest{MspEnterpriseId: 1001,
		AllowedMcProducts: []string{"business", "enterprise"}, AllowedAddOns: []string{"chat", "connection_manager"},
		MaxFilePlanType: "STORAGE_1TB"}) {
		t.Fatalf("%v %v", err, ups)
	}
	if !reflect.DeepEqual(status, []string{"Updating %s", "Updating %s", "Updating %s"}) || strings.Contains(out, "True") ||
		strings.Count(out, "False") != 4 {
		t.Fatalf("%v\n%s", status, out)
	}
	if n := src.count(msp.EndpointDistributorInfo); n != 2 {
		t.Fatalf("read before and after the change: %d", n)
	}
}

func TestDistributorLicense(t *testing.T) {
	src := demoDistributor()
	out, _, err := runDist(t, src, "distributor license")
	if err != nil || strings.Count(out, "\n") != 2+5 || len(src.updates()) != 0 ||
		!strings.Contains(out, "\n1001      Demo MSP                                         True                 business (Business)           connection_manager (KCM)  1TB\n") ||
		!strings.Contains(out, "\n3456      My MSP                                           False                                                                        100GB\n") {
		t.Fatalf("all MSPs: %v\n%s", err, out)
	}
	// Patterns and ids, any case, once each, in the server's order.
	_, _, err = runDist(t, src, "ds l 'bob*' 1001 'DEMO MSP' --add-product enterprise_plus --remove-addon CHAT --add-addon secrets_manager")
	ups := src.updates()
	if err != nil || len(ups) != 2 || ups[0].MspEnterpriseId != 1001 || ups[1].MspEnterpriseId != 1002 ||
		!reflect.DeepEqual(ups[0].AllowedMcProducts, []string{"business", "enterprise", "enterprisePlus"}) ||
		!reflect.DeepEqual(ups[0].AllowedAddOns, []string{"secrets_manager", "connection_manager"}) {
		t.Fatalf("%v %v", err, ups)
	}
	// A name, id or pattern that matches nothing: nothing is sent.
	for _, line := range []string{"ds l 'Nobody*' --add-product business", "ds l 1002 9999 --add-product business", "ds l ghost"} {
		src = demoDistributor()
		_, _, err := runDist(t, src, line)
		if err == nil || !strings.Contains(err.Error(), "not found") || len(src.updates()) != 0 {
			t.Fatalf("%s: %v %v", line, err, src.updates())
		}
	}
	// Nothing changes: nothing is sent, nothing reloaded.
	src = demoDistributor()
	_, status, err := runDist(t, src, "ds l 1002 --add-product enterprise --allocate-unlimited on --max-file-plan 100gb")
	if err != nil || len(src.updates()) != 0 || !reflect.DeepEqual(status, []string{"Nothing to change"}) ||
		src.count(msp.EndpointDistributorInfo) != 1 {
		t.Fatalf("%v %v %v", err, src.updates(), status)
	}
	// A refused update is an error naming the MSP.
	src = demoDistributor()
	src.updateErr = &rest.APIError{Endpoint: msp.EndpointUpdateMSPPermits, Code: "access_denied"}
	_, _, err = runDist(t, src, "ds l '*' --allocate-unlimited off")
	var api *rest.APIError
	if !errors.As(err, &api) || !strings.Contains(err.Error(), "distributor license: Demo MSP:") {
		t.Fatalf("%v", err)
	}
	// JSON.
	src = demoDistributor()
	out, _, err = runDist(t, src, "ds l 'my msp' 1001 --format json")
	var rows []distLicenseJSON
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 ||
		!reflect.DeepEqual(rows[0], distLicenseJSON{MSPID: 1001, MSPName: "Demo MSP", UnlimitedAllowed: true,
			AllowedProducts: []string{"business", "enterprise"}, AllowedAddOns: []string{"connection_manager", "chat"}, MaxFilePlan: "1TB"}) ||
		rows[1].MSPID != 3456 || rows[1].AllowedProducts == nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestFnmatch(t *testing.T) {
	for _, c := range []struct {
		pat, name string
		want      bool
	}{
		{"*", "Bob's MSP", true},
		{"*", "", true},
		{"Bob*", "bob's msp", true},
		{"bob*", "My Bob's MSP", false},
		{"*MSP", "Bob's MSP", true},
		{"b?b's msp", "Bob's MSP", true},
		{"[BM]*", "My MSP", true},
		{"[!B]*", "Bob's MSP", false},
		{"[!B]*", "Demo MSP", true},
		{"My MSP", "my msp", true},
		{"My MSP", "My MSP 2", false},
		{"a[", "a[", true},
		{"a.c", "abc", false},
		{"(x)+", "(x)+", true},
		{"[a-c]x", "Bx", true},
		{`[\]x`, `\x`, true},
		{"*\n*", "a\nb", true},
	} {
		if got := fnmatchRegexp(c.pat).MatchString(c.name); got != c.want {
			t.Errorf("%q ~ %q: %v", c.pat, c.name, got)
		}
	}
}
