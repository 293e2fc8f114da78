package report

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// The helpers below reproduce how Python's int()/float() (and therefore
// tabulate's number detection) read strings, limited to ASCII digits.

// trimPy strips whitespace like Python's str.strip().
func trimPy(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// digitRun reports whether s is one or more ASCII digits, with single
// underscores allowed between digits (Python numeric literal rule).
func digitRun(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '_' && s[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

// isPyInt reports whether Python's int(s) would accept s.
func isPyInt(s string) bool {
	s = trimPy(s)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return digitRun(s)
}

// pyFloat parses s the way Python's float(s) does; ok is false where Python
// raises ValueError.
func pyFloat(s string) (f float64, ok bool) {
	t := trimPy(s)
	body := t
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		if t[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	mant, exp, hasExp := body, "", false
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		mant, exp, hasExp = body[:i], body[i+1:], true
	}
	intPart, frac, hasDot := mant, "", false
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart, frac, hasDot = mant[:i], mant[i+1:], true
	}
	if intPart == "" && frac == "" {
		return 0, false
	}
	if (intPart != "" && !digitRun(intPart)) || (hasDot && frac != "" && !digitRun(frac)) {
		return 0, false
	}
	if hasExp {
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if !digitRun(exp) {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil && !math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// isPyNumber mirrors tabulate's _isnumber: float()-convertible, but infinite
// or NaN results count only for the literal spellings inf, -inf and nan.
func isPyNumber(s string) bool {
	v, ok := pyFloat(s)
	if !ok {
		return false
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		switch strings.ToLower(s) {
		case "inf", "-inf", "nan":
			return true
		}
		return false
	}
	return true
}

// afterPoint mirrors tabulate's _afterpoint: digits after the decimal point
// (or after the exponent marker), -1 for integers and non-numbers.
func afterPoint(s string) int {
	if !isPyNumber(s) || isPyInt(s) {
		return -1
	}
	pos := strings.LastIndexByte(s, '.')
	if pos < 0 {
		pos = strings.LastIndexAny(s, "eE")
	}
	if pos < 0 {
		return -1
	}
	return len([]rune(s)) - len([]rune(s[:pos])) - 1
}
