package msp

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// SyncEnforcements returns the role_enforcement_add, _update and _remove
// commands that make the enforcements of role dstRole (dst, as the target
// enterprise holds them) equal to src, as Commander's msp-copy-role does
// (commands/msp.py MSPCopyRoleCommand): values are converted by the
// enforcement's type (constants.ENFORCEMENTS): numbers for "long", parsed
// JSON for "record_types", "json" and "jsonarray", no value at all for
// "boolean", the string otherwise. Enforcements of type "account_share" are
// not copied and those of unknown names neither (with a warning); a
// target's own of that name is left alone. A value that does not convert
// is not copied either and yields a warning. A boolean enforcement is on
// when present, whatever its stored value (as Commander's enterprise-role
// reads it), so two present ones are equal. Commands come in name order.
func SyncEnforcements(dstRole int64, src, dst map[string]string) (cmds []enterprise.RoleEnforcement, warnings []string) {
	left := map[string]bool{}
	for name := range dst {
		left[name] = true
	}
	for _, name := range sortedKeys(src) {
		value := src[name]
		typ := enterprise.EnforcementType(name)
		cur, had := dst[name]
		delete(left, name)
		if had && (cur == value || typ == enterprise.EnforcementBoolean) {
			continue
		}
		if typ == "" {
			warnings = append(warnings, fmt.Sprintf("Enforcement %s: unknown to this client, not copied", name))
			continue
		}
		if typ == enterprise.EnforcementAccountShare {
			continue
		}
		v, err := enforcementValue(typ, value)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("Enforcement %s: %v", name, err))
			continue
		}
		op := "add"
		if had {
			op = "update"
		}
		cmds = append(cmds, enterprise.RoleEnforcement{Op: op, RoleID: dstRole, Enforcement: name, Value: v})
	}
	for _, name := range sortedKeys(dst) {
		if left[name] {
			cmds = append(cmds, enterprise.RoleEnforcement{Op: "remove", RoleID: dstRole, Enforcement: name})
		}
	}
	return cmds, warnings
}

// enforcementValue converts a stored enforcement value for sending.
func enforcementValue(typ, value string) (any, error) {
	switch typ {
	case enterprise.EnforcementBoolean:
		return nil, nil
	case enterprise.EnforcementLong:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid integer value: %s", value)
		}
		return n, nil
	case enterprise.EnforcementRecordTypes, enterprise.EnforcementJSON, enterprise.EnforcementJSONArray:
		if !json.Valid([]byte(value)) {
			return nil, fmt.Errorf("invalid JSON value: %s", value)
		}
		return json.RawMessage(value), nil
	}
	return value, nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
