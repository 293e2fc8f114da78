package e2e

import "github.com/keeper-go/keeper/internal/keeper/rest"

// raw is a JSON command given as a map, for tests that send malformed or
// unusual commands on purpose.
type raw map[string]any

func (r raw) CommandName() string { s, _ := r["command"].(string); return s }

// raws converts maps to commands.
func raws(ms ...map[string]any) []rest.Command {
	out := make([]rest.Command, len(ms))
	for i, m := range ms {
		out[i] = raw(m)
	}
	return out
}
