package server

import (
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
)

// biItem is a product of Keeper's MSP price list as the BI API names it:
// its numeric BI id, its code and its monthly price in US dollars.
type biItem struct {
	id     int32
	code   string
	amount float64
	per    bipb.Cost_AmountPer
}

const (
	perMonth         = bipb.Cost_MONTH
	perUserMonth     = bipb.Cost_USER_MONTH
	perConsumedMonth = bipb.Cost_USER_CONSUMED_MONTH // Commander shows it as "50k API calls/month"
)

// biPlans are the MSP plans by their BI ids (Commander keepercommander/
// constants.py MSP_PLANS: 1, 2, 3, 10, 11), priced per user and month.
var biPlans = []biItem{
	{1, "business", 3.75, perUserMonth},
	{2, "businessPlus", 5.75, perUserMonth},
	{3, "businessStarter", 2.0, perUserMonth},
	{10, "enterprise", 5.0, perUserMonth},
	{11, "enterprisePlus", 7.0, perUserMonth},
}

// biFilePlans are the storage plans by their BI ids (MSP_FILE_PLANS 4, 7,
// 8, the ids storagePlans order by). msp-billing-report counts a storage
// plan once per licence, so it is priced per user and month too.
var biFilePlans = []biItem{
	{4, "STORAGE_100GB", 0.25, perUserMonth},
	{7, "STORAGE_1TB", 0.75, perUserMonth},
	{8, "STORAGE_10TB", 2.5, perUserMonth},
}

// biAddOns are the add-ons, one per MSP_ADDONS code in Commander's order,
// with ids from 2 on: msp-billing-report tells an add-on from a plan or a
// storage plan by its id times 10000 (MSPBillingReportCommand.get_count_id),
// which id 1 would confuse. Support plans are priced per month, Secrets
// Manager per 50,000 API calls, the rest per user and month.
var biAddOns = []biItem{
	{2, "chat", 1.67, perUserMonth},
	{3, "enterprise_audit_and_reporting", 0.83, perUserMonth},
	{4, "professional_services_silver_add_on", 100.0, perMonth},
	{5, "gold_professional_services_add_on", 250.0, perMonth},
	{6, "platinum_professional_services_add_on", 500.0, perMonth},
	{7, "msp_service_and_support", 150.0, perMonth},
	{8, "consumer_breach_watch", 1.67, perUserMonth},
	{9, "enterprise_breach_watch", 1.67, perUserMonth},
	{10, "compliance_report", 0.83, perUserMonth},
	{11, "secrets_manager", 10.0, perConsumedMonth},
	{12, addOnKCM, 4.17, perUserMonth},
	{13, "password_rotation", 1.67, perUserMonth},
	{14, addOnRBI, 2.5, perUserMonth},
	{15, "privileged_access_manager", 7.5, perUserMonth},
	{16, addOnKEPM, 3.0, perUserMonth},
}

// biID returns the BI id of a code, case-insensitively; 0 if unknown.
func biID(items []biItem, code string) int32 {
	for _, it := range items {
		if strings.EqualFold(it.code, code) {
			return it.id
		}
	}
	return 0
}

// cost is an item's price as the BI API sends it.
func (it biItem) cost() *bipb.Cost {
	return &bipb.Cost{Amount: it.amount, AmountPer: it.per, Currency: bipb.Cost_USD}
}
