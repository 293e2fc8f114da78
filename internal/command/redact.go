package command

import (
	"strings"

	"github.com/spf13/pflag"
)

// Mask stands in for the value of a secret flag wherever a command line is
// kept (shell history) or echoed (batch --debug).
const Mask = "********"

// Redact returns words (a split command line, words[0] naming the command)
// with the value of every flag the command lists in Secret replaced by Mask,
// and whether anything was replaced. words itself is left unchanged.
func (r *Registry) Redact(words []string) ([]string, bool) {
	if len(words) == 0 {
		return words, false
	}
	cmd, ok := r.Lookup(words[0])
	if !ok || len(cmd.Secret) == 0 {
		return words, false
	}
	fs, _ := FlagSet(cmd)
	args, changed := RedactFlags(fs, cmd.Secret, cmd.LegacyShort, words[1:])
	if !changed {
		return words, false
	}
	return append([]string{words[0]}, args...), true
}

// RedactLine returns line as it may be kept or shown: unchanged when it
// holds no secret value, else rebuilt from its words by Join with the
// values masked. ok is false for a line that cannot be split but starts with
// a command that has secret flags: it cannot be redacted reliably, so it
// must not be kept at all.
func (r *Registry) RedactLine(line string) (redacted string, ok bool) {
	words, err := Split(line)
	if err != nil {
		if f := strings.Fields(line); len(f) > 0 {
			if cmd, found := r.Lookup(strings.Trim(f[0], `'"\`)); found && len(cmd.Secret) > 0 {
				return "", false
			}
		}
		return line, true
	}
	red, changed := r.Redact(words)
	if !changed {
		return line, true
	}
	return Join(red), true
}

// RedactFlags returns args (flags and arguments as parsed by fs) with the
// values of the flags named in secret (long names) replaced by Mask, and
// whether anything was replaced. Every spelling pflag accepts is covered:
// --name VALUE, --name=VALUE, -n VALUE, -nVALUE, -n=VALUE, -n after other
// one-letter switches (-vn VALUE), and the single-dash multi-letter names
// of legacy (e.g. "-kp" -> "--password"). Values of other flags are skipped,
// so a value that looks like a flag is not mistaken for one.
func RedactFlags(fs *pflag.FlagSet, secret []string, legacy map[string]string, args []string) ([]string, bool) {
	isSecret := make(map[string]bool, len(secret))
	for _, n := range secret {
		isSecret[n] = true
	}
	out := append([]string(nil), args...)
	changed := false
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		if long, ok := legacy[name]; ok {
			name = long
		}
		if strings.HasPrefix(name, "--") {
			f := fs.Lookup(name[2:])
			if f == nil || f.NoOptDefVal != "" {
				continue // unknown, or a switch that takes no separate value
			}
			switch {
			case hasVal && isSecret[f.Name]:
				out[i] = a[:len(a)-len(val)] + Mask
				changed = true
			case hasVal:
			case i+1 < len(out):
				i++
				if isSecret[f.Name] {
					out[i] = Mask
					changed = true
				}
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			f := fs.ShorthandLookup(a[j : j+1])
			if f == nil {
				break
			}
			if f.NoOptDefVal != "" {
				continue // a switch; the next letter is another flag
			}
			rest := a[j+1:]
			switch {
			case rest != "" && isSecret[f.Name]:
				prefix := a[:j+1]
				if strings.HasPrefix(rest, "=") {
					prefix += "="
				}
				out[i] = prefix + Mask
				changed = true
			case rest != "":
			case i+1 < len(out):
				i++
				if isSecret[f.Name] {
					out[i] = Mask
					changed = true
				}
			}
			break
		}
	}
	return out, changed
}

// Join quotes words into one line that Split turns back into the same
// words: words without special characters stay bare, others are single-
// quoted, or backslash-escaped when they contain a single quote.
func Join(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = quoteWord(w)
	}
	return strings.Join(parts, " ")
}

func quoteWord(w string) string {
	const special = " \t'\"\\#"
	switch {
	case w == "":
		return "''"
	case !strings.ContainsAny(w, special):
		return w
	case !strings.Contains(w, "'"):
		return "'" + w + "'"
	}
	var b strings.Builder
	for _, r := range w {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
