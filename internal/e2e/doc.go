// Package e2e holds end-to-end tests of the client library (rest, auth,
// enterprise) and the session against a real keeper-sandbox started on
// 127.0.0.1:0 through internal/sandbox/sandboxtest.
package e2e
