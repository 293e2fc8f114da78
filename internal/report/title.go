package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FieldToTitle turns a snake_case field name into the column title Commander
// shows in table and CSV output (commands/base.py field_to_title): split on
// '_', drop empty words, capitalise each word with the rest lower-cased, and
// upper-case the words Id, Uid, Ip, Url, Scim and 2fa.
// Examples: company_id -> "Company ID", record_uid -> "Record UID",
// 2fa_enabled -> "2FA Enabled".
func FieldToTitle(field string) string {
	var words []string
	for _, w := range strings.Split(field, "_") {
		if w == "" {
			continue
		}
		w = capitalize(w)
		switch w {
		case "Id", "Uid", "Ip", "Url", "Scim", "2fa":
			w = strings.ToUpper(w)
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// capitalize mirrors Python's str.capitalize: first rune title-cased, the
// rest lower-cased.
func capitalize(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToTitle(r)) + strings.ToLower(w[n:])
}

// titles converts every header with FieldToTitle.
func titles(headers []string) []string {
	out := make([]string, len(headers))
	for i, h := range headers {
		out[i] = FieldToTitle(h)
	}
	return out
}

// Verbatim returns a header unchanged.
func Verbatim(h string) string { return h }

// CapitalizeWords splits on '_' and capitalizes each word without
// Commander's ID/UID upper-casing ("node_id" -> "Node Id"), as enterprise-info
// does for nodes, teams and roles.
func CapitalizeWords(field string) string {
	var words []string
	for _, w := range strings.Split(field, "_") {
		if w != "" {
			words = append(words, capitalize(w))
		}
	}
	return strings.Join(words, " ")
}

// titles converts the report's headers for table and CSV output.
func (r Report) titles() []string {
	f := r.TitleFunc
	if f == nil {
		return titles(r.Headers)
	}
	out := make([]string, len(r.Headers))
	for i, h := range r.Headers {
		if h == "#" {
			out[i] = h
		} else {
			out[i] = f(h)
		}
	}
	return out
}
