package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// benchKeeper is a keeper binary with persistent login to a fresh sandbox
// whose enterprise cache is warm, as after any earlier run.
type benchKeeper struct {
	bin string
	sb  *sandboxtest.Env
	env []string
	dir string
}

func newBenchKeeper(b *testing.B) *benchKeeper {
	b.Helper()
	k := &benchKeeper{bin: sandboxtest.BuildKeeper(b), sb: sandboxtest.Start(b, nil)}
	var cfgPath string
	cfgPath, k.env = keeperHome(b, k.sb)
	k.dir = filepath.Dir(filepath.Dir(cfgPath))
	k.sb.LoginPersistent(b, cfgPath)
	k.run(b, "ei", "--users")
	return k
}

// run runs keeper with args and returns the server round trips it made.
func (k *benchKeeper) run(b *testing.B, args ...string) int64 {
	b.Helper()
	before := k.sb.Requests()
	cmd := exec.Command(k.bin, args...)
	cmd.Env = k.env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%s", args, err, out)
	}
	return k.sb.Requests() - before
}

// BenchmarkInviteOneShot measures `keeper eu EMAIL --add` run as its own
// process with persistent login: round trips per run (target 6: login,
// account summary, enterprise sync, id allocation, the invitation, the
// sync after it) and wall time (target under 60 ms on loopback).
func BenchmarkInviteOneShot(b *testing.B) {
	k := newBenchKeeper(b)
	b.ResetTimer()
	var trips int64
	start := time.Now()
	for i := 0; i < b.N; i++ {
		trips += k.run(b, "eu", fmt.Sprintf("oneshot%d@example.com", i), "--add")
	}
	b.ReportMetric(float64(trips)/float64(b.N), "round-trips/op")
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "wall-ms/op")
}

// BenchmarkBulkInvite1000 measures `keeper eu --add --file` with 1,000 new
// users (target under 3 s), each run on a fresh sandbox (seats).
func BenchmarkBulkInvite1000(b *testing.B) {
	var wall time.Duration
	var trips int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		k := newBenchKeeper(b)
		path := filepath.Join(k.dir, "users.csv")
		writeUsers(b, path, 1000, "bulk")
		b.StartTimer()
		start := time.Now()
		trips += k.run(b, "eu", "--add", "--file", path)
		wall += time.Since(start)
	}
	b.ReportMetric(float64(trips)/float64(b.N), "round-trips/op")
	b.ReportMetric(float64(wall.Microseconds())/1000/float64(b.N), "wall-ms/op")
}

// BenchmarkSeedLoop100 measures the guide's Linux/macOS loop over a
// 100-line users.txt: one keeper process per user (total wall time per
// loop; compare BenchmarkBulkInvite1000).
func BenchmarkSeedLoop100(b *testing.B) {
	k := newBenchKeeper(b)
	b.ResetTimer()
	var wall time.Duration
	var trips int64
	for i := 0; i < b.N; i++ {
		path := filepath.Join(k.dir, "users.txt")
		writeUsers(b, path, 100, fmt.Sprintf("loop%d.", i))
		loop := exec.Command("sh", "-c", `while IFS=, read -r email name node; do
   "$KEEPER" eu "$email" --add --name "$name" --node "$node"
done < "$1"`, "sh", path)
		loop.Env = append(k.env, "KEEPER="+k.bin)
		before := k.sb.Requests()
		start := time.Now()
		if out, err := loop.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		wall += time.Since(start)
		trips += k.sb.Requests() - before
	}
	b.ReportMetric(float64(trips)/float64(b.N), "round-trips/op")
	b.ReportMetric(float64(wall.Microseconds())/1000/float64(b.N), "wall-ms/op")
}

// writeUsers writes n lines email,name,node (the guide's users.txt
// layout) over the demo tenant's nodes.
func writeUsers(b *testing.B, path string, n int, prefix string) {
	b.Helper()
	nodes := []string{"Chicago", "Europe", "Berlin", "Asia Pacific", "North America"}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "%suser%04d@example.com,User %d,%s\n", prefix, i, i, nodes[i%len(nodes)])
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
}
