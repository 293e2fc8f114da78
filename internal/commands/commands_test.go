package commands

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

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
		"this-device rename":           "usage: this-device rename NAME",
		"this-device ren ' '":          "the device name must not be empty",
		"this-device iaa":              "usage: this-device ip-auto-approve on|off",
		"this-device ip_auto_approve":  "usage: this-device ip-auto-approve on|off",
		"this-device no-yubikey-pin":   "usage: this-device no-yubikey-pin on|off",
		"this-device nyp on":           `unknown sub-command "nyp"`,
		"this-device rename a b":       "usage: this-device rename NAME",
	} {
		_, err := capture(t, build, line)
		usageErr(t, err, want)
	}
	for _, line := range []string{"this-device pl on", "this-device IAA on", "this-device no-yubikey-pin on",
		"this-device ren 'My Laptop'", "this-device register", "this-device to 1h"} {
		if o, err := capture(t, build, line); err != nil || o == nil {
			t.Fatalf("%s: %+v %v", line, o, err)
		}
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
		"msp-info": "company_id,company_name,node,node_name,plan,storage,addons,allocated,active",
		"whoami": "logged_in,user,server,data_center,environment,admin,account_type,renewal_date,storage_capacity," +
			"storage_usage,storage_renewal_date,breachwatch,reporting_and_alerts,records_count,shared_folders_count,teams_count," +
			"enterprise_licenses[{base_plan,license_expires,user_licenses{plan,active,invited},secure_file_storage,add_ons}]," +
			"managed_company",
		"this-device": "device_name,data_key_present,ip_auto_approve,persistent_login,security_key_no_pin,device_logout_timeout," +
			"enterprise_logout_timeout,effective_logout_timeout,is_sso_user,config_file",
		"create-user": "email,status,user_id,record_uid,message",
		"enterprise-info": "node_id,name,parent_node,parent_id,user_count,users,team_count,teams,role_count,roles,isolated," +
			"email_provisioning,bridge_provisioning,scim_provisioning,sso_provisioning,user_id,email,status,transfer_status,node,alias," +
			"2fa_enabled,job_title,team_uid,restricts,queued_user_count,queued_users,role_id,visible_below,default_role,admin," +
			"enforcement_count,enforcements,managed_node_count,managed_nodes,managed_nodes_permissions",
		"msp-add":         "company_id,company_name",
		"msp-copy-role":   "company_id,company_name,role,role_id,status,added,changed,removed,message",
		"enterprise-node": "node_id,name,path,parent_id,isolated,subnodes,users,roles,teams",
		"enterprise-role": "role_id,name,node_id,node,default_role,admin,users,teams,managed_nodes,enforcements",
		"enterprise-team": "team_uid,name,node_id,node,queued,restrict_edit,restrict_share,restrict_view,users,roles",
		"enterprise-user": "user_id,email,name,node_id,node,status,2fa_enabled,transfer_status,job_title,aliases," +
			"teams[{team_uid,name,hide_shared_folders}],queued_teams[{team_uid,name}],roles[{role_id,name,via_team}]",
		"msp-billing-report": "date,company,company_id,product,licenses,rate,avg_per_day,initial_licenses,final_licenses,max_licenses",
		"msp-legacy-report":  "id,time,company_id,company_name,status,number_of_allocations,plan,transaction_notes,price_estimate",
		"distributor": "distributor_name,enterprise_id,enterprise_name,allocated_licenses,allowed_mc_products,allowed_add_ons," +
			"max_file_plan_type,managed_companies[{mc_enterprise_id,mc_enterprise_name,msp_node_id,number_of_seats," +
			"number_of_users,product_id,is_expired,file_plan_type,add_ons[{name,enabled,is_trial,expiration,created,seats," +
			"activation_time,included_in_product,api_call_count}]}],allow_unlimited_licenses,add_ons[{name,enabled,is_trial," +
			"expiration,created,seats,activation_time,included_in_product,api_call_count}]",
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
	// Outputs of a command's other modes, with types of their own.
	if got := strings.Join(command.JSONKeys(poolJSON{}), ","); got != "plan_id,available_licenses,total_licenses,stash" {
		t.Errorf("msp-info --licenses JSON keys: %s", got)
	}
	if got := strings.Join(command.JSONKeys(priceJSON{}), ","); got != "category,name,code,price" {
		t.Errorf("msp-info --pricing JSON keys: %s", got)
	}
	if got := strings.Join(command.JSONKeys(distLicenseJSON{}), ","); got !=
		"msp_id,msp_name,unlimited_allowed,allowed_products,allowed_addons,max_file_plan" {
		t.Errorf("distributor license JSON keys: %s", got)
	}
	if got := strings.Join(command.JSONKeys(userRowJSON{}), ","); got != "email,status,user_id,message" {
		t.Errorf("enterprise-user --add --file JSON keys: %s", got)
	}
}

// TestExamplesParse: every example in the help parses (flags, arguments,
// required flags), so help cannot show a line the command refuses.
func TestExamplesParse(t *testing.T) {
	for _, c := range All(noFactory) {
		for _, ex := range c.Examples {
			cp := *c
			setup := c.Setup
			cp.Setup = func(fs *pflag.FlagSet) command.Runner {
				setup(fs)
				return func(context.Context, *command.Env, []string) error { return nil }
			}
			words, err := command.Split(ex)
			if err != nil {
				t.Fatalf("%s: %v", ex, err)
			}
			if words[0] != c.Name && !slices.Contains(c.Aliases, words[0]) {
				continue // a follow-up with another command (switch-to-mc ${last_mc_id})
			}
			if _, _, err := runLine(t, &cp, ex); err != nil {
				t.Errorf("%s example %q: %v", c.Name, ex, err)
			}
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
