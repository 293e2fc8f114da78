package commands

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/keeper-go/keeper/internal/command"
)

// onOff is a flag taking on or off (Commander's choices=['on', 'off']);
// Set records that it was given, so "not given" keeps the current value.
type onOff struct {
	set, on bool
}

func (v *onOff) String() string {
	switch {
	case !v.set:
		return ""
	case v.on:
		return "on"
	}
	return "off"
}

func (v *onOff) Set(s string) error {
	switch strings.ToLower(s) {
	case "on":
		v.set, v.on = true, true
	case "off":
		v.set, v.on = true, false
	default:
		return fmt.Errorf("%q is not on or off", s)
	}
	return nil
}

func (v *onOff) Type() string { return "switch" }

// or returns the flag's value when given, else current.
func (v *onOff) or(current bool) bool {
	if v.set {
		return v.on
	}
	return current
}

// maxNameLength is the longest node, role or team name Commander sends
// (helpers/enterprise.py MAX_ENTERPRISE_NAME_LENGTH), in characters.
const maxNameLength = 255

// checkNames refuses, before anything is sent, an empty name or one longer
// than maxNameLength (Commander's is_valid_name_length).
func checkNames(cmd, what string, names ...string) error {
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			return command.Usagef(cmd, "%s name cannot be empty", what)
		}
		if l := utf8.RuneCountInString(n); l > maxNameLength {
			preview := n
			if utf8.RuneCountInString(preview) > 40 {
				preview = string([]rune(preview)[:40]) + "..."
			}
			return command.Usagef(cmd, "%s name %q is %d characters long; the maximum is %d", what, preview, l, maxNameLength)
		}
	}
	return nil
}

// nonNil turns a nil list into an empty one, so JSON shows [] not null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
