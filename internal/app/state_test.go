package app

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// tenant is loaded enterprise data with nodes nodes (names repeating every
// 7,000, as equal names under different parents do) and mcs companies.
func tenant(nodes, mcs int) *enterprise.Enterprise {
	e := &enterprise.Enterprise{Nodes: map[int64]*enterprise.Node{}, ManagedCompanies: map[int32]*pb.ManagedCompany{}}
	for i := 0; i < nodes; i++ {
		e.Nodes[int64(i)] = &enterprise.Node{Node: &pb.Node{NodeId: int64(i)}, Name: fmt.Sprintf("Site %05d", i%7000)}
	}
	for i := 0; i < mcs; i++ {
		e.ManagedCompanies[int32(3000+i)] = &pb.ManagedCompany{McEnterpriseId: int32(3000 + i), McEnterpriseName: fmt.Sprintf("Bulk Company %d", 3000+i)}
	}
	return e
}

// TestCompletionNamesCached: names come sorted and each once; asking again
// about the same data returns the names built before, without rebuilding;
// a reload (new data) or a name changed in place rebuilds them; managed
// companies come from the MSP's data.
func TestCompletionNamesCached(t *testing.T) {
	var c completionNames
	e := tenant(10_000, 0)
	msp := tenant(0, 1_000)
	nodes := c.get(command.CompleteNode, e, msp)
	if len(nodes) != 7000 || !slices.IsSorted(nodes) || nodes[0] != "Site 00000" {
		t.Fatalf("node names: %d, sorted %v, first %q", len(nodes), slices.IsSorted(nodes), nodes[0])
	}
	if again := c.get(command.CompleteNode, e, msp); &again[0] != &nodes[0] {
		t.Error("unchanged data: the names were built again")
	}
	if mcs := c.get(command.CompleteMC, e, msp); len(mcs) != 1000 || mcs[0] != "Bulk Company 3000" {
		t.Errorf("managed companies: %d, first %q", len(mcs), mcs[0])
	}
	e.Nodes[3].Name = "Renamed"
	if renamed := c.get(command.CompleteNode, e, msp); len(renamed) != 7001 || !slices.Contains(renamed, "Renamed") {
		t.Errorf("after a rename in place: %d names, Renamed among them: %v", len(renamed), slices.Contains(renamed, "Renamed"))
	}
	reloaded := tenant(10, 0)
	if names := c.get(command.CompleteNode, reloaded, msp); len(names) != 10 {
		t.Errorf("after a reload: %d names, want 10", len(names))
	}
	if names := c.get(command.CompleteNode, nil, msp); names != nil {
		t.Errorf("nothing loaded: %v", names)
	}
}

// BenchmarkCompletionNames measures what one Tab costs the app's state for
// 10,000 node names: "cached" is every Tab after the first on the same
// data (the names are checked, not rebuilt), "rebuilt" the first Tab after
// each load, which before the cache every Tab paid.
func BenchmarkCompletionNames(b *testing.B) {
	msp := tenant(0, 1_000)
	for _, cached := range []bool{true, false} {
		name := "cached"
		if !cached {
			name = "rebuilt"
		}
		b.Run(name, func(b *testing.B) {
			var c completionNames
			e := tenant(10_000, 0)
			reloads := []*enterprise.Enterprise{e, tenant(10_000, 0)}
			i := 0
			for b.Loop() {
				if !cached {
					i++
					e = reloads[i%2] // another load: new data
				}
				if n := c.get(command.CompleteNode, e, msp); len(n) != 7000 {
					b.Fatalf("%d names", len(n))
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Nanoseconds())/1e6, "ms/call")
			b.Logf("10,000 node names for completion (%s) took %s", name, per)
		})
	}
}
