package commands

import (
	"context"
	"fmt"
	"io"

	"github.com/keeper-go/keeper/internal/progress"
	"github.com/keeper-go/keeper/internal/report"
)

// readUserFile reads create-user --file (see userFile.read);
// defaultNode applies to lines without a node, in is standard input for
// "-".
func readUserFile(path, defaultNode string, in io.Reader) ([]userLine, error) {
	return userFile{Cmd: "create-user", Path: path, In: in, DefaultNode: defaultNode, Nothing: "nothing was created",
		Check: func(email string) string {
			if !emailPattern.MatchString(email) {
				return fmt.Sprintf("%q appears not a valid email address", email)
			}
			return ""
		}}.read()
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
