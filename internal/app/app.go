// Package app is the entry point of the keeper binary: global flags, config,
// one-shot versus shell versus batch runs, and the one place where errors
// become exit codes.
package app

import (
	"fmt"
	"io"
	"os"

	"github.com/keeper-go/keeper/internal/version"
)

// Main runs keeper with the given arguments (without the program name) and
// returns the process exit code.
func Main(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "--version" {
			fmt.Fprintf(stdout, "keeper version %s\n", version.Version)
			return 0
		}
	}
	fmt.Fprintln(stderr, "keeper: not implemented yet")
	return 1
}
