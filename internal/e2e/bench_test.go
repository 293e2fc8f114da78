package e2e

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// BenchmarkLoadLargeTenant seeds a tenant of BENCH_USERS users (default
// 100,000) and 1,000 managed companies, then measures, in this process
// (library level, server included), a cold full load into an empty cache
// and a warm load the way a one-shot msp-info makes it: a new loader over
// the cache, an empty incremental sync, and only the parts msp-info reads
// decoded. BenchmarkLargeTenant in internal/app measures the real binary
// (wall time and peak RSS per process).
func BenchmarkLoadLargeTenant(b *testing.B) {
	users := 100_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_USERS")); err == nil && v > 0 {
		users = v
	}
	dir := b.TempDir()
	st, err := store.Open(filepath.Join(dir, "sandbox.db"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	if err := seed.Demo(ctx, st, seed.Options{Password: sandboxtest.Password, Iterations: 1000}); err != nil {
		b.Fatal(err)
	}
	if err := seed.Bulk(ctx, st, sandboxtest.Password, users, 1000); err != nil {
		b.Fatal(err)
	}
	st.Close()
	b.Logf("seeded %d users + 1000 MCs in %s", users, time.Since(start).Round(time.Millisecond))
	sb := sandboxtest.Start(b, func(o *sandbox.Options) { o.DBPath = filepath.Join(dir, "sandbox.db") })
	c := sb.Client(b)
	s := login(b, c)
	cache := &enterprise.Cache{Path: filepath.Join(dir, "enterprise.cache"), Owner: "bench"}
	// A sub-benchmark, so that the tenant is seeded once whatever b.N.
	b.Run("load", func(b *testing.B) { benchLoad(b, users, c, s, cache) })
}

func benchLoad(b *testing.B, users int, c *rest.Client, s *auth.Session, cache *enterprise.Cache) {
	mspInfo := enterprise.WithParts(context.Background(), enterprise.PartLicenses|enterprise.PartManagedCompanies|enterprise.PartNodes)
	var colds, warms []time.Duration
	var pages int
	var alloc float64
	for i := 0; i < b.N; i++ {
		_ = cache.Remove()
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		t0 := time.Now()
		e, st, err := enterprise.Load(mspInfo, c, keys(s), cache)
		if err != nil {
			b.Fatal(err)
		}
		colds = append(colds, time.Since(t0))
		runtime.ReadMemStats(&m1)
		pages, alloc = st.Pages, float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20)
		t1 := time.Now()
		w, wst, err := enterprise.Load(mspInfo, c, keys(s), cache)
		if err != nil {
			b.Fatal(err)
		}
		warms = append(warms, time.Since(t1))
		if !wst.FromDisk || len(w.ManagedCompanies) < 1000 {
			b.Fatalf("warm load: from disk %v, %d managed companies", wst.FromDisk, len(w.ManagedCompanies))
		}
		b.StopTimer()
		if e.Ensure(enterprise.PartUsers); len(e.Users) < users {
			b.Fatalf("loaded %d users", len(e.Users))
		}
		b.StartTimer()
	}
	cold, warm := median(colds), median(warms)
	b.ReportMetric(cold.Seconds(), "cold-s/op")
	b.ReportMetric(float64(warm.Microseconds())/1000, "warm-ms/op")
	b.ReportMetric(float64(pages), "pages/op")
	b.ReportMetric(alloc, "cold-alloc-MiB/op")
	b.ReportMetric(0, "ns/op")
	b.Logf("cold load %.2f s (target < 2 s) in %d pages, %.0f MiB allocated; warm load %.1f ms (target < 100 ms for the whole one-shot); %d users, median of %d",
		cold.Seconds(), pages, alloc, float64(warm.Microseconds())/1000, users, len(colds))
}

// median returns the middle of ds (ds is sorted in place).
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
