package e2e

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// BenchmarkLoadLargeTenant seeds a tenant of BENCH_USERS users (default
// 100,000) and 1,000 managed companies, then measures a cold full load and
// a warm (cached, incremental) load of its enterprise data.
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = cache.Remove()
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		t0 := time.Now()
		e, st, err := enterprise.Load(ctx, c, keys(s), cache)
		if err != nil {
			b.Fatal(err)
		}
		cold := time.Since(t0)
		runtime.ReadMemStats(&m1)
		t1 := time.Now()
		if _, _, err := enterprise.Load(ctx, c, keys(s), cache); err != nil {
			b.Fatal(err)
		}
		warm := time.Since(t1)
		b.ReportMetric(float64(cold.Milliseconds()), "cold-ms")
		b.ReportMetric(float64(warm.Milliseconds()), "warm-ms")
		b.ReportMetric(float64(st.Pages), "pages")
		b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20), "cold-alloc-MiB")
		if len(e.Users) < users {
			b.Fatalf("loaded %d users", len(e.Users))
		}
	}
}
