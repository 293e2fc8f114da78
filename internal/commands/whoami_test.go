package commands

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/session"
)

// fakeAccount is a logged-in session for whoami and this-device. Account
// records the call and does not run fn (that needs a server; the sandbox
// tests in internal/e2e and testdata/script cover it).
type fakeAccount struct {
	sess     *auth.Session
	server   string
	mc       *session.MC
	ent      *enterprise.Enterprise
	entErr   error
	entCalls int
	accounts int
	config   string
}

func (f *fakeAccount) LiveSession(context.Context) (*auth.Session, error) { return f.sess, nil }
func (f *fakeAccount) Server() string                                     { return f.server }
func (f *fakeAccount) CurrentMC() *session.MC                             { return f.mc }
func (f *fakeAccount) ConfigPath() string                                 { return f.config }
func (f *fakeAccount) Account(context.Context, func(*auth.Session, *rest.Client) error) error {
	f.accounts++
	return nil
}
func (f *fakeAccount) Enterprise(context.Context, bool) (*enterprise.Enterprise, error) {
	f.entCalls++
	return f.ent, f.entErr
}

// adminAccount is an enterprise admin of the fixture MSP with two licences:
// an MSP base licence with add-ons and an unlimited managed-company one.
func adminAccount() *fakeAccount {
	e := demoEnterprise()
	e.Licenses = []*pb.License{
		{Paid: true, ProductTypeId: 11, Tier: 1, NumberOfSeats: 100, SeatsAllocated: 33, SeatsPending: 6,
			Expiration: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), FilePlanTypeId: 4,
			AddOns: []*pb.LicenseAddOn{{Name: "enterprise_breach_watch", Enabled: true}, {Name: "chat"},
				{Name: "secrets_manager", Enabled: true, ApiCallCount: 1500000},
				{Name: "connection_manager", Enabled: true, Seats: 5}, {Name: "new_thing", Enabled: true}}},
		{ProductTypeId: 8, NumberOfSeats: 2147483647, SeatsAllocated: 7},
	}
	return &fakeAccount{server: "https://keepersecurity.eu/api/rest/", ent: e, config: "/home/x/.keeper/config.json",
		sess: &auth.Session{Username: "admin@fixture.test", Summary: auth.Summary{IsEnterpriseAdmin: true, AccountType: 2,
			License: &auth.License{ProductTypeName: "Enterprise", ExpirationDate: "2027-03-01", BytesUsed: 3 << 30,
				BytesTotal: 100 << 30, StorageExpirationDate: "2027-03-02", AuditAndReporting: true},
			Enforcements: map[string]string{}}}}
}

var fixedNow = func() time.Time { return time.Date(2029, 12, 1, 12, 0, 0, 0, time.UTC) }

func runWhoami(t *testing.T, src whoamiSource, line string) (string, error) {
	t.Helper()
	out, _, err := runLine(t, newWhoamiCmd(noFactory, func(ctx context.Context, o *whoamiOptions) error {
		o.Source, o.Now = src, fixedNow
		return whoamiRun(ctx, o)
	}), line)
	return out, err
}

// TestWhoamiAdminText: Commander's sections in order with labels
// right-aligned in 22 columns, Yes/No booleans, the licence plan names,
// Expires one day after the expiration with the days left, "Unlimited"
// seats, the file plan name and only enabled add-ons (display names, API
// calls and seats appended, unknown codes as they are).
func TestWhoamiAdminText(t *testing.T) {
	src := adminAccount()
	src.mc = &session.MC{Name: "Alpha Dental"}
	out, err := runWhoami(t, src, "whoami")
	if err != nil {
		t.Fatal(err)
	}
	want := `User Info
                  User: admin@fixture.test
                Server: keepersecurity.eu
           Data Center: EU
                 Admin: Yes
       Managed Company: Alpha Dental

Account
          Account Type: Enterprise
          Renewal Date: 2027-03-01
      Storage Capacity: 100GB
                 Usage: 3%
  Storage Renewal Date: 2027-03-02
           BreachWatch: No
    Reporting & Alerts: Yes

Enterprise License
             Base Plan: Keeper MSP
               Expires: 2030-01-02 (in 31 days)
         User Licenses: Plan: 100  Active: 33  Invited: 6
   Secure File Storage: 100GB
               Add-ons: Enterprise BreachWatch
                      : Keeper Secrets Manager (KSM) (1,500,000 API calls)
                      : Keeper Connection Manager (KCM) (5 licenses)
                      : new_thing
             Base Plan: MC Business
         User Licenses: Plan: Unlimited  Active: 7  Invited: 0
   Secure File Storage: 
`
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	if src.entCalls != 1 {
		t.Fatalf("enterprise read %d times", src.entCalls)
	}
}

