package app

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/server"
)

// keeperHome writes a config for sb in a fresh home directory and returns
// its path and the environment a keeper process runs with to use it.
func keeperHome(tb testing.TB, sb *sandboxtest.Env) (cfgPath string, env []string) {
	tb.Helper()
	home := tb.TempDir()
	cfgPath = filepath.Join(home, ".keeper", "config.json")
	sb.WriteConfig(tb, cfgPath)
	return cfgPath, []string{"HOME=" + home, "KEEPER_CONFIG_FILE=" + cfgPath, "TERM=xterm", "PATH=" + os.Getenv("PATH")}
}

// exitOf is the exit code of a finished command.
func exitOf(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// TestExitServerError: exit code 5 when the Keeper server cannot be reached
// or answers with an error.
func TestExitServerError(t *testing.T) {
	bin := sandboxtest.BuildKeeper(t)
	run := func(t *testing.T, env []string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, "whoami")
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		return exitOf(t, cmd.Run()), stderr.String()
	}

	t.Run("server stopped", func(t *testing.T) {
		sb := sandboxtest.Start(t, nil)
		cfgPath, env := keeperHome(t, sb)
		sb.LoginPersistent(t, cfgPath)
		if err := sb.Close(); err != nil {
			t.Fatal(err)
		}
		code, stderr := run(t, env)
		if code != ExitServer || !strings.Contains(stderr, "connection refused") {
			t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitServer, stderr)
		}
	})

	// The server rejects the config's key id, and the key it asks for
	// instead is one keeper only has Keeper's published key for (which
	// the sandbox cannot decrypt with) or no key at all.
	for _, tc := range []struct {
		name            string
		serverID, cfgID int32
		stderr          string
	}{
		{"config key id unknown to the server", 7, 8, "transmission key does not decrypt"},
		{"server key id unknown to keeper", 99, 7, "the server asked for key id 99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.KeyID = tc.serverID })
			cfgPath, env := keeperHome(t, sb)
			sb.LoginPersistent(t, cfgPath)
			cfg, _, err := config.Load(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			cfg.ServerKeyID = int(tc.cfgID)
			if err := cfg.Save(cfgPath); err != nil {
				t.Fatal(err)
			}
			code, stderr := run(t, env)
			if code != ExitServer || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitServer, stderr)
			}
		})
	}
}

// TestExitCancelled: SIGINT to a one-shot command waiting for the server
// ends it at once with exit code 3 and "cancelled" on stderr.
func TestExitCancelled(t *testing.T) {
	bin := sandboxtest.BuildKeeper(t)
	sb := sandboxtest.Start(t, nil)
	cfgPath, env := keeperHome(t, sb)
	sb.LoginPersistent(t, cfgPath)
	sb.SetFaults(server.Faults{Delay: time.Minute})

	cmd := exec.Command(bin, "whoami")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	before := sb.Requests()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for sb.Requests() == before {
		if time.Now().After(deadline) {
			t.Fatal("keeper sent no request")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := exitOf(t, cmd.Wait())
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("keeper took %s to stop after SIGINT", took)
	}
	if code != ExitCancelled || !strings.Contains(stderr.String(), "cancelled") {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitCancelled, stderr.String())
	}
}

// TestOneShotRoundTrips: with persistent login and a warm cache, a
// one-shot msp-info is two requests (start_login and one incremental sync:
// the account facts the load needs come from the encrypted cache) and
// whoami three (it shows the live account summary, and the licences of an
// admin's enterprise). The cold first run fetches the summary. Nothing but
// the report reaches stderr when it is not a terminal (no progress bar).
func TestOneShotRoundTrips(t *testing.T) {
	bin := sandboxtest.BuildKeeper(t)
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.PageSize = 10 })
	cfgPath, env := keeperHome(t, sb)
	sb.LoginPersistent(t, cfgPath)
	run := func(args ...string) (int64, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		before := sb.Requests()
		if out, err := cmd.Output(); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, stderr.String())
		}
		return sb.Requests() - before, stderr.String()
	}
	// Cold: start_login, account_summary, get_enterprise_data_keys and the
	// sync, a page for every 10 entities.
	if n, errOut := run("msp-info"); n < 10 || strings.Contains(errOut, "Loading") {
		t.Fatalf("cold msp-info: %d requests, stderr %q", n, errOut)
	}
	for _, tc := range []struct {
		args []string
		want int64
	}{{[]string{"msp-info"}, 2}, {[]string{"ei", "--nodes"}, 2}, {[]string{"whoami"}, 3}, {[]string{"msp-info"}, 2}} {
		if n, _ := run(tc.args...); n != tc.want {
			t.Errorf("warm %v: %d requests, want %d", tc.args, n, tc.want)
		}
	}
}
