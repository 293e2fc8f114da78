package commands

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/report"
)

var noFactory = &Factory{}

func usageErr(t *testing.T, err error, want string) {
	t.Helper()
	var ue *command.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want a usage error containing %q", err, want)
	}
}

func TestLoginFlags(t *testing.T) {
	build := func(runF func(context.Context, *loginOptions) error) *command.Command {
		return newLoginCmd(noFactory, runF)
	}
	o, err := capture(t, build, "login --new-login -p secret admin@x.test")
	if err != nil || o.Password != "secret" || !o.NewLogin || !reflect.DeepEqual(o.Args, []string{"admin@x.test"}) {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = capture(t, build, "login a@x b@x")
	usageErr(t, err, `unexpected argument "b@x"`)
	_, err = capture(t, build, "login --pass ''")
	usageErr(t, err, "--pass needs a non-empty value")
	err = loginRun(context.Background(), &loginOptions{base: base{Args: []string{"not-an-email"}}})
	usageErr(t, err, `"not-an-email" is not an email address`)
}

func TestCommandsWithoutArgumentsRefuseThem(t *testing.T) {
	for _, c := range All(noFactory) {
		if c.Args != "" || c.ValidateArgs != nil {
			continue
		}
		_, _, err := runLine(t, c, c.Name+" a b c")
		usageErr(t, err, `unexpected argument "a"`)
	}
}

func TestThisDeviceArgs(t *testing.T) {
	build := func(runF func(context.Context, *thisDeviceOptions) error) *command.Command {
		return newThisDeviceCmd(noFactory, runF)
	}
	for line, want := range map[string]string{
		"this-device register now":     "register takes no value",
		"this-device persistent-login": "persistent-login on|off",
		"this-device timeout":          "timeout DURATION",
		"this-device fly":              `unknown sub-command "fly"`,
		"this-device timeout 1h extra": "timeout DURATION",
		"this-device --format ''":      "--format needs a non-empty value",
	} {
		_, err := capture(t, build, line)
		usageErr(t, err, want)
	}
	if o, err := capture(t, build, "this-device pl on"); err != nil || o.Args[1] != "on" {
		t.Fatalf("%+v %v", o, err)
	}
}

func TestMSPInfoFlags(t *testing.T) {
	build := func(runF func(context.Context, *mspInfoOptions) error) *command.Command {
		return newMSPInfoCmd(noFactory, runF)
	}
	o, err := capture(t, build, "mi -v -mc 'Alpha Dental' --format json --output x")
	if err != nil || !o.Verbose || o.MC != "Alpha Dental" || o.Report.Format != report.JSON || o.Report.Output != "x" {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = capture(t, build, "mi -mc ''")
	usageErr(t, err, "--managed-company needs a non-empty value")
	_, err = capture(t, build, "mi extra")
	usageErr(t, err, `unexpected argument "extra"`)
}

func TestMSPInfoRun(t *testing.T) {
	src := &fakeEnterprise{e: demoEnterprise()}
	out, _, err := runLine(t, newMSPInfoCmd(&Factory{}, func(ctx context.Context, o *mspInfoOptions) error {
		o.Source = src
		o.Status = func(string, ...any) {}
		return mspInfoRun(ctx, o)
	}), "mi")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "Alpha Dental") || !strings.Contains(lines[3], "Zulu Legal") ||
		!strings.Contains(lines[3], "Fixture MSP\\Europe") || !strings.Contains(lines[3], " -1 ") {
		t.Fatalf("table:\n%s", out)
	}
	var rows []map[string]any
	out, _, err = runLine(t, newMSPInfoCmd(&Factory{}, func(ctx context.Context, o *mspInfoOptions) error {
		o.Source = src
		return mspInfoRun(ctx, o)
	}), "mi -v --format json")
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if rows[0]["node"] != "330712481794" || rows[0]["node_name"] != "Fixture MSP" || rows[0]["plan"] != "business" ||
		!reflect.DeepEqual(rows[0]["addons"], []any{"chat", "enterprise_breach_watch"}) {
		t.Fatalf("verbose json row: %v", rows[0])
	}
}

func TestMSPInfoNoCompaniesIsAnEmptyList(t *testing.T) {
	e := demoEnterprise()
	e.ManagedCompanies = nil
	var status []string
	run := func(line string) string {
		out, _, err := runLine(t, newMSPInfoCmd(&Factory{}, func(ctx context.Context, o *mspInfoOptions) error {
			o.Source = &fakeEnterprise{e: e}
			o.Status = func(f string, a ...any) { status = append(status, f) }
			return mspInfoRun(ctx, o)
		}), line)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := run("mi --format json"); out != "[]\n" {
		t.Fatalf("json with no companies: %q", out)
	}
	if out := run("mi"); out != "" || len(status) == 0 {
		t.Fatalf("table with no companies: %q %v", out, status)
	}
}

// TestJSONFields pins the JSON keys of every command that prints JSON, as
// gh's jsonfieldstest does: a key is added or renamed only on purpose.
func TestJSONFields(t *testing.T) {
	want := map[string]string{
		"msp-info":    "company_id,company_name,node,node_name,plan,storage,addons,allocated,active",
		"whoami":      "logged_in,user,server,data_center,environment,admin,account_type,managed_company",
		"this-device": "device_name,data_key_present,persistent_login,device_logout_timeout,config_file",
		"create-user": "email,status,user_id,record_uid,message",
		"enterprise-info": "node_id,name,parent_node,parent_id,user_count,users,team_count,teams,role_count,roles,isolated," +
			"email_provisioning,bridge_provisioning,scim_provisioning,sso_provisioning,user_id,email,status,transfer_status,node,alias," +
			"2fa_enabled,job_title,team_uid,restricts,queued_user_count,queued_users,role_id,visible_below,default_role,admin," +
			"enforcement_count,enforcements,managed_node_count,managed_nodes,managed_nodes_permissions",
	}
	seen := map[string]bool{}
	for _, c := range All(noFactory) {
		keys := command.JSONKeys(c.JSON)
		if len(keys) == 0 {
			continue
		}
		seen[c.Name] = true
		if got := strings.Join(keys, ","); got != want[c.Name] {
			t.Errorf("%s JSON keys\n got %s\nwant %s", c.Name, got, want[c.Name])
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("%s documents no JSON keys", name)
		}
	}
}

// TestEnterpriseInfoJSONKeysDocumented: every key a listing emits is among
// the documented ones.
func TestEnterpriseInfoJSONKeysDocumented(t *testing.T) {
	doc := map[string]bool{}
	for _, k := range eiJSONKeys() {
		doc[k] = true
	}
	for _, flag := range []string{"-n", "-u", "-t", "-r"} {
		kind := map[string]string{"-n": "nodes", "-u": "users", "-t": "teams", "-r": "roles"}[flag]
		cols := append(append([]string(nil), eiColumns[kind].first...), eiColumns[kind].all...)
		out, _, err := runLine(t, newEnterpriseInfoCmd(&Factory{}, func(ctx context.Context, o *enterpriseInfoOptions) error {
			o.Source = &fakeEnterprise{e: demoEnterprise()}
			return enterpriseInfoRun(ctx, o)
		}), "ei -q --format json "+flag+" --columns "+strings.Join(cols, ","))
		if err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v\n%s", flag, err, out)
		}
		for _, r := range rows {
			for k := range r {
				if !doc[k] {
					t.Errorf("%s emits undocumented key %q", flag, k)
				}
			}
		}
	}
}

func TestConfirmDestructive(t *testing.T) {
	ctx := context.Background()
	if ok, err := confirmDestructive(ctx, nil, true, "x", "?"); !ok || err != nil {
		t.Fatal("--force must proceed")
	}
	_, err := confirmDestructive(ctx, nil, false, "msp-remove", "?")
	usageErr(t, err, "add -f/--force")
	no := func(context.Context, string) (bool, error) { return false, nil }
	if ok, err := confirmDestructive(ctx, no, false, "x", "?"); ok || err != nil {
		t.Fatal("a declined prompt must not proceed")
	}
}
