package seed

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// mcStep is a managed company's plan from one moment on: month is counted
// back from the month of seeding (-3 to -1), day and hour are UTC. addOns
// are codes, "code:seats" for seats. A removed step ends the MC.
type mcStep struct {
	month, day, hour int
	plan             string
	seats            int32
	filePlan         string
	addOns           []string
	removed          bool
}

// removedMC is a demo managed company removed before the seed: it shows in
// the licence log and in billing snapshots up to its removal only.
var removedMC = mcSpec{id: 2006, name: "Foxtrot Retail"}

// demoHistory is each demo MC's plan history over the three months before
// the month of seeding: added then changed a couple of times, its last
// step being what the MC has now (seed tests hold it to that).
var demoHistory = map[int32][]mcStep{
	2001: {{-3, 2, 9, "business", 15, "STORAGE_100GB", nil, false},
		{-2, 10, 14, "business", 20, "STORAGE_100GB", []string{"enterprise_breach_watch"}, false},
		{-1, 12, 11, "business", 25, "STORAGE_100GB", []string{"enterprise_breach_watch"}, false}},
	2002: {{-3, 3, 10, "business", 40, "STORAGE_100GB", []string{"enterprise_audit_and_reporting"}, false},
		{-2, 5, 16, "businessPlus", 40, "STORAGE_1TB", []string{"enterprise_audit_and_reporting"}, false},
		{-1, 20, 9, "businessPlus", 50, "STORAGE_1TB", []string{"enterprise_audit_and_reporting", "compliance_report"}, false}},
	2003: {{-3, 4, 13, "enterprise", 80, "STORAGE_1TB", []string{"connection_manager:5"}, false},
		{-2, 18, 10, "enterprise", Unlimited, "STORAGE_10TB", []string{"connection_manager:5"}, false},
		{-1, 8, 15, "enterprise", Unlimited, "STORAGE_10TB", []string{"connection_manager:5", "privileged_access_manager:10"}, false}},
	2004: {{-3, 5, 9, "enterprisePlus", 60, "STORAGE_1TB", nil, false},
		{-1, 3, 12, "enterprisePlus", 100, "STORAGE_1TB", []string{"secrets_manager"}, false}},
	2005: {{-3, 6, 17, "businessStarter", 3, "STORAGE_100GB", nil, false},
		{-2, 22, 8, "businessStarter", 5, "STORAGE_100GB", nil, false}},
	removedMC.id: {{-3, 1, 10, "business", 10, "STORAGE_100GB", nil, false},
		{-3, 15, 12, "business", 12, "STORAGE_100GB", nil, false},
		{-2, 14, 16, "business", 12, "STORAGE_100GB", nil, true}},
}

// addedStep is the history of an MC added on day of month -3 with what it
// has now (the MCs of the smaller demo MSPs).
func addedStep(s mcSpec, day int) []mcStep {
	var addOns []string
	for _, a := range s.addOns {
		code := a.Name
		if a.Seats > 0 {
			code += ":" + strconv.Itoa(int(a.Seats))
		}
		addOns = append(addOns, code)
	}
	return []mcStep{{-3, day, 10, s.plan, s.seats, s.filePlan, addOns, false}}
}

// mcEvent is one step placed in time, for one MC.
type mcEvent struct {
	msp, mc int32
	name    string
	date    time.Time
	step    mcStep
	prev    *mcStep
}

// historyEvents places the steps of every MC (by id) relative to the
// month of now, sorted by date.
func historyEvents(msp int32, names map[int32]string, steps map[int32][]mcStep, now time.Time) []mcEvent {
	y, m, _ := now.UTC().Date()
	var out []mcEvent
	for id, list := range steps {
		for i, s := range list {
			e := mcEvent{msp: msp, mc: id, name: names[id], step: s,
				date: time.Date(y, m+time.Month(s.month), s.day, s.hour, 0, 0, 0, time.UTC)}
			if i > 0 {
				e.prev = &list[i-1]
			}
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b mcEvent) int {
		if c := a.date.Compare(b.date); c != 0 {
			return c
		}
		return int(a.mc - b.mc)
	})
	return out
}

