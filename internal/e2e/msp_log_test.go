package e2e

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// legacyLog runs get_mc_license_adjustment_log {from, to} (Unix ms).
func (m *mspEnv) legacyLog(sess rest.JSONSession, from, to time.Time) ([]msp.LicenseLogEntry, error) {
	var rs msp.LicenseLogReply
	err := m.c.Execute(m.ctx, sess, msp.LicenseLog{From: from.UnixMilli(), To: to.UnixMilli()}, &rs)
	return rs.Log, err
}

// TestLegacyLicenceLog: get_mc_license_adjustment_log lists what
// registration, update and removal did in the range asked, oldest first,
// with dates in that range; the seeded history is there for the months
// before; a range without changes is an empty list; only the MSP's own
// session may ask.
func TestLegacyLicenceLog(t *testing.T) {
	m := newMSPEnv(t)
	id := m.add(m.reg("Ledger Co", "business", 5))
	wantCodes(t, m.run(msp.Update{EnterpriseID: id, EnterpriseName: "Ledger Co", ProductID: "enterprise", Seats: 8,
		AddOns: []msp.AddOnRequest{}}), "")
	wantCodes(t, m.run(msp.Remove{EnterpriseID: id}), "")
	done := time.Now()

	log, err := m.legacyLog(m.s.JSON(), m.started, done)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, e := range log {
		rows = append(rows, fmt.Sprintf("%d %s %s %d %s %s", e.EnterpriseID, e.EnterpriseName, e.Status, e.NewNumberOfSeats,
			e.NewProductType, e.Price))
		d, err := time.Parse(time.RFC3339, e.Date)
		if err != nil || d.Before(m.started.Truncate(time.Second)) || d.After(done) || e.ID == 0 || e.Note == "" {
			t.Errorf("row %+v: date %v %v", e, d, err)
		}
	}
	want := []string{
		fmt.Sprintf("%d Ledger Co Added 5 business 0.00", id),
		fmt.Sprintf("%d Ledger Co Updated 8 enterprise 0.00", id),
		fmt.Sprintf("%d Ledger Co Removed 0 enterprise 0.00", id),
	}
	if !slices.Equal(rows, want) {
		t.Errorf("log %v, want %v", rows, want)
	}

	seeded, err := m.legacyLog(m.s.JSON(), time.Unix(0, 0), m.started)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, e := range seeded {
		statuses[e.Status]++
		if e.EnterpriseID == id {
			t.Errorf("the test's change before it began: %+v", e)
		}
	}
	if statuses["Added"] != 6 || statuses["Removed"] != 1 || statuses["Updated"] < 6 {
		t.Errorf("seeded history: %v", statuses)
	}
	if later, err := m.legacyLog(m.s.JSON(), done.Add(time.Hour), done.Add(2*time.Hour)); err != nil || len(later) != 0 {
		t.Errorf("a range without changes: %v %v", later, err)
	}

	tok, _, err := msp.LoginToMC(m.ctx, m.c, m.s.SessionToken, 2001, m.e)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.legacyLog(rest.JSONSession{Token: tok, Username: seed.AdminEmail}, m.started, done)
	if !errors.Is(err, &rest.APIError{Code: "access_denied"}) {
		t.Errorf("log under an MC session: %v", err)
	}
}
