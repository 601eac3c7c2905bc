#!/usr/bin/env bash
# bench/ftp.sh - FTP side by side in one run: vsftpd (Debian's, started by the peer
# script) and then Septet's FTP handler alone (bench/ftp-server.ts), with the unchanged
# ../shared/peers/ftp.sh load (curl STOR/RETR of SIZE_MIB MiB, ftpload.py logins+LIST).
# Then, for both servers: logins/s with LOAD_CLIENTS (100) concurrent ftpload.py
# clients, and memory at IDLE (300) idle connections (vsftpd forks per connection, so
# its figure sums the RSS, and the PSS, of all its processes; Septet's is the growth of
# its one process). Last, the ceilings in the same run: the socat byte pump of
# ../shared/peers/ceiling.sh (4 GiB, /dev/zero -> /dev/null) and bench/ftp-ceiling.ts,
# a bare Node file -> socket copy behind the least FTP curl needs, both as the textbook
# stream.pipeline(createReadStream) and as Septet's pump (files/socket-pump.ts).
# Prints the RESULT lines of both and RATIO lines (Septet / vsftpd, RETR / ceilings).
# usage: bench/ftp.sh   env RUNS=3 SIZE_MIB=1024 PORT=13021 BENCH_WORK=/tmp/septet-bench
#                       LOAD_CLIENTS=100 LOAD_SESSIONS=20 IDLE=300 SOCAT_GIB=4
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" && pwd)}
RUNS=${RUNS:-3}
PORT=${PORT:-13021}
WORK=${BENCH_WORK:-/tmp/septet-bench}
NODE=$ROOT/node_modules/.bin/node
PY=/usr/bin/python3
LOAD_CLIENTS=${LOAD_CLIENTS:-100}; LOAD_SESSIONS=${LOAD_SESSIONS:-20}; IDLE=${IDLE:-300}; SOCAT_GIB=${SOCAT_GIB:-4}
PEER_WORK=${PEERBENCH_WORK:-/tmp/peerbench}
VSFTPD_PORT=12021
mkdir -p "$WORK"
out=$WORK/ftp-results.txt; : >"$out"
median() { sort -g | awk '{a[NR]=$1} END { if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
result() { printf 'RESULT\t%s\t%s\t%s\n' "$1" "$2" "$3" | tee -a "$out"; }

# logins NAME PORT USER PASS: connect+USER/PASS+LIST+QUIT per second, LOAD_CLIENTS processes.
logins() {
  local vals=() v i
  for i in $(seq "$RUNS"); do
    # ftpload.py exits 1 when a session failed; the rate still counts the good ones.
    v=$(timeout 300 "$PY" "$PEERS/ftpload.py" --host 127.0.0.1 --port "$2" --user "$3" --password "$4" \
          --clients "$LOAD_CLIENTS" --sessions "$LOAD_SESSIONS" --max-seconds 5 2>"$WORK/ftpload-$1-$i.json" | awk -F'\t' '/sessions\/s/ {print $3}') || true
    echo "$1 login($3) c=$LOAD_CLIENTS run $i: $v sessions/s; $(grep -o '"errors": [0-9]*\|"first_error": "[^"]*"' "$WORK/ftpload-$1-$i.json" | tr '\n' ' ')" >&2
    vals+=("${v:-0}"); sleep 2
  done
  result "ftp $1 login($3)+LIST+QUIT c=$LOAD_CLIENTS" "$(printf '%s\n' "${vals[@]}" | median)" sessions/s
}
# tree_kib PID rss|pss: memory of PID and all its descendants.
tree_kib() {
  local pids p v sum=0
  pids=$(ps -e -o pid=,ppid= | awk -v root="$1" '{ parent[$1]=$2 } END { for (p in parent) { q=p; while (q && q!=root && q in parent) q=parent[q]; if (q==root) print p } }')
  for p in $pids; do
    if [[ $2 == rss ]]; then v=$(awk '/^VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || true)
    else v=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null || true); fi
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
# idle_memory NAME PID PORT: KiB per idle connection (RSS, and PSS for the forking peer).
idle_memory() {
  local rss0 pss0 rss1 pss1 idler
  # Warm up with one connection, so code loaded on first use does not count per connection.
  "$NODE" "$HERE/ftp-idle.ts" --port "$3" --connections 1 >"$WORK/ftp-idle.out" 2>&1 </dev/null &
  idler=$!
  for _ in $(seq 100); do grep -q '^open' "$WORK/ftp-idle.out" && break; sleep 0.1; done
  kill "$idler" 2>/dev/null || true; wait "$idler" 2>/dev/null || true
  sleep 1; rss0=$(tree_kib "$2" rss); pss0=$(tree_kib "$2" pss)
  "$NODE" "$HERE/ftp-idle.ts" --port "$3" --connections "$IDLE" >"$WORK/ftp-idle.out" 2>&1 </dev/null &
  idler=$!
  for _ in $(seq 600); do grep -q '^open' "$WORK/ftp-idle.out" && break; sleep 0.1; done
  sleep 1.5; rss1=$(tree_kib "$2" rss); pss1=$(tree_kib "$2" pss)
  kill "$idler" 2>/dev/null || true; wait "$idler" 2>/dev/null || true
  echo "$1 memory: RSS $rss0 -> $rss1 KiB, PSS $pss0 -> $pss1 KiB with $IDLE idle connections" >&2
  result "ftp $1 idle connection memory RSS n=$IDLE" "$(awk -v a="$rss0" -v b="$rss1" -v n="$IDLE" 'BEGIN {printf "%.1f", (b-a)/n}')" KiB/connection
  result "ftp $1 idle connection memory PSS n=$IDLE" "$(awk -v a="$pss0" -v b="$pss1" -v n="$IDLE" 'BEGIN {printf "%.1f", (b-a)/n}')" KiB/connection
}
# retr_ceiling COPY: curl RETR of the same file from bench/ftp-ceiling.ts.
retr_ceiling() {
  local vals=() v i p
  "$NODE" "$HERE/ftp-ceiling.ts" --port $((PORT + 1)) --root "$PEER_WORK" --copy "$1" >"$WORK/ftp-ceiling.log" 2>&1 &
  p=$!
  for _ in $(seq 100); do grep -q '^ready' "$WORK/ftp-ceiling.log" && break; sleep 0.1; done
  for i in $(seq "$RUNS"); do
    v=$(curl -sS -u x:y "ftp://127.0.0.1:$((PORT + 1))/src-${SIZE_MIB:-1024}m.bin" -o /dev/null -w '%{size_download} %{time_total}' | awk '{printf "%.0f", $1/$2/2^20}')
    echo "node $1 RETR run $i: $v MiB/s" >&2; vals+=("$v")
  done
  kill "$p"; wait "$p" 2>/dev/null || true
  result "ftp node-$1 RETR ${SIZE_MIB:-1024}MiB curl" "$(printf '%s\n' "${vals[@]}" | median)" MiB/s
}

echo "== vsftpd" >&2
"$PEERS/ftp.sh" --runs "$RUNS" | tee -a "$out"
echo "== vsftpd: $LOAD_CLIENTS clients, $IDLE idle connections" >&2
"$PEERS/ftp.sh" --hold "127.0.0.1:$VSFTPD_PORT" >"$WORK/ftp-hold.out" 2>&1 &
hold=$!
trap 'kill $hold 2>/dev/null || true' EXIT   # its own exit trap stops vsftpd
for _ in $(seq 300); do grep -q '^HOLDING' "$WORK/ftp-hold.out" && break; sleep 0.1; done
logins vsftpd "$VSFTPD_PORT" anonymous x
logins vsftpd "$VSFTPD_PORT" peerbench peerbench
idle_memory vsftpd "$(cat "$PEER_WORK/vsftpd.pid")" "$VSFTPD_PORT"
kill "$hold"; wait "$hold" 2>/dev/null || true

echo "== septet" >&2
rm -rf "$WORK/ftp"; mkdir -p "$WORK/ftp"
"$NODE" "$HERE/ftp-server.ts" --port "$PORT" --data "$WORK/ftp" >"$WORK/ftp-server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT   # (pid of Septet's server, set just above)
for _ in $(seq 100); do grep -q '^ready' "$WORK/ftp-server.log" && break; sleep 0.1; done
# Idle memory first, on the fresh process: after the 1 GiB transfers its heap is still
# shrinking (garbage from the transfers), which drowns 300 connections' worth.
idle_memory septet "$pid" "$PORT"
FTP_USER=bench@example.test FTP_PASS=bench "$PEERS/ftp.sh" --no-peer --runs "$RUNS" "127.0.0.1:$PORT" | sed 's/\tftp target /\tftp septet /' | tee -a "$out"
echo "septet RSS after the run: $(ps -o rss= -p $pid) KiB" >&2
echo "== septet: $LOAD_CLIENTS clients" >&2
logins septet "$PORT" bench@example.test bench
kill $pid; wait $pid 2>/dev/null || true

echo "== ceilings" >&2
retr_ceiling stream
retr_ceiling pump
vals=()
for i in $(seq "$RUNS"); do
  socat -u TCP-LISTEN:12202,bind=127.0.0.1,reuseaddr OPEN:/dev/null & sink=$!
  sleep 0.5
  t0=$(date +%s.%N); timeout 60 sh -c "head -c $((SOCAT_GIB << 30)) /dev/zero | socat -u -b 65536 STDIN TCP:127.0.0.1:12202"; t1=$(date +%s.%N)
  wait $sink 2>/dev/null || true
  v=$(echo "$t0 $t1" | awk -v g="$SOCAT_GIB" '{printf "%.0f", g*1024/($2-$1)}'); echo "socat run $i: $v MiB/s" >&2; vals+=("$v")
done
result "tcp-loopback socat pipe ${SOCAT_GIB}GiB" "$(printf '%s\n' "${vals[@]}" | median)" MiB/s

# RATIO lines: the same measurement, Septet / vsftpd (for logins, against each vsftpd
# login: anonymous pays no PAM/yescrypt, peerbench does; Septet pays scrypt at cost
# 1024), and every RETR against the socat pump and the bare Node copies.
awk -F'\t' '$1=="RESULT" && $2 ~ /^ftp (vsftpd|septet) / { split($2, w, " "); rest=$2; sub(/^ftp [a-z]+ /, "", rest); key=rest; sub(/login\([^)]*\)/, "login", key)
    if (w[2]=="vsftpd") { peer[key]=peer[key] ? peer[key] : $3; peerlabel[key, ++n[key]]=rest; peerval[key, n[key]]=$3 } else ours[key]=$3 }
  $1=="RESULT" && $2 ~ /RETR/ { retr[$2]=$3 } $1=="RESULT" && $2 ~ /socat/ { socat=$3 }
  END {
    for (k in ours) for (i=1; i<=n[k]; i++) if (peerval[k, i] > 0) printf "RATIO\tftp %s septet/vsftpd[%s]\t%.2f\n", k, peerlabel[k, i], ours[k]/peerval[k, i]
    for (r in retr) { if (socat > 0) printf "RATIO\t%s / socat pump\t%.2f\n", r, retr[r]/socat }
    for (r in retr) if (r ~ /septet/) for (c in retr) if (c ~ /node-/) printf "RATIO\t%s / %s\t%.2f\n", r, c, retr[r]/retr[c]
  }' "$out"
