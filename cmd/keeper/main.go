// Command keeper is a fast, scriptable admin shell for Keeper MSP and
// enterprise administrators that mirrors Keeper Commander.
package main

import (
	"os"

	"github.com/keeper-go/keeper/internal/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:]))
}
