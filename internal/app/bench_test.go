package app

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/sandbox"
)

// BenchmarkOneShot measures `keeper msp-info` and `keeper whoami` run as
// separate processes with persistent login against a local sandbox: wall
// time per run and server round trips per run (target: at most 3 round
// trips and under 50 ms each on loopback).
func BenchmarkOneShot(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "keeper")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/keeper-go/keeper/cmd/keeper").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	sb, err := sandbox.Start(context.Background(), sandbox.Options{DBPath: filepath.Join(dir, "sb", "sandbox.db"),
		Listen: "127.0.0.1:0", AdminPassword: sandboxPassword, Iterations: 1000})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sb.Close() })
	cfgPath := filepath.Join(dir, "config.json")
	cfg, _ := json.Marshal(map[string]any{"server": sb.URL(), "server_key_id": sb.KeyID(),
		"server_public_key": crypto.Base64URLEncode(sb.PublicKey()), "ca_file": sb.CAFile()})
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		b.Fatal(err)
	}
	env := []string{"HOME=" + dir, "KEEPER_CONFIG_FILE=" + cfgPath}
	setup := exec.Command(bin, "-")
	setup.Env = append(env, "KEEPER_PASSWORD="+sandboxPassword)
	setup.Stdin = strings.NewReader("login admin@msp.sandbox\nthis-device persistent-login on\nmsp-info\n")
	if out, err := setup.CombinedOutput(); err != nil {
		b.Fatalf("setup: %v\n%s", err, out)
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
		})
	}
}
