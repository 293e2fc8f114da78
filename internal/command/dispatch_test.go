package command

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestRunLinesTooLong: a batch line over MaxLine is a syntax error naming
// its line number, not bufio's "token too long".
func TestRunLinesTooLong(t *testing.T) {
	d := &Dispatcher{Registry: secretRegistry()}
	env := &Env{Out: &strings.Builder{}, Err: &strings.Builder{}, Vars: map[string]string{}}
	in := "echo a\necho b\necho " + strings.Repeat("x", MaxLine) + "\necho d\n"
	err := d.RunLines(context.Background(), env, strings.NewReader(in), nil)
	var le *LineError
	var se *SyntaxError
	if !errors.As(err, &le) || le.Line != 3 || !errors.As(err, &se) || !strings.Contains(err.Error(), "line 3: line longer than 1048576 bytes") {
		t.Fatalf("got %v", err)
	}
	// A line just under the limit is read.
	if err := d.RunLines(context.Background(), env, strings.NewReader("echo "+strings.Repeat("x", MaxLine-10)+"\n"), nil); err != nil {
		t.Fatalf("long line under the limit: %.100v", err)
	}
}
