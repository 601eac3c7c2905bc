#!/usr/bin/env bash
# bench/run.sh - Septet side by side with the established servers, in one run.
#   SMTP: Postfix (queue + fsync, discard delivery) vs Septet (blob + fsync + SQLite
#         commit, delivery into a mailbox), smtp-source 20 sessions x 10 KiB messages.
#   POP3: Dovecot vs Septet, 1000-message mailbox, mailload.py (poplib) sessions.
#   IMAP: Dovecot vs Septet, mailload.py imap (LOGIN, SELECT, FETCH headers and bodies, STORE).
#   Memory: RSS per idle SMTP connection and per idle authenticated IMAP connection of Septet.
# Uses the peer scripts in ../shared/peers unchanged; prints RESULT lines and ratios.
#   smtp-workers: Postfix, Septet with 2 workers and Septet in 1 process, one run of
#         each in turn, RUNS times (which write design holds with several processes).
# usage: bench/run.sh [smtp] [smtp-workers] [pop3] [imap] [memory]   (default: smtp pop3 imap memory)
#   env RUNS=3, WORKERS=0 (Septet's worker processes; 0 = one per core, its default)
#   PEER_SMTP (default 127.0.0.1:12025: where smtp-workers starts Postfix)
set -uo pipefail   # a failing step is reported and the next one still runs
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
RUNS=${RUNS:-3}
WORK=${BENCH_WORK:-/tmp/septet-mail-bench}
OFFSET=${OFFSET:-16000}
NODE=$ROOT/node_modules/.bin/node
STEPS=("$@"); ((${#STEPS[@]})) || STEPS=(smtp pop3 imap memory)
mkdir -p "$WORK"; chmod 755 "$WORK"
RESULTS=$WORK/results.tsv; : >"$RESULTS"

septet_pid=""
start_septet() { # start_septet [WORKERS]: fresh data directory, users for the loads
  stop_septet
  rm -rf "$WORK/data"; mkdir -p "$WORK/data"
  cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
workers = ${1:-${WORKERS:-0}}
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
  # A log per start (the last one also as septet.log), so a failed run's log is kept.
  starts=$((${starts:-0} + 1)); ln -sf "septet-$starts.log" "$WORK/septet.log"
  "$NODE" "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet-$starts.log" 2>&1 &
  septet_pid=$!
  # Workers start one after the other: on a busy machine that takes a while.
  for _ in $(seq 300); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/septet.log" >&2; echo "septet did not start" >&2; exit 1
}
stop_septet() { [[ -n $septet_pid ]] && { kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null || true; septet_pid=""; }; return 0; }
trap stop_septet EXIT
# RSS of Septet: the process and its workers (kB).
septet_rss() { local p t=0; for p in $septet_pid $(pgrep -P "$septet_pid"); do t=$((t + $(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0))); done; echo "$t kB"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

grab() { grep '^RESULT' | tee -a "$RESULTS" || true; }
value_of() { awk -F'\t' -v k="$1" 'index($2, k) == 1 {print $3; exit}' "$RESULTS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

for step in "${STEPS[@]}"; do
  case $step in
    smtp)
      "$PEERS/smtp.sh" --peer postfix --runs "$RUNS" 127.0.0.1:12025 | grab
      start_septet
      LOAD_RCPT=rcpt@example.test "$PEERS/smtp.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((25 + OFFSET))" | grab
      echo "septet RSS after the SMTP load: $(septet_rss)" >&2
      stop_septet
      pf=$(value_of "smtp postfix"); se=$(value_of "smtp target")
      printf 'RATIO\tsmtp septet/postfix\t%s\t(%s vs %s msg/s)\n' "$(ratio "$se" "$pf")" "$se" "$pf" | tee -a "$RESULTS"
      ;;
    smtp-workers)
      # In turn, so that the other loads of the shared machine hit all three alike.
      pf=(); w2=(); w1=()
      for r in $(seq "$RUNS"); do
        pf+=("$("$PEERS/smtp.sh" --peer postfix --runs 1 "${PEER_SMTP:-127.0.0.1:12025}" | grab | awk -F'\t' '{print $3}' | head -1)")
        start_septet 2
        w2+=("$(LOAD_RCPT=rcpt@example.test "$PEERS/smtp.sh" --no-peer --runs 1 "127.0.0.1:$((25 + OFFSET))" | grab | awk -F'\t' '{print $3}' | head -1)")
        echo "septet (2 workers) RSS after the SMTP load: $(septet_rss)" >&2
        start_septet 1
        w1+=("$(LOAD_RCPT=rcpt@example.test "$PEERS/smtp.sh" --no-peer --runs 1 "127.0.0.1:$((25 + OFFSET))" | grab | awk -F'\t' '{print $3}' | head -1)")
        stop_septet
        echo "round $r: postfix ${pf[-1]}, septet 2 workers ${w2[-1]}, septet 1 process ${w1[-1]} msg/s" >&2
      done
      mp=$(printf '%s\n' "${pf[@]}" | median); m2=$(printf '%s\n' "${w2[@]}" | median); m1=$(printf '%s\n' "${w1[@]}" | median)
      printf 'RATIO\tsmtp septet 2 workers/postfix\t%s\t(%s vs %s msg/s, medians of %s)\n' "$(ratio "$m2" "$mp")" "$m2" "$mp" "$RUNS" | tee -a "$RESULTS"
      printf 'RATIO\tsmtp septet 1 process/postfix\t%s\t(%s vs %s msg/s)\n' "$(ratio "$m1" "$mp")" "$m1" "$mp" | tee -a "$RESULTS"
      printf 'RATIO\tsmtp septet 2 workers/1 process\t%s\n' "$(ratio "$m2" "$m1")" | tee -a "$RESULTS"
      ;;
    pop3)
      IMAP_PORT=12143 "$PEERS/pop3.sh" --runs "$RUNS" 127.0.0.1:12110 | grab
      start_septet
      # Septet has no IMAP yet: seed the same 1000 messages (mailload's generator) over SMTP.
      /usr/bin/python3 "$HERE/seed_smtp.py" --port $((25 + OFFSET)) --to rcpt@example.test --messages 1000 --size 4096 --peers "$PEERS"
      SEED=0 LOAD_USER=rcpt@example.test LOAD_PASS=bench "$PEERS/pop3.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((110 + OFFSET))" | grab
      stop_septet
      dv=$(value_of "pop3 sessions/s dovecot" || true)
      echo "see RESULT lines above for the per-command figures" >&2
      ;;
    imap)
      "$PEERS/imap.sh" --runs "$RUNS" 127.0.0.1:12143 | grab
      start_septet
      LOAD_USER=rcpt@example.test LOAD_PASS=bench "$PEERS/imap.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((143 + OFFSET))" | grab
      stop_septet
      ;;
    memory)
      # One process: the figure is memory per connection of the process that holds them.
      start_septet 1
      "$NODE" "$HERE/idle-memory.ts" --pid "$septet_pid" --port $((25 + OFFSET)) --connections 1000 | grab
      "$NODE" "$HERE/idle-memory.ts" --pid "$septet_pid" --port $((143 + OFFSET)) --connections 1000 --imap-login rcpt@example.test:bench | grab
      stop_septet
      ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
echo "results in $RESULTS" >&2
