#!/usr/bin/env bash
# bench/idle-connections.sh - 10,000 idle connections to one service (SMTP, port 25)
# from 100 loopback addresses (127.0.1.1-100, 100 each): the service fills up and
# refuses the next one, python's imaplib and poplib still log in to IMAP and POP3, and
# the server's RSS per idle connection is read from /proc/PID/status.
# The limits are set so the flood is held, not cut (stress_threshold = 0, mta_deadline
# = 0): the point is the memory of 10,000 held slots and the isolation of the other
# services; test/interop/connection-limits.test.ts shows the deadlines cutting.
# usage: bench/idle-connections.sh      env ADDRESSES=100 PER_ADDRESS=100 OFFSET=16500
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
WORK=${BENCH_WORK:-/tmp/septet-idle-bench}
OFFSET=${OFFSET:-16500}
ADDRESSES=${ADDRESSES:-100}
PER_ADDRESS=${PER_ADDRESS:-100}
NODE=$ROOT/node_modules/.bin/node
TOTAL=$((ADDRESSES * PER_ADDRESS))

# Server and client each hold one descriptor per connection, plus their own files.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < TOTAL + 1000 )); then
  echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); $TOTAL connections need $((TOTAL + 1000)): raise the hard limit (limits.conf, or run as root)" >&2
  exit 1
fi

rm -rf "$WORK"; mkdir -p "$WORK/data"; chmod 755 "$WORK"
cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
[log]
level = "info"
[auth]
scrypt_cost = 1024
[tftp]
enabled = false
[limits]
max_connections = $((TOTAL + 2000))
max_connections_per_ip = $((PER_ADDRESS + 100))
max_connections_per_service = $TOTAL
max_connections_per_ip_per_service = $PER_ADDRESS
mta_deadline = 0
stress_threshold = 0
TOML
"$NODE" "$ROOT/bin/septet.js" user add bench@example.test --password bench --data "$WORK/data" --config "$WORK/septet.toml" >/dev/null
"$NODE" "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet.log" 2>&1 &
septet_pid=$!
trap 'kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null || true' EXIT
for _ in $(seq 200); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && break; sleep 0.1; done
grep -q '"septet ready"' "$WORK/septet.log" || { cat "$WORK/septet.log" >&2; echo "septet did not start" >&2; exit 1; }

# Bounded: the client gives up after 10 minutes whatever happens.
timeout 600 "$NODE" "$HERE/idle-connections.ts" --pid "$septet_pid" --port $((25 + OFFSET)) \
  --imap-port $((143 + OFFSET)) --pop3-port $((110 + OFFSET)) --login bench@example.test:bench \
  --addresses "$ADDRESSES" --per-address "$PER_ADDRESS"
