package server

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Role enforcements: role_enforcement_add, _update and _remove {role_id,
// enforcement, value?}, as Commander's enterprise-role --enforcement and
// msp-copy-role send them (keepercommander/commands/enterprise.py,
// commands/msp.py MSPCopyRoleCommand). A boolean enforcement is sent
// without a value and stored as "true"; numbers are stored as their
// decimal text and JSON values (record types, complexity) as JSON text,
// which is how RoleEnforcement.value carries them.

// maxEnforcementValue bounds a stored enforcement value.
const maxEnforcementValue = 16 << 10

var enforcementName = regexp.MustCompile(`^[a-z0-9_]{1,100}$`)

// enforcementArgs reads role_id (a role of the session's enterprise) and
// the enforcement name.
func enforcementArgs(j *jsonCall, cmd map[string]any) (int64, string, error) {
	role, err := need(cmd, "role_id")
	if err != nil {
		return 0, "", err
	}
	if !j.exists(enterprisepb.EnterpriseDataEntity_ROLES, fmt.Sprint(role)) {
		return 0, "", cmdFail("bad_inputs_role_id", "role %d does not exist", role)
	}
	name := strings.ToLower(strings.TrimSpace(str(cmd, "enforcement")))
	if !enforcementName.MatchString(name) {
		return 0, "", cmdFail("bad_inputs_enforcement", "enforcement %q is not an enforcement name", str(cmd, "enforcement"))
	}
	return role, name, nil
}

// enforcementValue renders the value field as RoleEnforcement.value.
func enforcementValue(cmd map[string]any) (string, error) {
	var out string
	switch v := cmd["value"].(type) {
	case nil:
		out = "true"
	case bool:
		out = strconv.FormatBool(v)
	case string:
		out = v
	case float64:
		out = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", cmdFail("bad_inputs_value", "value cannot be stored")
		}
		out = string(b)
	}
	if len(out) > maxEnforcementValue {
		return "", cmdFail("bad_inputs_value", "max=%d, length=%d, value=value", maxEnforcementValue, len(out))
	}
	return out, nil
}

func setEnforcement(j *jsonCall, cmd map[string]any, update bool) (map[string]any, error) {
	role, name, err := enforcementArgs(j, cmd)
	if err != nil {
		return nil, err
	}
	value, err := enforcementValue(cmd)
	if err != nil {
		return nil, err
	}
	ident := fmt.Sprintf("%d:%s", role, name)
	switch exists := j.exists(enterprisepb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, ident); {
	case exists && !update:
		return nil, cmdFail("already_exists", "role %d already has enforcement %s; use role_enforcement_update", role, name)
	case !exists && update:
		return nil, cmdFail("enforcement_not_found", "role %d has no enforcement %s; use role_enforcement_add", role, name)
	}
	return nil, j.put(enterprisepb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, ident, "",
		&enterprisepb.RoleEnforcement{RoleId: role, EnforcementType: name, Value: value})
}

func enforcementAdd(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	return setEnforcement(j, cmd, false)
}

func enforcementUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	return setEnforcement(j, cmd, true)
}

func enforcementRemove(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	role, name, err := enforcementArgs(j, cmd)
	if err != nil {
		return nil, err
	}
	ok, err := j.del(enterprisepb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, fmt.Sprintf("%d:%s", role, name))
	if err == nil && !ok {
		err = cmdFail("enforcement_not_found", "role %d has no enforcement %s", role, name)
	}
	return nil, err
}
