package app

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// TestLoadProgressOnPTY: a cold one-shot whose sync takes many pages shows
// its progress when stderr is a terminal (TestOneShotRoundTrips checks that
// nothing is drawn when it is not); the report itself is unchanged.
func TestLoadProgressOnPTY(t *testing.T) {
	bin := sandboxtest.BuildKeeper(t)
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.PageSize = 10 })
	cfgPath, env := keeperHome(t, sb)
	sb.LoginPersistent(t, cfgPath)
	cmd := exec.Command(bin, "msp-info")
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	tm := &ptyTerm{t: t, cmd: cmd, f: f, done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			tm.mu.Lock()
			tm.buf.Write(b[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { f.Close(); _ = cmd.Process.Kill() })
	tm.expect("Loading enterprise data")
	tm.expect("Acme Dental")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, tm.buf.String())
	}
	if out := tm.buf.String(); strings.Count(out, "Acme Dental") != 1 {
		t.Fatalf("report:\n%s", out)
	}
}