// TestWhoamiAdminJSON: Commander's keys and values, indent 2; the seat
// sentinel stays a number, no vault counts (keeper syncs no vault).
func TestWhoamiAdminJSON(t *testing.T) {
	out, err := runWhoami(t, adminAccount(), "whoami --json -v")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"logged_in": true, "user": "admin@fixture.test", "server": "keepersecurity.eu", "data_center": "EU",
		"admin": true, "account_type": "Enterprise", "renewal_date": "2027-03-01", "storage_capacity": "100GB",
		"storage_usage": "3%", "storage_renewal_date": "2027-03-02", "breachwatch": false, "reporting_and_alerts": true,
		"enterprise_licenses": []any{
			map[string]any{"base_plan": "Keeper MSP", "license_expires": "2030-01-02 (in 31 days)",
				"user_licenses": map[string]any{"plan": 100.0, "active": 33.0, "invited": 6.0}, "secure_file_storage": "100GB",
				"add_ons": []any{"Enterprise BreachWatch", "Keeper Secrets Manager (KSM) (1,500,000 API calls)",
					"Keeper Connection Manager (KCM) (5 licenses)", "new_thing"}},
			map[string]any{"base_plan": "MC Business", "user_licenses": map[string]any{"plan": 2147483647.0, "active": 7.0,
				"invited": 0.0}, "secure_file_storage": ""}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	if !strings.HasPrefix(out, "{\n  \"logged_in\": true,\n  \"user\": ") {
		t.Fatalf("not json.dumps(indent=2) layout:\n%s", out)
	}
}

// TestWhoamiConsumer: a non-enterprise account has no Admin row, its plan
// name as account type, no storage rows without bytes_total, and no
// enterprise read.
func TestWhoamiConsumer(t *testing.T) {
	src := &fakeAccount{server: "dev.keepersecurity.com", sess: &auth.Session{Username: "me@x.test", Summary: auth.Summary{
		License: &auth.License{ProductTypeName: "Keeper Unlimited", ExpirationDate: "2026-05-05", BreachWatchEnabled: true}}}}
	out, err := runWhoami(t, src, "whoami -v")
	if err != nil {
		t.Fatal(err)
	}
	want := `User Info
                  User: me@x.test
                Server: dev.keepersecurity.com
           Data Center: US
           Environment: DEV

Account
          Account Type: Keeper Unlimited
          Renewal Date: 2026-05-05
           BreachWatch: Yes
`
	if out != want || src.entCalls != 0 {
		t.Fatalf("got (enterprise reads %d)\n%s\nwant\n%s", src.entCalls, out, want)
	}
	out, err = runWhoami(t, src, "whoami --json")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal([]byte(out), &got)
	for _, k := range []string{"admin", "storage_capacity", "reporting_and_alerts", "enterprise_licenses", "records_count"} {
		if _, ok := got[k]; ok {
			t.Errorf("consumer JSON has %s: %s", k, out)
		}
	}
	if got["account_type"] != "Keeper Unlimited" || got["environment"] != "DEV" || got["breachwatch"] != true {
		t.Errorf("consumer JSON %s", out)
	}
}

func TestWhoamiEnterpriseError(t *testing.T) {
	src := adminAccount()
	src.entErr = errors.New("boom")
	if _, err := runWhoami(t, src, "whoami"); err == nil || !strings.Contains(err.Error(), "enterprise license: boom") {
		t.Fatalf("got %v", err)
	}
}

func TestBasePlan(t *testing.T) {
	for _, tc := range []struct {
		product, tier int32
		dist          bool
		want          string
	}{
		{3, 1, false, "Enterprise"}, {3, 0, false, "Business"}, {5, 1, false, "Enterprise Trial"},
		{9, 0, false, "Managed MSP"}, {9, 0, true, "Distributor"}, {10, 0, true, "Distributor Trial"},
		{11, 0, false, "Keeper MSP"}, {12, 0, false, "Keeper MSP Trial"}, {8, 1, false, "MC Enterprise"},
		{8, 2, false, "MC Business"}, {0, 0, false, "Unknown"}, {4, 0, false, "Unknown"},
	} {
		if got := basePlan(tc.product, tc.tier, tc.dist); got != tc.want {
			t.Errorf("basePlan(%d, %d, %v) = %q, want %q", tc.product, tc.tier, tc.dist, got, tc.want)
		}
	}
}

// TestLicenceExpires: the local date one day after the expiration, days
// left floored as Python's timedelta.days does, "expired" from 0 days on.
func TestLicenceExpires(t *testing.T) {
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	berlin := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2029, 12, 1, 12, 0, 0, 0, time.UTC), "2030-01-02 (in 31 days)"},
		{time.Date(2030, 1, 1, 0, 0, 1, 0, time.UTC), "2030-01-02 (expired)"},      // 23:59:59 left: 0 days
		{time.Date(2030, 1, 3, 0, 0, 0, 0, time.UTC), "2030-01-02 (expired)"},      // -1 day
		{time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC), "2030-01-02 (in 1 days)"}, // Commander's plural
		{time.Date(2029, 12, 1, 12, 0, 0, 0, berlin), "2030-01-02 (in 31 days)"},   // 01:00 local + 1 day
		{time.Date(2029, 12, 1, 12, 0, 0, 0, time.FixedZone("PST", -8*3600)), "2030-01-01 (in 31 days)"},
	} {
		if got := licenceExpires(exp, tc.now); got != tc.want {
			t.Errorf("now %v: got %q, want %q", tc.now, got, tc.want)
		}
	}
	if got := thousands(1234567); got != "1,234,567" || thousands(999) != "999" || thousands(-1000) != "-1,000" {
		t.Errorf("thousands: %q", got)
	}
}

func TestServerHostAndDataCenter(t *testing.T) {
	for server, want := range map[string][3]string{
		"https://keepersecurity.com/api/rest/": {"keepersecurity.com", "US", ""},
		"keepersecurity.eu":                    {"keepersecurity.eu", "EU", ""},
		"https://QA.KeeperSecurity.com:443":    {"qa.keepersecurity.com", "US", "QA"},
		"govcloud.keepersecurity.us":           {"govcloud.keepersecurity.us", "US GOV", ""},
		"keepersecurity.com.au":                {"keepersecurity.com.au", "AU", ""},
		"https://127.0.0.1:8443":               {"127.0.0.1", "127.0.0.1", ""},
		"https://[::1]:8443/x":                 {"[::1]", "[::1]", ""},
	} {
		host := serverHost(server)
		dc, env := dataCenter(server)
		if got := [3]string{host, dc, env}; got != want {
			t.Errorf("%s: got %q, want %q", server, got, want)
		}
	}
}
