package app

import (
	"os/exec"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// BenchmarkOneShot measures `keeper msp-info` and `keeper whoami` run as
// separate processes with persistent login against a local sandbox: wall
// time per run and server round trips per run (target: at most 3 round
// trips and under 50 ms each on loopback).
func BenchmarkOneShot(b *testing.B) {
	bin := sandboxtest.BuildKeeper(b)
	sb := sandboxtest.Start(b, nil)
	cfgPath, env := keeperHome(b, sb)
	sb.LoginPersistent(b, cfgPath)
	// Fill the enterprise cache, as any earlier run would have.
	warm := exec.Command(bin, "msp-info")
	warm.Env = env
	if out, err := warm.CombinedOutput(); err != nil {
		b.Fatalf("warm-up: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"msp-info"}, {"whoami"}} {
		b.Run(args[0], func(b *testing.B) {
			var trips int64
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				before := sb.Requests()
				cmd := exec.Command(bin, args...)
				cmd.Env = env
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", args, err, out)
				}
				wall += time.Since(start)
				trips += sb.Requests() - before
			}
			b.ReportMetric(float64(trips)/float64(b.N), "round-trips/op")
			b.ReportMetric(float64(wall.Microseconds())/1000/float64(b.N), "wall-ms/op")
			b.Logf("keeper %v: %.1f round trips (target at most 3), %.1f ms (target < 50 ms); mean of %d",
				args, float64(trips)/float64(b.N), float64(wall.Microseconds())/1000/float64(b.N), b.N)
		})
	}
}
