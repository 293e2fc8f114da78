package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testApp is an app with an empty config in a temporary directory.
func testApp(t *testing.T) (*app, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	a, err := newApp(&globalOptions{Config: filepath.Join(t.TempDir(), "config.json")}, strings.NewReader(""), &out, &out, false)
	if err != nil {
		t.Fatal(err)
	}
	return a, &out
}

// TestRunBatchRecursion: a batch file that runs itself stops with a clear
// error at depth 10 instead of recursing until resources run out.
func TestRunBatchRecursion(t *testing.T) {
	a, _ := testApp(t)
	self := filepath.Join(t.TempDir(), "self.txt")
	if err := os.WriteFile(self, []byte("run-batch "+self+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := a.disp.Run(context.Background(), a.env, []string{"run-batch", self})
	if err == nil || !strings.Contains(err.Error(), "nested more than 10 deep") {
		t.Fatalf("got %v", err)
	}
	if n := strings.Count(err.Error(), "line 1:"); n != maxBatchDepth {
		t.Fatalf("stopped at depth %d: %v", n, err)
	}
	if a.batchDepth != 0 {
		t.Fatalf("depth left at %d", a.batchDepth)
	}
	if code := exitCode(err); code != ExitError {
		t.Fatalf("exit code %d", code)
	}
}

// TestRunBatchNestingAllowed: ten files deep, each running the next, work.
func TestRunBatchNestingAllowed(t *testing.T) {
	a, out := testApp(t)
	dir := t.TempDir()
	name := func(i int) string { return filepath.Join(dir, fmt.Sprintf("f%d.txt", i)) }
	for i := 1; i <= maxBatchDepth; i++ {
		body := "run-batch " + name(i+1) + "\n"
		if i == maxBatchDepth {
			body = "echo deepest\n"
		}
		if err := os.WriteFile(name(i), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.disp.Run(context.Background(), a.env, []string{"run-batch", name(1)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "deepest") {
		t.Fatalf("output %q", out.String())
	}
}
