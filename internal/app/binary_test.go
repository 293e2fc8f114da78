package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
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
