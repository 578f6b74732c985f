#!/usr/bin/env bash
# bench/milter.sh [MESSAGES] [CONNS] - messages per second through the
# milter for a mixed inbound/outbound stream: mailwarden milter against
# OpenDKIM + OpenDMARC chained (as smtpd_milters = opendkim, opendmarc),
# doing the same work on the same messages and the same DNS data:
#   outbound (client 127.0.0.1, SASL user): DKIM-sign for bench.example
#     (rsa-sha256 2048, relaxed/relaxed);
#   inbound (client 192.0.2.10): verify SPF, the sender.example DKIM
#     signature and DMARC (p=reject), add Authentication-Results.
# mailwarden also does ARC verification and the A-R cleanup inbound, and
# BATV is off; no content scan (OpenDKIM/OpenDMARC have none).
#
# Everything runs in a private network and mount namespace (unshare -nm):
# knot serves both zones on 127.0.0.1:53 there, and /etc/resolv.conf is
# bind-mounted to "nameserver 127.0.0.1" there only, so OpenDMARC's
# resolver and OpenDKIM's (Nameservers 127.0.0.1) and mailwarden's
# (resolver = 127.0.0.1:53) all ask the same server; nothing leaves the
# namespace.  Needs root; installs BENCH_PKGS (scripts/setup --bench).
# The driver is bench/milter_client.c (milter protocol v6, N connections).
# Results: docs/PERFORMANCE.md.
set -euo pipefail
N=${1:-2000}
CONNS=${2:-8}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
MW=${MW:-$root/build/mailwarden}

if [ -z "${MW_BENCH_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/milter.sh: needs root (unshare)"; exit 1; }
  "$root/scripts/setup" --bench
  exec env MW_BENCH_INNER=1 unshare -nm --fork bash "$0" "$@"
fi

