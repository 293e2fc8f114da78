// Package command is keeper's command registry: declarations (name,
// aliases, group, summary, usage, examples, flags, what the command needs),
// help generated from them, line splitting and variable expansion, and the
// dispatcher shared by one-shot runs, batch input and the shell.
package command

import (
	"context"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// Need is what a command requires before it runs.
type Need int

// Needs, in increasing order of privilege.
const (
	NeedNothing Need = iota
	NeedLogin
	NeedEnterpriseAdmin
	NeedMSPAdmin
)

// CompletionKind names a set of values a flag can complete to.
type CompletionKind string

// Completion kinds the shell knows how to fill.
const (
	CompleteNode CompletionKind = "node"
	CompleteRole CompletionKind = "role"
	CompleteTeam CompletionKind = "team"
	CompleteUser CompletionKind = "user"
	CompleteMC   CompletionKind = "mc"
)

// Runner runs a command with its parsed flags; args are the positional
// arguments.
type Runner func(ctx context.Context, env *Env, args []string) error

// Command declares one command. Its usage line is generated from its flags
// and Args, so help cannot drift from what the command accepts.
type Command struct {
	Name    string
	Aliases []string
	Group   string
	Summary string
	// Args is the notation of the positional arguments, e.g. "MC",
	// "[PATTERN]", "EMAIL...", "[NAME...]". Unless ValidateArgs is set the
	// number of arguments is checked against it: a plain word is required,
	// [X] optional, X... one or more, [X...] any number.
	Args string
	// ValidateArgs, when set, replaces the check derived from Args.
	ValidateArgs func(args []string) error
	Long         string
	Examples     []string
	Needs        Need
	// JSON documents the JSON output (--format json): the zero value of
	// the struct one element (or the object) is encoded from, or a []string
	// of keys for listings whose columns are chosen at run time.
	JSON any
	// LegacyShort maps Commander's single-dash multi-letter options (-mc)
	// to long flags (--managed-company), which pflag cannot express.
	LegacyShort map[string]string
	// Setup declares the flags on a fresh FlagSet and returns the runner.
	Setup func(fs *pflag.FlagSet) Runner
	// Completions maps long flag names (and "" for positional arguments)
	// to the kind of value they take.
	Completions map[string]CompletionKind
	// Hidden commands are not listed by help.
	Hidden bool
	// Secret lists long flag names whose values (passwords) are masked
	// wherever a command line is kept or echoed; their shorthands are found
	// through the FlagSet.
	Secret []string
}

// State is what the app provides to commands and the shell.
type State interface {
	// Ensure logs in or loads data so that need holds, or says why not.
	Ensure(ctx context.Context, need Need) error
	// PromptLabel is the shell prompt without "> ".
	PromptLabel() string
	// CompletionNames lists names of a kind for tab completion, sorted
	// (the shell offers a name repeated back to back once). It is called
	// on every Tab: it may return a slice it keeps, which callers must not
	// change.
	CompletionNames(kind CompletionKind) []string
}

// Env is everything a command gets besides its flags.
type Env struct {
	// In is standard input for a command to read (--file -); nil when it
	// is not the command's: in the shell, and when stdin carries the
	// commands (batch input).
	In       io.Reader
	Out, Err io.Writer
	State    State
	Vars     map[string]string
	// Interactive is true in the shell on a terminal.
	Interactive bool
	// StderrTTY is true when stderr is a terminal: progress bars are drawn
	// only then.
	StderrTTY bool
}

// Registry holds the commands.
type Registry struct {
	cmds   map[string]*Command
	alias  map[string]string
	groups []string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{cmds: map[string]*Command{}, alias: map[string]string{}}
}

// Add registers commands; a duplicate name or alias is a programming error.
func (r *Registry) Add(cmds ...*Command) {
	for _, c := range cmds {
		if _, dup := r.cmds[c.Name]; dup {
			panic("command: duplicate command " + c.Name)
		}
		r.cmds[c.Name] = c
		for _, a := range c.Aliases {
			if _, dup := r.alias[a]; dup {
				panic("command: duplicate alias " + a)
			}
			r.alias[a] = c.Name
		}
		found := false
		for _, g := range r.groups {
			found = found || g == c.Group
		}
		if !found {
			r.groups = append(r.groups, c.Group)
		}
	}
}

// Lookup finds a command by name or alias (case-insensitive).
func (r *Registry) Lookup(name string) (*Command, bool) {
	n := strings.ToLower(name)
	if c, ok := r.cmds[n]; ok {
		return c, true
	}
	if real, ok := r.alias[n]; ok {
		return r.cmds[real], true
	}
	return nil, false
}

// Commands returns every command sorted by name.
func (r *Registry) Commands() []*Command {
	out := make([]*Command, 0, len(r.cmds))
	for _, c := range r.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Groups returns the groups in registration order.
func (r *Registry) Groups() []string { return append([]string(nil), r.groups...) }

// Names returns every name and alias, sorted (for completion).
func (r *Registry) Names() []string {
	var out []string
	for n, c := range r.cmds {
		if !c.Hidden {
			out = append(out, n)
		}
	}
	for a := range r.alias {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Suggest returns up to three known names close to name.
func (r *Registry) Suggest(name string) []string {
	type cand struct {
		n string
		d int
	}
	var cs []cand
	n := strings.ToLower(name)
	for _, k := range r.Names() {
		d := distance(n, k)
		if strings.HasPrefix(k, n) && len(n) >= 2 {
			d = 0
		}
		if d <= 2 || (len(n) > 4 && d <= len(n)/3) {
			cs = append(cs, cand{k, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].n < cs[j].n
	})
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].n)
	}
	return out
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
