package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// TestNewEnterpriseID: ids start at FirstNewEnterpriseID, stay above every
// enterprise in use, and are never handed out twice, even when the
// enterprise holding the highest id is gone and across reopening.
func TestNewEnterpriseID(t *testing.T) {
	st, path := openTest(t)
	ctx := context.Background()
	next := func(s *Store) int32 {
		var id int32
		if err := s.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = NewEnterpriseID(ctx, tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	if id := next(st); id != FirstNewEnterpriseID {
		t.Fatalf("first id %d", id)
	}
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		return PutEnterprise(ctx, tx, &Enterprise{ID: FirstNewEnterpriseID + 5000, Name: "placed"})
	}); err != nil {
		t.Fatal(err)
	}
	if id := next(st); id != FirstNewEnterpriseID+5001 {
		t.Fatalf("id after a placed enterprise: %d", id)
	}
	if err := st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM enterprises WHERE id = ?`, FirstNewEnterpriseID+5000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if id := next(st2); id != FirstNewEnterpriseID+5002 {
		t.Fatalf("id after removing the placed enterprise and reopening: %d, want %d (never reused)", id, FirstNewEnterpriseID+5002)
	}
}

// TestLicenceLogAndHistory: rows come back in order, filtered by MSP and date.
func TestLicenceLogAndHistory(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		for i, status := range []string{"Added", "Updated", "Removed"} {
			if _, err := AddLicenceLog(ctx, tx, &LicenceLogEntry{MSPID: 1, Date: int64(1000 * (i + 1)), MCEnterpriseID: 7,
				MCEnterpriseName: "Seven", Status: status, NewNumberOfSeats: int32(10 * i), NewProductType: "business"}); err != nil {
				return err
			}
			if err := AddMCPlan(ctx, tx, &MCPlan{MSPID: 1, MCEnterpriseID: 7, Date: int64(1000 * (i + 1)), Name: "Seven",
				ProductID: "business", Seats: int32(10 * i), AddOns: "[]", Removed: status == "Removed"}); err != nil {
				return err
			}
		}
		_, err := AddLicenceLog(ctx, tx, &LicenceLogEntry{MSPID: 2, Date: 1500, Status: "Added"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	log, err := LicenceLog(ctx, st.DB(), 1, 1500, 3000)
	if err != nil || len(log) != 2 || log[0].Status != "Updated" || log[1].Status != "Removed" || log[1].MCEnterpriseName != "Seven" {
		t.Fatalf("log: %+v %v", log, err)
	}
	hist, err := MCPlanHistory(ctx, st.DB(), 1)
	if err != nil || len(hist) != 3 || hist[1].Seats != 10 || !hist[2].Removed {
		t.Fatalf("history: %+v %v", hist, err)
	}
}
