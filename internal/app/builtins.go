package app

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/commands"
	"github.com/keeper-go/keeper/internal/version"
)

// regions are Keeper's public region codes and hosts (Commander keepercommander/constants.py KEEPER_PUBLIC_HOSTS).
var regions = map[string]string{
	"US": "keepersecurity.com", "EU": "keepersecurity.eu", "AU": "keepersecurity.com.au",
	"CA": "keepersecurity.ca", "JP": "keepersecurity.jp", "GOV": "govcloud.keepersecurity.us",
}

// resolveServer accepts a region code, a known Keeper host, or an explicit
// URL / host:port (a private or local server such as keeper-sandbox).
func resolveServer(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	code := strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
	if h, ok := regions[code]; ok {
		return h, nil
	}
	for _, h := range regions {
		if strings.EqualFold(s, h) || strings.EqualFold(s, "dev."+h) || strings.EqualFold(s, "qa."+h) {
			return strings.ToLower(s), nil
		}
	}
	if strings.Contains(s, "://") || strings.Contains(s, ":") {
		return s, nil
	}
	codes := make([]string, 0, len(regions))
	for c := range regions {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return "", &usageError{msg: fmt.Sprintf("invalid region %q: use one of %s, a Keeper host, or a URL such as https://127.0.0.1:8443", s, strings.Join(codes, ", "))}
}

// maxBatchDepth bounds run-batch files run from run-batch files.
const maxBatchDepth = 10

// builtins are the commands that act on the process rather than on Keeper.
func (a *app) builtins() []*command.Command {
	misc := commands.GroupMisc
	return []*command.Command{
		{Name: "help", Aliases: []string{"?"}, Group: misc, Summary: "List commands, or show help on one", Args: "[COMMAND]",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					if len(args) == 0 {
						return command.WriteHelp(env.Out, a.reg)
					}
					c, ok := a.reg.Lookup(args[0])
					if !ok {
						return &command.UnknownCommandError{Name: args[0], Suggestions: a.reg.Suggest(args[0])}
					}
					return command.WriteCommandHelp(env.Out, c, args[0])
				}
			}},
		{Name: "version", Aliases: []string{"v"}, Group: misc, Summary: "Show version information",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				verbose := fs.BoolP("verbose", "v", false, "show details")
				return func(ctx context.Context, env *command.Env, args []string) error {
					fmt.Fprintf(env.Out, "keeper version %s\n", version.Version)
					if *verbose {
						fmt.Fprintf(env.Out, "%20s: %s\n%20s: %s\n%20s: %s\n", "API Client Version", version.ClientVersion,
							"Config. File", a.m.ConfigPath(), "Server", a.m.Server())
					}
					return nil
				}
			}},
		{Name: "server", Group: misc, Summary: "Show or change the Keeper region (while logged out)", Args: "[REGION|HOST]",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					if len(args) == 0 {
						fmt.Fprintln(env.Out, a.m.Server())
						return nil
					}
					if strings.TrimSpace(args[0]) == "" {
						return command.Usagef("server", "expected a region or host, got an empty value")
					}
					s, err := resolveServer(args[0])
					if err != nil {
						return err
					}
					if err := a.m.SetServer(s); err != nil {
						return err
					}
					a.status("Keeper server is set to %s", s)
					return nil
				}
			}},
		{Name: "debug", Group: misc, Summary: "Toggle protocol debug output on stderr (secrets redacted)",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					if a.m.Debugging() {
						a.m.SetDebug(nil)
						fmt.Fprintln(env.Err, "Debug OFF")
					} else {
						a.m.SetDebug(env.Err)
						fmt.Fprintln(env.Err, "Debug ON")
					}
					return nil
				}
			}},
		{Name: "clear", Aliases: []string{"c", "cls"}, Group: misc, Summary: "Clear the screen",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					_, err := fmt.Fprint(env.Out, "\033[2J\033[H")
					return err
				}
			}},
		{Name: "history", Aliases: []string{"h"}, Group: misc, Summary: "Show the commands of this shell session",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					h := *a.history
					fmt.Fprintln(env.Out, "Command history:")
					fmt.Fprintln(env.Out, "----------------")
					for i := len(h) - 1; i >= 0; i-- {
						if i < len(h)-1 && h[i] == h[i+1] {
							continue
						}
						fmt.Fprintln(env.Out, h[i])
					}
					return nil
				}
			}},
		{Name: "run-batch", Aliases: []string{"run"}, Group: misc, Summary: "Run commands from a file, stopping at the first failure",
			Args: "FILE",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					if a.batchDepth >= maxBatchDepth {
						return fmt.Errorf("run-batch: %s: batch files nested more than %d deep (does a file run itself?)", args[0], maxBatchDepth)
					}
					f, err := os.Open(args[0])
					if err != nil {
						return fmt.Errorf("run-batch: %w", err)
					}
					defer f.Close()
					a.batchDepth++
					defer func() { a.batchDepth-- }()
					return a.disp.RunLines(ctx, env, f, a.echo)
				}
			}},
		{Name: "set", Group: misc, Hidden: true, Summary: "Set a ${variable}", Args: "NAME VALUE",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					if args[1] == "" {
						delete(env.Vars, args[0])
					} else {
						env.Vars[args[0]] = args[1]
					}
					return nil
				}
			}},
		{Name: "echo", Group: misc, Hidden: true, Summary: "Print text (with ${variables} expanded) or list variables", Args: "[TEXT...]",
			Setup: func(fs *pflag.FlagSet) command.Runner {
				return func(ctx context.Context, env *command.Env, args []string) error {
					if len(args) > 0 {
						_, err := fmt.Fprintln(env.Out, strings.Join(args, " "))
						return err
					}
					names := make([]string, 0, len(env.Vars))
					for k := range env.Vars {
						names = append(names, k)
					}
					sort.Strings(names)
					for _, k := range names {
						fmt.Fprintf(env.Out, "${%s} = %q\n", k, env.Vars[k])
					}
					return nil
				}
			}},
	}
}
