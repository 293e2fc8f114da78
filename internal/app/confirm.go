package app

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

// confirm asks a yes/no question on the terminal (through readline in the
// shell); only y or yes proceeds, an empty answer is no, anything else asks
// again. Commands get it only when a terminal is attached; without one
// they refuse destructive actions unless --force is given.
func (a *app) confirm(ctx context.Context, prompt string) (bool, error) {
	var in *bufio.Reader
	for tries := 0; tries < 3; tries++ {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		var answer string
		var err error
		if a.ask != nil {
			answer, err = a.ask(prompt + " [y/n]: ")
		} else {
			fmt.Fprint(a.err, prompt+" [y/n]: ")
			if in == nil {
				in = bufio.NewReader(a.in)
			}
			answer, err = in.ReadString('\n')
			if err != nil && answer == "" {
				return false, errCancelled
			}
		}
		if err != nil {
			return false, errCancelled
		}
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "y", "yes":
			return true, nil
		case "", "n", "no":
			return false, nil
		}
	}
	return false, nil
}
