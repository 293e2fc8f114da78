package command

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/spf13/pflag"
)

// annotations on flags (pflag.Flag.Annotations).
const (
	annRequired   = "keeper_required"
	annAllowEmpty = "keeper_allow_empty"
)

// MarkRequired makes a flag mandatory: the usage line shows it without
// brackets and the dispatcher refuses the command when it is missing.
func MarkRequired(fs *pflag.FlagSet, name string) {
	_ = fs.SetAnnotation(name, annRequired, []string{"true"})
}

// AllowEmpty lets a string flag take an empty value; by default --x ”
// is a usage error, since an empty name, node or path is almost always a
// mistake in a script.
func AllowEmpty(fs *pflag.FlagSet, name string) {
	_ = fs.SetAnnotation(name, annAllowEmpty, []string{"true"})
}

// argRange derives the allowed number of positional arguments from an Args
// notation; max < 0 means no limit.
func argRange(spec string) (lo, hi int) {
	depth := 0
	var word, group strings.Builder
	flush := func(optional bool) {
		w := word.String()
		word.Reset()
		if w == "" || w == "|" {
			return
		}
		many := strings.HasSuffix(w, "...")
		switch {
		case optional && many:
			hi = -1
		case optional:
			if hi >= 0 {
				hi++
			}
		case many:
			lo++
			hi = -1
		default:
			lo++
			if hi >= 0 {
				hi++
			}
		}
	}
	for _, r := range spec {
		switch {
		case r == '[':
			if depth == 0 {
				flush(false)
				group.Reset()
			}
			depth++
		case r == ']':
			depth--
			if depth == 0 {
				word.WriteString("x") // the group counts as one optional word
				if strings.HasSuffix(group.String(), "...") {
					word.WriteString("...")
				}
				flush(true)
			}
		case depth > 0:
			group.WriteRune(r)
		case r == ' ':
			flush(false)
		default:
			word.WriteRune(r)
		}
	}
	flush(false)
	return lo, hi
}

// checkArgs validates the positional arguments of cmd.
func checkArgs(cmd *Command, args []string) error {
	if cmd.ValidateArgs != nil {
		return cmd.ValidateArgs(args)
	}
	lo, hi := argRange(cmd.Args)
	switch {
	case len(args) < lo && cmd.Args != "":
		return Usagef(cmd.Name, "expected %s", cmd.Args)
	case hi >= 0 && len(args) > hi && hi == 0:
		return Usagef(cmd.Name, "unexpected argument %q", args[0])
	case hi >= 0 && len(args) > hi:
		return Usagef(cmd.Name, "unexpected argument %q (expected %s)", args[hi], cmd.Args)
	}
	return nil
}

// checkFlags refuses missing required flags and empty string values.
func checkFlags(cmd *Command, fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		if _, req := f.Annotations[annRequired]; req && !f.Changed {
			err = Usagef(cmd.Name, "--%s is required", f.Name)
			return
		}
		if _, ok := f.Annotations[annAllowEmpty]; ok || !f.Changed {
			return
		}
		switch f.Value.Type() {
		case "string":
			if f.Value.String() == "" {
				err = Usagef(cmd.Name, "--%s needs a non-empty value", f.Name)
			}
		case "stringArray", "stringSlice":
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				for _, v := range sv.GetSlice() {
					if v == "" {
						err = Usagef(cmd.Name, "--%s needs a non-empty value", f.Name)
					}
				}
			}
		}
	})
	return err
}

// UsageLine renders "NAME [-v] [--node NODE] ... ARGS" from the flags.
func UsageLine(c *Command, invokedAs string, fs *pflag.FlagSet) string {
	legacy := map[string]string{}
	for short, long := range c.LegacyShort {
		legacy[strings.TrimPrefix(long, "--")] = short
	}
	parts := []string{invokedAs}
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" || f.Hidden {
			return
		}
		name := "--" + f.Name
		switch {
		case legacy[f.Name] != "":
			name = legacy[f.Name]
		case f.Shorthand != "":
			name = "-" + f.Shorthand
		}
		if f.Value.Type() != "bool" {
			v, _ := pflag.UnquoteUsage(f)
			if v == "" || v == f.Value.Type() || v == "string" || v == "stringArray" || v == "strings" {
				v = strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
			}
			name += " " + v
		}
		if _, req := f.Annotations[annRequired]; !req {
			name = "[" + name + "]"
		}
		parts = append(parts, name)
	})
	if c.Args != "" {
		parts = append(parts, c.Args)
	}
	return strings.Join(parts, " ")
}

// JSONKeys lists the keys a command's JSON output documents (see
// Command.JSON): the json tags of a struct, or the strings given. A field
// holding a struct shows that struct's keys as key{a,b}, a list of structs
// as key[{a,b}].
func JSONKeys(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case []string:
		return t
	}
	rt := reflect.TypeOf(v)
	for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice {
		rt = rt.Elem()
	}
	return structKeys(rt)
}

func structKeys(rt reflect.Type) []string {
	if rt.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		ft, list := f.Type, false
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			list = list || ft.Kind() == reflect.Slice
			ft = ft.Elem()
		}
		if inner := structKeys(ft); len(inner) > 0 && ft.PkgPath() != "time" {
			nested := "{" + strings.Join(inner, ",") + "}"
			if list {
				nested = "[" + nested + "]"
			}
			tag += nested
		}
		keys = append(keys, tag)
	}
	return keys
}

// describeJSON is the help paragraph on the JSON output.
func describeJSON(c *Command) string {
	keys := JSONKeys(c.JSON)
	if len(keys) == 0 {
		return ""
	}
	return fmt.Sprintf("JSON output (--format json) keys: %s.", strings.Join(keys, ", "))
}
