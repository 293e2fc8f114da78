package app

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// term drives one keeper process on a pseudo-terminal.
type ptyTerm struct {
	t    *testing.T
	cmd  *exec.Cmd
	f    *os.File
	mu   sync.Mutex
	buf  bytes.Buffer
	seen int
	done chan struct{}
}

func startTerm(t *testing.T, bin string, env []string, args ...string) *ptyTerm {
	t.Helper()
	cmd := exec.Command(bin, args...)
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
	return tm
}

// expect waits until s appears in the output after what earlier expects
// consumed. The deadline only guards against a hang; it is not a speed test.
func (tm *ptyTerm) expect(s string) {
	tm.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		out := tm.buf.String()
		tm.mu.Unlock()
		if i := strings.Index(out[tm.seen:], s); i >= 0 {
			tm.seen += i + len(s)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.t.Fatalf("never saw %q; output after last match:\n%q", s, tm.buf.String()[tm.seen:])
}

func (tm *ptyTerm) send(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.f, s); err != nil {
		tm.t.Fatal(err)
	}
}

func (tm *ptyTerm) wait() int {
	tm.t.Helper()
	err := tm.cmd.Wait()
	<-tm.done
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		tm.t.Fatal(err)
	}
	return 0
}

// ptyFixture is the built keeper binary and a sandbox for pty tests.
type ptyFixture struct {
	bin string
	sb  *sandboxtest.Env
}

func newPTYFixture(t *testing.T) *ptyFixture {
	t.Helper()
	return &ptyFixture{bin: sandboxtest.BuildKeeper(t), sb: sandboxtest.Start(t, nil)}
}

// home writes a fresh config (no credentials) for the sandbox and returns
// the config path and the environment to run with.
func (fx *ptyFixture) home(t *testing.T, _ string) (string, []string) {
	t.Helper()
	return keeperHome(t, fx.sb)
}

// TestShellOnPTY exercises the interactive shell through a pseudo-terminal:
// prompt, completion of a command and a flag, Ctrl-C at the prompt, a
// failing command followed by a working one, Ctrl-D, history recalled in a
// second shell, and a password typed on a login line kept out of the
// history.
func TestShellOnPTY(t *testing.T) {
	bin := sandboxtest.BuildKeeper(t)
	sb := sandboxtest.Start(t, nil)
	cfgPath, env := keeperHome(t, sb)
	sb.LoginPersistent(t, cfgPath)

	sh := startTerm(t, bin, env)
	sh.expect("Keeper> ")
	sh.send("whoami\r")
	sh.expect("User: admin@msp.sandbox")
	sh.expect("Keeper> ")

	// Tab completion of a command, then of a flag.
	sh.send("msp-inf\t")
	sh.expect("msp-info ")
	sh.send("--verb\t")
	sh.expect("--verbose ")
	sh.send("\r")
	sh.expect("Node Name")
	sh.expect("Acme Dental")
	sh.expect("Keeper> ")

	// Ctrl-C at the prompt clears the line and keeps the shell.
	sh.send("half a line")
	sh.send("\x03")
	sh.expect("Keeper> ")

	// A failing command prints one error; the next one works.
	sh.send("bogus-command\r")
	sh.expect(`error: unknown command "bogus-command"`)
	sh.expect("Keeper> ")
	sh.send("mi -mc 2003\r")
	sh.expect("Cobalt Legal")
	sh.expect("Keeper> ")

	// Ctrl-D leaves; the last command succeeded.
	sh.send("\x04")
	if code := sh.wait(); code != 0 {
		t.Fatalf("shell exit code %d", code)
	}

	hist := filepath.Join(filepath.Dir(cfgPath), "keeper_history")
	fi, err := os.Stat(hist)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("history file: %v %v", fi, err)
	}

	// A second shell recalls the history with the Up arrow.
	sh2 := startTerm(t, bin, env)
	sh2.expect("Keeper> ")
	sh2.send("\x1b[A")
	sh2.expect("mi -mc 2003")
	sh2.send("\r")
	sh2.expect("Cobalt Legal")
	sh2.send("logout\r")
	sh2.expect("Logged out")
	sh2.expect("Not logged in> ")
	// A login in the shell asks for the password without echo.
	sh2.send("login --new-login admin@msp.sandbox\r")
	sh2.expect("Password: ")
	sh2.send(sandboxtest.Password + "\r")
	sh2.expect("Logged in as admin@msp.sandbox")
	sh2.expect("Keeper> ")
	sh2.mu.Lock()
	echoed := strings.Contains(sh2.buf.String(), sandboxtest.Password)
	sh2.mu.Unlock()
	if echoed {
		t.Fatal("the password was echoed to the terminal")
	}
	// A password given on the login line is masked in the history.
	sh2.send("login --new-login -p " + sandboxtest.Password + " admin@msp.sandbox\r")
	sh2.expect("Logged in as admin@msp.sandbox")
	sh2.expect("Keeper> ")
	sh2.send("\x1b[A")
	sh2.expect("login --new-login -p ******** admin@msp.sandbox")
	sh2.send("\x03")
	sh2.expect("Keeper> ")
	sh2.send("quit\r")
	if code := sh2.wait(); code != 0 {
		t.Fatalf("second shell exit code %d", code)
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), sandboxtest.Password) || !strings.Contains(string(data), "login --new-login -p ******** admin@msp.sandbox\n") {
		t.Fatalf("history file:\n%s", data)
	}
}
