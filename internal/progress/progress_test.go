package progress

import (
	"bytes"
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
