// Package shell is keeper's interactive REPL: a loop over an injected line
// reader (chzyer/readline in production, a fake in tests) that shows the
// state in the prompt, splits lines, expands ${variables}, dispatches to the
// same command dispatcher as one-shot runs, and keeps going after failures.
package shell

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/keeper-go/keeper/internal/command"
)

// ErrInterrupt is what a LineReader returns when Ctrl-C is pressed at the
// prompt.
var ErrInterrupt = errors.New("interrupt")

// LineReader reads one line at a time with a prompt.
type LineReader interface {
	Readline() (string, error) // ErrInterrupt on Ctrl-C, io.EOF on Ctrl-D
	SetPrompt(prompt string)
	Close() error
}

// HistorySaver is implemented by line readers that keep a history (the
// readline reader's Up arrow and history file). The shell hands it every
// line entered, with secret flag values masked, since the reader must not
// record lines itself.
type HistorySaver interface {
	SaveHistory(line string) error
}

// Shell is the REPL.
type Shell struct {
	Reader     LineReader
	Dispatcher *command.Dispatcher
	Env        *command.Env
	// OnError prints a failed command's error (one line) and returns.
	OnError func(err error)
	// Interrupts delivers Ctrl-C while a command runs (SIGINT); the running
	// command's context is cancelled. Nil disables.
	Interrupts <-chan os.Signal
	// Inline handles shell-only words (history ...) before the registry;
	// it reports whether it consumed the line.
	Inline func(ctx context.Context, words []string) (bool, error)
	// History records executed lines, secrets masked, for the history
	// command.
	History []string
	// LastErr is the error of the last command (the exit code after quit).
	LastErr error
}

// Run loops until quit, q, exit or Ctrl-D.
func (s *Shell) Run(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		label := "Keeper"
		if s.Env.State != nil {
			label = s.Env.State.PromptLabel()
		}
		s.Reader.SetPrompt(label + "> ")
		line, err := s.Reader.Readline()
		if errors.Is(err, ErrInterrupt) {
			continue // Ctrl-C at the prompt clears the line
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		kept, keep := s.Dispatcher.Registry.RedactLine(line)
		if hs, ok := s.Reader.(HistorySaver); ok && keep {
			_ = hs.SaveHistory(kept) // a history that cannot be written is not worth stopping for
		}
		switch strings.ToLower(line) {
		case "q", "quit", "exit":
			return nil
		}
		s.LastErr = s.runLine(ctx, line, kept)
		if s.LastErr != nil && s.OnError != nil {
			s.OnError(s.LastErr)
		}
	}
}

// runLine runs one line; kept is the line as the history may show it.
func (s *Shell) runLine(ctx context.Context, line, kept string) error {
	words, err := command.Split(line)
	if err != nil || len(words) == 0 {
		return err
	}
	s.History = append(s.History, kept)
	words = command.ExpandVars(words, s.Env.Vars)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if s.Interrupts != nil {
		// Drop a Ctrl-C that arrived before this command started.
		for len(s.Interrupts) > 0 {
			<-s.Interrupts
		}
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-s.Interrupts:
				cancel()
			case <-done:
			}
		}()
	}
	if s.Inline != nil {
		if ok, err := s.Inline(cctx, words); ok {
			return err
		}
	}
	err = s.Dispatcher.Run(cctx, s.Env, words)
	if err != nil && cctx.Err() != nil && ctx.Err() == nil {
		return context.Canceled
	}
	return err
}
