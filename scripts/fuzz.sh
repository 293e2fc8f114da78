#!/usr/bin/env bash
# Runs every Go fuzz target in the module for the given time each (default 60s).
# A failing input is minimised for at most FUZZMINIMIZETIME (default 5s): the
# default of 60s let slow targets (RSA) spend their whole run minimising.
# Usage: scripts/fuzz.sh [FUZZTIME [FUZZMINIMIZETIME]]
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-60s}"
minimizetime="${2:-5s}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' || true)
  for t in $targets; do
    echo "== $pkg $t ($fuzztime)"
    go test "$pkg" -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" -parallel 1
  done
done
