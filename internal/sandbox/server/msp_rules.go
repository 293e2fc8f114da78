package server

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// The catalogue a managed company is built from: Keeper's MSP plans, file
// plans and add-ons (Commander keepercommander/constants.py MSP_PLANS,
// MSP_FILE_PLANS, MSP_ADDONS, KEPM_VALID_SEATS).

// mcPlan is an MSP product plan: its code (product_id), the file plan it
// includes (0 = none) and the add-ons that come with it. Keeper's Plus
// plans bundle BreachWatch and the Advanced Reporting & Alerts Module with
// 1 TB of storage (Keeper's MSP guide, "Introducing Keeper MSP Upgraded
// Billing Platform").
type mcPlan struct {
	code     string
	filePlan int32
	included []string
}

var mcPlans = []mcPlan{
	{"business", 4, nil},
	{"businessPlus", 7, []string{"enterprise_breach_watch", "enterprise_audit_and_reporting"}},
	{"businessStarter", 0, nil},
	{"enterprise", 4, nil},
	{"enterprisePlus", 7, []string{"enterprise_breach_watch", "enterprise_audit_and_reporting"}},
}

// planByCode finds a plan by product id, case-insensitively.
func planByCode(code string) (mcPlan, bool) {
	for _, p := range mcPlans {
		if strings.EqualFold(p.code, code) {
			return p, true
		}
	}
	return mcPlan{}, false
}

// storagePlan is a file plan; ids order them (4 < 7 < 8).
type storagePlan struct {
	id    int32
	code  string
	bytes int64
}

var storagePlans = []storagePlan{{4, "STORAGE_100GB", 100 << 30}, {7, "STORAGE_1TB", 1 << 40}, {8, "STORAGE_10TB", 10 << 40}}

// storageByCode finds a file plan by code, case-insensitively.
func storageByCode(code string) (storagePlan, bool) {
	for _, p := range storagePlans {
		if strings.EqualFold(p.code, code) {
			return p, true
		}
	}
	return storagePlan{}, false
}

func storageByID(id int32) storagePlan {
	for _, p := range storagePlans {
		if p.id == id {
			return p
		}
	}
	return storagePlan{}
}

// Add-on codes with rules of their own.
const (
	addOnKCM  = "connection_manager"
	addOnRBI  = "remote_browser_isolation"
	addOnKEPM = "keeper_endpoint_privilege_manager"
)

// mcAddOns maps every add-on code to whether it carries seats.
var mcAddOns = map[string]bool{
	"chat": false, "enterprise_audit_and_reporting": false, "professional_services_silver_add_on": false,
	"gold_professional_services_add_on": false, "platinum_professional_services_add_on": false,
	"msp_service_and_support": false, "consumer_breach_watch": false, "enterprise_breach_watch": false,
	"compliance_report": false, "secrets_manager": false, addOnKCM: true, "password_rotation": false,
	addOnRBI: false, "privileged_access_manager": true, addOnKEPM: true,
}

// kepmSeats are the seat counts KEPM is sold in (unlimited included).
var kepmSeats = []int32{1, 25, 50, 100, 500, 1000, 5000, 10000, unlimitedSeats}

// maxMCNameLength is Keeper's enterprise name limit, in characters.
const maxMCNameLength = 255

// mcName checks an MC name: 1-255 characters after trimming.
func mcName(cmd map[string]any) (string, error) {
	name := strings.TrimSpace(str(cmd, "enterprise_name"))
	if n := utf8.RuneCountInString(name); n == 0 || n > maxMCNameLength {
		return "", cmdFail("bad_inputs_enterprise_name", "enterprise_name must be 1-%d characters, got %d", maxMCNameLength, n)
	}
	return name, nil
}

