package app

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Targets of BenchmarkLargeTenant, for a tenant of 100,000 users and 1,000
// managed companies.
const (
	targetColdSeconds = 2.0 // full cold load of the real binary, wall time
	targetColdRSSMB   = 300 // its peak resident set
	targetWarmMillis  = 100 // warm one-shot (cache + empty incremental sync)
	targetWarmTrips   = 2   // start_login and the incremental sync
)

// procRun is one keeper process: wall time, peak RSS and requests the sandbox
// received.
type procRun struct {
	wall  time.Duration
	rssMB float64
	trips int64
}

// BenchmarkLargeTenant runs the real keeper binary against a local sandbox
// seeded with BENCH_USERS users (default 100,000) and 1,000 managed
// companies, logged in with persistent login, and reports each figure next
// to its target:
//
//   - cold: `keeper msp-info` without an enterprise cache, so a full sync of
//     every page (wall time, seconds; peak RSS of the process from
//     getrusage, MB; requests);
//   - warm-msp-info and warm-ei-nodes: the same one-shot with the cache an
//     earlier run left (start_login and an empty incremental sync), median
//     wall time in milliseconds and requests.
//
// Times include the sandbox's own work: it runs in this process, on the
// same CPUs. Run with -benchtime 5x or more for steadier medians.
func BenchmarkLargeTenant(b *testing.B) {
	users := 100_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_USERS")); err == nil && v > 0 {
		users = v
	}
	bin := sandboxtest.BuildKeeper(b)
	// Started before this process grows (seed, sandbox): see launcher.
	launch := startLauncher(b)
	dir := b.TempDir()
	db := filepath.Join(dir, "sandbox.db")
	st, err := store.Open(db)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	ctx := context.Background()
	if err := seed.Demo(ctx, st, seed.Options{Password: sandboxtest.Password, Iterations: sandboxtest.Iterations}); err != nil {
		b.Fatal(err)
	}
	if err := seed.Bulk(ctx, st, sandboxtest.Password, users, 1000); err != nil {
		b.Fatal(err)
	}
	st.Close()
	b.Logf("seeded %d users + 1000 managed companies in %s", users, time.Since(start).Round(time.Millisecond))
	sb := sandboxtest.Start(b, func(o *sandbox.Options) { o.DBPath = db })
	cfgPath, env := keeperHome(b, sb)
	sb.LoginPersistent(b, cfgPath)
	cache := filepath.Join(filepath.Dir(cfgPath), "keeper-enterprise.cache")
	keeper := func(b *testing.B, args ...string) procRun {
		b.Helper()
		before := sb.Requests()
		r := launch(b, launchRequest{Path: bin, Args: args, Env: env})
		r.trips = sb.Requests() - before
		return r
	}

	b.Run("cold", func(b *testing.B) {
		var runs []procRun
		for i := 0; i < b.N; i++ {
			if err := os.Remove(cache); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
			runs = append(runs, keeper(b, "msp-info"))
		}
		wall, rss, trips := medians(runs)
		b.ReportMetric(wall.Seconds(), "cold-s/op")
		b.ReportMetric(rss, "cold-peak-rss-MB/op")
		b.ReportMetric(float64(trips), "round-trips/op")
		b.ReportMetric(0, "ns/op")
		b.Logf("cold load %.2f s (target < %.0f s), peak RSS %.0f MB (target < %d MB), %d requests; %d users, median of %d",
			wall.Seconds(), targetColdSeconds, rss, targetColdRSSMB, trips, users, len(runs))
	})
	// The cold runs left a cache behind; every warm run starts from it.
	for _, args := range [][]string{{"msp-info"}, {"ei", "--nodes"}} {
		name := "warm-" + strings.ReplaceAll(strings.Join(args, "-"), "--", "") // warm-msp-info, warm-ei-nodes
		b.Run(name, func(b *testing.B) {
			keeper(b, args...) // make sure the cache is there and current
			var runs []procRun
			for i := 0; i < b.N; i++ {
				runs = append(runs, keeper(b, args...))
			}
			wall, rss, trips := medians(runs)
			ms := float64(wall.Microseconds()) / 1000
			b.ReportMetric(ms, "warm-ms/op")
			b.ReportMetric(rss, "peak-rss-MB/op")
			b.ReportMetric(float64(trips), "round-trips/op")
			b.ReportMetric(0, "ns/op")
			b.Logf("warm one-shot keeper %v %.1f ms (target < %d ms), %d round trips (target %d), peak RSS %.0f MB; median of %d",
				args, ms, targetWarmMillis, trips, targetWarmTrips, rss, len(runs))
		})
	}
}

