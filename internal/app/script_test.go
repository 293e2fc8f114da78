package app

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// update makes the scripts' `cmp` commands rewrite the expected files kept
// in the txtar archives instead of failing:
// go test ./internal/app -run TestScripts -update
var update = flag.Bool("update", false, "rewrite the expected output files in testdata/script/*.txtar")

func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(sandboxtest.CleanupAfter(m), map[string]func() int{
		"keeper": func() int { return Main(os.Args[1:]) },
	}))
}

// TestScripts runs testdata/script/*.txtar: the real keeper binary, one
// shot at a time, against one keeper-sandbox started for the suite. Every
// script gets its own config.json (so its own device) pointing at it, and
// .keeper/untrusted.json: the same without the sandbox's CA certificate.
func TestScripts(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	// The built binary on PATH, for the seed's shell loops (sh -c '... keeper ...').
	binDir := filepath.Dir(sandboxtest.BuildKeeper(t))
	var mu sync.Mutex
	current := map[string]*sandboxtest.Env{} // each script's sandbox, by work dir
	use := func(work string, e *sandboxtest.Env) {
		mu.Lock()
		defer mu.Unlock()
		current[work] = e
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("KEEPER_CONFIG_FILE", filepath.Join(env.WorkDir, ".keeper", "config.json"))
			env.Setenv("SANDBOX_PASSWORD", sandboxtest.Password)
			use(env.WorkDir, sb)
			return writeScriptConfigs(env.WorkDir, sb)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// sandbox fresh: this script gets a sandbox of its own (a fresh
			// demo tenant) instead of the suite's shared one, for scripts
			// that change tenant data; the config files point at it.
			// sandbox config PATH: a new config (no device yet) for the
			// script's sandbox, e.g. for a second account.
			"sandbox": func(ts *testscript.TestScript, neg bool, args []string) {
				work := ts.Getenv("WORK")
				switch {
				case !neg && len(args) == 1 && args[0] == "fresh":
					own := sandboxtest.Start(t, nil)
					use(work, own)
					ts.Check(writeScriptConfigs(work, own))
				case !neg && len(args) == 2 && args[0] == "config":
					mu.Lock()
					e := current[work]
					mu.Unlock()
					ts.Check(e.Config().Save(ts.MkAbs(args[1])))
				default:
					ts.Fatalf("usage: sandbox fresh | sandbox config PATH")
				}
			},
			// exits N CMD ARGS... runs CMD and asserts its exit code.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exits CODE command [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exits: bad code %q", args[0])
				}
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("exits: %v", err)
				}
				if got != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
			// mode PATH PERM asserts a file's permission bits (octal).
			"mode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: mode PATH PERM")
				}
				fi, err := os.Stat(ts.MkAbs(args[0]))
				ts.Check(err)
				want, _ := strconv.ParseUint(args[1], 8, 32)
				if (uint64(fi.Mode().Perm()) == want) == neg {
					ts.Fatalf("%s has mode %o", args[0], fi.Mode().Perm())
				}
			},
		},
	})
}

// writeScriptConfigs writes a script's .keeper/config.json for sb and
// .keeper/untrusted.json: the same without the sandbox's CA certificate.
func writeScriptConfigs(dir string, sb *sandboxtest.Env) error {
	cfg := sb.Config()
	cfg.CAFile = ""
	if err := cfg.Save(filepath.Join(dir, ".keeper", "untrusted.json")); err != nil {
		return err
	}
	return sb.Config().Save(filepath.Join(dir, ".keeper", "config.json"))
}
