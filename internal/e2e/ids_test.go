package e2e

import (
	"context"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// TestAllocatedIDsAreFree: the first ids enterprise_allocate_ids hands out
// on a freshly seeded tenant can be used for a new user (they used to
// collide with the seeded users at (eid<<32)+100..140).
func TestAllocatedIDsAreFree(t *testing.T) {
	sb := StartSandbox(t, "", nil)
	ctx := context.Background()
	c := Client(t, sb)
	s := login(t, c)
	var alloc struct {
		BaseID int64 `json:"base_id"`
	}
	if err := c.ExecuteV2(ctx, s.JSON(), map[string]any{"command": "enterprise_allocate_ids", "number_requested": 1}, &alloc); err != nil {
		t.Fatal(err)
	}
	root := int64(seed.MSPEnterpriseID)<<32 + 2
	err := c.ExecuteV2(ctx, s.JSON(), map[string]any{"command": "enterprise_user_add", "enterprise_user_id": alloc.BaseID,
		"node_id": root, "enterprise_user_username": "new.hire@msp.sandbox"}, nil)
	if err != nil {
		t.Fatalf("enterprise_user_add with allocated id %d: %v", alloc.BaseID, err)
	}
}
