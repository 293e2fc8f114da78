package store

import (
	"context"
	"strings"
)

// KindsChanged reports whether any entity of the given kinds (live or
// tombstone) of an enterprise changed with sinceRev < rev <= untilRev. The
// sync endpoint uses it to re-send entities whose served figures derive from
// other kinds (licence seat counts from users and managed companies).
func KindsChanged(ctx context.Context, q querier, enterpriseID int32, sinceRev, untilRev int64, kinds ...int32) (bool, error) {
	if len(kinds) == 0 {
		return false, nil
	}
	args := []any{enterpriseID, sinceRev, untilRev}
	for _, k := range kinds {
		args = append(args, k)
	}
	var changed bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM entities WHERE enterprise_id = ? AND rev > ? AND rev <= ?
		AND kind IN (?`+strings.Repeat(",?", len(kinds)-1)+`))`, args...).Scan(&changed)
	return changed, err
}
