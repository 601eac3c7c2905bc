#!/usr/bin/env bash
# bench/sftp.sh - SFTP bulk throughput side by side in one run: OpenSSH's sshd with
# internal-sftp (started by the unchanged ../shared/peers/sftp.sh) and then Septet's SSH
# server with its own SFTP engine (src/sftp/), loaded by the same script with --no-peer.
# The load: OpenSSH's sftp client, SIZE_MIB (1024) MiB random file, put then get to
# /dev/null, per cipher in CIPHERS (default = chacha20-poly1305, and aes128-gcm), the same
# cipher on both sides. Septet runs once per value of NATIVE ("true": ssh2's native OpenSSL
# binding, scripts/build-ssh-crypto.mjs; "false": its pure-JavaScript crypto).
# sshd is held up for the whole run and each run loads OpenSSH, then Septet (once per
# NATIVE value), in turn. Prints the RESULT lines of every run, medians, and RATIO lines
# (Septet / OpenSSH medians; the goal is >= 0.75).
# usage: bench/sftp.sh   env RUNS=3 SIZE_MIB=1024 OFFSET=16000 NATIVE="true false"
#                        CIPHERS="default aes128-gcm@openssh.com" BENCH_WORK=/tmp/septet-sftp-bench
#                        SEPTET_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" (profile Septet)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/peers" 2>/dev/null && pwd || { cd "$ROOT/../../shared/peers" && pwd; })}
RUNS=${RUNS:-3}
OFFSET=${OFFSET:-16000}
WORK=${BENCH_WORK:-/tmp/septet-sftp-bench}
NATIVE=${NATIVE:-true false}
SEPTET_NODE_FLAGS=${SEPTET_NODE_FLAGS:-}
NODE=$ROOT/node_modules/.bin/node
export SIZE_MIB=${SIZE_MIB:-1024} CIPHERS=${CIPHERS:-default aes128-gcm@openssh.com}
mkdir -p "$WORK"; chmod 755 "$WORK"
out=$WORK/sftp-results.txt; : >"$out"

septet_pid=""
stop_septet() { [[ -n $septet_pid ]] && { kill "$septet_pid" 2>/dev/null; wait "$septet_pid" 2>/dev/null || true; septet_pid=""; }; return 0; }
trap stop_septet EXIT
start_septet() { # start_septet NATIVE
  stop_septet
  rm -rf "$WORK/data"; mkdir -p "$WORK/data"
  cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
workers = 1
[log]
level = "info"
[auth]
scrypt_cost = 1024
# Only SSH is measured.
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
native_crypto = $1
TOML
  "$NODE" "$ROOT/bin/septet.js" user add bench@example.test --password bench --data "$WORK/data" --config "$WORK/septet.toml" >/dev/null
  # shellcheck disable=SC2086 # the flags are words
  "$NODE" $SEPTET_NODE_FLAGS "$ROOT/bin/septet.js" start --data "$WORK/data" --config "$WORK/septet.toml" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet-native-$1.log" 2>&1 &
  septet_pid=$!
  for _ in $(seq 300); do grep -q '"septet ready"' "$WORK/septet-native-$1.log" 2>/dev/null && { grep -o '"msg":"ssh crypto[^"]*"' "$WORK/septet-native-$1.log" >&2; return 0; }; sleep 0.1; done
  cat "$WORK/septet-native-$1.log" >&2; echo "septet did not start" >&2; exit 1
}

# The peer script starts sshd and holds it (--hold); each run then loads OpenSSH and
# Septet in turn with the same script (--no-peer), so drift on a shared machine hits both.
echo "== OpenSSH sshd, internal-sftp (held)" >&2
"$PEERS/sftp.sh" --hold >"$WORK/peer-hold.out" 2>&1 &
hold_pid=$!
trap 'stop_septet; kill "$hold_pid" 2>/dev/null; wait "$hold_pid" 2>/dev/null' EXIT
for _ in $(seq 1200); do grep -q '^HOLDING' "$WORK/peer-hold.out" && break; sleep 0.1; done
grep -q '^HOLDING' "$WORK/peer-hold.out" || { cat "$WORK/peer-hold.out" >&2; echo "sshd did not start" >&2; exit 1; }
runs=$WORK/sftp-runs.txt; : >"$runs"
for i in $(seq "$RUNS"); do
  echo "== run $i: OpenSSH" >&2
  "$PEERS/sftp.sh" --no-peer --runs 1 127.0.0.1:12022 | sed "s/sftp target /sftp openssh /" | tee -a "$runs"
  for native in $NATIVE; do
    echo "== run $i: Septet, native_crypto=$native" >&2
    start_septet "$native"
    # Password login through the peer script's SSH_ASKPASS helper (the password is never a file).
    LOAD_USER=bench@example.test LOAD_PASS=bench "$PEERS/sftp.sh" --no-peer --runs 1 "127.0.0.1:$((OFFSET + 22))" \
      | sed "s/sftp target /sftp septet(native=$native) /" | tee -a "$runs"
    stop_septet
  done
done
# Medians over the runs, one RESULT line per label.
awk -F'\t' '$1 == "RESULT" { v[$2] = v[$2] " " $3; u[$2] = $4 } END { for (k in v) print k "\t" u[k] "\t" v[k] }' "$runs" | sort | while IFS=$'\t' read -r label unit values; do
  printf 'RESULT\t%s (median of %s)\t%s\t%s\n' "$label" "$RUNS" "$(printf '%s\n' $values | sort -g | awk '{a[NR]=$1} END { if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }')" "$unit"
done | tee -a "$out"

# RATIO lines: Septet / OpenSSH for each direction and cipher.
awk -F'\t' '
  $1 == "RESULT" && $2 ~ /^sftp openssh / { k = $2; sub(/^sftp openssh /, "", k); peer[k] = $3 }
  $1 == "RESULT" && $2 ~ /^sftp septet/ { split($2, w, " "); k = $2; sub(/^sftp [^ ]+ /, "", k); sep[w[2] "\t" k] = $3 }
  END { for (sk in sep) { split(sk, p, "\t"); if (peer[p[2]] > 0) printf "RATIO\t%s %s / openssh\t%.2f\n", p[1], p[2], sep[sk] / peer[p[2]] } }
' "$out" | sort | tee -a "$out"
