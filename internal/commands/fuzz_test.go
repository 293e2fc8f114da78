package commands

import "testing"

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30", "1h30mi", "2d", "10m", "1y1mo", "", "99999999999999999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseDuration(s)
		if err == nil && (m < 0 || m > 525600) {
			t.Fatalf("%q -> %d minutes", s, m)
		}
	})
}
