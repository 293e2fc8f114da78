package command

import (
	"regexp"
	"strings"
)

// Split tokenizes a command line like a POSIX shell: whitespace separates
// words, single quotes keep everything literally, double quotes keep spaces
// and honour \" \\ \$ \` escapes, a backslash outside quotes escapes the
// next character. Quotes keep inner spaces (unlike Commander, which
// collapses them). A line starting with # is a comment. A line that cannot
// be split fails with a *SyntaxError.
func Split(line string) ([]string, error) {
	if strings.ContainsAny(line, "\r\n\x00") {
		return nil, &SyntaxError{Msg: "control characters are not allowed in command input"}
	}
	if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
		return nil, nil
	}
	var words []string
	var cur strings.Builder
	inWord := false
	const (
		plain = iota
		single
		double
	)
	state := plain
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch state {
		case single:
			if c == '\'' {
				state = plain
			} else {
				cur.WriteRune(c)
			}
		case double:
			switch {
			case c == '"':
				state = plain
			case c == '\\' && i+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[i+1]):
				i++
				cur.WriteRune(rs[i])
			default:
				cur.WriteRune(c)
			}
		default:
			switch {
			case c == ' ' || c == '\t':
				if inWord {
					words = append(words, cur.String())
					cur.Reset()
					inWord = false
				}
			case c == '\'':
				state, inWord = single, true
			case c == '"':
				state, inWord = double, true
			case c == '\\':
				if i+1 >= len(rs) {
					return nil, &SyntaxError{Msg: "line ends with a lone backslash"}
				}
				i++
				cur.WriteRune(rs[i])
				inWord = true
			default:
				cur.WriteRune(c)
				inWord = true
			}
		}
	}
	if state != plain {
		return nil, &SyntaxError{Msg: "unterminated quote"}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

var varRef = regexp.MustCompile(`\$\{(\w+)\}`)

// ExpandVars replaces ${name} in each word with session variables (e.g.
// ${last_mc_id}); unknown names stay verbatim, as in Commander. Expansion
// happens after splitting, so a value with spaces stays one argument.
func ExpandVars(words []string, vars map[string]string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		if !strings.Contains(w, "${") {
			out[i] = w
			continue
		}
		out[i] = varRef.ReplaceAllStringFunc(w, func(m string) string {
			if v, ok := vars[m[2:len(m)-1]]; ok {
				return v
			}
			return m
		})
	}
	return out
}
