package store

import (
	"context"
	"database/sql"
	"testing"
)

// TestManagedMSPs: a distributor lists the MSPs linked to it, by id,
// without removed ones or another distributor's; DistributorOf answers 0
// for an MSP nobody manages and ErrNotFound for no enterprise.
func TestManagedMSPs(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		for _, e := range []Enterprise{{ID: 10, Name: "Dist"}, {ID: 11, Name: "Other Dist"}, {ID: 30, Name: "B"},
			{ID: 20, Name: "A"}, {ID: 40, Name: "Gone"}, {ID: 50, Name: "Theirs"}, {ID: 60, Name: "Alone"}} {
			if err := PutEnterprise(ctx, tx, &e); err != nil {
				return err
			}
		}
		for msp, d := range map[int32]int32{30: 10, 20: 10, 40: 10, 50: 11} {
			if err := SetDistributor(ctx, tx, msp, d); err != nil {
				return err
			}
		}
		return RemoveEnterprise(ctx, tx, 40, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	msps, err := ManagedMSPs(ctx, st.DB(), 10)
	if err != nil || len(msps) != 2 || msps[0].ID != 20 || msps[0].Name != "A" || msps[1].ID != 30 {
		t.Errorf("managed MSPs %+v %v", msps, err)
	}
	if d, err := DistributorOf(ctx, st.DB(), 50); d != 11 || err != nil {
		t.Errorf("distributor of 50: %d %v", d, err)
	}
	if d, err := DistributorOf(ctx, st.DB(), 60); d != 0 || err != nil {
		t.Errorf("distributor of 60: %d %v", d, err)
	}
	if _, err := DistributorOf(ctx, st.DB(), 99); err != ErrNotFound {
		t.Errorf("distributor of a missing enterprise: %v", err)
	}
}
