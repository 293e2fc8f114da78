package e2e

import (
	"os"
	"testing"

	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// TestMain deletes the keeper binary sandboxtest.BuildKeeper built, if a
// test built one.
func TestMain(m *testing.M) {
	os.Exit(sandboxtest.CleanupAfter(m).Run())
}
