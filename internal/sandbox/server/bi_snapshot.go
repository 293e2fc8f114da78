package server

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// planState is one row of an MC's plan history, decoded.
type planState struct {
	store.MCPlan
	addOns []struct {
		Name     string `json:"name"`
		Seats    int32  `json:"seats"`
		Included bool   `json:"included_in_product"`
	}
}

// dailySnapshots derives reporting/daily_snapshot from an MSP's MC plan
// history (store.MCPlanHistory): for every UTC day of the month up to the
// day of now, one record per managed company that existed at some moment of
// that day, with the maximum of what it had during the day (the state in
// force at midnight and every change made that day; a removal ends the MC
// after that day). Seats give maxLicenseCount; an unlimited MC counts its
// active users (users, by MC id). The plan and file plan give
// maxBasePlanId and maxFilePlanTypeId by their BI ids; each add-on not
// included in the plan gives {maxAddonId, units}: its seats for an add-on
// that carries seats (the licence count when unlimited), else the licence
// count. mcEnterprises names every MC with a record, as of the last day
// reported. Dates are UTC midnights in Unix milliseconds.
func dailySnapshots(hist []store.MCPlan, users map[int32]int32, year int, month time.Month, now time.Time) (*bipb.ReportingDailySnapshotResponse, error) {
	byMC := map[int32][]planState{}
	var ids []int32
	for _, h := range hist {
		p := planState{MCPlan: h}
		if err := json.Unmarshal([]byte(h.AddOns), &p.addOns); err != nil {
			return nil, fmt.Errorf("plan history of MC %d: add-ons: %w", h.MCEnterpriseID, err)
		}
		if _, seen := byMC[h.MCEnterpriseID]; !seen {
			ids = append(ids, h.MCEnterpriseID)
		}
		byMC[h.MCEnterpriseID] = append(byMC[h.MCEnterpriseID], p)
	}
	slices.Sort(ids)
	for _, id := range ids {
		slices.SortStableFunc(byMC[id], func(a, b planState) int { return cmp.Compare(a.Date, b.Date) })
	}

	rs := &bipb.ReportingDailySnapshotResponse{}
	names := map[int32]string{}
	y, m, d := now.UTC().Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC) // midnight after today
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	if next := first.AddDate(0, 1, 0); next.Before(end) {
		end = next
	}
	for day := first; day.Before(end); day = day.AddDate(0, 0, 1) {
		from, to := day.UnixMilli(), day.AddDate(0, 0, 1).UnixMilli()
		for _, id := range ids {
			live := liveDuring(byMC[id], from, to)
			if len(live) == 0 {
				continue
			}
			rs.Records = append(rs.Records, snapshotRecord(id, from, live, users[id]))
			names[id] = live[len(live)-1].Name
		}
	}
	for _, id := range ids {
		if name, ok := names[id]; ok {
			rs.McEnterprises = append(rs.McEnterprises, &bipb.SnapshotMcEnterprise{Id: id, Name: name})
		}
	}
	return rs, nil
}

// liveDuring returns the states an MC had during [from, to): the one in
// force at from and those set before to, removals left out.
func liveDuring(states []planState, from, to int64) []planState {
	var out []planState
	for i, p := range states {
		if p.Date >= to {
			break
		}
		if p.Date <= from && i+1 < len(states) && states[i+1].Date <= from {
			continue // replaced before the day began
		}
		if !p.Removed {
			out = append(out, p)
		}
	}
	return out
}

// snapshotRecord is the maximum over an MC's states of one day.
func snapshotRecord(id int32, date int64, live []planState, activeUsers int32) *bipb.SnapshotRecord {
	r := &bipb.SnapshotRecord{Date: date, McEnterpriseId: id}
	units := map[int32]int64{}
	for _, p := range live {
		licences := p.Seats
		if licences == unlimitedSeats {
			licences = activeUsers
		}
		r.MaxLicenseCount = max(r.MaxLicenseCount, licences)
		r.MaxBasePlanId = max(r.MaxBasePlanId, biID(biPlans, p.ProductID))
		r.MaxFilePlanTypeId = max(r.MaxFilePlanTypeId, biID(biFilePlans, p.FilePlan))
		for _, a := range p.addOns {
			addOnID := biID(biAddOns, a.Name)
			if a.Included || addOnID == 0 {
				continue
			}
			n := int64(licences)
			if mcAddOns[a.Name] && a.Seats != unlimitedSeats {
				n = int64(a.Seats)
			}
			if u, ok := units[addOnID]; !ok || n > u {
				units[addOnID] = n
			}
		}
	}
	for _, addOnID := range slices.Sorted(maps.Keys(units)) {
		r.Addons = append(r.Addons, &bipb.SnapshotRecord_Addon{MaxAddonId: addOnID, Units: units[addOnID]})
	}
	return r
}