ip link set lo up
D=$(mktemp -d /tmp/mw-bench-milter.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT
mkdir -p "$D/keys" "$D/msg" "$D/run" "$D/db"
echo "nameserver 127.0.0.1" > "$D/resolv.conf"
mount --bind "$D/resolv.conf" /etc/resolv.conf

cc -std=gnu17 -O2 -Wall -pthread "$here/milter_client.c" -o "$D/milter_client"

# ---- keys and zones ----------------------------------------------------------
"$MW" dkim keygen --selector s1 --domain bench.example --out "$D/keys/s1" >/dev/null
"$MW" dkim keygen --selector s2 --domain sender.example --out "$D/keys/s2" >/dev/null
# One zone, "example", holds both domains: the DMARC tree walk also asks
# names above them (_dmarc.example), which must be NXDOMAIN, not REFUSED.
{ printf '$ORIGIN example.\n$TTL 300\n@ IN SOA ns1 hostmaster ( 1 7200 3600 1209600 300 )\n'
  printf '@ IN NS ns1\nns1 IN A 127.0.0.1\n'
  echo 'bench IN TXT "v=spf1 ip4:127.0.0.1 -all"'
  echo '_dmarc.bench IN TXT "v=DMARC1; p=reject"'
  echo 'sender IN TXT "v=spf1 ip4:192.0.2.10 -all"'
  echo 'mail.sender IN A 192.0.2.10'
  echo '_dmarc.sender IN TXT "v=DMARC1; p=reject"'
  grep -hv '^;' "$D/keys/s1.txt" "$D/keys/s2.txt"; } > "$D/example.zone"
cat > "$D/knot.conf" <<EOF
server:
    listen: 127.0.0.1@53
    rundir: "$D/run"
    pidfile: "$D/run/knot.pid"
database:
    storage: "$D/db"
template:
  - id: default
    storage: "$D"
    zonefile-sync: -1
    journal-content: none
log:
  - target: stderr
    any: warning
zone:
  - domain: example
    file: "$D/example.zone"
EOF
knotd -c "$D/knot.conf" 2>"$D/knot.log" &
pids+=($!)
for _ in $(seq 50); do
  "$MW" dns _dmarc.sender.example TXT --resolver 127.0.0.1:53 >/dev/null 2>&1 && break
  sleep 0.1
done

# ---- messages: half outbound, half inbound (DKIM-signed by sender.example) --
: > "$D/manifest"
body() { for l in $(seq 40); do printf 'Line %d of message %d: the quarterly figures are attached, please review them.\r\n' "$l" "$1"; done; }
for i in $(seq 100); do
  printf 'From: User %d <user%d@bench.example>\r\nTo: friend@elsewhere.example\r\nSubject: report %d\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <o%d@bench.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n' "$i" "$i" "$i" "$i" > "$D/msg/o$i.eml"
  body "$i" >> "$D/msg/o$i.eml"
  echo "$D/msg/o$i.eml 127.0.0.1 client.bench.example user$i@bench.example friend@elsewhere.example user$i" >> "$D/manifest"
  printf 'From: Alice <alice@sender.example>\r\nTo: user%d@bench.example\r\nSubject: invoice %d\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <i%d@sender.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n' "$i" "$i" "$i" > "$D/msg/u$i.eml"
  body "$i" >> "$D/msg/u$i.eml"
  "$MW" dkim sign "$D/msg/u$i.eml" --domain sender.example --selector s2 --key "$D/keys/s2.private" > "$D/msg/i$i.eml"
  echo "$D/msg/i$i.eml 192.0.2.10 mail.sender.example alice@sender.example user$i@bench.example -" >> "$D/manifest"
done

# ---- the milters ----------------------------------------------------------------
cat > "$D/opendkim.conf" <<EOF
Syslog no
Background no
Mode sv
Socket inet:8891@127.0.0.1
PidFile $D/run/opendkim.pid
Domain bench.example
Selector s1
KeyFile $D/keys/s1.private
RequireSafeKeys no
InternalHosts 127.0.0.1
Canonicalization relaxed/relaxed
AuthservID bench.example
Nameservers 127.0.0.1
EOF
echo 127.0.0.1 > "$D/ignore.hosts"
cat > "$D/opendmarc.conf" <<EOF
Syslog false
Background false
Socket inet:8893@127.0.0.1
PidFile $D/run/opendmarc.pid
AuthservID bench.example
TrustedAuthservIDs bench.example
SPFSelfValidate true
IgnoreHosts $D/ignore.hosts
IgnoreAuthenticatedClients true
RejectFailures false
EOF
cat > "$D/mailwarden.conf" <<EOF
[milter]
socket = inet:8895@127.0.0.1
authserv_id = bench.example
domains = bench.example
trusted_networks = 127.0.0.1/32
dkim_key = bench.example s1 $D/keys/s1.private
resolver = 127.0.0.1:53
default_action = tempfail
EOF
opendkim -x "$D/opendkim.conf" -f 2>"$D/opendkim.log" &
pids+=($!); dkim_pid=$!
opendmarc -c "$D/opendmarc.conf" -f 2>"$D/opendmarc.log" &
pids+=($!); dmarc_pid=$!
"$MW" milter -c "$D/mailwarden.conf" 2>"$D/mailwarden.log" &
pids+=($!); mw_pid=$!
cpu() { # cpu PID... : user+system clock ticks of the processes
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo $t
}
sleep 1

run() { # run LABEL "PIDS" MILTER... : best of two, msg/s on stdout; CPU to stderr
  local label=$1 procs=$2 best=0 out r c0 c1
  shift 2
  c0=$(cpu $procs)
  for _ in 1 2; do
    out=$("$D/milter_client" -c "$CONNS" -n "$N" "$@" "$D/manifest") || { echo "$label: $out" >&2; }
    echo "$label: $out" >&2
    r=$(echo "$out" | sed -n 's/.*: \([0-9.]*\) msg\/s.*/\1/p')
    best=$(echo "$r $best" | awk '{print ($1 > $2) ? $1 : $2}')
  done
  c1=$(cpu $procs)
  echo "$label: milter CPU $(echo "$c0 $c1 $N $(getconf CLK_TCK)" | awk '{printf "%.3f", ($2 - $1) * 1000 / $4 / (2 * $3)}') ms per message" >&2
  echo "$best"
}
"$D/milter_client" -c 2 -n 200 -m 127.0.0.1:8895 "$D/manifest" >/dev/null 2>&1 || true # warm up
"$D/milter_client" -c 2 -n 200 -m 127.0.0.1:8891 -m 127.0.0.1:8893 "$D/manifest" >/dev/null 2>&1 || true
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $N messages (half outbound signed, half inbound verified), $CONNS connections"
mw=$(run "mailwarden milter" "$mw_pid" -m 127.0.0.1:8895)
peer=$(run "opendkim + opendmarc" "$dkim_pid $dmarc_pid" -m 127.0.0.1:8891 -m 127.0.0.1:8893)
echo "mailwarden $mw msg/s, opendkim+opendmarc $peer msg/s, ratio $(echo "$mw $peer" | awk '{printf "%.2f", $1 / $2}')x"
