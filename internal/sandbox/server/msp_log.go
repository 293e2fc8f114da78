package server

import (
	"strconv"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// licenceLogDate is how a licence adjustment's date is sent: a string
// (Commander's msp-legacy-report prints it as it comes), UTC in RFC 3339.
const licenceLogDate = time.RFC3339

// mcLicenceLog is get_mc_license_adjustment_log {from, to} (Commander
// keepercommander/commands/msp.py, MSPLegacyReportCommand): the MSP's
// licence adjustments (registrations, updates and removals of managed
// companies) dated from <= date <= to, in Unix milliseconds, oldest first.
// MSP administrators in the MSP's own session only.
func mcLicenceLog(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	if _, err := callerIsMSP(j.ctx, j.tx, j.sess); err != nil {
		return nil, err
	}
	from, err := need(cmd, "from")
	if err != nil {
		return nil, err
	}
	to, err := need(cmd, "to")
	if err != nil {
		return nil, err
	}
	rows, err := store.LicenceLog(j.ctx, j.tx, j.eid, from, to)
	if err != nil {
		return nil, err
	}
	log := make([]map[string]any, 0, len(rows))
	for _, e := range rows {
		log = append(log, map[string]any{
			"id": e.ID, "date": time.UnixMilli(e.Date).UTC().Format(licenceLogDate),
			"enterprise_id": e.MCEnterpriseID, "enterprise_name": e.MCEnterpriseName, "status": e.Status,
			"new_number_of_seats": e.NewNumberOfSeats, "new_product_type": e.NewProductType, "note": e.Note,
			"price": strconv.FormatFloat(e.Price, 'f', 2, 64),
		})
	}
	return map[string]any{"log": log}, nil
}
