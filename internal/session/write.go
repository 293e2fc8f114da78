package session

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// Execute sends typed JSON commands in the current context (the MSP, or
// the managed company switched to) as `execute` batches of at most
// rest.BatchSize, and returns one result per command, in order.
//
// An expired session is renewed in the same context and only the commands
// the server has not answered yet are sent again; after any other failure
// the results received so far are returned with the error and nothing is
// re-sent, since the outcome of the unanswered commands is unknown. After a
// batch in which anything succeeded, one incremental sync runs so the next
// command sees the change.
func (m *Manager) Execute(ctx context.Context, cmds ...rest.Command) ([]rest.BatchResult, error) {
	return m.ExecuteFunc(ctx, nil, cmds...)
}

// ExecuteFunc is Execute that calls answered (when not nil) after each
// execute request with the number of commands the server answered in it,
// for progress bars of bulk commands.
func (m *Manager) ExecuteFunc(ctx context.Context, answered func(n int), cmds ...rest.Command) ([]rest.BatchResult, error) {
	if err := m.EnsureLogin(ctx); err != nil {
		return nil, err
	}
	c, err := m.Client()
	if err != nil {
		return nil, err
	}
	var results []rest.BatchResult
	err = m.contextCall(ctx, func(tok []byte) error {
		res, err := c.ExecuteBatchFunc(ctx, rest.JSONSession{Token: tok, Username: m.sess.Username}, cmds[len(results):], answered)
		results = append(results, res...)
		return err
	})
	if err != nil {
		left := len(cmds) - len(results)
		return results, &IncompleteError{Done: results, Total: len(cmds), Unknown: min(left, rest.BatchSize), Err: err}
	}
	return results, m.afterWrite(ctx, results...)
}

// Do sends one typed JSON command in the current context and decodes the
// reply into out (may be nil); a success is followed by one incremental
// sync. It renews an expired session like Execute.
func (m *Manager) Do(ctx context.Context, cmd rest.Command, out any) error {
	if err := m.call(ctx, cmd, out); err != nil {
		return err
	}
	return m.afterWrite(ctx, rest.BatchResult{Result: "success"})
}

// Query sends one typed JSON command that only reads (a report such as
// get_mc_license_adjustment_log) in the current context and decodes the
// reply into out; unlike Do it does not sync afterwards. It renews an
// expired session like Do.
func (m *Manager) Query(ctx context.Context, cmd rest.Command, out any) error {
	return m.call(ctx, cmd, out)
}

// AllocateIDs reserves n enterprise ids in the current context
// (enterprise_allocate_ids) and returns the first; the ids are first ..
// first+n-1.
func (m *Manager) AllocateIDs(ctx context.Context, n int) (int64, error) {
	var rs enterprise.AllocatedIDs
	if err := m.call(ctx, enterprise.AllocateIDs{NumberRequested: n}, &rs); err != nil {
		return 0, err
	}
	if rs.NumberAllocated < n || rs.BaseID <= 0 {
		return 0, fmt.Errorf("enterprise_allocate_ids: the server allocated %d of %d ids", rs.NumberAllocated, n)
	}
	return rs.BaseID, nil
}

// call sends one JSON command in the current context, without a sync.
func (m *Manager) call(ctx context.Context, cmd rest.Command, out any) error {
	if err := m.EnsureLogin(ctx); err != nil {
		return err
	}
	c, err := m.Client()
	if err != nil {
		return err
	}
	return m.contextCall(ctx, func(tok []byte) error {
		return c.Execute(ctx, rest.JSONSession{Token: tok, Username: m.sess.Username}, cmd, out)
	})
}

// afterWrite syncs the current context once if any result succeeded.
func (m *Manager) afterWrite(ctx context.Context, results ...rest.BatchResult) error {
	for _, r := range results {
		if r.OK() {
			if err := m.sync(ctx); err != nil {
				return fmt.Errorf("the change was made, but reloading the enterprise data failed: %w", err)
			}
			return nil
		}
	}
	return nil
}

// IncompleteError is a batch cut off by a failure: Done holds the results of
// the commands the server answered (in order). Of the others, the first
// Unknown were in the request that failed, so the server may or may not
// have run them; the rest were not sent.
type IncompleteError struct {
	Done    []rest.BatchResult
	Total   int
	Unknown int
	Err     error
}

func (e *IncompleteError) Error() string {
	if len(e.Done) == 0 {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v (%d of %d changes were answered before the failure)", e.Err, len(e.Done), e.Total)
}

// Unwrap returns the cause.
func (e *IncompleteError) Unwrap() error { return e.Err }

// Call sends one REST request (protobuf in, protobuf out; nil for none) in
// the current context with its session token, renewing an expired session
// once. It does not sync; commands that change data through REST call
// Refresh afterwards.
func (m *Manager) Call(ctx context.Context, endpoint string, req, resp proto.Message) error {
	if err := m.EnsureLogin(ctx); err != nil {
		return err
	}
	c, err := m.Client()
	if err != nil {
		return err
	}
	return m.contextCall(ctx, func(tok []byte) error {
		return c.Call(ctx, endpoint, req, resp, rest.WithSessionToken(tok))
	})
}

// Refresh runs one incremental sync of the current context, after changes
// made with Call.
func (m *Manager) Refresh(ctx context.Context) error {
	if err := m.EnsureLogin(ctx); err != nil {
		return err
	}
	return m.sync(ctx)
}
