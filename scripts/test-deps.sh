#!/usr/bin/env bash
# Installs the third-party programs the interop tests drive (Debian packages: the
# clients, dnsmasq, Postfix, an old Node), when they are missing. Never starts a
# distribution daemon: a temporary policy-rc.d forbids it, as in ../shared/peers/common.sh.
set -euo pipefail
need=()
command -v curl >/dev/null || need+=(curl)
[[ -x /usr/bin/python3 ]] || need+=(python3)
command -v openssl >/dev/null || need+=(openssl)
[[ -x /usr/bin/tftp ]] && dpkg -s tftp-hpa >/dev/null 2>&1 || need+=(tftp-hpa)
command -v lftp >/dev/null || need+=(lftp)
[[ -x /usr/sbin/dnsmasq ]] || need+=(dnsmasq-base)   # the relay interop test's DNS server
[[ -x /usr/sbin/postfix ]] || need+=(postfix)   # relay-postfix test and bench/relay.sh (private instances only)
command -v doveadm >/dev/null || need+=(dovecot-core)   # password-import test: doveadm pw makes the hashes Septet must read
command -v ssh >/dev/null && command -v sftp >/dev/null && command -v scp >/dev/null || need+=(openssh-client)   # SSH/SFTP/SCP interop tests
command -v puttygen >/dev/null || need+=(putty-tools)   # PuTTY-format keys in the SSH tests
command -v chromium >/dev/null || need+=(chromium)   # the web console's end-to-end tests (playwright-core drives it)
[[ -x /usr/bin/node ]] || need+=(nodejs)   # an old Node (18 on bookworm): the CLI test's "refuses a Node older than 26"
((${#need[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "test-deps: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2
  exit 1
fi
made_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
fi
# postfix asks debconf questions (mail name, site type) unless told not to.
export DEBIAN_FRONTEND=noninteractive
trap '((made_policy)) && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y --no-install-recommends "${need[@]}" >&2 || {
  apt-get update >&2
  apt-get install -y --no-install-recommends "${need[@]}" >&2
}
