package command

import (
	"strings"
	"testing"
)

func FuzzSplit(f *testing.F) {
	for _, s := range []string{`mi -mc "Acme  Dental"`, `a 'b c' d\ e`, `"unterminated`, `x \`, `# comment`, `ei ${v}`, "a\tb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := Split(line)
		if err != nil {
			return
		}
		// Re-quoting and splitting again must give the same words.
		var b strings.Builder
		for _, w := range words {
			b.WriteString("'" + strings.ReplaceAll(w, "'", `'\''`) + "' ")
		}
		again, err := Split(b.String())
		if err != nil || len(again) != len(words) {
			t.Fatalf("round trip of %q: %q, %v", words, again, err)
		}
		_ = ExpandVars(words, map[string]string{"v": "x"})
	})
}
