// Package report is the one output funnel for every listing command: it turns
// rows into a Commander-style table, CSV or JSON and writes them to stdout or to
// the file named by --output.
package report

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// Format is an output format accepted by --format.
type Format string

// The output formats. The zero value ("") behaves like Table, as in Commander
// where any format other than csv/json prints a table.
const (
	Table Format = "table"
	CSV   Format = "csv"
	JSON  Format = "json"
)

// allFormats lists every supported format in help order.
func allFormats() []Format { return []Format{Table, CSV, JSON} }

// ParseFormat converts a --format value into a Format. Matching ignores case
// and surrounding blanks; an unknown value yields an error naming the valid ones.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range allFormats() {
		if f == known {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q (valid: %s)", s, joinFormats(allFormats()))
}

func joinFormats(fs []Format) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = string(f)
	}
	return strings.Join(parts, ", ")
}

// Options are the --format/--output settings of one command invocation.
type Options struct {
	// Format selects table, csv or json; "" means table.
	Format Format
	// Output, when set, is the file the report is written to instead of stdout.
	// For csv/json a missing extension gets ".csv"/".json" appended.
	Output string

	allowed []Format // nil: allFormats()
}

// AddFlags registers --format (table, csv, json) and --output on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.AddFlagsFor(fs, allFormats()...)
}

// AddFlagsFor registers --format restricted to the given formats (Commander's
// json_output_parser offers only table and json) and --output on fs.
func (o *Options) AddFlagsFor(fs *pflag.FlagSet, allowed ...Format) {
	if len(allowed) == 0 {
		allowed = allFormats()
	}
	o.allowed = append([]Format(nil), allowed...)
	if o.Format == "" {
		o.Format = Table
	}
	fs.Var(&formatValue{o: o}, "format", "output `FORMAT`: "+joinFormats(o.allowed))
	fs.StringVar(&o.Output, "output", o.Output, "write the report to `FILE` instead of stdout")
}

// Validate reports an unknown or, for restricted commands, unsupported format.
// Commands call it (or rely on flag parsing) before any server call.
func (o *Options) Validate() error {
	if o.Format == "" {
		return nil
	}
	f, err := ParseFormat(string(o.Format))
	if err != nil {
		return err
	}
	allowed := o.allowed
	if allowed == nil {
		allowed = allFormats()
	}
	for _, a := range allowed {
		if a == f {
			return nil
		}
	}
	return fmt.Errorf("output format %q is not supported here (valid: %s)", string(o.Format), joinFormats(allowed))
}

// effective returns the normalised format; callers have validated it.
func (o *Options) effective() Format {
	f, err := ParseFormat(string(o.Format))
	if err != nil {
		return Table
	}
	return f
}

// formatValue adapts Options.Format to pflag so bad values fail at parse time.
type formatValue struct{ o *Options }

func (v *formatValue) String() string {
	if v.o == nil || v.o.Format == "" {
		return string(Table)
	}
	return string(v.o.Format)
}

func (v *formatValue) Set(s string) error {
	if s == "" {
		return fmt.Errorf("an empty output format (valid: %s)", joinFormats(v.allowed()))
	}
	prev := v.o.Format
	v.o.Format = Format(s)
	if err := v.o.Validate(); err != nil {
		v.o.Format = prev
		return err
	}
	v.o.Format = v.o.effective()
	return nil
}

func (v *formatValue) Type() string { return "format" }

func (v *formatValue) allowed() []Format {
	if v.o.allowed == nil {
		return allFormats()
	}
	return v.o.allowed
}
