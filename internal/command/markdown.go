package command

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteMarkdown renders the command reference (docs/commands.md) from the
// registry: every listed command by group, with its aliases, usage line,
// description, options, JSON keys and examples, so the document cannot
// drift from `help`.
func WriteMarkdown(w io.Writer, r *Registry) error {
	var b strings.Builder
	b.WriteString("# keeper command reference\n\n")
	b.WriteString("Generated from the command registry (`make docs`); `make test` fails when it is out of date.\n")
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
		fmt.Fprintf(&b, "\n## %s\n", g)
		for _, c := range cmds {
			writeCommandMarkdown(&b, c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCommandMarkdown(b *strings.Builder, c *Command) {
	fs, _ := FlagSet(c)
	fmt.Fprintf(b, "\n### %s\n\n%s.\n\n", c.Name, strings.TrimSuffix(c.Summary, "."))
	if len(c.Aliases) > 0 {
		al := append([]string(nil), c.Aliases...)
		sort.Strings(al)
		fmt.Fprintf(b, "Aliases: `%s`\n\n", strings.Join(al, "`, `"))
	}
	fmt.Fprintf(b, "```\n%s\n```\n", UsageLine(c, c.Name, fs))
	if long := strings.TrimSpace(c.Long); long != "" {
		if strings.Contains(long, "\n  ") { // an aligned list: keep its layout
			fmt.Fprintf(b, "\n```\n%s\n```\n", long)
		} else {
			fmt.Fprintf(b, "\n%s\n", long)
		}
	}
	if opts := FlagUsages(fs); strings.TrimSpace(opts) != "" {
		fmt.Fprintf(b, "\nOptions:\n\n```\n%s```\n", opts)
	}
	if len(c.LegacyShort) > 0 {
		var ls []string
		for k, v := range c.LegacyShort {
			ls = append(ls, "`"+k+"` = `"+v+"`")
		}
		sort.Strings(ls)
		fmt.Fprintf(b, "\nCommander short forms: %s\n", strings.Join(ls, ", "))
	}
	if j := describeJSON(c); j != "" {
		fmt.Fprintf(b, "\n%s\n", j)
	}
	if len(c.Examples) > 0 {
		b.WriteString("\nExamples:\n\n```\n")
		for _, e := range c.Examples {
			b.WriteString(e + "\n")
		}
		b.WriteString("```\n")
	}
}
