package report

import "strings"

// Dict is an ordered mapping cell: JSON writes it as an object in this
// order; table and CSV show Python's repr of a dict. Commander puts dicts
// in some JSON cells (enterprise-info's role enforcements and
// managed_nodes_permissions, keepercommander/commands/enterprise.py).
type Dict []KV

// KV is one entry of a Dict.
type KV struct {
	Key   string
	Value any
}

func normalizeDict(d Dict) cell {
	c := cell{kind: kDict, keys: make([]string, len(d)), list: make([]cell, len(d))}
	for i, kv := range d {
		c.keys[i], c.list[i] = kv.Key, normalize(kv.Value)
	}
	return c
}

// repr renders c as Python's repr() would inside a container.
func (c cell) repr() string {
	switch c.kind {
	case kNone:
		return "None"
	case kText:
		return pyQuote(c.s)
	case kList:
		parts := make([]string, len(c.list))
		for i, e := range c.list {
			parts[i] = e.repr()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case kDict:
		parts := make([]string, len(c.list))
		for i, e := range c.list {
			parts[i] = pyQuote(c.keys[i]) + ": " + e.repr()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return c.str()
}

// pyQuote is Python's repr of a str: single quotes unless the text has a
// single quote and no double quote.
func pyQuote(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`, q, `\`+q)
	return q + r.Replace(s) + q
}

// PyStr is Python's str() of a cell value: lists and dicts as their repr
// ("['a', 'b']"), everything else as CSV shows it. Commander's listing
// pattern filters match against it.
func PyStr(v any) string {
	c := normalize(v)
	if c.kind == kList || c.kind == kDict {
		return c.repr()
	}
	return c.str()
}

// PyTruthy is Python's truth value of a cell value: None, False, 0, 0.0,
// "" and empty lists and dicts are false.
func PyTruthy(v any) bool {
	c := normalize(v)
	switch c.kind {
	case kNone:
		return false
	case kBool:
		return c.b
	case kInt:
		return strings.TrimLeft(c.s, "-0") != ""
	case kFloat:
		return c.f != 0
	case kText:
		return c.s != ""
	case kList, kDict:
		return len(c.list) > 0
	}
	return true
}
