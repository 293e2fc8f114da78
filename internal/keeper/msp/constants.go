// Package msp is the client side of MSP management: Keeper's plans, file
// plans and add-ons as Commander defines them, the JSON commands that add,
// update and remove managed companies, and managed-company sessions
// (login_to_mc).
package msp

import "strings"

// Unlimited is Keeper's unlimited-seats sentinel.
const Unlimited = 2147483647

// Plan is an MSP product plan.
type Plan struct {
	ID              int32  // BI id
	Code            string // product_id
	Display         string
	IncludedStorage int32 // file plan id included
}

// Plans in Commander's order (constants.MSP_PLANS).
var Plans = []Plan{
	{1, "business", "Business", 4},
	{2, "businessPlus", "Business Plus", 7},
	{3, "businessStarter", "Business Starter", 0},
	{10, "enterprise", "Enterprise", 4},
	{11, "enterprisePlus", "Enterprise Plus", 7},
}

// FilePlan is an MSP storage plan.
type FilePlan struct {
	ID      int32
	Code    string
	Display string
}

// FilePlans in Commander's order (constants.MSP_FILE_PLANS).
var FilePlans = []FilePlan{
	{4, "STORAGE_100GB", "100GB"},
	{7, "STORAGE_1TB", "1TB"},
	{8, "STORAGE_10TB", "10TB"},
}

// EnterpriseFilePlans are the storage plans of an enterprise licence, by
// filePlanTypeId (Commander constants.ENTERPRISE_FILE_PLANS).
var EnterpriseFilePlans = []FilePlan{
	{-1, "NO_STORAGE", "NO STORAGE"},
	{0, "STORAGE_TRIAL", "TRIAL"},
	{1, "STORAGE_1GB", "1GB"},
	{2, "STORAGE_10GB", "10GB"},
	{3, "STORAGE_50GB", "50GB"},
	{4, "STORAGE_100GB", "100GB"},
	{5, "STORAGE_250GB", "250GB"},
	{6, "STORAGE_500GB", "500GB"},
	{7, "STORAGE_1000GB", "1TB"},
	{8, "STORAGE_10000GB", "10TB"},
}

// AddOn is an MSP add-on.
type AddOn struct {
	Code    string
	Display string
	Seats   bool // seat counts are meaningful
	Short   string
}

// AddOns in Commander's display order (constants.MSP_ADDONS).
var AddOns = []AddOn{
	{"chat", "KeeperChat", false, "Chat"},
	{"enterprise_audit_and_reporting", "Advanced Reporting & Alerts Module", false, "ARAM"},
	{"professional_services_silver_add_on", "Professional Services & Support Silver Plan", false, "Silver Support"},
	{"gold_professional_services_add_on", "Professional Services & Support Gold Plan", false, "Gold Support"},
	{"platinum_professional_services_add_on", "Professional Services & Support Platinum Plan", false, "Platinum Support"},
	{"msp_service_and_support", "MSP Dedicated Service & Support", false, "MSP Support"},
	{"consumer_breach_watch", "Consumer BreachWatch", false, "Consumer BW"},
	{"enterprise_breach_watch", "Enterprise BreachWatch", false, "Enterprise BW"},
	{"compliance_report", "Compliance Reporting", false, "Compliance"},
	{"secrets_manager", "Keeper Secrets Manager (KSM)", false, "KSM"},
	{"connection_manager", "Keeper Connection Manager (KCM)", true, "KCM"},
	{"password_rotation", "Password Rotation", false, "Rotation"},
	{"remote_browser_isolation", "Remote Browser Isolation", false, "Browser Isolation"},
	{"privileged_access_manager", "Privileged Access Manager (PAM)", true, "PAM"},
	{"keeper_endpoint_privilege_manager", "Keeper Endpoint Privilege Manager (KEPM)", true, "KEPM"},
}

// PlanByCode finds a plan by its product code (exact, then case-insensitive).
func PlanByCode(code string) (Plan, bool) {
	for _, p := range Plans {
		if p.Code == code {
			return p, true
		}
	}
	for _, p := range Plans {
		if strings.EqualFold(p.Code, code) {
			return p, true
		}
	}
	return Plan{}, false
}

// FilePlanByName matches a file plan code or display name, case-insensitively.
func FilePlanByName(s string) (FilePlan, bool) {
	for _, f := range FilePlans {
		if strings.EqualFold(f.Code, s) || strings.EqualFold(f.Display, s) {
			return f, true
		}
	}
	return FilePlan{}, false
}

// AddOnIndex returns an add-on's position in display order, -1 if unknown.
func AddOnIndex(code string) int {
	for i, a := range AddOns {
		if a.Code == code {
			return i
		}
	}
	return -1
}

// AddOnDisplay is an add-on's display name, or the code itself when
// Commander does not know it.
func AddOnDisplay(code string) string {
	if i := AddOnIndex(code); i >= 0 {
		return AddOns[i].Display
	}
	return code
}
