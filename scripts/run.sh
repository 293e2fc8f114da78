#!/usr/bin/env bash
# make run: start a local keeper-sandbox (state kept under .sandbox/), point a keeper
# config at it, log in once as the demo MSP admin with persistent login, open the shell.
# A second run reuses the same database, certificate, device and clone code.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${SANDBOX_DIR:-.sandbox}
ADDR=${SANDBOX_ADDR:-127.0.0.1:8443}
ADMIN=admin@msp.sandbox
PASSWORD=${KEEPER_SANDBOX_PASSWORD:-Sandbox-Demo-1!}
CONFIG="$DATA/config.json"
mkdir -p "$DATA"
chmod 700 "$DATA" # holds the sandbox database and keys and a config with device keys

./bin/keeper-sandbox serve --db "$DATA/sandbox.db" --listen "$ADDR" \
	--admin-password "$PASSWORD" --client-config "$CONFIG" 2>"$DATA/sandbox.log" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true' EXIT

# Wait until the sandbox has written the client config (it does so once it listens).
for _ in $(seq 1 100); do
	if grep -q 'listening on' "$DATA/sandbox.log" 2>/dev/null; then break; fi
	if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
		echo "keeper-sandbox failed to start:" >&2
		cat "$DATA/sandbox.log" >&2
		exit 1
	fi
	sleep 0.1
done
cat "$DATA/sandbox.log" >&2

# First run: log in with the demo password and turn persistent login on.
# Later runs: the stored clone code logs in without a password.
if ! ./bin/keeper --config "$CONFIG" --batch-mode whoami >/dev/null 2>&1; then
	printf 'login %s\nthis-device persistent-login on\n' "$ADMIN" |
		KEEPER_PASSWORD="$PASSWORD" ./bin/keeper --config "$CONFIG" -
fi

echo >&2
echo "Sandbox: https://$ADDR  (log: $DATA/sandbox.log). Try: msp-info, ei --users, help" >&2
./bin/keeper --config "$CONFIG"
