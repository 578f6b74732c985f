#!/usr/bin/env bash
# tests/integration/spf_cli.sh BINARY - `mailwarden spf` end to end over zone
# files: results, exit codes, --json fields, trace and Received-SPF text,
# DNS timeouts (temperror), broken records (permerror), usage errors.
set -uo pipefail
bin=${1:?usage: spf_cli.sh BINARY}
here=$(cd "$(dirname "$0")/../.." && pwd)
demo=$here/samples/demo.zone
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

check() { # check NAME WANT_EXIT WANT_GREP ARGS... : exit status and an output pattern
  local name=$1 want=$2 pat=$3; shift 3
  "$bin" spf "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ] || ! grep -qE -- "$pat" "$tmp/out" "$tmp/err"; then
    echo "FAIL $name: exit $got (want $want), pattern '$pat'"
    sed 's/^/    /' "$tmp/out" "$tmp/err" | head -20
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

cat >"$tmp/errors.zone" <<'ZONE'
$ORIGIN test.example.
$TTL 300
slow        TXT   "v=spf1 a:dns.slow.test.example -all"
dns.slow    TIMEOUT
two         TXT   "v=spf1 -all"
two         TXT   "v=spf1 +all"
bad         TXT   "v=spf1 ip4:192.0.2.0/33 -all"
loop        TXT   "v=spf1 include:loop.test.example -all"
neutral     TXT   "v=spf1 ?all"
ZONE

# results and exit codes over the demo zone
check pass 0 '^SPF pass for example.com' 203.0.113.77 example.com --sender alice@example.com --zone "$demo"
check softfail 1 '^SPF softfail' 192.0.2.200 news.example.com --sender bob@news.example.com --zone "$demo"
check fail-explanation 1 'explanation: +192.0.2.200 is not an authorised mail server for example.com' \
  192.0.2.200 example.com --sender mallory@example.com --zone "$demo"
check mx-ipv6 0 'matched: +mx' 2001:db8:10::11 example.com --zone "$demo"
check trace-indent 0 '^        _nb1.mailhost.example.net: "v=spf1' 203.0.113.77 example.com --zone "$demo"
check lookups 1 'DNS lookups: +5 of 10, void lookups: 0 of 2' 192.0.2.200 example.com --zone "$demo"
check received-spf 1 'Received-SPF: fail \(mx.test: domain of mallory@example.com does not designate 192.0.2.200 as permitted sender\) client-ip=192.0.2.200; envelope-from="mallory@example.com"; helo=mail.example.org; receiver=mx.test; identity=mailfrom; mechanism=-all' \
  192.0.2.200 example.com --sender mallory@example.com --helo mail.example.org --receiver mx.test --zone "$demo"
check helo-identity 1 'identity=helo' 192.0.2.200 example.com --identity helo --zone "$demo"
check none 0 '^SPF none for nowhere.example' 192.0.2.1 nowhere.example --zone "$demo"
check neutral 0 '^SPF neutral' 192.0.2.1 neutral.test.example --zone "$tmp/errors.zone"

# errors
check temperror 3 'problem: +DNS timeout for A dns.slow.test.example' 192.0.2.1 slow.test.example --zone "$tmp/errors.zone"
check permerror-two 3 'problem: +two.test.example has 2 SPF records' 192.0.2.1 two.test.example --zone "$tmp/errors.zone"
check permerror-syntax 3 'problem: .*ip4:192.0.2.0/33' 192.0.2.1 bad.test.example --zone "$tmp/errors.zone"
check permerror-loop 3 'more than 10 DNS-querying terms' 192.0.2.1 loop.test.example --zone "$tmp/errors.zone"

# --json: one object with the documented fields
check json-result 1 '"result": "fail"' 192.0.2.200 example.com --zone "$demo" --json
for field in explanation dns_lookups void_lookups received_spf trace mechanism problem domain sender; do
  check "json-$field" 1 "\"$field\":" 192.0.2.200 example.com --zone "$demo" --json
done
check json-counts 1 '"dns_lookups": 5,' 192.0.2.200 example.com --zone "$demo" --json

# usage and input errors exit 2
check help 0 '^usage: mailwarden spf IP DOMAIN' --help
check no-args 2 'need IP and DOMAIN'
check bad-ip 2 "'999.1.2.3' is not an IP address" 999.1.2.3 example.com --zone "$demo"
check bad-option 2 "unknown option '--bogus'" 192.0.2.1 example.com --bogus
check missing-zone 2 'no-such.zone' 192.0.2.1 example.com --zone "$tmp/no-such.zone"
check zone-and-resolver 2 'exclude each other' 192.0.2.1 example.com --zone "$demo" --resolver 127.0.0.1
printf 'garbage line here\n' >"$tmp/garbage.zone"
check garbage-zone 2 'garbage.zone' 192.0.2.1 example.com --zone "$tmp/garbage.zone"

[ "$fails" -eq 0 ] && echo "spf_cli: all checks passed" || echo "spf_cli: $fails failed"
exit $((fails > 0))
