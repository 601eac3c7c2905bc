#!/usr/bin/env bash
# bench/relay.sh - messages per second relayed MTA to MTA over loopback, Septet and Postfix
# in the same run (issue 4's benchmark).
#   load: 1,000 messages of 10 KiB, one recipient each, 100 to each of 10 domains
#         d0.test..d9.test, injected by Postfix's smtp-source (10 processes, one per
#         domain, 2 sessions each = 20 sessions) into the first MTA, which relays them
#         to the second.
#   Septet: A (127.0.0.2) takes the load on port 25 (trusted_networks, no AUTH) and
#         relays through MX lookups (dnsmasq: dN.test MX -> 127.0.0.3) to B (127.0.0.3),
#         which stores into 10 mailboxes. Clock: from the start of the injection (the
#         first 250 follows within milliseconds) until B's 10 maildrops hold 1,000
#         messages (POP3 STAT, polled every 200 ms).
#   Postfix: P1 (127.0.0.4) takes the load and relays through a transport map (Postfix's
#         resolver cannot ask a DNS server on another port, so no MX lookups) to P2
#         (127.0.0.5), which delivers with virtual(8) into 10 Maildirs. Clock: from the start
#         of the injection until P1's queue is empty (all handed to P2); the moment all
#         1,000 are in P2's Maildirs is reported too.
#   Both with their default concurrency (Septet relay: 5 connections per domain, 50 in
#   total; Postfix: 20 per destination) and fsync on.
# usage: bench/relay.sh            env OFFSET=29400 BENCH_WORK=/tmp/septet-relay-bench
#        MESSAGES_PER_DOMAIN=100 SIZE=10240 TIMEOUT=600
# Prints RESULT lines (msg/s) and the RATIO Septet/Postfix, plus each side's plain accept
# rate for the same load (into the second MTA) to tell relaying from accepting. Never asserts.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NODE=$ROOT/node_modules/.bin/node
SEPTET=$ROOT/bin/septet.js
OFFSET=${OFFSET:-29400}
PORT=$((25 + OFFSET))
DNS_PORT=$((53 + OFFSET))
WORK=${BENCH_WORK:-/tmp/septet-relay-bench}
PER_DOMAIN=${MESSAGES_PER_DOMAIN:-100}
SIZE=${SIZE:-10240}
TIMEOUT=${TIMEOUT:-600}
DOMAINS=(d0.test d1.test d2.test d3.test d4.test d5.test d6.test d7.test d8.test d9.test)
TOTAL=$((PER_DOMAIN * ${#DOMAINS[@]}))
A=127.0.0.2 B=127.0.0.3 P1=127.0.0.4 P2=127.0.0.5

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }
rate() { awk -v n="$1" -v t0="$2" -v t1="$3" 'BEGIN { printf "%.1f", n / (t1 - t0) }'; }
secs() { awk -v t0="$1" -v t1="$2" 'BEGIN { printf "%.2f", t1 - t0 }'; }
for tool in /usr/sbin/postfix /usr/sbin/smtp-source /usr/sbin/dnsmasq /usr/bin/python3; do
  [[ -x $tool ]] || { echo "missing $tool (scripts/test-deps.sh installs it)" >&2; exit 1; }
done

# --- processes started here, stopped by PID at exit -----------------------------------
PIDS=()
PF_DIRS=()
kill_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local p d
  for d in "${PF_DIRS[@]}"; do
    [[ -s $d/queue/pid/master.pid ]] && kill_pid "$(tr -d ' ' <"$d/queue/pid/master.pid")"
  done
  for p in "${PIDS[@]}"; do kill_pid "$p"; done
}
trap cleanup EXIT
trap 'exit 143' TERM INT   # so that the EXIT trap stops everything started here

rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"
log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- DNS: every dN.test has its MX at B ------------------------------------------------
dns_args=(--keep-in-foreground --no-resolv --no-hosts --bind-interfaces --user=root --pid-file=
  "--port=$DNS_PORT" --listen-address=127.0.0.1 --local=/test/
  --mx-host=a.test,mx.a.test,10 "--host-record=mx.a.test,$A" "--host-record=mx.b.test,$B")
for d in "${DOMAINS[@]}"; do dns_args+=("--mx-host=$d,mx.b.test,10"); done
/usr/sbin/dnsmasq "${dns_args[@]}" 2>"$WORK/dnsmasq.log" &
PIDS+=($!)

# --- injection: one smtp-source per domain, all at once; returns when all are accepted --
inject() { # inject HOST
  local d pids=() rc=0
  for d in "${DOMAINS[@]}"; do
    smtp-source -s 2 -m "$PER_DOMAIN" -l "$SIZE" -M bench.a.test -f sender@a.test -t "user@$d" "$1:$PORT" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

# --- Septet to Septet -------------------------------------------------------------------
start_septet() { # start_septet NAME ADDRESS
  local name=$1 addr=$2 dir=$WORK/$1
  mkdir -p "$dir"; chmod 755 "$dir"
  cat >"$dir/septet.toml" <<TOML
hostname = "mx.$name.bench.test"
[log]
level = "info"
[auth]
scrypt_cost = 1024
[pop3]
exclusive_lock = false
[limits]
max_connections_per_ip = 5000
max_connections = 5000
[smtp]
trusted_networks = ["127.0.0.0/8"]
[relay]
port = $PORT
source_address = "$addr"
[dns]
servers = ["127.0.0.1:$DNS_PORT"]
TOML
  if [[ $name == a ]]; then
    "$NODE" "$SEPTET" user add sender@a.test --password bench --data "$dir/data" --config "$dir/septet.toml" >/dev/null
  else
    for d in "${DOMAINS[@]}"; do
      "$NODE" "$SEPTET" user add "user@$d" --password bench --data "$dir/data" --config "$dir/septet.toml" >/dev/null
    done
  fi
  "$NODE" "$SEPTET" start --data "$dir/data" --config "$dir/septet.toml" --listen "$addr" --port-offset "$OFFSET" >"$dir/septet.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do grep -q '"septet ready"' "$dir/septet.log" 2>/dev/null && return 0; sleep 0.1; done
  cat "$dir/septet.log" >&2; echo "septet $name did not start" >&2; exit 1
}

log "Septet: starting A ($A) and B ($B) on port $PORT"
start_septet a "$A"
start_septet b "$B"
users=(); for d in "${DOMAINS[@]}"; do users+=("user@$d"); done
log "Septet: $TOTAL messages of $SIZE octets into A"
t0=$(now)
inject "$A" || log "Septet: smtp-source reported an error"
t_inj=$(now)
log "Septet: injection done in $(secs "$t0" "$t_inj") s; waiting for B's maildrops"
read -r what t_end count < <(/usr/bin/python3 "$HERE/relay-wait.py" pop3 "$B" $((110 + OFFSET)) bench "$TOTAL" "$TIMEOUT" "${users[@]}")
queue_left=$("$NODE" "$SEPTET" queue list --data "$WORK/a/data" --config "$WORK/a/septet.toml" 2>&1 | tail -1)
log "Septet: $what with $count messages at B after $(secs "$t0" "$t_end") s; A's queue: $queue_left"
if [[ $what == END ]]; then
  se=$(rate "$TOTAL" "$t0" "$t_end")
  printf 'RESULT\trelay septet->septet n=%s l=%s domains=%s\t%s\tmsg/s\n' "$TOTAL" "$SIZE" "${#DOMAINS[@]}" "$se"
else se=0; fi
log "Septet: A delivered lines: $(grep -c '"relay delivered"\|delivered' "$WORK/a/septet.log" || true); RSS A $(awk '/VmRSS/ {print $2, $3}' /proc/"${PIDS[1]}"/status 2>/dev/null), B $(awk '/VmRSS/ {print $2, $3}' /proc/"${PIDS[2]}"/status 2>/dev/null)"
# For reading the figure: the same load straight into B (local delivery, no relaying).
t0=$(now); inject "$B" || true; t1=$(now)
printf 'RESULT\taccept only septet (the load into B, local mailboxes)\t%s\tmsg/s\n' "$(rate "$TOTAL" "$t0" "$t1")"
kill_pid "${PIDS[1]}"; kill_pid "${PIDS[2]}"

# --- Postfix to Postfix -----------------------------------------------------------------
PF_UID=$(id -u postfix); PF_GID=$(id -g postfix)
start_postfix() { # start_postfix NAME ADDRESS ROLE(relay|final)
  local name=$1 addr=$2 role=$3 dir=$WORK/$1 d map=""
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/vmail"
  chown postfix:postfix "$dir/data" "$dir/vmail"
  for d in "${DOMAINS[@]}"; do map+="$d=smtp:[$P2]:$PORT, "; done
  {
    cat <<CF
compatibility_level = 3.6
myhostname = mx.$name.bench.test
mydomain = bench.test
myorigin = \$myhostname
mydestination =
# The extra loopback addresses are not interfaces of their own (lo is 127.0.0.1/8):
# master.cf binds the listener to $addr explicitly.
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_bind_address = $addr
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
mail_owner = postfix
setgid_group = postdrop
alias_maps =
alias_database =
biff = no
smtpd_banner = \$myhostname ESMTP
message_size_limit = 52428800
CF
    if [[ $role == relay ]]; then
      echo "transport_maps = inline:{ ${map%, } }"
      echo "smtp_dns_support_level = disabled"
    else
      echo "virtual_mailbox_domains = ${DOMAINS[*]}"
      echo "virtual_mailbox_base = $dir/vmail"
      vm=""; for d in "${DOMAINS[@]}"; do vm+="user@$d=$d/user/, "; done
      echo "virtual_mailbox_maps = inline:{ ${vm%, } }"
      echo "virtual_uid_maps = static:$PF_UID"
      echo "virtual_gid_maps = static:$PF_GID"
      echo "virtual_minimum_uid = 1"
      # virtual(8) refuses to start with a mailbox limit below message_size_limit.
      echo "virtual_mailbox_limit = 0"
    fi
  } >"$dir/etc/main.cf"
  # The same master.cf as test/interop/relay-postfix.test.ts, the listener on $addr:$PORT.
  sed "s/^@LISTEN@/$addr:$PORT/" "$ROOT/test/interop/fixtures/postfix-master.cf" >"$dir/etc/master.cf"
  postfix -c "$dir/etc" set-permissions >/dev/null 2>&1 || true
  PF_DIRS+=("$dir")
  # master daemonizes; errors go only to its maillog
  postfix -c "$dir/etc" start >/dev/null 2>&1 || { cat "$dir/maillog" >&2 2>/dev/null; echo "postfix $name did not start" >&2; exit 1; }
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/$addr/$PORT") 2>/dev/null && return 0; sleep 0.1; done
  cat "$dir/maillog" >&2; echo "postfix $name not listening" >&2; exit 1
}

log "Postfix: starting P1 ($P1, relay) and P2 ($P2, virtual mailboxes) on port $PORT"
start_postfix p1 "$P1" relay
start_postfix p2 "$P2" final
maildirs=(); for d in "${DOMAINS[@]}"; do maildirs+=("$WORK/p2/vmail/$d/user"); done
log "Postfix: $TOTAL messages of $SIZE octets into P1"
t0=$(now)
inject "$P1" || log "Postfix: smtp-source reported an error"
t_inj=$(now)
log "Postfix: injection done in $(secs "$t0" "$t_inj") s; waiting for P1's queue to empty"
read -r what t_end count < <(/usr/bin/python3 "$HERE/relay-wait.py" queue "$TIMEOUT" "$WORK/p1/queue")
read -r what2 t_box count2 < <(/usr/bin/python3 "$HERE/relay-wait.py" maildir "$TOTAL" "$TIMEOUT" "${maildirs[@]}")
log "Postfix: P1 queue $what after $(secs "$t0" "$t_end") s ($count left); P2 Maildirs $what2 with $count2 after $(secs "$t0" "$t_box") s"
log "Postfix: P1 status=sent $(grep -c 'status=sent' "$WORK/p1/maillog" || true), P2 status=sent $(grep -c 'status=sent' "$WORK/p2/maillog" || true)"
if [[ $what == END ]]; then
  pf=$(rate "$TOTAL" "$t0" "$t_end")
  printf 'RESULT\trelay postfix->postfix n=%s l=%s domains=%s (until the first queue is empty)\t%s\tmsg/s\n' "$TOTAL" "$SIZE" "${#DOMAINS[@]}" "$pf"
  [[ $what2 == END ]] && printf 'RESULT\trelay postfix->postfix n=%s (until all are in the Maildirs)\t%s\tmsg/s\n' "$TOTAL" "$(rate "$TOTAL" "$t0" "$t_box")"
else pf=0; fi
# For reading the figure: the same load straight into P2 (accepted into its queue).
t0=$(now); inject "$P2" || true; t1=$(now)
printf 'RESULT\taccept only postfix (the load into P2, queued)\t%s\tmsg/s\n' "$(rate "$TOTAL" "$t0" "$t1")"
awk -v a="$se" -v b="$pf" 'BEGIN { if (b > 0) printf "RATIO\trelay septet/postfix\t%.2f\t(%s vs %s msg/s)\n", a / b, a, b; else print "RATIO\trelay septet/postfix\tn/a" }'
log "machine after the run: load average $(cut -d' ' -f1-3 /proc/loadavg)"
