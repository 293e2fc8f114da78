package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestSilentWithoutTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, false, 10, "Inviting")
	b.Add(10)
	b.Finish()
	if buf.Len() != 0 {
		t.Fatalf("wrote %q without a terminal", buf.String())
	}
}

func TestDrawsOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, true, 10, "Inviting")
	b.Add(10)
	b.Finish()
	if !bytes.Contains(buf.Bytes(), []byte("Inviting")) {
		t.Fatalf("no bar drawn: %q", buf.String())
	}
}

func TestUnboundedSilentWithoutTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := NewUnbounded(&buf, false, "Loading")
	b.Add(5000)
	b.Finish()
	if buf.Len() != 0 {
		t.Fatalf("wrote %q without a terminal", buf.String())
	}
}

func TestUnboundedDrawsOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := NewUnbounded(&buf, true, "Loading")
	b.Add(5000)
	b.Add(2500)
	b.Finish()
	if out := buf.String(); !strings.Contains(out, "Loading") || !strings.Contains(out, "7500") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("no counter drawn: %q", out)
	}
}
