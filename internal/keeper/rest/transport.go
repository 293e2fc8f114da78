package rest

import "fmt"

// NetworkError is a request that got no answer from the server: the
// connection could not be made or broke off, TLS failed (for example an
// untrusted certificate), or the reply could not be read. The keeper binary
// reports it as "the server could not be reached".
type NetworkError struct {
	// Server is the base URL the request went to.
	Server string
	// Err is the underlying failure.
	Err error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("cannot reach %s: %v", e.Server, e.Err)
}

// Unwrap returns the underlying failure.
func (e *NetworkError) Unwrap() error { return e.Err }

// ReplyError is an answer that is not a valid Keeper reply: it does not
// decrypt with the transmission key, does not decode, or contradicts the
// request. It points at a corrupted exchange or a server that is not Keeper.
type ReplyError struct {
	// Endpoint is the REST endpoint or JSON command that was called.
	Endpoint string
	// Msg says what is wrong with the reply.
	Msg string
	// Err is the decoding failure, when there is one.
	Err error
}

func (e *ReplyError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Endpoint, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Endpoint, e.Msg)
}

// Unwrap returns the decoding failure, if any.
func (e *ReplyError) Unwrap() error { return e.Err }
