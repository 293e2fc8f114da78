package command

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

// WriteHelp lists commands by group with their aliases and summaries.
func WriteHelp(w io.Writer, r *Registry) error {
	fmt.Fprintln(w, "Available Commands")
	fmt.Fprintln(w, strings.Repeat("─", 70))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, g := range r.Groups() {
		var cmds []*Command
		for _, c := range r.Commands() {
			if c.Group == g && !c.Hidden {
				cmds = append(cmds, c)
			}
		}
		if len(cmds) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s:\t\t\n", g)
		for _, c := range cmds {
			name := c.Name
			if len(c.Aliases) > 0 {
				al := append([]string(nil), c.Aliases...)
				sort.Strings(al)
				name += " (" + strings.Join(al, ", ") + ")"
			}
			fmt.Fprintf(tw, "    %s\t%s\n", name, strings.TrimSuffix(c.Summary, "."))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nType help <command> to display help on command")
	return err
}

// WriteCommandHelp prints one command's usage, generated from its
// declaration and flags. invokedAs is the name or alias the user typed.
func WriteCommandHelp(w io.Writer, c *Command, invokedAs string) error {
	if invokedAs == "" {
		invokedAs = c.Name
	}
	fs, _ := FlagSet(c)
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", UsageLine(c, invokedAs, fs), c.Summary)
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Long))
	}
	if j := describeJSON(c); j != "" {
		fmt.Fprintf(w, "\n%s\n", j)
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(w, "\nAliases: %s\n", strings.Join(c.Aliases, ", "))
	}
	if f := FlagUsages(fs); f != "" {
		fmt.Fprintf(w, "\nOptions:\n%s", f)
	}
	if len(c.LegacyShort) > 0 {
		var ls []string
		for k, v := range c.LegacyShort {
			ls = append(ls, k+" = "+v)
		}
		sort.Strings(ls)
		fmt.Fprintf(w, "\nCommander short forms: %s\n", strings.Join(ls, ", "))
	}
	if len(c.Examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	return nil
}

// FlagUsages is pflag's flag listing without the "[=true|false]" it appends
// to boolean flags (padded with spaces so the columns stay aligned).
func FlagUsages(fs *pflag.FlagSet) string {
	const noise = "[=true|false]"
	return strings.ReplaceAll(fs.FlagUsages(), noise, strings.Repeat(" ", len(noise)))
}
