package app

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// TestPasswordPromptCtrlC: Ctrl-C at the password prompt of a one-shot
// login exits with code 3 and leaves the terminal echoing again.
func TestPasswordPromptCtrlC(t *testing.T) {
	fx := newPTYFixture(t)
	_, env := fx.home(t, "fresh")
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	cmd := exec.Command(fx.bin, "login", "admin@msp.sandbox")
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	tm := &ptyTerm{t: t, cmd: cmd, f: ptmx, done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		b := make([]byte, 4096)
		for {
			n, err := ptmx.Read(b)
			tm.mu.Lock()
			tm.buf.Write(b[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	echo := func() bool {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		return tio.Lflag&unix.ECHO != 0
	}
	tm.expect("Password: ")
	// Wait until the prompt has turned echo off, so Ctrl-C lands mid-read.
	for deadline := time.Now().Add(10 * time.Second); echo(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("echo never turned off at the password prompt")
		}
	}
	tm.send("\x03")
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitCancelled {
		t.Fatalf("exit: %v, want code %d", err, ExitCancelled)
	}
	if !echo() {
		t.Fatal("the terminal was left without echo after Ctrl-C at the password prompt")
	}
}
