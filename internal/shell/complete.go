package shell

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keeper-go/keeper/internal/command"
)

// Completer completes command names and aliases, long flags of the current
// command, and names for flags that take a node, role, team, user or MC.
// It implements readline.AutoCompleter.
//
// The line is read the way command.Split reads it, so a name with spaces
// completes in steps: "Bulk" offers `\ Company\ 3000`, and
// `Bulk\ Company\ 30` (or `"Bulk Company 30`) narrows to the companies
// numbered 30... . One Tab over 10,000 names costs a few milliseconds: the
// names are matched before anything is escaped or allocated for them.
type Completer struct {
	Registry *command.Registry
	State    command.State
}

// Do returns the candidate suffixes for the word under the cursor and the
// length of that word.
func (c *Completer) Do(line []rune, pos int) ([][]rune, int) {
	w := splitHead(string(line[:pos]))
	var cands []string
	if len(w.words) == 0 {
		cands = c.Registry.Names()
		if strings.HasPrefix("help", w.partial) || w.partial == "" {
			cands = append(cands, "quit")
		}
	} else {
		cmd, ok := c.Registry.Lookup(w.words[0])
		if !ok {
			return nil, 0
		}
		cands = c.argCandidates(cmd, w.words[1:], w.partial)
	}
	return completions(cands, w), utf8.RuneCountInString(w.raw)
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
	return c.State.CompletionNames(kind)
}

// head is the text before the cursor read as command.Split reads it: the
// finished words (unquoted, unescaped), the word under the cursor as typed
// (raw) and as it reads (partial), and the quote it is inside, if any.
type head struct {
	words   []string
	raw     string
	partial string
	quote   rune // '\'' or '"' when the cursor is inside quotes
	escape  bool // raw ends with a backslash that escapes what comes next
}

// splitHead splits the text before the cursor. Unlike command.Split it
// accepts an open quote or a trailing backslash: the user is still typing.
func splitHead(s string) head {
	var h head
	var cur strings.Builder
	start, inWord := 0, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case h.quote == '\'':
			if r == '\'' {
				h.quote = 0
			} else {
				cur.WriteRune(r)
			}
		case h.quote == '"':
			if r == '"' {
				h.quote = 0
			} else if r == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
				cur.WriteByte(s[i+1])
				size++
			} else {
				cur.WriteRune(r)
			}
		case r == ' ' || r == '\t':
			if inWord {
				h.words = append(h.words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			if !inWord {
				start, inWord = i, true
			}
			switch {
			case r == '\'' || r == '"':
				h.quote = r
			case r == '\\' && i+size < len(s):
				r2, size2 := utf8.DecodeRuneInString(s[i+size:])
				cur.WriteRune(r2)
				size += size2
			case r == '\\':
				h.escape = true // escapes what comes next: nothing yet
			default:
				cur.WriteRune(r)
			}
		}
		i += size
	}
	if inWord {
		h.raw, h.partial = s[start:], cur.String()
	}
	return h
}

// completions returns what to append to the word under the cursor for each
// candidate that starts with it (case-insensitively), written as the word
// is being written (backslash-escaped, or inside its open quote and closing
// it) and followed by a space. A candidate repeated back to back (sorted
// lists) is offered once.
func completions(cands []string, h head) [][]rune {
	var out [][]rune
	var buf []rune // backing array shared by the suffixes, in growing chunks
	last := ""
	for i, c := range cands {
		n, ok := prefixFold(c, h.partial)
		if !ok || (i > 0 && c == last) {
			continue
		}
		last = c
		// A written rune takes at most 4 (a quote closed and reopened).
		if need := 4*(len(c)-n) + 2; cap(buf)-len(buf) < need {
			buf = make([]rune, 0, max(need, 2*cap(buf), 1024))
		}
		from := len(buf)
		buf = appendWritten(buf, c[n:], h.quote, h.escape)
		buf = append(buf, ' ')
		out = append(out, buf[from:len(buf):len(buf)])
	}
	return out
}

// prefixFold reports whether s starts with prefix, ignoring case, and how
// many bytes of s the prefix covers.
func prefixFold(s, prefix string) (int, bool) {
	i := 0
	for _, pr := range prefix {
		if i >= len(s) {
			return 0, false
		}
		if b := s[i]; b < utf8.RuneSelf && pr < utf8.RuneSelf { // ASCII: no decoding, no folding tables
			if lower(b) != lower(byte(pr)) {
				return 0, false
			}
			i++
			continue
		}
		sr, size := utf8.DecodeRuneInString(s[i:])
		if !foldEqual(sr, pr) {
			return 0, false
		}
		i += size
	}
	return i, true
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// foldEqual reports whether two runes are equal under Unicode simple case
// folding, as strings.EqualFold compares them.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// appendWritten appends s as it must be typed to stay one word: inside an
// open quote, escaped for that quote and then closed; otherwise with the
// characters the line splitter treats specially backslash-escaped (but not
// the first when the word ends with a backslash that already escapes it).
func appendWritten(buf []rune, s string, quote rune, escaped bool) []rune {
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case quote == '"' && strings.ContainsRune("\"\\$`", r):
			buf = append(buf, '\\')
		case quote == '\'' && r == '\'':
			buf = append(buf, '\'', '\\', '\'') // close, escaped quote, reopen
		case quote == 0 && strings.ContainsRune(" \t'\"\\#", r):
			buf = append(buf, '\\')
		}
		buf = append(buf, r)
	}
	if quote != 0 {
		buf = append(buf, quote)
	}
	return buf
}

// Complete returns the full candidates (not suffixes) for the word partial
// after the words before it, for shell completion scripts (keeper
// __complete): words[0] is the command, or nothing to complete a command
// name. partial is the word as the user typed it (backslash escapes and an
// open quote are read as the line splitter reads them); each candidate is
// returned backslash-escaped, so a name with spaces stays one word.
func (c *Completer) Complete(words []string, partial string) []string {
	h := splitHead(partial)
	var cands []string
	if len(words) == 0 {
		cands = c.Registry.Names()
	} else {
		cmd, ok := c.Registry.Lookup(words[0])
		if !ok {
			return nil
		}
		cands = c.argCandidates(cmd, words[1:], h.partial)
	}
	var out []string
	seen := map[string]bool{}
	for _, cand := range cands {
		if _, ok := prefixFold(cand, h.partial); !ok || seen[cand] {
			continue
		}
		seen[cand] = true
		out = append(out, string(appendWritten(nil, cand, 0, false)))
	}
	return out
}
