// Package version holds the build version of the keeper binaries.
package version

// Version is the release version; `make build` overrides it with -ldflags.
var Version = "0.1.0-dev"

// ClientVersion is the wire client version string sent to Keeper servers.
// It mirrors Keeper Commander's so the cloud treats us like the official client.
const ClientVersion = "c18.0.0"
