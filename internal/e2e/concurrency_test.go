package e2e

import (
	"fmt"
	"sync"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// TestConcurrentNodeAdds: 50 JSON node_add commands sent at once all
// succeed; writes queue instead of failing with SQLITE_BUSY.
func TestConcurrentNodeAdds(t *testing.T) {
	m := newMSPEnv(t)
	ctx, c, s, e := m.ctx, m.c, m.s, m.e
	const n = 50
	var alloc enterprise.AllocatedIDs
	if err := c.Execute(ctx, s.JSON(), enterprise.AllocateIDs{NumberRequested: n}, &alloc); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			enc, err := enterprise.EncryptData(e.TreeKey, fmt.Sprintf("Concurrent %02d", i))
			if err == nil {
				err = c.Execute(ctx, s.JSON(), enterprise.NodeAdd{NodeID: alloc.BaseID + int64(i), ParentID: e.Root().NodeId,
					EncryptedData: enc}, nil)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			t.Log(err)
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d concurrent node_add commands failed", failed, n)
	}
	e2 := m.sync()
	if len(e2.Nodes) != 6+n {
		t.Fatalf("%d nodes after %d adds, want %d", len(e2.Nodes), n, 6+n)
	}
}
