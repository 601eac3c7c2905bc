#!/usr/bin/env bash
# bench/alternate.sh - Dovecot and Septet measured in turns: both servers stay up (Dovecot
# held by the peer script's --hold, Septet as bench/run.sh starts it) and each run of the
# unchanged load script goes to the peer, then to Septet, so a burst of other work on the
# shared machine hits both alike. Prints each pair and the median of the ratios.
# usage: bench/alternate.sh pop3|imap     env RUNS=3 OFFSET PEER_POP3_PORT PEER_IMAP_PORT BENCH_WORK PEERS
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
RUNS=${RUNS:-3}
STEP=${1:?usage: bench/alternate.sh pop3|imap}
OFFSET=${OFFSET:-16000}
PEER_POP3_PORT=${PEER_POP3_PORT:-12110}; PEER_IMAP_PORT=${PEER_IMAP_PORT:-12143}
WORK=${BENCH_WORK:-/tmp/septet-mail-bench}
NODE=$ROOT/node_modules/.bin/node
mkdir -p "$WORK"; chmod 755 "$WORK"
export QUIET_WAIT=${QUIET_WAIT:-1}   # turns replace waiting for a quiet machine

hold_pid=""; septet_pid=""
cleanup() {
  [[ -n $septet_pid ]] && { kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null; }
  [[ -n $hold_pid ]] && { kill "$hold_pid" 2>/dev/null; wait "$hold_pid" 2>/dev/null; }
}
trap cleanup EXIT

# The peer, held up, with the same 1000 messages mailload.py seeds (idempotent).
POP3_PORT=$PEER_POP3_PORT "$PEERS/imap.sh" --hold "127.0.0.1:$PEER_IMAP_PORT" >"$WORK/hold.out" 2>"$WORK/hold.err" &
hold_pid=$!
for _ in $(seq 300); do grep -q HOLDING "$WORK/hold.out" 2>/dev/null && break; sleep 0.2; done
grep -q HOLDING "$WORK/hold.out" || { cat "$WORK/hold.err" >&2; echo "the peer did not start" >&2; exit 1; }
/usr/bin/python3 "$PEERS/mailload.py" seed --host 127.0.0.1 --port "$PEER_IMAP_PORT" --user bench --password bench --messages 1000 --size 4096 >&2

# Septet as bench/run.sh configures it.
rm -rf "$WORK/data"; mkdir -p "$WORK/data"
sed -n '/^hostname = /,/^stress_threshold/p' "$HERE/run.sh" >"$WORK/septet.toml"
"$NODE" "$ROOT/bin/septet.js" user add rcpt@example.test --password bench --data "$WORK/data" --config "$WORK/septet.toml" >/dev/null
"$NODE" "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet.log" 2>&1 &
septet_pid=$!
for _ in $(seq 100); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && break; sleep 0.1; done
grep -q '"septet ready"' "$WORK/septet.log" || { cat "$WORK/septet.log" >&2; exit 1; }
/usr/bin/python3 "$HERE/seed_smtp.py" --port $((25 + OFFSET)) --to rcpt@example.test --messages 1000 --size 4096 --peers "$PEERS" >&2

load() { # load WHO PORT-OF-STEP USER
  case $STEP in
    pop3) SEED=0 LOAD_USER=$3 LOAD_PASS=bench "$PEERS/pop3.sh" --no-peer --runs 1 "127.0.0.1:$2" ;;
    imap) LOAD_USER=$3 LOAD_PASS=bench "$PEERS/imap.sh" --no-peer --runs 1 "127.0.0.1:$2" ;;
  esac | grep '^RESULT' | sed "s/^RESULT\t/RESULT\t$1 /"
}
case $STEP in
  pop3) peer_port=$PEER_POP3_PORT; septet_port=$((110 + OFFSET)) ;;
  imap) peer_port=$PEER_IMAP_PORT; septet_port=$((143 + OFFSET)) ;;
  *) echo "unknown step $STEP" >&2; exit 2 ;;
esac
ratios=()
for i in $(seq "$RUNS"); do
  peer_out=$(load dovecot "$peer_port" bench); echo "$peer_out" >&2
  septet_out=$(load septet "$septet_port" rcpt@example.test); echo "$septet_out" >&2
  figure() { awk -F'\t' -v k="$2" 'index($2, k) {print $3; exit}' <<<"$1"; }
  p=$(figure "$peer_out" commands/s); s=$(figure "$septet_out" commands/s)
  r=$(awk -v a="$s" -v b="$p" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
  printf 'PAIR\t%s %d\tdovecot %s cmd/s p99 %s ms\tseptet %s cmd/s p99 %s ms\tratio %s\n' "$STEP" "$i" "$p" "$(figure "$peer_out" 'cmd p99')" "$s" "$(figure "$septet_out" 'cmd p99')" "$r"
  ratios+=("$r")
done
printf 'RATIO\t%s septet/dovecot commands/s, median of %d alternating pairs\t%s\n' "$STEP" "$RUNS" "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
