package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

func TestCompletionWords(t *testing.T) {
	for _, c := range []struct {
		in      []string
		words   string
		partial string
	}{
		{[]string{"msp-i"}, "", "msp-i"},
		{[]string{"--config", "x.json", "ei", "--no"}, "ei", "--no"},
		{[]string{"--debug", "switch-to-mc", ""}, "switch-to-mc", ""},
		{[]string{"--server=EU", "mi", "-mc", "Ac"}, "mi -mc", "Ac"},
		{nil, "", ""},
	} {
		w, p := completionWords(c.in)
		if strings.Join(w, " ") != c.words || p != c.partial {
			t.Errorf("completionWords(%q) = %q, %q", c.in, w, p)
		}
	}
}

func TestCompletionScriptsAndCandidates(t *testing.T) {
	var out, errOut strings.Builder
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		out.Reset()
		if code := run([]string{"completion", sh}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "__complete") {
			t.Fatalf("completion %s: exit %d %q", sh, code, errOut.String())
		}
	}
	if code := run([]string{"completion", "tcsh"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown shell: exit %d", code)
	}
	out.Reset()
	if code := run([]string{"__complete", "--", "ms"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "msp-info\n") ||
		strings.Contains(out.String(), "whoami") {
		t.Fatalf("command names: %q", out.String())
	}
	out.Reset()
	if code := run([]string{"__complete", "--", "ei", "--no"}, &out, &errOut); code != 0 || out.String() != "--node\n--nodes\n" {
		t.Fatalf("flags: %q", out.String())
	}
}

// TestCompletionInBash sources `keeper completion bash` in a real bash on a
// pseudo-terminal: Tab completes a command, a flag, and a managed company
// name from the names cache (no request).
func TestCompletionInBash(t *testing.T) {
	bashPath, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	bin := sandboxtest.BuildKeeper(t)
	sb := sandboxtest.Start(t, nil)
	cfgPath, env := keeperHome(t, sb)
	sb.LoginPersistent(t, cfgPath)
	load := exec.Command(bin, "msp-info") // an enterprise load writes the names cache
	load.Env = env
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("msp-info: %v\n%s", err, out)
	}
	env = append(env, "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "PS1=$ ", "HISTFILE=/dev/null")
	sh := startTerm(t, bashPath, env, "--norc", "--noprofile", "-i")
	sh.send("source <(keeper completion bash)\r")
	sh.send("echo ready\r")
	sh.expect("ready")
	before := sb.Requests()
	sh.send("keeper msp-inf\t")
	sh.expect("keeper msp-info ")
	sh.send("--verb\t")
	sh.expect("--verbose ")
	sh.send("\x15") // clear the line
	sh.send("keeper switch-to-mc Acm\t")
	sh.expect(`switch-to-mc Acme\ Dental`)
	sh.send("\x15exit\r")
	sh.wait()
	if n := sb.Requests() - before; n != 0 {
		t.Fatalf("completion sent %d requests", n)
	}
}
