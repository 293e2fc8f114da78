package e2e

import (
	"context"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// TestAllocatedIDsAreFree: the first ids enterprise_allocate_ids hands out
// on a freshly seeded tenant can be used for a new user (they used to
// collide with the seeded users at (eid<<32)+100..140).
func TestAllocatedIDsAreFree(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	var alloc enterprise.AllocatedIDs
	if err := c.Execute(ctx, s.JSON(), enterprise.AllocateIDs{NumberRequested: 1}, &alloc); err != nil {
		t.Fatal(err)
	}
	root := int64(seed.MSPEnterpriseID)<<32 + 2
	err := c.Execute(ctx, s.JSON(), enterprise.UserAdd{EnterpriseUserID: alloc.BaseID, NodeID: root,
		Username: "new.hire@msp.sandbox"}, nil)
	if err != nil {
		t.Fatalf("enterprise_user_add with allocated id %d: %v", alloc.BaseID, err)
	}
}
