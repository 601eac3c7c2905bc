#!/usr/bin/env bash
# bench/ftp.sh - FTP side by side in one run: vsftpd (Debian's, started by the peer
# script) and then Septet's FTP handler alone (bench/ftp-server.ts), with the unchanged
# ../shared/peers/ftp.sh load (curl STOR/RETR of SIZE_MIB MiB, ftpload.py logins+LIST).
# Prints the RESULT lines of both and RATIO lines (Septet / vsftpd).
# usage: bench/ftp.sh   env RUNS=3 SIZE_MIB=1024 PORT=13021 BENCH_WORK=/tmp/septet-bench
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
RUNS=${RUNS:-3}
PORT=${PORT:-13021}
WORK=${BENCH_WORK:-/tmp/septet-bench}
NODE=$ROOT/node_modules/.bin/node
mkdir -p "$WORK"
out=$WORK/ftp-results.txt; : >"$out"

echo "== vsftpd" >&2
"$PEERS/ftp.sh" --runs "$RUNS" | tee -a "$out"

echo "== septet" >&2
rm -rf "$WORK/ftp"; mkdir -p "$WORK/ftp"
"$NODE" "$HERE/ftp-server.ts" --port "$PORT" --data "$WORK/ftp" >"$WORK/ftp-server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready' "$WORK/ftp-server.log" && break; sleep 0.1; done
FTP_USER=bench@example.test FTP_PASS=bench "$PEERS/ftp.sh" --no-peer --runs "$RUNS" "127.0.0.1:$PORT" | sed 's/\tftp target /\tftp septet /' | tee -a "$out"
echo "septet RSS after the run: $(ps -o rss= -p $pid) KiB" >&2

# RATIO lines: the same measurement, Septet / vsftpd. The login ratio compares with the
# last vsftpd login row (anonymous: no PAM/yescrypt), Septet paying scrypt at cost 1024.
awk -F'\t' '$1=="RESULT" { split($2, w, " "); key=w[3] " " w[4]; sub(/\(.*\)/, "", key); if (w[2]=="vsftpd") peer[key]=$3; else ours[key]=$3 }
  END { for (k in ours) if (k in peer && peer[k] > 0) printf "RATIO\tftp %s septet/vsftpd\t%.2f\n", k, ours[k]/peer[k] }' "$out"
