package report

import (
	"bytes"
	"strings"
)

// renderCSV writes r the way Commander's csv.writer does (Python's default
// "excel" dialect): comma separated, quotes only where needed, doubled
// quotes, CRLF row ends. The title, when set, is framed by empty rows; the
// header row is title-cased; a leading "#" column is dropped; list cells are
// joined with newlines. Row numbers are a table-only feature, as in Commander.
func renderCSV(buf *bytes.Buffer, r Report) {
	if r.Title != "" {
		writeCSVRow(buf, nil)
		writeCSVRow(buf, []string{r.Title})
		writeCSVRow(buf, nil)
	}
	start := 0
	if len(r.Headers) > 0 {
		if r.Headers[0] == "#" {
			start = 1
		}
		heads := r.titles()
		if r.RawCSVHeaders {
			heads = r.Headers
		}
		writeCSVRow(buf, heads[start:])
	}
	for _, row := range r.Rows {
		fields := make([]string, 0, len(row))
		for i, v := range row {
			if i >= start {
				fields = append(fields, normalize(v).str())
			}
		}
		writeCSVRow(buf, fields)
	}
}

// writeCSVRow writes one record with Python's QUOTE_MINIMAL rules: a field is
// quoted when it holds a comma, a quote, CR or LF, and a record made of a
// single empty field is written as "" so it differs from an empty record.
func writeCSVRow(buf *bytes.Buffer, fields []string) {
	if len(fields) == 1 && fields[0] == "" {
		buf.WriteString("\"\"\r\n")
		return
	}
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\r\n") {
			buf.WriteByte('"')
			buf.WriteString(strings.ReplaceAll(f, `"`, `""`))
			buf.WriteByte('"')
		} else {
			buf.WriteString(f)
		}
	}
	buf.WriteString("\r\n")
}
