package app

import (
	"bytes"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--version"}, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "keeper version ") {
		t.Fatalf("unexpected output %q", out.String())
	}
	if errOut.Len() != 0 {
		t.Fatalf("unexpected stderr %q", errOut.String())
	}
}
