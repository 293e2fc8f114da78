package commands

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/keeper-go/keeper/internal/progress"
	"github.com/keeper-go/keeper/internal/report"
)

// maxListedProblems bounds the problems one error lists.
const maxListedProblems = 20

// readUserFile reads create-user --file: one user per line as
// email[,name[,node]] (the layout of the users.txt example in Keeper's
// "Creating and Inviting Users" guide), CSV quoting allowed. A first line
// whose first field is "email" is a header; blank lines and lines starting
// with # are skipped. Every line is checked (field count, email address,
// the same email twice) and all problems are reported together, each
// naming the file and line; defaultNode applies to lines without a node.
func readUserFile(path, defaultNode string) ([]userLine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("create-user: %w", err)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment, r.FieldsPerRecord, r.TrimLeadingSpace = '#', -1, true
	var (
		lines    []userLine
		problems []string
		seen     = map[string]int{}
		first    = true
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				problems = append(problems, fmt.Sprintf("%s:%d: %v", path, pe.StartLine, pe.Err))
				continue
			}
			return nil, fmt.Errorf("create-user: %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		where := fmt.Sprintf("%s:%d", path, line)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		if first && strings.EqualFold(rec[0], "email") {
			first = false
			continue
		}
		first = false
		if len(rec) > 3 {
			problems = append(problems, fmt.Sprintf("%s: %d fields; expected email[,name[,node]]", where, len(rec)))
			continue
		}
		l := userLine{Email: rec[0], Node: defaultNode, Where: where}
		if len(rec) > 1 {
			l.Name = rec[1]
		}
		if len(rec) > 2 && rec[2] != "" {
			l.Node = rec[2]
		}
		if !emailPattern.MatchString(l.Email) {
			problems = append(problems, fmt.Sprintf("%s: %q appears not a valid email address", where, l.Email))
			continue
		}
		key := strings.ToLower(l.Email)
		if prev, dup := seen[key]; dup {
			problems = append(problems, fmt.Sprintf("%s: %s is already listed on line %d", where, l.Email, prev))
			continue
		}
		seen[key] = line
		lines = append(lines, l)
	}
	if len(problems) > 0 {
		return nil, fileProblems(path, problems)
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("create-user: %s lists no users", path)
	}
	return lines, nil
}

// fileProblems is the error for a file with bad lines: nothing was written.
func fileProblems(path string, problems []string) error {
	listed := problems
	if len(listed) > maxListedProblems {
		listed = listed[:maxListedProblems]
	}
	msg := fmt.Sprintf("create-user: %s: %d line(s) cannot be used; nothing was created:\n  %s", path, len(problems),
		strings.Join(listed, "\n  "))
	if len(problems) > len(listed) {
		msg += fmt.Sprintf("\n  ... and %d more", len(problems)-len(listed))
	}
	return errors.New(msg)
}

// runFile creates every user of the file, one after the other, with a
// progress bar when stderr is a terminal, then prints one row per user.
// It fails (after the rows) when any user failed; a cancelled run marks the
// users it did not reach.
func (o *createUserOptions) runFile(ctx context.Context, p *plan, lines []userLine) error {
	bar := progress.New(o.Env.Err, o.Env.StderrTTY, len(lines), "Creating users")
	results := make([]*userResult, 0, len(lines))
	failed := 0
	for i, l := range lines {
		var res *userResult
		if err := ctx.Err(); err != nil {
			res = (&userResult{Email: l.Email}).fail(err, "not attempted: %v", err)
		} else {
			res = o.createUser(ctx, p, l, p.nodes[i])
		}
		if res.Status == statusFailed {
			failed++
		}
		results = append(results, res)
		bar.Add(1)
	}
	bar.Finish()
	if err := report.Render(o.Env.Out, o.Env.Err, resultReport(results), o.Report); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("create-user: %d of %d users failed (see the message column); run the same file again to finish", failed, len(lines))
	}
	return nil
}
