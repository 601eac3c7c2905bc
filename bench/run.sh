#!/usr/bin/env bash
# bench/run.sh - Septet side by side with the established servers, in one run.
#   SMTP: Postfix (queue + fsync, discard delivery) vs Septet (blob + fsync + SQLite
#         commit, delivery into a mailbox), smtp-source 20 sessions x 10 KiB messages.
#   POP3: Dovecot vs Septet, 1000-message mailbox, mailload.py (poplib) sessions.
#   IMAP: Dovecot vs Septet, mailload.py imap (LOGIN, SELECT, FETCH headers and bodies, STORE).
#   Memory: RSS per idle SMTP connection and per idle authenticated IMAP connection of Septet.
# Uses the peer scripts in ../shared/peers unchanged; prints RESULT lines and ratios.
# usage: bench/run.sh [smtp] [pop3] [imap] [memory]     (default: all)   env RUNS=3
set -uo pipefail   # a failing step is reported and the next one still runs
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
RUNS=${RUNS:-3}
WORK=${BENCH_WORK:-/tmp/septet-mail-bench}
OFFSET=${OFFSET:-16000}
NODE=$ROOT/node_modules/.bin/node
# The peer's ports (PEERBENCH_WORK separates its files), so two runs can share the machine.
PEER_POP3_PORT=${PEER_POP3_PORT:-12110}; PEER_IMAP_PORT=${PEER_IMAP_PORT:-12143}
# Extra node flags for the server only, e.g. SEPTET_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
SEPTET_NODE_FLAGS=${SEPTET_NODE_FLAGS:-}
STEPS=("$@"); ((${#STEPS[@]})) || STEPS=(smtp pop3 imap memory)
mkdir -p "$WORK"; chmod 755 "$WORK"
RESULTS=$WORK/results.tsv; : >"$RESULTS"

septet_pid=""
start_septet() { # fresh data directory, users for the loads
  stop_septet
  rm -rf "$WORK/data"; mkdir -p "$WORK/data"
  cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
[log]
level = "info"   # the mail log line per message, as Postfix writes its maillog
[auth]
# Dovecot's peer uses {PLAIN} passwords; the cheapest scrypt keeps logins comparable.
scrypt_cost = 1024
# Only the mail services are measured here.
[ftp]
enabled = false
[ftps]
enabled = false
[tftp]
enabled = false
[pop3]
# mailload.py runs 8 POP3 clients on one mailbox; Dovecot shares a maildrop by default.
exclusive_lock = false
[limits]
max_connections_per_ip = 5000
max_connections = 5000
# The memory step holds 1000 idle connections from 127.0.0.1 on one service.
max_connections_per_service = 5000
max_connections_per_ip_per_service = 5000
stress_threshold = 0
TOML
  "$NODE" "$ROOT/bin/septet.js" user add rcpt@example.test --password bench --data "$WORK/data" --config "$WORK/septet.toml" >/dev/null
  # shellcheck disable=SC2086 # the flags are words
  "$NODE" $SEPTET_NODE_FLAGS "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet.log" 2>&1 &
  septet_pid=$!
  for _ in $(seq 100); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/septet.log" >&2; echo "septet did not start" >&2; exit 1
}
stop_septet() { [[ -n $septet_pid ]] && { kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null || true; septet_pid=""; }; return 0; }
trap stop_septet EXIT

grab() { grep '^RESULT' | tee -a "$RESULTS" || true; }
value_of() { awk -F'\t' -v k="$1" 'index($2, k) == 1 {print $3; exit}' "$RESULTS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

for step in "${STEPS[@]}"; do
  case $step in
    smtp)
      "$PEERS/smtp.sh" --peer postfix --runs "$RUNS" 127.0.0.1:12025 | grab
      start_septet
      LOAD_RCPT=rcpt@example.test "$PEERS/smtp.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((25 + OFFSET))" | grab
      echo "septet RSS after the SMTP load: $(awk '/VmRSS/ {print $2, $3}' /proc/$septet_pid/status)" >&2
      stop_septet
      pf=$(value_of "smtp postfix"); se=$(value_of "smtp target")
      printf 'RATIO\tsmtp septet/postfix\t%s\t(%s vs %s msg/s)\n' "$(ratio "$se" "$pf")" "$se" "$pf" | tee -a "$RESULTS"
      ;;
    pop3)
      SEED_IMAP=127.0.0.1:$PEER_IMAP_PORT "$PEERS/pop3.sh" --runs "$RUNS" "127.0.0.1:$PEER_POP3_PORT" | grab
      start_septet
      # Septet has no IMAP yet: seed the same 1000 messages (mailload's generator) over SMTP.
      /usr/bin/python3 "$HERE/seed_smtp.py" --port $((25 + OFFSET)) --to rcpt@example.test --messages 1000 --size 4096 --peers "$PEERS"
      SEED=0 LOAD_USER=rcpt@example.test LOAD_PASS=bench "$PEERS/pop3.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((110 + OFFSET))" | grab
      stop_septet
      dv=$(value_of "pop3 sessions/s dovecot" || true)
      echo "see RESULT lines above for the per-command figures" >&2
      ;;
    imap)
      POP3_PORT=$PEER_POP3_PORT "$PEERS/imap.sh" --runs "$RUNS" "127.0.0.1:$PEER_IMAP_PORT" | grab
      start_septet
      LOAD_USER=rcpt@example.test LOAD_PASS=bench "$PEERS/imap.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((143 + OFFSET))" | grab
      stop_septet
      ;;
    memory)
      start_septet
      "$NODE" "$HERE/idle-memory.ts" --pid "$septet_pid" --port $((25 + OFFSET)) --connections 1000 | grab
      "$NODE" "$HERE/idle-memory.ts" --pid "$septet_pid" --port $((143 + OFFSET)) --connections 1000 --imap-login rcpt@example.test:bench | grab
      stop_septet
      ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
echo "results in $RESULTS" >&2
