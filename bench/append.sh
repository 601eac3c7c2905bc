#!/usr/bin/env bash
# bench/append.sh - single-client IMAP APPEND, Dovecot and Septet alternately in one run.
#   The load is the peers' own seeder (mailload.py seed: python imaplib, one client,
#   APPEND INBOX one message of $SIZE octets at a time, each waiting for its tagged OK),
#   $PER_RUN more messages per run. Dovecot 2.3 (Debian, Maildir, its default
#   mail_fsync = optimized: the mail file is fsynced before it is renamed into new/) and
#   Septet with store.fsync = true (the default): both acknowledge only durable messages.
#   Prints RESULT lines per run, medians, and the RATIO (Septet / Dovecot).
# usage: bench/append.sh     env RUNS=3 PER_RUN=500 SIZE=4096 OFFSET=22500 (Dovecot on OFFSET+43)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
RUNS=${RUNS:-3}
PER_RUN=${PER_RUN:-500}
SIZE=${SIZE:-4096}
OFFSET=${OFFSET:-22500}
WORK=${BENCH_WORK:-/tmp/septet-append-bench}
NODE=$ROOT/node_modules/.bin/node
PY=/usr/bin/python3
DOVECOT_IMAP=$((43 + OFFSET))
mkdir -p "$WORK"; chmod 755 "$WORK"
rm -rf "$WORK/data" "$WORK/peer"; mkdir -p "$WORK/data"

pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT

# Dovecot through the peer script (--hold: started, no load), in its own work folder and ports.
PEERBENCH_WORK=$WORK/peer POP3_PORT=$((44 + OFFSET)) "$PEERS/imap.sh" --hold "127.0.0.1:$DOVECOT_IMAP" >"$WORK/dovecot-hold.out" 2>&1 &
pids+=($!)

cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
[auth]
scrypt_cost = 1024   # Dovecot's peer stores {PLAIN}: the cheapest scrypt keeps LOGIN out of the way
[store]
fsync = true
[ftp]
enabled = false
[ftps]
enabled = false
[tftp]
enabled = false
TOML
"$NODE" "$ROOT/bin/septet.js" user add bench@example.test --password bench --data "$WORK/data" --config "$WORK/septet.toml" >/dev/null
"$NODE" "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 300); do grep -q HOLDING "$WORK/dovecot-hold.out" 2>/dev/null && break; sleep 0.1; done
grep -q HOLDING "$WORK/dovecot-hold.out" || { cat "$WORK/dovecot-hold.out" >&2; echo "dovecot did not start" >&2; exit 1; }

seed() { # seed PORT USER TOTAL -> msg/s
  "$PY" "$PEERS/mailload.py" seed --host 127.0.0.1 --port "$1" --user "$2" --password bench --messages "$3" --size "$SIZE" 2>/dev/null |
    awk -F'\t' '/^RESULT/ {print $3}'
}
dv=(); se=()
for i in $(seq "$RUNS"); do
  d=$(seed "$DOVECOT_IMAP" bench $((i * PER_RUN))); dv+=("$d")
  s=$(seed $((143 + OFFSET)) bench@example.test $((i * PER_RUN))); se+=("$s")
  printf 'RESULT\tappend run %d dovecot\t%s\tmsg/s\nRESULT\tappend run %d septet\t%s\tmsg/s\n' "$i" "$d" "$i" "$s"
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
md=$(echo "${dv[*]}" | median); ms=$(echo "${se[*]}" | median)
printf 'RESULT\timap APPEND 1 client size=%s dovecot (median of %s)\t%s\tmsg/s\n' "$SIZE" "$RUNS" "$md"
printf 'RESULT\timap APPEND 1 client size=%s septet (median of %s)\t%s\tmsg/s\n' "$SIZE" "$RUNS" "$ms"
awk -v a="$ms" -v b="$md" 'BEGIN { printf "RATIO\tappend septet/dovecot\t%.2f\n", a / b }'
