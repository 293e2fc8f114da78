package commands

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/report"
)

// The bulk user file shared by create-user --file and enterprise-user
// --file, and the result rows both print.

// maxListedProblems bounds the problems one error lists.
const maxListedProblems = 20

// stdinName is how messages name --file - (standard input).
const stdinName = "stdin"

// userFile says how a command reads its user file.
type userFile struct {
	Cmd  string // the command, for messages
	Path string // the file; "-" reads In
	// In is standard input for "-"; nil when it is not the command's to
	// read (the shell, or batch input that carries the commands).
	In          io.Reader
	DefaultNode string // the node of lines without one
	// Check returns what is wrong with an address, "" when it is fine.
	Check func(email string) string
	// Nothing says what was not done when a line is bad ("nothing was
	// created").
	Nothing string
}

// name is the file's name in messages.
func (f userFile) name() string {
	if f.Path == "-" {
		return stdinName
	}
	return f.Path
}

// read reads one user per line as email[,name[,node]] (the layout of the
// users.txt example in Keeper's "Creating and Inviting Users" guide), CSV
// quoting allowed. A first line whose first field is "email" is a header;
// blank lines and lines starting with # are skipped. Every line is checked
// (field count, email address, the same email twice) and all problems are
// reported together, each naming the file and line.
func (f userFile) read() ([]userLine, error) {
	var data []byte
	var err error
	if f.Path == "-" {
		if f.In == nil {
			return nil, command.Usagef(f.Cmd, "--file -: standard input is not available here (the shell or a batch reads it); give a file name")
		}
		data, err = io.ReadAll(f.In)
	} else {
		data, err = os.ReadFile(f.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Cmd, err)
	}
	path := f.name()
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
			return nil, fmt.Errorf("%s: %s: %w", f.Cmd, path, err)
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
		l := userLine{Email: rec[0], Node: f.DefaultNode, Where: where}
		if len(rec) > 1 {
			l.Name = rec[1]
		}
		if len(rec) > 2 && rec[2] != "" {
			l.Node = rec[2]
		}
		if msg := f.Check(l.Email); msg != "" {
			problems = append(problems, where+": "+msg)
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
		return nil, f.problems(problems)
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s: %s lists no users", f.Cmd, path)
	}
	return lines, nil
}

// problems is the error for a file with lines that cannot be used:
// nothing was done.
func (f userFile) problems(problems []string) error {
	listed := problems
	if len(listed) > maxListedProblems {
		listed = listed[:maxListedProblems]
	}
	msg := fmt.Sprintf("%s: %s: %d line(s) cannot be used; %s:\n  %s", f.Cmd, f.name(), len(problems), f.Nothing,
		strings.Join(listed, "\n  "))
	if len(problems) > len(listed) {
		msg += fmt.Sprintf("\n  ... and %d more", len(problems)-len(listed))
	}
	return errors.New(msg)
}

// userRow is one result row of a bulk user command.
type userRow struct {
	Email, Status, RecordUID, Message string
	UserID                            int64 // 0: none known
}

// userRowJSON is one result row of enterprise-user --file --format json;
// user_id is null when no user id is known.
type userRowJSON struct {
	Email   string `json:"email"`
	Status  string `json:"status"`
	UserID  *int64 `json:"user_id"`
	Message string `json:"message"`
}

// userRowsReport is the rows as a report: email, status, user_id,
// [record_uid,] message, one line each.
func userRowsReport(rows []userRow, withRecord bool) report.Report {
	r := report.Report{Headers: []string{"email", "status", "user_id", "message"}}
	if withRecord {
		r.Headers = []string{"email", "status", "user_id", "record_uid", "message"}
	}
	plain := make([]userRowJSON, 0, len(rows))
	records := make([]createUserJSON, 0, len(rows))
	for _, row := range rows {
		var id any
		var idp *int64
		if row.UserID != 0 {
			uid := row.UserID
			id, idp = uid, &uid
		}
		msg := strings.ReplaceAll(row.Message, "\n", " ")
		if withRecord {
			r.Rows = append(r.Rows, []any{row.Email, row.Status, id, row.RecordUID, msg})
			records = append(records, createUserJSON{Email: row.Email, Status: row.Status, UserID: idp, RecordUID: row.RecordUID, Message: msg})
		} else {
			r.Rows = append(r.Rows, []any{row.Email, row.Status, id, msg})
			plain = append(plain, userRowJSON{Email: row.Email, Status: row.Status, UserID: idp, Message: msg})
		}
	}
	r.JSON = plain
	if withRecord {
		r.JSON = records
	}
	return r
}
