#!/usr/bin/env bash
# bench/run.sh - Septet side by side with the established servers, in one run.
#   SMTP: Postfix (queue + fsync, discard delivery) vs Septet (blob + fsync + SQLite
#         commit, delivery into a mailbox), smtp-source 20 sessions x 10 KiB messages.
#   POP3: Dovecot vs Septet, 1000-message mailbox, mailload.py (poplib) sessions.
#   IMAP: Dovecot vs Septet, mailload.py imap (LOGIN, SELECT, FETCH headers and bodies, STORE).
#   Memory: RSS per idle SMTP connection and per idle authenticated IMAP connection of Septet.
#   imapmix: Dovecot vs Septet, alternately, bench/imapmix.py mix (10 clients x a random mix of
#         every command, each checking every untagged response for protocol errors).
#   append: Dovecot vs Septet, alternately, one client APPENDing 4 KiB messages (imapmix.py append).
# Uses the peer scripts in ../shared/peers unchanged; prints RESULT lines and ratios.
# usage: bench/run.sh [smtp] [smtp-workers] [pop3] [imap] [memory] [imapmix] [append] [sftp]   (default: smtp pop3 imap memory imapmix append)
#   sftp: OpenSSH sshd/internal-sftp vs Septet's SSH server, 1 GiB put and get per cipher (bench/sftp.sh).
#   env RUNS=3, WORKERS=0 (Septet's worker processes; 0 = one per core, its default)
#   PEER_SMTP (default 127.0.0.1:12025: where smtp-workers starts Postfix)
#   smtp-workers: Postfix, Septet with 2 workers and Septet in 1 process, one run of
#         each in turn, RUNS times (which write design holds with several processes).
#   env PEER_IMAP / PEER_POP3: Dovecot's ports (default 12143 / 12110); MIX_CLIENTS=10 MIX_SECONDS=20
#   MIX_MESSAGES=100 APPEND_SECONDS=10 for the imapmix and append steps.
set -uo pipefail   # a failing step is reported and the next one still runs
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# ../shared/peers next to /work/main; a worktree in /work/wt/NAME finds it one level further up.
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" 2>/dev/null && pwd || { cd "$ROOT/../../shared/peers" && pwd; })}
RUNS=${RUNS:-3}
WORK=${BENCH_WORK:-/tmp/septet-mail-bench}
OFFSET=${OFFSET:-16000}
NODE=$ROOT/node_modules/.bin/node
# The peer's ports (PEERBENCH_WORK separates its files), so two runs can share the machine.
PEER_IMAP=${PEER_IMAP:-${PEER_IMAP_PORT:-12143}}; PEER_POP3=${PEER_POP3:-${PEER_POP3_PORT:-12110}}
PEER_IMAP_PORT=$PEER_IMAP; PEER_POP3_PORT=$PEER_POP3
# Extra node flags for the server only, e.g. SEPTET_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
SEPTET_NODE_FLAGS=${SEPTET_NODE_FLAGS:-}
MIX_CLIENTS=${MIX_CLIENTS:-10}; MIX_SECONDS=${MIX_SECONDS:-20}; MIX_MESSAGES=${MIX_MESSAGES:-100}
APPEND_SECONDS=${APPEND_SECONDS:-10}
PY=/usr/bin/python3
STEPS=("$@"); ((${#STEPS[@]})) || STEPS=(smtp pop3 imap memory imapmix append)
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
  # shellcheck disable=SC2086 # the flags are words
  "$NODE" $SEPTET_NODE_FLAGS "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet-$starts.log" 2>&1 &
  septet_pid=$!
  # Workers start one after the other: on a busy machine that takes a while.
  for _ in $(seq 300); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/septet.log" >&2; echo "septet did not start" >&2; exit 1
}
stop_septet() { [[ -n $septet_pid ]] && { kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null || true; septet_pid=""; }; return 0; }

# Dovecot held by the unchanged peer script (imap.sh --hold starts it through dovecot/peer.sh and
# stops it on SIGTERM), so that both servers are up at once and the loads can alternate.
# Its state lives in $WORK/peer; its one passwd-file user is Septet's, rcpt@example.test / bench.
dovecot_pid=""
start_dovecot() {
  stop_dovecot
  rm -rf "$WORK/peer/dovecot/mail"   # a fresh Maildir, as Septet gets a fresh data directory
  PEERBENCH_WORK=$WORK/peer POP3_PORT=$PEER_POP3 LOAD_USER=rcpt@example.test LOAD_PASS=bench \
    "$PEERS/imap.sh" --hold "127.0.0.1:$PEER_IMAP" >"$WORK/dovecot-hold.out" 2>&1 &
  dovecot_pid=$!
  for _ in $(seq 300); do grep -q '^HOLDING' "$WORK/dovecot-hold.out" 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/dovecot-hold.out" >&2; echo "dovecot did not start" >&2; exit 1
}
stop_dovecot() { [[ -n $dovecot_pid ]] && { kill "$dovecot_pid" 2>/dev/null; wait "$dovecot_pid" 2>/dev/null || true; dovecot_pid=""; }; return 0; }
trap 'stop_septet; stop_dovecot' EXIT
# RSS of Septet: the process and its workers (kB).
septet_rss() { local p t=0; for p in $septet_pid $(pgrep -P "$septet_pid"); do t=$((t + $(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0))); done; echo "$t kB"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

grab() { grep '^RESULT' | tee -a "$RESULTS" || true; }
value_of() { awk -F'\t' -v k="$1" 'index($2, k) == 1 {print $3; exit}' "$RESULTS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# medians FILE: the RESULT lines of RUNS runs in FILE -> one "LABEL (median of N)" line per label
medians() {
  awk -F'\t' '$1 == "RESULT" {v[$2] = v[$2] " " $3; u[$2] = $4} END {for (k in v) print k "\t" u[k] "\t" v[k]}' "$1" | sort |
  while IFS=$'\t' read -r label unit vals; do
    printf 'RESULT\t%s (median of %s)\t%s\t%s\n' "$label" "$RUNS" \
      "$(tr ' ' '\n' <<<"$vals" | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')" "$unit"
  done
}

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
      SEED_IMAP=127.0.0.1:$PEER_IMAP "$PEERS/pop3.sh" --runs "$RUNS" "127.0.0.1:$PEER_POP3" | grab
      start_septet
      # Septet has no IMAP yet: seed the same 1000 messages (mailload's generator) over SMTP.
      /usr/bin/python3 "$HERE/seed_smtp.py" --port $((25 + OFFSET)) --to rcpt@example.test --messages 1000 --size 4096 --peers "$PEERS"
      SEED=0 LOAD_USER=rcpt@example.test LOAD_PASS=bench "$PEERS/pop3.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((110 + OFFSET))" | grab
      stop_septet
      dv=$(value_of "pop3 sessions/s dovecot" || true)
      echo "see RESULT lines above for the per-command figures" >&2
      ;;
    imap)
      POP3_PORT=$PEER_POP3 "$PEERS/imap.sh" --runs "$RUNS" "127.0.0.1:$PEER_IMAP" | grab
      start_septet
      LOAD_USER=rcpt@example.test LOAD_PASS=bench "$PEERS/imap.sh" --no-peer --runs "$RUNS" "127.0.0.1:$((143 + OFFSET))" | grab
      stop_septet
      ;;
    sftp)
      # OpenSSH's sshd/internal-sftp and Septet's SSH server with its SFTP engine, same
      # client, file and ciphers (bench/sftp.sh); it prints its own RATIO lines.
      BENCH_WORK="$WORK/sftp" OFFSET="$OFFSET" RUNS="$RUNS" SEPTET_NODE_FLAGS="$SEPTET_NODE_FLAGS" "$HERE/sftp.sh" | { grep "^RESULT\|^RATIO" || true; } | tee -a "$RESULTS"
      ;;
    memory)
      # One process: the figure is memory per connection of the process that holds them.
      start_septet 1
      "$NODE" "$HERE/idle-memory.ts" --pid "$septet_pid" --port $((25 + OFFSET)) --connections 1000 | grab
      "$NODE" "$HERE/idle-memory.ts" --pid "$septet_pid" --port $((143 + OFFSET)) --connections 1000 --imap-login rcpt@example.test:bench | grab
      stop_septet
      ;;
    imapmix|append)
      # Both servers up; each run loads Dovecot, then Septet, so drift on the shared machine
      # hits both sides alike. Same user, same 4 KiB messages, same seed of the random mix.
      [[ $step == imapmix ]] && { "$PY" "$HERE/imapmix.py" selftest 2>"$WORK/imapmix-selftest.txt" || { cat "$WORK/imapmix-selftest.txt" >&2; echo "imapmix checker selftest failed" >&2; continue; }; }
      start_dovecot; start_septet
      : >"$WORK/$step-dovecot.txt"; : >"$WORK/$step-septet.txt"
      for i in $(seq "$RUNS"); do
        for side in dovecot septet; do
          port=$PEER_IMAP; [[ $side == septet ]] && port=$((143 + OFFSET))
          if [[ $step == imapmix ]]; then
            timeout $((MIX_SECONDS + 120)) "$PY" "$HERE/imapmix.py" mix --port "$port" --label "$side" --user rcpt@example.test \
              --password bench --clients "$MIX_CLIENTS" --seconds "$MIX_SECONDS" --messages "$MIX_MESSAGES" >"$WORK/$step-$side-$i.json"
          else
            timeout $((APPEND_SECONDS + 60)) "$PY" "$HERE/imapmix.py" append --port "$port" --label "$side" --user rcpt@example.test \
              --password bench --seconds "$APPEND_SECONDS" --size 4096 >"$WORK/$step-$side-$i.json"
          fi
          grep '^RESULT' "$WORK/$step-$side-$i.json" >>"$WORK/$step-$side.txt"
        done
      done
      stop_septet; stop_dovecot
      medians "$WORK/$step-dovecot.txt" | grab; medians "$WORK/$step-septet.txt" | grab
      m="(median of $RUNS)"
      if [[ $step == imapmix ]]; then
        for k in "logins/s" "commands/s"; do
          dv=$(value_of "imapmix dovecot c=$MIX_CLIENTS $k $m"); se=$(value_of "imapmix septet c=$MIX_CLIENTS $k $m")
          printf 'RATIO\timapmix %s septet/dovecot\t%s\t(%s vs %s)\n' "$k" "$(ratio "$se" "$dv")" "$se" "$dv" | tee -a "$RESULTS"
        done
        for k in "cmd p99" "APPEND avg"; do  # latencies: dovecot/septet, so >= 1.0 means Septet is at least as fast
          dv=$(value_of "imapmix dovecot c=$MIX_CLIENTS $k $m"); se=$(value_of "imapmix septet c=$MIX_CLIENTS $k $m")
          printf 'RATIO\timapmix %s dovecot/septet\t%s\t(%s vs %s ms)\n' "$k" "$(ratio "$dv" "$se")" "$se" "$dv" | tee -a "$RESULTS"
        done
        printf 'RESULT\timapmix septet protocol errors (all runs)\t%s\terrors\n' \
          "$(awk -F'\t' '$2 ~ /septet.*protocol errors$/ {s += $3} END {print s + 0}' "$WORK/$step-septet.txt")" | tee -a "$RESULTS"
      else
        dv=$(value_of "append dovecot size=4096 msg/s $m"); se=$(value_of "append septet size=4096 msg/s $m")
        printf 'RATIO\tappend 1 client 4 KiB septet/dovecot\t%s\t(%s vs %s msg/s)\n' "$(ratio "$se" "$dv")" "$se" "$dv" | tee -a "$RESULTS"
      fi
      echo "per-command tables and protocol errors with examples: $WORK/$step-*.json (stderr above)" >&2
      ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
echo "results in $RESULTS" >&2
