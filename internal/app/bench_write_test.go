package app

import (
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// oneShot runs keeper b.N times with the arguments args gives and reports round trips and wall time per run.
func oneShot(b *testing.B, bin string, sb *sandboxtest.Env, env []string, args func(i int) []string) {
	b.Helper()
	var trips int64
	var wall time.Duration
	for i := 0; i < b.N; i++ {
		before := sb.Requests()
		cmd := exec.Command(bin, args(i)...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args(i), err, out)
		}
		wall += time.Since(start)
		trips += sb.Requests() - before
	}
	b.ReportMetric(float64(trips)/float64(b.N), "round-trips/op")
	b.ReportMetric(float64(wall.Microseconds())/1000/float64(b.N), "wall-ms/op")
}

// BenchmarkOneShotWrites measures one-shot write commands with persistent
// login: msp-add and msp-update (target: the command's own call plus one
// sync on top of msp-info's round trips, 4 now that msp-info needs 2), and
// create-user, whose
// cost is the new account's keys: two PBKDF2 derivations of 1,000,000
// rounds and an RSA-2048 key pair.
func BenchmarkOneShotWrites(b *testing.B) {
	bin := sandboxtest.BuildKeeper(b)
	sb := sandboxtest.Start(b, nil)
	cfgPath, env := keeperHome(b, sb)
	sb.LoginPersistent(b, cfgPath)
	warm := exec.Command(bin, "msp-info")
	warm.Env = env
	if out, err := warm.CombinedOutput(); err != nil {
		b.Fatalf("warm-up: %v\n%s", err, out)
	}
	run := fmt.Sprint(time.Now().UnixNano())
	n := 0 // names stay unique across the benchmark's repeated runs
	next := func() int { n++; return n }
	b.Run("msp-add", func(b *testing.B) {
		oneShot(b, bin, sb, env, func(int) []string {
			return []string{"msp-add", fmt.Sprintf("Bench %s %d", run, next()), "--plan", "business", "--seats", "0"}
		})
	})
	b.Run("msp-update", func(b *testing.B) {
		oneShot(b, bin, sb, env, func(i int) []string {
			return []string{"msp-update", "Acme Dental", "--seats", fmt.Sprint(20 + i%2)}
		})
	})
	b.Run("create-user", func(b *testing.B) {
		oneShot(b, bin, sb, env, func(int) []string {
			return []string{"create-user", fmt.Sprintf("bench%s.%d@msp.sandbox", run, next())}
		})
	})
}
