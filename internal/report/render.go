package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/keeper-go/keeper/internal/fsutil"
)

// Report is one listing: what every command hands to Render.
type Report struct {
	// Title is printed above a table (framed by blank lines) and as a framed
	// first row in CSV; JSON ignores it.
	Title string
	// Headers are snake_case field names (e.g. "company_id"). Table and CSV
	// show them through FieldToTitle; JSON uses them verbatim as keys. A "#"
	// header marks a column that CSV and JSON leave out.
	Headers []string
	// Rows hold the cell values: nil, bool, integers, floats, strings,
	// time.Time, fmt.Stringer, or slices (one physical line per element in a
	// table, newline-joined in CSV, an array in JSON).
	Rows [][]any
	// RowNumbers adds a leading "#" column numbered from 1 (table only).
	RowNumbers bool
	// Title converts a header for table and CSV output; nil means
	// FieldToTitle. Use Verbatim for headers already meant for display and
	// CapitalizeWords for Commander's "capitalize each word" listings.
	TitleFunc func(string) string
	// JSON, when non-nil, is marshalled for --format json instead of Rows, so
	// commands can publish an explicit, stable output struct.
	JSON any
	// JSONIndent is the indentation of JSON (PyDumps); 0 means 2, as
	// Commander's dump_report_data writes. Commander's distributor command
	// dumps its dicts with indent=4.
	JSONIndent int
	// RawCSVHeaders writes the headers verbatim in CSV: the reports that
	// title-case them only for a table (Commander's msp-billing-report and
	// msp-legacy-report) give CSV the snake_case names.
	RawCSVHeaders bool
}

// Render formats r per o. Without --output the report goes to w; with it the
// file is replaced atomically (nothing half-written on failure), w gets
// nothing and errw gets "Report path: <absolute path>".
func Render(w, errw io.Writer, r Report, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	f := o.effective()
	var buf bytes.Buffer
	switch f {
	case CSV:
		renderCSV(&buf, r)
	case JSON:
		if err := renderJSON(&buf, r); err != nil {
			return err
		}
	default:
		renderTable(&buf, r)
	}
	if o.Output == "" {
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	path, err := filepath.Abs(outputPath(o.Output, f))
	if err != nil {
		return fmt.Errorf("report path %q: %w", o.Output, err)
	}
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("write report %s: %w", path, err)
	}
	fmt.Fprintf(errw, "Report path: %s\n", path)
	return nil
}

// outputPath appends ".csv"/".json" when the name has no extension, as
// Commander does (os.path.splitext rules: leading dots do not count).
// Table output keeps the name as given.
func outputPath(name string, f Format) string {
	if f != CSV && f != JSON {
		return name
	}
	base := strings.TrimLeft(filepath.Base(name), ".")
	if filepath.Ext(base) != "" {
		return name
	}
	return name + "." + string(f)
}

// writeFileAtomic replaces path atomically. An existing file keeps its
// permission bits; a new one gets 0644.
func writeFileAtomic(path string, data []byte) error {
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return errors.New("is a directory")
		}
		mode = st.Mode().Perm()
	}
	return fsutil.WriteFile(path, data, mode)
}
