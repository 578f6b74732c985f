#!/usr/bin/env bash
# spf_knot.sh MAILWARDEN - `mailwarden spf` over real DNS: Debian's knot
# serves the demo policies on 127.0.0.1 (a free port); every check must give
# the same result, explanation, lookup counts and trace through the c-ares
# backend (--resolver) as through the offline backend (--zone) reading the
# same data.  A server that never answers gives temperror (exit 3) within
# the configured timeout.  knotd and the sink are stopped by their pids.
# Exit 77 (skip) when knotd or python3 is missing outside CI.
set -u
mw=${1:?usage: spf_knot.sh /path/to/mailwarden}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib_knot.bash"
knot_init spf_knot

# The demo policies (samples/demo.zone), as two zones with SOA and NS.
cat >"$tmp/example.com.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 3600
@        IN SOA  ns1 hostmaster ( 1 7200 3600 1209600 300 )
@        IN NS   ns1
ns1      IN A    127.0.0.1
@        IN MX   10 mx1
@        IN MX   20 mx2
@        IN TXT  ( "v=spf1 mx a:relay.example.com ip6:2001:db8:10::/48 "
                   "include:_spf.mailhost.example.net exp=why.%{d} -all" )
@        IN TXT  "google-site-verification=demo-token-not-an-spf-record"
why      IN TXT  "%{i} is not an authorised mail server for %{d}; see https://www.example.com/mail-policy"
mx1      IN A    192.0.2.10
mx2      IN A    192.0.2.11
mx2      IN AAAA 2001:db8:10::11
relay    IN A    198.51.100.25
news     IN TXT  "v=spf1 a:relay.example.com include:_spf.mailhost.example.net ~all"
voids    IN TXT  "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com ?all"
macro    IN TXT  "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all"
20.113.0.203.jdoe._spf.macro IN A 127.0.0.2
ptr      IN TXT  "v=spf1 ptr:example.com -all"
ZONE
cat >"$tmp/example.net.zone" <<'ZONE'
$ORIGIN example.net.
$TTL 3600
@              IN SOA ns1.example.com. hostmaster.example.com. ( 1 7200 3600 1209600 300 )
@              IN NS  ns1.example.com.
_spf.mailhost  IN TXT "v=spf1 include:_nb1.mailhost.example.net include:_nb2.mailhost.example.net ~all"
_nb1.mailhost  IN TXT "v=spf1 ip4:203.0.113.0/25 ip4:203.0.113.128/26 -all"
_nb2.mailhost  IN TXT "v=spf1 ip6:2001:db8:200::/40 " "ip4:233.252.0.0/24 -all"
ZONE
cat >"$tmp/2.0.192.in-addr.arpa.zone" <<'ZONE'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 3600
@   IN SOA ns1.example.com. hostmaster.example.com. ( 1 7200 3600 1209600 300 )
@   IN NS  ns1.example.com.
10  IN PTR mx1.example.com.
ZONE
cat "$tmp"/*.zone >"$tmp/all.zone"

knot_start example.com="$tmp/example.com.zone" example.net="$tmp/example.net.zone" 2.0.192.in-addr.arpa="$tmp/2.0.192.in-addr.arpa.zone"
port=$knot_port
knot_wait "$mw" spf 192.0.2.10 example.com --resolver "127.0.0.1:$knot_port" --dns-timeout 300

pass=0; fail=0
# ip domain sender want-result
while read -r ip domain sender want; do
  [ -z "$ip" ] && continue
  real=$("$mw" spf "$ip" "$domain" --sender "$sender" --receiver rx.test --json \
         --resolver "127.0.0.1:$port" --dns-timeout 2000 2>&1); rc1=$?
  offline=$("$mw" spf "$ip" "$domain" --sender "$sender" --receiver rx.test --json \
            --zone "$tmp/all.zone" 2>&1); rc2=$?
  if ! grep -q "\"result\": \"$want\"" <<<"$real"; then
    fail=$((fail + 1)); echo "FAIL $ip $domain: c-ares gave"; echo "$real" | head -30
  elif [ "$real" != "$offline" ] || [ $rc1 -ne $rc2 ]; then
    fail=$((fail + 1)); echo "FAIL $ip $domain: backends differ"; diff <(echo "$real") <(echo "$offline") | head -20
  else
    pass=$((pass + 1))
  fi
done <<'CHECKS'
203.0.113.77 example.com alice@example.com pass
2001:db8:200::25 example.com alice@example.com pass
192.0.2.11 example.com alice@example.com pass
2001:db8:10::11 example.com alice@example.com pass
198.51.100.25 example.com alice@example.com pass
192.0.2.200 example.com mallory@example.com fail
192.0.2.200 news.example.com bob@news.example.com softfail
192.0.2.1 voids.example.com x@voids.example.com permerror
203.0.113.20 macro.example.com jdoe@macro.example.com pass
203.0.113.21 macro.example.com jdoe@macro.example.com fail
192.0.2.10 ptr.example.com x@ptr.example.com pass
192.0.2.1 nowhere.example.com x@nowhere.example.com none
CHECKS

# A server that never answers: temperror, bounded by the timeout.
knot_sink
sink=$sink_port
start=$(date +%s)
out=$("$mw" spf 192.0.2.1 example.com --resolver "127.0.0.1:$sink" --dns-timeout 300 2>&1); rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -eq 3 ] && grep -q "^SPF temperror" <<<"$out" && grep -q "timeout" <<<"$out" && [ $took -le 10 ]; then
  pass=$((pass + 1))
else
  fail=$((fail + 1)); echo "FAIL timeout: rc=$rc after ${took}s"; echo "$out" | head
fi

echo "spf_knot: $pass passed, $fail failed"
[ $fail -eq 0 ]
