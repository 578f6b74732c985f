#!/usr/bin/env bash
# dns_knot.sh MAILWARDEN - the c-ares backend against a real authoritative
# server (Debian's knot) gives the same answers as the offline zone backend
# reading the same zone data; a server that never answers is a bounded
# TEMPFAIL "timeout"; a REFUSED answer is a TEMPFAIL "REFUSED".
#
# Starts knotd on 127.0.0.1 with a free port, its own config, rundir, pidfile
# and database in a temp dir, and a python3 UDP socket that reads queries and
# never answers.  Both are stopped by their recorded pids.  Exit 77 (skip)
# when knotd or python3 is missing outside CI; prints "N passed, N failed".
set -u
mw=${1:?usage: dns_knot.sh /path/to/mailwarden}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib_knot.bash"
knot_init dns_knot

# ---- zone data: two zones for knot, their concatenation for --zone --------
long=$(printf 'k%.0s' $(seq 1 250))
cat >"$tmp/example.test.zone" <<EOF
\$ORIGIN example.test.
\$TTL 3600
@         IN SOA  ns1 hostmaster ( 2024010101 ; serial
                  7200 3600 1209600 300 )
@         IN NS   ns1
ns1       IN A    127.0.0.1
@         IN MX   10 mail
@         IN MX   20 mail2
@         IN TXT  "v=spf1 " "ip4:192.0.2.0/24 " "include:_spf.example.test -all"
_spf      IN TXT  "v=spf1 ip6:2001:db8::/32 ~all"
quote     IN TXT  "say \"hi\"" "back\\\\slash" "\065BC"
big   600 IN TXT  "$long" "$long" "$long"
mail  300 IN A    192.0.2.10
          IN AAAA 2001:db8::10
mail2     IN A    192.0.2.11
          IN A    192.0.2.12
www       IN CNAME web
web       IN CNAME mail
dangling  IN CNAME gone
nomx      IN MX   0 .
a.b       IN A    192.0.2.20
*.wild    IN TXT  "wildcard"
EOF
cat >"$tmp/2.0.192.in-addr.arpa.zone" <<'EOF'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 3600
@   IN SOA ns1.example.test. hostmaster.example.test. ( 1 7200 3600 1209600 60 )
@   IN NS  ns1.example.test.
10  IN PTR mail.example.test.
11  IN PTR mail2.example.test.
11  IN PTR alias.example.test.
EOF
cat "$tmp/example.test.zone" "$tmp/2.0.192.in-addr.arpa.zone" >"$tmp/all.zone"

knot_start example.test="$tmp/example.test.zone" 2.0.192.in-addr.arpa="$tmp/2.0.192.in-addr.arpa.zone"
port=$knot_port
knot_wait "$mw" dns example.test SOA --resolver "127.0.0.1:$knot_port" --dns-timeout 300

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# ---- same answers through both backends ------------------------------------
# name type expected-status (the status line of `mailwarden dns`)
while read -r name type want; do
  [ -z "$name" ] && continue
  real=$("$mw" dns "$name" "$type" --resolver "127.0.0.1:$port" --dns-timeout 2000 2>&1 | sort)
  offline=$("$mw" dns "$name" "$type" --zone "$tmp/all.zone" 2>&1 | sort)
  if ! grep -q "^;; $name $type: $want," <<<"$real"; then
    bad "$name $type: c-ares gave"$'\n'"$real"$'\n'"want status $want"
  elif [ "$real" != "$offline" ]; then
    bad "$name $type: c-ares and zone differ"$'\n'"--- c-ares:"$'\n'"$real"$'\n'"--- zone:"$'\n'"$offline"
  else
    ok
  fi
done <<'EOF'
example.test MX ok
example.test TXT ok
example.test SOA ok
example.test NS ok
_spf.example.test TXT ok
quote.example.test TXT ok
big.example.test TXT ok
mail.example.test A ok
mail.example.test AAAA ok
mail2.example.test A ok
www.example.test A ok
www.example.test AAAA ok
www.example.test CNAME ok
web.example.test MX NODATA
nomx.example.test MX ok
x.wild.example.test TXT ok
b.example.test A NODATA
mail.example.test TXT NODATA
missing.example.test A NXDOMAIN
dangling.example.test A NXDOMAIN
10.2.0.192.in-addr.arpa PTR ok
11.2.0.192.in-addr.arpa PTR ok
12.2.0.192.in-addr.arpa PTR NXDOMAIN
10.2.0.192.in-addr.arpa TXT NODATA
EOF

# The same comparison in JSON, for one multi-record answer.
real=$("$mw" dns mail2.example.test A --json --resolver "127.0.0.1:$port" | python3 -c \
  'import json,sys; d=json.load(sys.stdin); print(d["status"], sorted(r["address"] for r in d["records"]))')
offline=$("$mw" dns mail2.example.test A --json --zone "$tmp/all.zone" | python3 -c \
  'import json,sys; d=json.load(sys.stdin); print(d["status"], sorted(r["address"] for r in d["records"]))')
if [ "$real" = "ok ['192.0.2.11', '192.0.2.12']" ] && [ "$real" = "$offline" ]; then ok; else
  bad "json: c-ares '$real' zone '$offline'"; fi

# Exit codes: 0 records, 1 NXDOMAIN/NODATA, 3 TEMPFAIL.
"$mw" dns mail.example.test A --resolver "127.0.0.1:$port" >/dev/null; rc1=$?
"$mw" dns missing.example.test A --resolver "127.0.0.1:$port" >/dev/null; rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 1 ]; then ok; else bad "exit codes: got $rc1 $rc2 want 0 1"; fi

# A name outside knot's zones: knot answers REFUSED -> TEMPFAIL (REFUSED).
out=$("$mw" dns outside.invalid A --resolver "127.0.0.1:$port" 2>&1); rc=$?
if [ $rc -eq 3 ] && grep -q "TEMPFAIL (REFUSED)" <<<"$out"; then ok; else
  bad "REFUSED: rc=$rc $out"; fi

# ---- a server that never answers: bounded TEMPFAIL (timeout) ---------------
knot_sink
start=$(date +%s%N)
out=$("$mw" dns example.test TXT --resolver "127.0.0.1:$sink_port" --dns-timeout 300 2>&1); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
# 2 tries: 300 ms + 600 ms (c-ares doubles the timeout per retry); allow slack.
if [ $rc -eq 3 ] && grep -q "TEMPFAIL (timeout)" <<<"$out" && [ $ms -lt 5000 ]; then ok; else
  bad "timeout: rc=$rc after ${ms} ms: $out"; fi

echo "dns_knot: $pass passed, $fail failed"
[ $fail -eq 0 ]
