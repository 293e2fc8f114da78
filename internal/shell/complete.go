package shell

import (
	"sort"
	"strings"

	"github.com/keeper-go/keeper/internal/command"
)

// Completer completes command names and aliases, long flags of the current
// command, and names for flags that take a node, role, team, user or MC.
// It implements readline.AutoCompleter.
type Completer struct {
	Registry *command.Registry
	State    command.State
}

// Do returns the candidate suffixes for the word under the cursor and the
// length of that word.
func (c *Completer) Do(line []rune, pos int) ([][]rune, int) {
	head := string(line[:pos])
	words := strings.Fields(head)
	partial := ""
	if len(words) > 0 && !strings.HasSuffix(head, " ") {
		partial = words[len(words)-1]
		words = words[:len(words)-1]
	}
	var cands []string
	if len(words) == 0 {
		cands = c.Registry.Names()
		if strings.HasPrefix("help", partial) || partial == "" {
			cands = append(cands, "quit")
		}
	} else {
		cmd, ok := c.Registry.Lookup(words[0])
		if !ok {
			return nil, 0
		}
		cands = c.argCandidates(cmd, words[1:], partial)
	}
	return suffixes(cands, partial), len([]rune(partial))
}

func (c *Completer) argCandidates(cmd *command.Command, prev []string, partial string) []string {
	if cmd.Name == "help" && len(prev) == 0 {
		return c.Registry.Names()
	}
	if strings.HasPrefix(partial, "-") {
		fs, _ := command.FlagSet(cmd)
		var out []string
		fs.VisitAll(func(f *pflagFlag) { out = append(out, "--"+f.Name) })
		for k := range cmd.LegacyShort {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	kind, ok := command.CompletionKind(""), false
	if len(prev) > 0 {
		last := prev[len(prev)-1]
		if long, isLegacy := cmd.LegacyShort[last]; isLegacy {
			last = long
		}
		if strings.HasPrefix(last, "--") {
			kind, ok = cmd.Completions[strings.TrimPrefix(last, "--")]
		} else if strings.HasPrefix(last, "-") && len(last) == 2 {
			fs, _ := command.FlagSet(cmd)
			if f := fs.ShorthandLookup(last[1:]); f != nil {
				kind, ok = cmd.Completions[f.Name]
			}
		}
	}
	if !ok {
		kind, ok = cmd.Completions[""]
	}
	if !ok || c.State == nil {
		return nil
	}
	var out []string
	for _, n := range c.State.CompletionNames(kind) {
		out = append(out, escapeWord(n))
	}
	return out
}

func suffixes(cands []string, partial string) [][]rune {
	var out [][]rune
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c] {
			continue
		}
		seen[c] = true
		if strings.HasPrefix(strings.ToLower(c), strings.ToLower(partial)) {
			out = append(out, []rune(c[len(partial):]+" "))
		}
	}
	return out
}

// escapeWord backslash-escapes the characters the line splitter treats
// specially, so a completed name with spaces stays one argument.
func escapeWord(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(" \t'\"\\#", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Complete returns the full candidates (not suffixes) for the word partial
// after the words before it, for shell completion scripts (keeper
// __complete): words[0] is the command, or nothing to complete a command
// name.
func (c *Completer) Complete(words []string, partial string) []string {
	var cands []string
	if len(words) == 0 {
		cands = c.Registry.Names()
	} else {
		cmd, ok := c.Registry.Lookup(words[0])
		if !ok {
			return nil
		}
		cands = c.argCandidates(cmd, words[1:], partial)
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range cands {
		if !seen[s] && strings.HasPrefix(strings.ToLower(s), strings.ToLower(partial)) {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
