package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// outboxCmd lists the outbox: every invitation mail the sandbox would have
// sent (enterprise_user_add, resend_enterprise_invite), oldest first, with
// its time, recipient, subject and invitation link.
func outboxCmd(args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("outbox", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "SQLite database `PATH`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return usageErr{err}
	}
	if fs.NArg() > 0 {
		return usageErr{fmt.Errorf("outbox takes no arguments, got %q", fs.Arg(0))}
	}
	// Never create a database just to list it.
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("no sandbox database at %s: %w", *db, err)
	}
	st, err := store.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	mails, err := st.Outbox(context.Background())
	if err != nil {
		return err
	}
	if len(mails) == 0 {
		fmt.Fprintln(stdout, "The outbox is empty.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTO\tSUBJECT\tINVITE LINK")
	for _, m := range mails {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Created.Local().Format("2006-01-02 15:04:05"), printable(m.To),
			printable(m.Subject), printable(m.Link))
	}
	return tw.Flush()
}

// printable replaces control characters (and tabs, which would break the
// columns) so stored text cannot drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\t' {
			return '?'
		}
		return r
	}, s)
}
