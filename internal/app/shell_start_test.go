package app

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// firstPrompt waits for the shell's first prompt and fails if the output
// before it holds any of the unwanted strings.
func (tm *ptyTerm) firstPrompt(prompt string, unwanted ...string) {
	tm.t.Helper()
	tm.expect(prompt)
	tm.mu.Lock()
	before := tm.buf.String()[:tm.seen-len(prompt)]
	tm.mu.Unlock()
	for _, u := range unwanted {
		if strings.Contains(before, u) {
			tm.t.Fatalf("%q before the first prompt %q:\n%q", u, prompt, before)
		}
	}
}

// TestShellLogsInAtStart: with persistent login on, the shell logs in
// before its first prompt, which reads "Keeper> "; when a password would
// have to be asked it starts lazily ("Not logged in> ", no password
// prompt) and asks on the first command that needs a session.
func TestShellLogsInAtStart(t *testing.T) {
	bin := sandboxtest.BuildKeeper(t)
	// Persistent login is an account setting: a sandbox per case.

	t.Run("persistent login", func(t *testing.T) {
		sb := sandboxtest.Start(t, nil)
		cfgPath, env := keeperHome(t, sb)
		sb.LoginPersistent(t, cfgPath)
		sh := startTerm(t, bin, env)
		sh.firstPrompt("Keeper> ", "Not logged in", "Password", "error")
		sh.send("whoami\r")
		sh.expect("User: admin@msp.sandbox")
		sh.expect("Keeper> ")
		sh.send("quit\r")
		if code := sh.wait(); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	})

	t.Run("device without persistent login", func(t *testing.T) {
		sb := sandboxtest.Start(t, nil)
		cfgPath, env := keeperHome(t, sb)
		login := exec.Command(bin, "login", sandboxtest.AdminEmail)
		login.Env = append(env, "KEEPER_PASSWORD="+sandboxtest.Password)
		if out, err := login.CombinedOutput(); err != nil {
			t.Fatalf("login: %v\n%s", err, out)
		}
		if cfg, _, err := config.Load(cfgPath); err != nil || cfg.CloneCode == "" || cfg.DeviceToken == "" {
			t.Fatalf("the login left no device and clone code in the config (%v)", err)
		}
		sh := startTerm(t, bin, env)
		sh.firstPrompt("Not logged in> ", "Password", "error")
		sh.send("whoami\r")
		sh.expect("Password: ")
		sh.send(sandboxtest.Password + "\r")
		sh.expect("User: admin@msp.sandbox")
		sh.expect("Keeper> ")
		sh.send("quit\r")
		if code := sh.wait(); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	})

	t.Run("fresh config", func(t *testing.T) {
		sb := sandboxtest.Start(t, nil)
		_, env := keeperHome(t, sb)
		before := sb.Requests()
		sh := startTerm(t, bin, env)
		sh.firstPrompt("Not logged in> ", "Password", "error")
		if n := sb.Requests() - before; n != 0 {
			t.Fatalf("the shell sent %d requests before any command", n)
		}
		sh.send("quit\r")
		if code := sh.wait(); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	})
}
