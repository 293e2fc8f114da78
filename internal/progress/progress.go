// Package progress shows progress of long work (bulk invites, big syncs)
// on stderr with github.com/schollz/progressbar when stderr is a terminal,
// and nothing at all when it is not, so logs and pipes stay clean.
package progress

import (
	"io"

	"github.com/schollz/progressbar/v3"
)

// Bar counts finished items of a known total.
type Bar interface {
	// Add records n more finished items.
	Add(n int)
	// Finish completes the bar and ends its line.
	Finish()
}

// New returns a bar drawing on w when tty is true, else a silent one.
func New(w io.Writer, tty bool, total int, description string) Bar {
	if !tty || total <= 0 {
		return silent{}
	}
	return &bar{b: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000), // redraw at most every 100 ms
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(w, "\n") }),
	)}
}

// NewUnbounded returns a counter of items without a known total (the pages
// of an enterprise sync): a spinner with the count and rate, drawn on w
// when tty is true, else silent.
func NewUnbounded(w io.Writer, tty bool, description string) Bar {
	if !tty {
		return silent{}
	}
	return &bar{b: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("entities"),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100_000_000), // redraw at most every 100 ms
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(w, "\n") }),
	)}
}

type bar struct{ b *progressbar.ProgressBar }

func (b *bar) Add(n int) { _ = b.b.Add(n) }
func (b *bar) Finish()   { _ = b.b.Finish() }

type silent struct{}

func (silent) Add(int) {}
func (silent) Finish() {}