// seatCount reads a seat count sent as a JSON integer or a numeric string
// (Commander's msp-update sends new add-on seats as typed text). -1 and
// 2147483647 mean unlimited and are stored as 2147483647; other negatives
// and counts beyond int32 are refused.
func seatCount(v any, field string) (int32, error) {
	var n int64
	bad := cmdFail("bad_inputs_seats", "%s must be a whole number of seats, -1 or 2147483647 for unlimited", field)
	switch x := v.(type) {
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, bad
		}
		n = int64(x)
	case string:
		var err error
		if n, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
			return 0, bad
		}
	case json.Number:
		var err error
		if n, err = x.Int64(); err != nil {
			return 0, bad
		}
	default:
		return 0, bad
	}
	switch {
	case n == -1 || n == unlimitedSeats:
		return unlimitedSeats, nil
	case n < 0 || n > unlimitedSeats:
		return 0, bad
	}
	return int32(n), nil
}

// requestedAddOns reads add_ons [{add_on, seats?}]: known codes only (lower
// case), seats kept for add-ons that carry them, a repeated code replacing
// the earlier entry, and Keeper's rules: KEPM in its sold seat counts,
// remote browser isolation only with connection manager seats.
func requestedAddOns(cmd map[string]any) ([]*enterprisepb.LicenseAddOn, error) {
	raw, ok := cmd["add_ons"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, cmdFail("bad_inputs_add_ons", "add_ons must be a list of {add_on, seats}")
	}
	var out []*enterprisepb.LicenseAddOn
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, cmdFail("bad_inputs_add_ons", "add_ons must be a list of {add_on, seats}")
		}
		code := strings.ToLower(strings.TrimSpace(str(m, "add_on")))
		seated, known := mcAddOns[code]
		if !known {
			return nil, cmdFail("bad_inputs_add_on", "add-on %q does not exist", str(m, "add_on"))
		}
		a := &enterprisepb.LicenseAddOn{Name: code, Enabled: true}
		if v, ok := m["seats"]; ok && v != nil && seated {
			n, err := seatCount(v, "seats of "+code)
			if err != nil {
				return nil, err
			}
			a.Seats = n
		}
		if code == addOnKEPM && a.Seats != 0 && !slices.Contains(kepmSeats, a.Seats) {
			return nil, cmdFail("bad_inputs_seats", "%s seats must be one of 1, 25, 50, 100, 500, 1000, 5000, 10000 or unlimited, got %d",
				code, a.Seats)
		}
		out = slices.DeleteFunc(out, func(x *enterprisepb.LicenseAddOn) bool { return x.Name == code })
		out = append(out, a)
	}
	rbi := slices.ContainsFunc(out, func(a *enterprisepb.LicenseAddOn) bool { return a.Name == addOnRBI })
	kcm := slices.ContainsFunc(out, func(a *enterprisepb.LicenseAddOn) bool { return a.Name == addOnKCM && a.Seats > 0 })
	if rbi && !kcm {
		return nil, cmdFail("bad_inputs_add_on", "add-on %s requires %s with seats", addOnRBI, addOnKCM)
	}
	return out, nil
}

// mcPlanRequest is the plan part of a registration or update, validated.
type mcPlanRequest struct {
	plan    mcPlan
	seats   int32
	storage storagePlan                  // requested file plan above the plan's own; id 0 = none
	addOns  []*enterprisepb.LicenseAddOn // requested, not included in the plan
}

// readPlan reads product_id, seats, file_plan_type and add_ons. An omitted
// file plan is the plan's included storage.
func readPlan(cmd map[string]any, seatsRequired bool) (*mcPlanRequest, error) {
	plan, ok := planByCode(strings.TrimSpace(str(cmd, "product_id")))
	if !ok {
		return nil, cmdFail("bad_inputs_product_id", "product_id %q is not one of business, businessPlus, businessStarter, enterprise, enterprisePlus",
			str(cmd, "product_id"))
	}
	r := &mcPlanRequest{plan: plan}
	if v, ok := cmd["seats"]; ok && v != nil {
		n, err := seatCount(v, "seats")
		if err != nil {
			return nil, err
		}
		r.seats = n
	} else if seatsRequired {
		return nil, cmdFail("bad_inputs_seats", "seats is required")
	}
	if code := strings.TrimSpace(str(cmd, "file_plan_type")); code != "" {
		fp, ok := storageByCode(code)
		if !ok {
			return nil, cmdFail("bad_inputs_file_plan_type", "file_plan_type %q is not one of STORAGE_100GB, STORAGE_1TB, STORAGE_10TB", code)
		}
		if fp.id > plan.filePlan {
			r.storage = fp
		}
	}
	addOns, err := requestedAddOns(cmd)
	if err != nil {
		return nil, err
	}
	r.addOns = addOns
	return r, nil
}

