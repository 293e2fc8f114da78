package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/sandbox"
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

func startTerm(t *testing.T, bin string, env []string) *ptyTerm {
	t.Helper()
	cmd := exec.Command(bin)
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
	dir string
	bin string
	sb  *sandbox.Sandbox
}

func newPTYFixture(t *testing.T) *ptyFixture {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "keeper")
	build := exec.Command("go", "build", "-o", bin, "github.com/keeper-go/keeper/cmd/keeper")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sb, err := sandbox.Start(context.Background(), sandbox.Options{DBPath: filepath.Join(dir, "sb", "sandbox.db"),
		Listen: "127.0.0.1:0", AdminPassword: sandboxPassword, Iterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return &ptyFixture{dir: dir, bin: bin, sb: sb}
}

// home writes a fresh config (no credentials) for the sandbox under
// dir/name and returns the config path and the environment to run with.
func (fx *ptyFixture) home(t *testing.T, name string) (string, []string) {
	t.Helper()
	home := filepath.Join(fx.dir, name)
	cfgPath := filepath.Join(home, ".keeper", "config.json")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]any{"server": fx.sb.URL(), "server_key_id": fx.sb.KeyID(),
		"server_public_key": crypto.Base64URLEncode(fx.sb.PublicKey()), "ca_file": fx.sb.CAFile()})
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, []string{"HOME=" + home, "KEEPER_CONFIG_FILE=" + cfgPath, "TERM=xterm", "PATH=" + os.Getenv("PATH")}
}

// TestShellOnPTY exercises the interactive shell through a pseudo-terminal:
// prompt, completion of a command and a flag, Ctrl-C at the prompt, a
// failing command followed by a working one, Ctrl-D, history recalled in a
// second shell, and a password typed on a login line kept out of the
// history.
func TestShellOnPTY(t *testing.T) {
	fx := newPTYFixture(t)
	bin := fx.bin
	cfgPath, env := fx.home(t, "home")
	setup := exec.Command(bin, "-")
	setup.Env = append(env, "KEEPER_PASSWORD="+sandboxPassword)
	setup.Stdin = strings.NewReader("login admin@msp.sandbox\nthis-device persistent-login on\n")
	if out, err := setup.CombinedOutput(); err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}

	sh := startTerm(t, bin, env)
	sh.expect("Not logged in> ")
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
	sh2.expect("Not logged in> ")
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
	sh2.send(sandboxPassword + "\r")
	sh2.expect("Logged in as admin@msp.sandbox")
	sh2.expect("Keeper> ")
	sh2.mu.Lock()
	echoed := strings.Contains(sh2.buf.String(), sandboxPassword)
	sh2.mu.Unlock()
	if echoed {
		t.Fatal("the password was echoed to the terminal")
	}
	// A password given on the login line is masked in the history.
	sh2.send("login --new-login -p " + sandboxPassword + " admin@msp.sandbox\r")
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
	if strings.Contains(string(data), sandboxPassword) || !strings.Contains(string(data), "login --new-login -p ******** admin@msp.sandbox\n") {
		t.Fatalf("history file:\n%s", data)
	}
}
