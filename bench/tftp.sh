#!/usr/bin/env bash
# bench/tftp.sh - TFTP RRQ of a 50 MiB file: tftpd-hpa and Septet in one run, with the
#   unchanged peer script ../shared/peers/tftp.sh (curl, blksize 512 / 1468 / 65464),
#   then Septet's own client with windowsize 16 (RFC 7440; curl cannot window).
#   Server pinned to CPU 0, client to CPU 1, as the peer script does (PIN=split).
# Prints the peer's RESULT lines, Septet's, and RATIO lines (Septet / tftpd-hpa).
# usage: bench/tftp.sh        env RUNS=3 PORT=28969 SIZE_MIB=50 BENCH_WORK=/tmp/septet-bench
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
RUNS=${RUNS:-3}
PORT=${PORT:-28969}
SIZE_MIB=${SIZE_MIB:-50}
WORK=${BENCH_WORK:-/tmp/septet-bench}
PEERWORK=${PEERBENCH_WORK:-/tmp/peerbench}
NODE=$ROOT/node_modules/.bin/node
FILE=bench-${SIZE_MIB}m.bin
export SIZE_MIB
mkdir -p "$WORK"
OUT=$WORK/tftp-results.tsv; : >"$OUT"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# 1. tftpd-hpa (the peer script installs, starts, measures and stops it).
"$PEERS/tftp.sh" --runs "$RUNS" | tee -a "$OUT"

# 2. Septet's server alone, root holding the same file (a copy: a symlink out of the root is refused).
rm -rf "$WORK/tftp-root"; mkdir -p "$WORK/tftp-root"
cp "$PEERWORK/tftp/$FILE" "$WORK/tftp-root/$FILE"
taskset -c 0 "$NODE" "$HERE/tftp-server.ts" "$WORK/tftp-root" "$PORT" >"$WORK/tftp-server.out" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready' "$WORK/tftp-server.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$WORK/tftp-server.out" || { cat "$WORK/tftp-server.out" >&2; echo "septet tftp server did not start" >&2; exit 1; }
log "septet tftp server pid $server_pid on 127.0.0.1:$PORT (CPU 0)"

"$PEERS/tftp.sh" --no-peer --runs "$RUNS" "127.0.0.1:$PORT" | sed 's/\ttftp target /\ttftp septet /' | tee -a "$OUT"

# 3. Septet's own client, windowsize 16 (and lock-step 512 for reference), client on CPU 1.
median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
for spec in "512 1" "512 16" "1468 16" "65464 16"; do
  read -r blk win <<<"$spec"
  taskset -c 1 "$NODE" "$HERE/tftp-client.ts" 127.0.0.1 "$PORT" "$FILE" "$blk" "$win" "$WORK/tftp-dl.bin" >/dev/null
  cmp -s "$WORK/tftp-dl.bin" "$WORK/tftp-root/$FILE" || { echo "septet client blksize $blk window $win: file differs" >&2; exit 1; }
  vals=()
  for i in $(seq "$RUNS"); do
    v=$(taskset -c 1 "$NODE" "$HERE/tftp-client.ts" 127.0.0.1 "$PORT" "$FILE" "$blk" "$win" | awk '{print $3}')
    log "septet client blksize $blk windowsize $win run $i: $v MiB/s"; vals+=("$v")
  done
  printf 'RESULT\ttftp septet RRQ %sMiB blksize=%s windowsize=%s septet-client pin=split\t%s\tMiB/s\n' "$SIZE_MIB" "$blk" "$win" "$(printf '%s\n' "${vals[@]}" | median)" | tee -a "$OUT"
done
rm -f "$WORK/tftp-dl.bin"

# 4. Ratios, curl against both servers at each block size; the windowed client against tftpd-hpa's best.
for blk in ${BLKSIZES:-512 1468 65464}; do
  peer=$(awk -F'\t' -v b="blksize=$blk curl" '$2 ~ /tftpd-hpa/ && index($2, b) {print $3}' "$OUT")
  ours=$(awk -F'\t' -v b="blksize=$blk curl" '$2 ~ /septet/ && index($2, b) {print $3}' "$OUT")
  win=$(awk -F'\t' -v b="blksize=$blk windowsize=16" '$2 ~ /septet/ && index($2, b) {print $3}' "$OUT")
  [[ -n $peer && -n $ours ]] && printf 'RATIO\ttftp blksize=%s curl: septet/tftpd-hpa\t%s\n' "$blk" "$(awk -v a="$ours" -v b="$peer" 'BEGIN{printf "%.2f", a/b}')"
  [[ -n $peer && -n $win ]] && printf 'RATIO\ttftp blksize=%s septet-client windowsize=16 / tftpd-hpa curl lock-step\t%s\n' "$blk" "$(awk -v a="$win" -v b="$peer" 'BEGIN{printf "%.2f", a/b}')"
done
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
