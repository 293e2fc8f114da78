package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/pb/bipb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

func at(month time.Month, day, hour int) int64 {
	return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC).UnixMilli()
}

// recordsOf indexes a snapshot's records by MC id and day of the month.
func recordsOf(rs *bipb.ReportingDailySnapshotResponse) map[int32]map[int]*bipb.SnapshotRecord {
	out := map[int32]map[int]*bipb.SnapshotRecord{}
	for _, r := range rs.Records {
		if out[r.McEnterpriseId] == nil {
			out[r.McEnterpriseId] = map[int]*bipb.SnapshotRecord{}
		}
		out[r.McEnterpriseId][time.UnixMilli(r.Date).UTC().Day()] = r
	}
	return out
}

func units(r *bipb.SnapshotRecord) string {
	s := fmt.Sprintf("%d/%d/%d", r.MaxLicenseCount, r.MaxBasePlanId, r.MaxFilePlanTypeId)
	for _, a := range r.Addons {
		s += fmt.Sprintf(" %d:%d", a.MaxAddonId, a.Units)
	}
	return s
}

// TestDailySnapshots: one record per MC per UTC day up to today, from the
// day it was added through the day it was removed, each the maximum of the
// day (a change at noon counts for its whole day); unlimited MCs count
// their active users; seat add-ons count their seats, other add-ons the
// licences; add-ons included in the plan are not billed; MCs named as of
// the last day reported.
func TestDailySnapshots(t *testing.T) {
	hist := []store.MCPlan{
		{MCEnterpriseID: 3001, Date: at(time.January, 5, 10), Name: "Alpha", ProductID: "business", Seats: 10,
			FilePlan: "STORAGE_100GB", AddOns: `[]`},
		{MCEnterpriseID: 3002, Date: time.Date(2025, time.December, 20, 9, 0, 0, 0, time.UTC).UnixMilli(), Name: "Beta", ProductID: "enterprise", Seats: unlimitedSeats,
			FilePlan: "STORAGE_10TB", AddOns: `[{"name":"keeper_endpoint_privilege_manager","seats":2147483647},` +
				`{"name":"enterprise_breach_watch","included_in_product":true}]`},
		{MCEnterpriseID: 3001, Date: at(time.January, 10, 12), Name: "Alpha Two", ProductID: "businessPlus", Seats: 20,
			FilePlan: "STORAGE_1TB", AddOns: `[{"name":"connection_manager","seats":3},{"name":"chat"}]`},
		{MCEnterpriseID: 3001, Date: at(time.January, 11, 0), Name: "Alpha Two", ProductID: "businessPlus", Seats: 15,
			FilePlan: "STORAGE_1TB", AddOns: `[]`},
		{MCEnterpriseID: 3001, Date: at(time.January, 20, 8), Name: "Alpha Two", ProductID: "businessPlus", Seats: 15,
			FilePlan: "STORAGE_1TB", AddOns: `[]`, Removed: true},
		{MCEnterpriseID: 3003, Date: at(time.February, 1, 0), Name: "Gamma", ProductID: "business", Seats: 5, AddOns: `[]`},
	}
	now := time.Date(2026, time.January, 25, 15, 0, 0, 0, time.UTC)
	rs, err := dailySnapshots(hist, map[int32]int32{3002: 7}, 2026, time.January, now)
	if err != nil {
		t.Fatal(err)
	}
	recs := recordsOf(rs)
	for day := 1; day <= 31; day++ {
		_, alpha := recs[3001][day]
		_, beta := recs[3002][day]
		if alpha != (day >= 5 && day <= 20) || beta != (day <= 25) {
			t.Errorf("day %d: Alpha %v, Beta %v", day, alpha, beta)
		}
	}
	if len(recs[3003]) != 0 || len(rs.Records) != 16+25 {
		t.Errorf("%d records, Gamma %d", len(rs.Records), len(recs[3003]))
	}
	for day, want := range map[int]string{5: "10/1/4", 9: "10/1/4", 10: "20/2/7 2:20 12:3", 11: "15/2/7", 20: "15/2/7"} {
		if got := units(recs[3001][day]); got != want {
			t.Errorf("Alpha on the %d: %s, want %s", day, got, want)
		}
	}
	if got := units(recs[3002][1]); got != "7/10/8 16:7" {
		t.Errorf("Beta (unlimited, 7 active users): %s", got)
	}
	for _, r := range rs.Records {
		if d := time.UnixMilli(r.Date).UTC(); d.Hour() != 0 || d.Minute() != 0 || d.Month() != time.January {
			t.Errorf("record dated %s", d)
		}
	}
	if len(rs.McEnterprises) != 2 || rs.McEnterprises[0].Name != "Alpha Two" || rs.McEnterprises[1].Name != "Beta" {
		t.Errorf("mcEnterprises %v", rs.McEnterprises)
	}

	// A later month is empty; an earlier one is complete.
	if rs, _ := dailySnapshots(hist, nil, 2026, time.February, now); len(rs.Records) != 0 {
		t.Errorf("February (after today): %d records", len(rs.Records))
	}
	if rs, _ := dailySnapshots(hist, nil, 2025, time.December, now); len(rs.Records) != 12 {
		t.Errorf("December 2025: %d records, want Beta's 12 (20th to 31st)", len(rs.Records))
	}
}
