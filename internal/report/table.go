package report

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"

	"github.com/mattn/go-runewidth"
)

// The table renderer reproduces what Commander prints: its dump_report_data
// list expansion and row numbering, then tabulate's "simple" format (header,
// dashed rule per column, two-space gaps, header width + 2 as the minimum
// column width, numbers right/decimal-aligned, text left-aligned and
// stripped, trailing blanks removed, East Asian wide characters counted as two
// cells).

// pyType is tabulate's per-value type, ordered from least to most generic.
type pyType int

const (
	tNone pyType = iota
	tBool
	tInt
	tFloat
	tText
)

// renderTable writes the table (and title) for r to buf.
func renderTable(buf *bytes.Buffer, r Report) {
	headers := r.titles()
	if r.RowNumbers && len(headers) > 0 {
		headers = append([]string{"#"}, headers...)
	}
	data := expandRows(r)
	if r.Title != "" {
		buf.WriteString("\n" + r.Title + "\n\n")
	}
	buf.WriteString(tabulate(data, headers))
	buf.WriteByte('\n')
}

// expandRows applies Commander's row numbering and list expansion: a list
// cell spreads over several physical lines, other columns blank ("") there.
func expandRows(r Report) [][]cell {
	var out [][]cell
	for i, row := range r.Rows {
		cells := make([]cell, 0, len(row)+1)
		if r.RowNumbers {
			cells = append(cells, cell{kind: kInt, s: strconv.Itoa(i + 1)})
		}
		for _, v := range row {
			cells = append(cells, normalize(v))
		}
		lines := 1
		for _, c := range cells {
			if c.kind == kList && len(c.list) > lines {
				lines = len(c.list)
			}
		}
		for l := 0; l < lines; l++ {
			phys := make([]cell, len(cells))
			for j, c := range cells {
				switch {
				case c.kind == kList && l < len(c.list):
					phys[j] = c.list[l]
				case c.kind != kList && l == 0:
					phys[j] = c
				default:
					phys[j] = cell{kind: kText}
				}
			}
			out = append(out, phys)
		}
	}
	return out
}

// tabulate renders rows with tabulate's "simple" format; "" when there are
// neither headers nor rows.
func tabulate(rows [][]cell, headers []string) string {
	ncols := len(headers)
	for _, row := range rows {
		ncols = max(ncols, len(row))
	}
	if ncols == 0 {
		return ""
	}
	if len(headers) > 0 && len(headers) < ncols {
		headers = append(make([]string, ncols-len(headers)), headers...)
	}
	numeric := make([]bool, ncols)
	cols := make([][][]string, ncols) // column -> row -> lines
	widths := make([]int, ncols)
	for j := range ncols {
		ct := tBool
		for _, row := range rows {
			ct = max(ct, valueType(at(row, j)))
		}
		numeric[j] = ct == tInt || ct == tFloat
		strs := make([]string, len(rows))
		for i, row := range rows {
			strs[i] = formatCell(at(row, j), ct)
		}
		if numeric[j] {
			maxDec := -1
			for _, s := range strs {
				maxDec = max(maxDec, afterPoint(s))
			}
			for i, s := range strs {
				strs[i] = s + strings.Repeat(" ", maxDec-afterPoint(s))
			}
		} else {
			for i, s := range strs {
				strs[i] = trimPy(s)
			}
		}
		if len(headers) > 0 {
			widths[j] = width(headers[j]) + 2
		}
		cols[j] = make([][]string, len(rows))
		for i, s := range strs {
			cols[j][i] = splitLines(s)
			for _, l := range cols[j][i] {
				widths[j] = max(widths[j], width(l))
			}
		}
	}

	var lines []string
	rule := make([]string, ncols)
	for j, w := range widths {
		rule[j] = strings.Repeat("-", w)
	}
	if len(headers) > 0 {
		hs := make([]string, ncols)
		for j, h := range headers {
			hs[j] = pad(h, widths[j], numeric[j] && len(rows) > 0)
		}
		lines = append(lines, joinRow(hs), joinRow(rule))
	} else {
		lines = append(lines, joinRow(rule))
	}
	for i := range rows {
		height := 1
		for j := range ncols {
			height = max(height, len(cols[j][i]))
		}
		for l := range height {
			parts := make([]string, ncols)
			for j := range ncols {
				text := ""
				if l < len(cols[j][i]) {
					text = cols[j][i][l]
				}
				parts[j] = pad(text, widths[j], numeric[j])
			}
			lines = append(lines, joinRow(parts))
		}
	}
	if len(headers) == 0 {
		lines = append(lines, joinRow(rule))
	}
	return strings.Join(lines, "\n")
}

func at(row []cell, j int) cell {
	if j < len(row) {
		return row[j]
	}
	return cell{kind: kNone}
}

// valueType mirrors tabulate's _type, including number parsing of strings.
func valueType(c cell) pyType {
	switch c.kind {
	case kNone:
		return tNone
	case kBool:
		return tBool
	case kInt:
		return tInt
	case kFloat:
		return tFloat
	case kText:
		switch {
		case c.s == "True" || c.s == "False":
			return tBool
		case isPyInt(c.s):
			return tInt
		case isPyNumber(c.s):
			return tFloat
		}
	}
	return tText
}

// formatCell mirrors tabulate's _format for a value in a column of type ct.
func formatCell(c cell, ct pyType) string {
	if c.kind == kNone {
		return ""
	}
	if ct != tFloat {
		return c.str()
	}
	switch c.kind {
	case kFloat:
		return pyG(c.f)
	case kBool:
		if c.b {
			return "1"
		}
		return "0"
	case kInt, kText:
		if f, ok := pyFloat(c.s); ok {
			return pyG(f)
		}
	}
	return c.str()
}

// width is the terminal cell width of s (wide characters count two).
// Printable ASCII, nearly every cell, is one cell a byte without the
// grapheme segmentation runewidth does.
func width(s string) int {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] >= 0x20 && s[i] < 0x7f
	}
	if ascii {
		return len(s)
	}
	cond := runewidth.Condition{}
	return cond.StringWidth(s)
}

// pad pads s to w cells, on the left when right is set.
func pad(s string, w int, right bool) string {
	fill := strings.Repeat(" ", max(0, w-width(s)))
	if right {
		return fill + s
	}
	return s + fill
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

func joinRow(parts []string) string {
	return strings.TrimRightFunc(strings.Join(parts, "  "), unicode.IsSpace)
}
