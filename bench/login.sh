#!/usr/bin/env bash
# bench/login.sh - IMAP logins per second, Dovecot and Septet hashing alike: Dovecot's one
# passwd-file user has an {ARGON2ID} hash from `doveadm pw` (DOVECOT_SCHEME=ARGON2ID in the
# peer script: m=65536 KiB, t=3, p=1), and Septet verifies argon2id with the same parameters
# (auth.password_scheme = "argon2id"). Septet's user is imported from Dovecot's very
# passwd-file (`septet user import`), so both start from the same hash; the first, unmeasured
# login upgrades it to Septet's own argon2id hash of the same cost.
# Load: bench/loginload.py, CLIENTS processes x COUNT logins (connect, LOGIN, LOGOUT), each
# server for at most MAX_SECONDS. The machine's idle CPU before each run is printed: on a
# shared machine only a run that started quiet means much.
# usage: bench/login.sh     env CLIENTS=8 COUNT=20 MAX_SECONDS=45 OFFSET=19500 (Septet's port offset)
#   DOVECOT_IMAP_PORT=19510 DOVECOT_POP3_PORT=19511 BENCH_WORK=/tmp/septet-login-bench
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
WORK=${BENCH_WORK:-/tmp/septet-login-bench}
OFFSET=${OFFSET:-19500}
CLIENTS=${CLIENTS:-8}; COUNT=${COUNT:-20}; MAX_SECONDS=${MAX_SECONDS:-45}
DOVECOT_IMAP_PORT=${DOVECOT_IMAP_PORT:-19510}; DOVECOT_POP3_PORT=${DOVECOT_POP3_PORT:-19511}
NODE=$ROOT/node_modules/.bin/node
USER_ADDRESS=bench@example.test; PASSWORD=bench
mkdir -p "$WORK"; chmod 755 "$WORK"
RESULTS=$WORK/results.tsv; : >"$RESULTS"

peer_pid=""; septet_pid=""
cpu_idle_pct() { # over 1 s, from /proc/stat
  local a b c d e f g h t1 i1
  read -r _ a b c d e f g h _ </proc/stat; t1=$((a+b+c+d+e+f+g+h)); i1=$((d+e)); sleep 1
  read -r _ a b c d e f g h _ </proc/stat; echo $(( 100*((d+e)-i1) / ((a+b+c+d+e+f+g+h)-t1) ))
}
load() { # load LABEL PORT
  echo "cpu idle before the $1 run: $(cpu_idle_pct)%" >&2
  /usr/bin/python3 "$HERE/loginload.py" --port "$2" --user "$USER_ADDRESS" --password "$PASSWORD" \
    --clients "$CLIENTS" --count "$COUNT" --max-seconds "$MAX_SECONDS" --label "$1" | tee -a "$RESULTS"
}
stop_all() {
  [[ -n $septet_pid ]] && { kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null || true; septet_pid=""; }
  # imap.sh --hold stops its Dovecot from its own exit trap on SIGTERM.
  [[ -n $peer_pid ]] && { kill "$peer_pid" 2>/dev/null; wait "$peer_pid" 2>/dev/null || true; peer_pid=""; }
  return 0
}
trap stop_all EXIT

# 1. Dovecot with the {ARGON2ID} user, held by the unchanged peer script (its own work folder).
export PEERBENCH_WORK=$WORK/peer
DOVECOT_SCHEME=ARGON2ID LOAD_USER=$USER_ADDRESS LOAD_PASS=$PASSWORD POP3_PORT=$DOVECOT_POP3_PORT \
  "$PEERS/imap.sh" --hold "127.0.0.1:$DOVECOT_IMAP_PORT" >"$WORK/peer.out" 2>&1 &
peer_pid=$!
for _ in $(seq 600); do grep -q '^HOLDING' "$WORK/peer.out" && break; kill -0 "$peer_pid" 2>/dev/null || { cat "$WORK/peer.out" >&2; exit 1; }; sleep 0.1; done
grep -q '^HOLDING' "$WORK/peer.out" || { cat "$WORK/peer.out" >&2; echo "dovecot did not start" >&2; exit 1; }
echo "dovecot's hash: $(cut -d: -f2 "$PEERBENCH_WORK/dovecot/users")" >&2
load dovecot "$DOVECOT_IMAP_PORT"
stop_all

# 2. Septet, argon2id with Dovecot's parameters, the user imported from Dovecot's passwd-file.
rm -rf "$WORK/data"; mkdir -p "$WORK/data"
cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
[log]
level = "info"
[auth]
password_scheme = "argon2id"
# What doveadm pw -s ARGON2ID writes (Dovecot 2.3): m=65536,t=3,p=1.
argon2_memory_kib = 65536
argon2_passes = 3
argon2_parallelism = 1
# Only IMAP is measured.
[ftp]
enabled = false
[ftps]
enabled = false
[tftp]
enabled = false
[limits]
stress_threshold = 0
TOML
septet() { "$NODE" "$ROOT/bin/septet.js" "$@" --data "$WORK/data" --config "$WORK/septet.toml"; }
septet user import "$PEERBENCH_WORK/dovecot/users" >&2
"$NODE" "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet.log" 2>&1 &
septet_pid=$!
for _ in $(seq 100); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && break; sleep 0.1; done
grep -q '"septet ready"' "$WORK/septet.log" || { cat "$WORK/septet.log" >&2; echo "septet did not start" >&2; exit 1; }
load septet $((143 + OFFSET))
echo "septet's hash after the first login: $(septet user list --schemes | cut -f2)" >&2
stop_all

value_of() { awk -F'\t' -v k="$1" '$2 == k {print $3; exit}' "$RESULTS"; }
dv=$(value_of "imap logins/s dovecot"); se=$(value_of "imap logins/s septet")
printf 'RATIO\timap logins septet/dovecot\t%s\t(%s vs %s logins/s, argon2id m=65536 t=3 p=1)\n' \
  "$(awk -v a="$se" -v b="$dv" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')" "$se" "$dv" | tee -a "$RESULTS"
echo "results in $RESULTS" >&2
