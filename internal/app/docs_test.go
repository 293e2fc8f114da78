package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/command"
)

// referencePath is the generated command reference.
var referencePath = filepath.Join("..", "..", "docs", "commands.md")

// TestCommandReference fails when docs/commands.md differs from what the
// registry generates (a flag, command or example added without running
// `make docs`); -update rewrites it.
func TestCommandReference(t *testing.T) {
	a, err := newApp(&globalOptions{Config: filepath.Join(t.TempDir(), "config.json")}, strings.NewReader(""),
		&bytes.Buffer{}, &bytes.Buffer{}, false)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := command.WriteMarkdown(&buf, a.reg); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(referencePath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(referencePath)
	if err != nil || !bytes.Equal(have, buf.Bytes()) {
		t.Fatalf("docs/commands.md is not current (%v): run `make docs`", err)
	}
}
