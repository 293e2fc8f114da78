package app

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/commands"
	"github.com/keeper-go/keeper/internal/shell"
)

// completionScripts are the shell hooks `keeper completion SHELL` prints:
// each asks `keeper __complete -- WORDS... PARTIAL` for the candidates,
// which reads only the registry and the names cache (no request).
var completionScripts = map[string]string{
	"bash": `# keeper completion for bash: source <(keeper completion bash)
_keeper_complete() {
    local IFS=$'\n'
    local words=("${COMP_WORDS[@]:1:COMP_CWORD}")
    COMPREPLY=($(keeper __complete -- "${words[@]}" 2>/dev/null))
}
complete -o default -F _keeper_complete keeper
`,
	"zsh": `# keeper completion for zsh: source <(keeper completion zsh)
autoload -U +X bashcompinit && bashcompinit
_keeper_complete() {
    local IFS=$'\n'
    local words=("${COMP_WORDS[@]:1:COMP_CWORD}")
    COMPREPLY=($(keeper __complete -- "${words[@]}" 2>/dev/null))
}
complete -o default -F _keeper_complete keeper
`,
	"fish": `# keeper completion for fish: keeper completion fish | source
complete -c keeper -f -a '(keeper __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
`,
	"powershell": `# keeper completion for PowerShell: keeper completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName keeper -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -eq '') { $words += '' }
    keeper __complete -- @words 2>$null | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
`,
}

// completionCommands are `completion` and the hidden `__complete` the
// scripts call.
func (a *app) completionCommands() []*command.Command {
	shells := make([]string, 0, len(completionScripts))
	for s := range completionScripts {
		shells = append(shells, s)
	}
	sort.Strings(shells)
	return []*command.Command{
		{Name: "completion", Group: commands.GroupMisc, Args: "SHELL",
			Summary: "Print the shell completion script (" + strings.Join(shells, ", ") + ")",
			Long: "Completes commands, aliases, flags and the names of managed companies, nodes, roles, teams and users " +
				"from the last enterprise load, without any request.",
			Examples: []string{"source <(keeper completion bash)", "keeper completion fish | source",
				"keeper completion powershell | Out-String | Invoke-Expression"},
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					script, ok := completionScripts[strings.ToLower(args[0])]
					if !ok {
						return command.Usagef("completion", "unknown shell %q (use %s)", args[0], strings.Join(shells, ", "))
					}
					_, err := fmt.Fprint(env.Out, script)
					return err
				}
			}},
		{Name: "__complete", Group: commands.GroupMisc, Hidden: true, Args: "[WORD...]",
			Summary: "Print completion candidates for the words of a keeper command line (used by the completion scripts)",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					words, partial := completionWords(args)
					c := &shell.Completer{Registry: a.reg, State: &cachedNames{a: a}}
					for _, cand := range c.Complete(words, partial) {
						fmt.Fprintln(env.Out, cand)
					}
					return nil
				}
			}},
	}
}

// completionWords drops keeper's global options from a command line and
// splits off the word being completed (the last one).
func completionWords(args []string) (words []string, partial string) {
	if len(args) == 0 {
		return nil, ""
	}
	partial, words = args[len(args)-1], args[:len(args)-1]
	for len(words) > 0 && strings.HasPrefix(words[0], "-") {
		if takesValue(words[0]) && !strings.Contains(words[0], "=") && len(words) > 1 {
			words = words[1:]
		}
		words = words[1:]
	}
	return words, partial
}

// cachedNames answers completion from the names cache only.
type cachedNames struct{ a *app }

func (c *cachedNames) Ensure(context.Context, command.Need) error { return nil }
func (c *cachedNames) PromptLabel() string                        { return "" }

func (c *cachedNames) CompletionNames(kind command.CompletionKind) []string {
	n := c.a.m.CachedNames()
	if n == nil {
		return nil
	}
	var out []string
	switch kind {
	case command.CompleteMC:
		out = n.MCs
	case command.CompleteNode:
		out = n.Nodes
	case command.CompleteRole:
		out = n.Roles
	case command.CompleteTeam:
		out = n.Teams
	case command.CompleteUser:
		out = n.Users
	}
	sort.Strings(out)
	return out
}