// filePlan is the MC's effective storage: the requested plan or, when none
// is above it, the product's included storage.
func (r *mcPlanRequest) filePlan() storagePlan {
	if r.storage.id != 0 {
		return r.storage
	}
	return storageByID(r.plan.filePlan)
}

// checkPermits applies a restricted MSP's permits (Commander msp.py checks
// the same lists client-side; maxAllowedLicenses only the server does). On
// an update (prev is the MC as it is) only what changes is checked, so an
// MC keeps what it got before the permits were narrowed.
func (r *mcPlanRequest) checkPermits(p *enterprisepb.MSPPermits, prev *enterprisepb.ManagedCompany) error {
	if p == nil || !p.Restricted {
		return nil
	}
	had := func(addOn string) bool {
		return prev != nil && slices.ContainsFunc(prev.AddOns, func(a *enterprisepb.LicenseAddOn) bool {
			return a.Name == addOn && !a.IncludedInProduct
		})
	}
	if (prev == nil || !strings.EqualFold(prev.ProductId, r.plan.code)) &&
		!slices.ContainsFunc(p.AllowedMcProducts, func(s string) bool { return strings.EqualFold(s, r.plan.code) }) {
		return cmdFail("not_allowed_product", "Managed Company plan %q is not allowed", r.plan.code)
	}
	if r.seats == unlimitedSeats && !p.AllowUnlimitedLicenses && (prev == nil || prev.NumberOfSeats != unlimitedSeats) {
		return cmdFail("unlimited_not_allowed", "Managed Company unlimited licences are not allowed")
	}
	if p.MaxAllowedLicenses > 0 && r.seats != unlimitedSeats && r.seats > p.MaxAllowedLicenses &&
		(prev == nil || r.seats > prev.NumberOfSeats) {
		return cmdFail("exceeds_max_licenses", "%d seats exceed the %d licences a managed company may have", r.seats, p.MaxAllowedLicenses)
	}
	if limit, ok := storageByCode(p.MaxFilePlanType); ok && r.storage.id > limit.id && (prev == nil || prev.FilePlanType != r.storage.code) {
		return cmdFail("not_allowed_file_plan", "Managed Company file storage %q is not allowed", r.storage.code)
	}
	for _, a := range r.addOns {
		if slices.Contains(r.plan.included, a.Name) || had(a.Name) {
			continue
		}
		if !slices.ContainsFunc(p.AllowedAddOns, func(s string) bool { return strings.EqualFold(s, a.Name) }) {
			return cmdFail("not_allowed_add_on", "Managed Company add-on %q is not allowed", a.Name)
		}
	}
	return nil
}

// licenceAddOns is the MC's add-on set: the plan's included add-ons, then
// the requested ones. created keeps the creation time of add-ons the MC
// already had; new ones get now (Unix ms).
func (r *mcPlanRequest) licenceAddOns(created map[string]int64, now int64) []*enterprisepb.LicenseAddOn {
	when := func(name string) int64 {
		if t, ok := created[name]; ok && t > 0 {
			return t
		}
		return now
	}
	var out []*enterprisepb.LicenseAddOn
	for _, name := range r.plan.included {
		out = append(out, &enterprisepb.LicenseAddOn{Name: name, Enabled: true, IncludedInProduct: true, Created: when(name),
			ActivationTime: when(name)})
	}
	for _, a := range r.addOns {
		if slices.Contains(r.plan.included, a.Name) {
			continue
		}
		out = append(out, &enterprisepb.LicenseAddOn{Name: a.Name, Enabled: true, Seats: a.Seats, Created: when(a.Name),
			ActivationTime: when(a.Name)})
	}
	return out
}