// writeHistory records events as the server records a registration, an
// update or a removal: a licence adjustment log row and a plan history row.
func writeHistory(ctx context.Context, tx *sql.Tx, events []mcEvent) error {
	for _, e := range events {
		s, ms := e.step, e.date.UnixMilli()
		status, seats, note := "Added", s.seats, fmt.Sprintf("Added %s with %s seats, storage %s, add-ons %s", s.plan,
			seatWords(s.seats), s.filePlan, addOnWords(s.addOns))
		switch {
		case s.removed:
			status, seats, note = "Removed", 0, fmt.Sprintf("Removed; %s seats of %s returned", seatWords(s.seats), s.plan)
		case e.prev != nil:
			status, note = "Updated", changeWords(e.prev, &s)
		}
		if _, err := store.AddLicenceLog(ctx, tx, &store.LicenceLogEntry{MSPID: e.msp, Date: ms, MCEnterpriseID: e.mc,
			MCEnterpriseName: e.name, Status: status, NewNumberOfSeats: seats, NewProductType: s.plan, Note: note}); err != nil {
			return err
		}
		addOns, err := addOnJSON(s.addOns)
		if err != nil {
			return err
		}
		if err := store.AddMCPlan(ctx, tx, &store.MCPlan{MSPID: e.msp, MCEnterpriseID: e.mc, Date: ms, Name: e.name,
			ProductID: s.plan, Seats: s.seats, FilePlan: s.filePlan, AddOns: addOns, Removed: s.removed}); err != nil {
			return err
		}
	}
	return nil
}

// addOnJSON is the plan history's add-on list: [{name, seats, included_in_product}].
func addOnJSON(codes []string) (string, error) {
	type addOn struct {
		Name     string `json:"name"`
		Seats    int32  `json:"seats"`
		Included bool   `json:"included_in_product"`
	}
	list := []addOn{}
	for _, c := range codes {
		name, seats, _ := strings.Cut(c, ":")
		n, _ := strconv.Atoi(seats)
		list = append(list, addOn{Name: name, Seats: int32(n)})
	}
	b, err := json.Marshal(list)
	return string(b), err
}

func seatWords(n int32) string {
	if n == Unlimited {
		return "unlimited"
	}
	return strconv.Itoa(int(n))
}

func addOnWords(codes []string) string {
	if len(codes) == 0 {
		return "none"
	}
	sorted := slices.Sorted(slices.Values(codes))
	return strings.Join(sorted, ",")
}

// changeWords is the log note of an update, in the server's wording.
func changeWords(prev, s *mcStep) string {
	var parts []string
	diff := func(what, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s %s -> %s", what, a, b))
		}
	}
	diff("plan", prev.plan, s.plan)
	diff("seats", seatWords(prev.seats), seatWords(s.seats))
	diff("storage", prev.filePlan, s.filePlan)
	diff("add-ons", addOnWords(prev.addOns), addOnWords(s.addOns))
	return "Updated " + strings.Join(parts, "; ")
}

// demoMCHistory writes the demo MSP's history and the enterprise of its
// removed MC (a row and its removal, as enterprise_remove_by_msp leaves it).
func demoMCHistory(ctx context.Context, tx *sql.Tx, now time.Time) error {
	names := map[int32]string{removedMC.id: removedMC.name}
	for _, s := range demoMCs {
		names[s.id] = s.name
	}
	events := historyEvents(MSPEnterpriseID, names, demoHistory, now)
	if err := store.PutEnterprise(ctx, tx, &store.Enterprise{ID: removedMC.id, Name: removedMC.name, MSPID: MSPEnterpriseID}); err != nil {
		return err
	}
	for _, e := range events {
		if e.mc == removedMC.id && e.step.removed {
			if err := store.RemoveEnterprise(ctx, tx, e.mc, e.date.UnixMilli()); err != nil {
				return err
			}
		}
	}
	return writeHistory(ctx, tx, events)
}
