#!/usr/bin/env bash
# bench/web-api.sh - the webmail message-list API on a 10,000-message mailbox.
#   Seeds INBOX through the store API (bench/web-seed.ts), starts Septet with HTTPS on
#   443 + OFFSET, signs in with curl (GET /api/session for the CSRF token, POST
#   /api/session, cookies in a jar), then wrk (Debian's) with the session cookie:
#   THREADS threads, CONNECTIONS connections, DURATION seconds of GET
#   /api/mail/folders/INBOX/messages (the first page, [web] page_size = 50), HTTP/1.1
#   over TLS. Prints RESULT lines for req/s and p99; the goal is p99 < 50 ms.
#   PROFILE=1 also runs the server under node --cpu-prof (profile in $WORK/profile/).
# usage: bench/web-api.sh     env MESSAGES=10000 THREADS=2 CONNECTIONS=64 DURATION=10 OFFSET=31200
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
MESSAGES=${MESSAGES:-10000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
OFFSET=${OFFSET:-31200}
ENCODING=${ENCODING-gzip}   # what the client accepts; "" = no compression
WORK=${BENCH_WORK:-/tmp/septet-web-bench}
NODE=$ROOT/node_modules/.bin/node
PORT=$((443 + OFFSET))
BASE=https://127.0.0.1:$PORT
USER_ADDR=bench@example.test
mkdir -p "$WORK"; chmod 755 "$WORK"
rm -rf "$WORK/data" "$WORK/profile" "$WORK/cookies"; mkdir -p "$WORK/data" "$WORK/profile"
# The server drops to its service user, which must be able to write the profile.
chmod 1777 "$WORK/profile"

pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; true; }
trap cleanup EXIT

cat >"$WORK/septet.toml" <<TOML
hostname = "bench.septet.test"
workers = ${WORKERS:-1}
[auth]
scrypt_cost = 1024
[web]
api_rate = 100000000   # the bench is one client address: no 429s
login_rate = 1000
[limits]
max_connections_per_ip = 1000                # wrk's 64 connections come from one address
max_connections_per_ip_per_service = 1000
[http]
enabled = false
[ftp]
enabled = false
[ftps]
enabled = false
[tftp]
enabled = false
[ssh]
enabled = false
TOML
CFG=(--data "$WORK/data" --config "$WORK/septet.toml")
"$NODE" "$ROOT/bin/septet.js" user add "$USER_ADDR" --password bench "${CFG[@]}" >/dev/null
"$NODE" "$HERE/web-seed.ts" "${CFG[@]}" "$USER_ADDR" "$MESSAGES"

PROF=()
[ "${PROFILE:-0}" = 1 ] && PROF=(--cpu-prof --cpu-prof-dir "$WORK/profile")
"$NODE" "${PROF[@]}" "$ROOT/bin/septet.js" start "${CFG[@]}" --listen 127.0.0.1 --port-offset "$OFFSET" >"$WORK/septet.log" 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q '"septet ready"' "$WORK/septet.log" 2>/dev/null && break; sleep 0.1; done
grep -q '"septet ready"' "$WORK/septet.log" || { cat "$WORK/septet.log" >&2; exit 1; }

JAR=$WORK/cookies
token=$(curl -sk -c "$JAR" -b "$JAR" "$BASE/api/session" | sed -n 's/.*"csrfToken":"\([^"]*\)".*/\1/p')
curl -sk -c "$JAR" -b "$JAR" -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \
  --data "{\"username\":\"$USER_ADDR\",\"password\":\"bench\"}" "$BASE/api/session" >/dev/null
COOKIE=$(awk -F'\t' '$6 ~ /^__Host-/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$JAR")
INBOX=$(curl -sk -b "$JAR" "$BASE/api/mail/folders" | sed -n 's/^{"folders":\[{"id":\([0-9]*\),"name":"INBOX".*/\1/p')
URL="$BASE/api/mail/folders/$INBOX/messages"
first=$(curl -sk -b "$JAR" -o /dev/null -w '%{http_code} %{size_download}' "$URL")
echo "first page: HTTP $first (status, octets); folder $INBOX"
case "$first" in 200*) ;; *) echo "the API did not answer 200" >&2; exit 1 ;; esac

out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" ${ENCODING:+-H "Accept-Encoding: $ENCODING"} "$URL")
echo "$out"
rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
printf 'RESULT\tweb message list (%s msgs, page 1) t%s c%s %ss\t%s\treq/s\n' "$MESSAGES" "$THREADS" "$CONNECTIONS" "$DURATION" "$rps"
printf 'RESULT\tweb message list p99\t%s\t(goal < 50ms)\n' "$p99"
[ -n "$non2xx" ] && printf 'RESULT\tweb message list non-2xx\t%s\n' "$non2xx"
if [ "${PROFILE:-0}" = 1 ]; then kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=; ls -l "$WORK/profile"; fi
true
