package main

import (
	"io"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkSeedCommand runs `keeper-sandbox seed --users 100000 --mcs 1000`
// into a fresh database (the demo tenant is seeded first, as on first use),
// the whole command timed. Target: under 5 s.
func BenchmarkSeedCommand(b *testing.B) {
	var runs []time.Duration
	for b.Loop() {
		db := filepath.Join(b.TempDir(), "sandbox.db")
		start := time.Now()
		if rc := run([]string{"seed", "--db", db, "--users", "100000", "--mcs", "1000"}, io.Discard, io.Discard); rc != 0 {
			b.Fatalf("seed exited %d", rc)
		}
		runs = append(runs, time.Since(start))
	}
	slices.Sort(runs)
	med := runs[len(runs)/2]
	b.ReportMetric(med.Seconds(), "seed-s")
	b.Logf("keeper-sandbox seed --users 100000 --mcs 1000 took %s, median of %d (target < 5s)", med.Round(time.Millisecond), len(runs))
}