// medians returns the median wall time, peak RSS and request count of runs.
func medians(runs []procRun) (time.Duration, float64, int64) {
	walls := make([]time.Duration, len(runs))
	rss := make([]float64, len(runs))
	trips := make([]int64, len(runs))
	for i, r := range runs {
		walls[i], rss[i], trips[i] = r.wall, r.rssMB, r.trips
	}
	slices.Sort(walls)
	slices.Sort(rss)
	slices.Sort(trips)
	m := len(runs) / 2
	return walls[m], rss[m], trips[m]
}

// launcherEnv makes the test binary the launcher helper process.
const launcherEnv = "KEEPER_BENCH_LAUNCHER"

type launchRequest struct {
	Path string
	Args []string
	Env  []string
}

type launchResult struct {
	WallNS   int64
	MaxRSSKB int64
	Err      string
	Output   string
}

// startLauncher starts this test binary again as a small helper process
// that runs the keeper processes of a benchmark and reports their wall time
// and peak RSS (getrusage of the child, cmd.ProcessState.SysUsage).
//
// Why not run them from here: Linux records the resident high-water mark of
// the memory a process leaves at exec into its ru_maxrss, and a child
// started by fork or vfork execs out of its parent's memory. Every child of
// this process, which holds the sandbox and its 100,000 seeded users,
// would report at least this process's peak RSS. The launcher is small and
// stays small, so its children report their own peak.
func startLauncher(b *testing.B) func(b *testing.B, rq launchRequest) procRun {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchLauncher$")
	cmd.Env = append(os.Environ(), launcherEnv+"=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.Close()
		_ = cmd.Wait()
	})
	enc, dec := json.NewEncoder(in), json.NewDecoder(out)
	return func(b *testing.B, rq launchRequest) procRun {
		b.Helper()
		var res launchResult
		if err := enc.Encode(rq); err != nil {
			b.Fatalf("launcher: %v", err)
		}
		if err := dec.Decode(&res); err != nil {
			b.Fatalf("launcher: %v", err)
		}
		if res.Err != "" {
			b.Fatalf("keeper %v: %s\n%.2000s", rq.Args, res.Err, res.Output)
		}
		return procRun{wall: time.Duration(res.WallNS), rssMB: float64(res.MaxRSSKB) / 1024}
	}
}

// TestBenchLauncher is not a test: it is the helper process of
// startLauncher, and skips unless started as one. It reads launch requests
// (JSON) on stdin and answers each with a launchResult on stdout.
func TestBenchLauncher(t *testing.T) {
	if os.Getenv(launcherEnv) != "1" {
		t.Skip("the helper process of BenchmarkLargeTenant")
	}
	dec, enc := json.NewDecoder(os.Stdin), json.NewEncoder(os.Stdout)
	for {
		var rq launchRequest
		if dec.Decode(&rq) != nil {
			return
		}
		cmd := exec.Command(rq.Path, rq.Args...)
		cmd.Env = rq.Env
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		res := launchResult{WallNS: int64(time.Since(t0)), Output: string(out)}
		if err != nil {
			res.Err = err.Error()
		}
		if cmd.ProcessState != nil {
			res.MaxRSSKB = maxRSSKB(cmd.ProcessState)
		}
		if err := enc.Encode(res); err != nil {
			return
		}
	}
}
