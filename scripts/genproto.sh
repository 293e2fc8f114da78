#!/usr/bin/env bash
# Regenerate the committed Go code from internal/keeper/pb/*/*.proto.
# Needs protoc (Debian: apt-get install protobuf-compiler) and protoc-gen-go
# (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12).
# See internal/keeper/pb/README.md for the versions the committed code came from.
set -euo pipefail
cd "$(dirname "$0")/../internal/keeper/pb"
export PATH="$PATH:$(go env GOPATH)/bin"
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
command -v protoc-gen-go >/dev/null || { echo "protoc-gen-go not found: go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12" >&2; exit 1; }
# Every package directory is an include path, so imports name files by their
# bare names ("APIRequest.proto") exactly as Keeper's own schema does.
includes=()
for d in */; do includes+=(-I "${d%/}"); done
for d in */; do
	for f in "$d"*.proto; do
		protoc "${includes[@]}" --go_out="$d" --go_opt=paths=source_relative \
			--go_opt=MAPIRequest.proto=github.com/keeper-go/keeper/internal/keeper/pb/authpb \
			"$(basename "$f")"
	done
done
gofmt -l . >/dev/null
