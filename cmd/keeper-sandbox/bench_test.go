package main

import (
	"io"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSeedCommand runs `keeper-sandbox seed --users 100000 --mcs 1000`
// into a fresh database (the demo tenant is seeded first, as on first use),
// the whole command timed. Target: under 5 s.
func BenchmarkSeedCommand(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "sandbox.db")
		start := time.Now()
		if rc := run([]string{"seed", "--db", db, "--users", "100000", "--mcs", "1000"}, io.Discard, io.Discard); rc != 0 {
			b.Fatalf("seed exited %d", rc)
		}
		total += time.Since(start)
	}
	per := total / time.Duration(b.N)
	b.ReportMetric(per.Seconds(), "seed-s")
	b.Logf("keeper-sandbox seed --users 100000 --mcs 1000 took %s (target < 5s)", per.Round(time.Millisecond))
}
