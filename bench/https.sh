#!/usr/bin/env bash
# bench/https.sh - static files over HTTPS side by side in one run: nginx (started and held
# by the unchanged ../shared/peers/https.sh, 2 workers, sendfile) and Septet's web server
# (src/web/, Fastify over HTTP/1.1 here since wrk speaks only that; `workers` = one per
# core), loaded by the same script with --no-peer: wrk, THREADS threads, CONNS keep-alive
# connections, DURATION s, GET of a 1 KiB file and of a 1 MiB file, both from Septet's
# web.root. Prints the RESULT lines of every run, medians, and RATIO lines (Septet /
# nginx req/s; the goal is >= 0.5).
# usage: bench/https.sh   env RUNS=3 OFFSET=17000 WORKERS=0 LOADS="small-keepalive 1MiB-keepalive"
#                         DURATION=10 CONNS=64 THREADS=2 BENCH_WORK=/tmp/septet-https-bench
#                         SEPTET_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" (profile Septet; use WORKERS=1)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" 2>/dev/null && pwd || { cd "$ROOT/../../shared/peers" && pwd; })}
RUNS=${RUNS:-3}
OFFSET=${OFFSET:-17000}
WORKERS=${WORKERS:-0}
WORK=${BENCH_WORK:-/tmp/septet-https-bench}
SEPTET_NODE_FLAGS=${SEPTET_NODE_FLAGS:-}
NODE=$ROOT/node_modules/.bin/node
export LOADS=${LOADS:-small-keepalive 1MiB-keepalive} DURATION=${DURATION:-10} CONNS=${CONNS:-64} THREADS=${THREADS:-2}
mkdir -p "$WORK"; chmod 755 "$WORK"
out=$WORK/https-results.txt; : >"$out"

septet_pid=""
stop_septet() { [[ -n $septet_pid ]] && { kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null || true; septet_pid=""; }; return 0; }
start_septet() {
  stop_septet
  rm -rf "$WORK/data"; mkdir -p "$WORK/data/www"
  # The files the peer script made for nginx, so both serve the same octets.
  cp "${PEERBENCH_WORK:-/tmp/peerbench}/www/small.html" "${PEERBENCH_WORK:-/tmp/peerbench}/www/1m.bin" "$WORK/data/www/"
  cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
workers = $WORKERS
[log]
level = "warn"
# Only HTTPS is measured.
[smtp]
enabled = false
[submission]
enabled = false
[submissions]
enabled = false
[pop3]
enabled = false
[pop3s]
enabled = false
[imap]
enabled = false
[imaps]
enabled = false
[ftp]
enabled = false
[ftps]
enabled = false
[tftp]
enabled = false
[ssh]
enabled = false
[http]
enabled = false
[limits]
max_connections_per_ip = 10000
max_connections_per_ip_per_service = 10000
TOML
  # shellcheck disable=SC2086 # the flags are words
  "$NODE" $SEPTET_NODE_FLAGS "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet.log" 2>&1 &
  septet_pid=$!
  for _ in $(seq 300); do curl -sk --fail -o /dev/null "https://127.0.0.1:$((OFFSET + 443))/small.html" && return 0; sleep 0.1; done
  cat "$WORK/septet.log" >&2; echo "septet did not start" >&2; exit 1
}

echo "== nginx (held)" >&2
"$PEERS/https.sh" --hold >"$WORK/peer-hold.out" 2>&1 &
hold_pid=$!
trap 'stop_septet; kill "$hold_pid" 2>/dev/null; wait "$hold_pid" 2>/dev/null' EXIT
for _ in $(seq 1200); do grep -q '^HOLDING' "$WORK/peer-hold.out" && break; sleep 0.1; done
grep -q '^HOLDING' "$WORK/peer-hold.out" || { cat "$WORK/peer-hold.out" >&2; echo "nginx did not start" >&2; exit 1; }
start_septet
runs=$WORK/https-runs.txt; : >"$runs"; : >"$WORK/load.log"
for i in $(seq "$RUNS"); do
  echo "== run $i: nginx" >&2
  "$PEERS/https.sh" --no-peer --runs 1 127.0.0.1:12443 2> >(sed "s/^/nginx: /" >>"$WORK/load.log") | sed "s/https target /https nginx /" | tee -a "$runs"
  echo "== run $i: Septet" >&2
  "$PEERS/https.sh" --no-peer --runs 1 "127.0.0.1:$((OFFSET + 443))" 2> >(sed "s/^/septet: /" >>"$WORK/load.log") | sed "s/https target /https septet /" | tee -a "$runs"
done
stop_septet
awk -F'\t' '$1 == "RESULT" { v[$2] = v[$2] " " $3; u[$2] = $4 } END { for (k in v) print k "\t" u[k] "\t" v[k] }' "$runs" | sort | while IFS=$'\t' read -r label unit values; do
  printf 'RESULT\t%s (median of %s)\t%s\t%s\n' "$label" "$RUNS" "$(printf '%s\n' $values | sort -g | awk '{a[NR]=$1} END { if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }')" "$unit"
done | tee -a "$out"
awk -F'\t' '
  $1 == "RESULT" && $2 ~ /^https nginx / && $4 == "req/s" { k = $2; sub(/^https nginx /, "", k); peer[k] = $3 }
  $1 == "RESULT" && $2 ~ /^https septet / && $4 == "req/s" { k = $2; sub(/^https septet /, "", k); sep[k] = $3 }
  END { for (k in sep) if (peer[k] > 0) printf "RATIO\tseptet / nginx %s\t%.2f\n", k, sep[k] / peer[k] }
' "$out" | sort | tee -a "$out"
# Latency per run (p50/p99) as the peer script logged it.
grep -E 'run [0-9]+: ' "$WORK/load.log" | tee -a "$out"
