// Package e2e holds end-to-end tests of the client library (rest, auth,
// enterprise) against a real keeper-sandbox started on 127.0.0.1:0, and the
// helpers to start one.
package e2e
