#!/usr/bin/env bash
# milter_stream.sh MAILWARDEN - `mailwarden milter` driven over the milter
# protocol by a small client (milter_client.py, what Postfix sends), offline
# zone for DNS.  Checks:
#  - a 50 MB body streams through: outbound it is DKIM-signed (rsa, ed25519)
#    and the signatures verify with `mailwarden dkim verify` and
#    python3-dkim; inbound the signed 50 MB message gets dkim=pass twice and
#    an ARC set (arc_seal = on) that `mailwarden arc verify` validates; the
#    daemon's peak RSS (VmHWM) stays under 64 MB (not under ASan);
#  - ARC sealing of a small message also validates with python3-dkim's
#    arc_verify, and a second hop (sealed again) validates as i=2;
#  - SMFIP_HDR_LEADSPC: a simple/simple signature over odd header spacing
#    passes when the leading whitespace is negotiated, fails without;
#  - bad input gets its defined action and the daemon stays up: a
#    malformed field name, a 1.2 MB header section, 10,000 header fields
#    (default_action tempfail, 451 4.3.0, logged); a 1 MB header line
#    (libmilter drops the connection: over its packet size); a body without header
#    fields (accepted, A-R added); a client gone mid-body; an aborted
#    message followed by a good one on the same connection;
#  - SIGTERM exits 0, with no sanitizer report in the log.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
$PY -c 'import dkim, nacl' 2>/dev/null || need no-python3-dkim python3-dkim

D=$(mktemp -d /tmp/mw-mstream-XXXXXX)
MIL=$(free_port)
MWPID=
PASS=0
cleanup() {
  [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT
ok() { if [ "$2" = "$3" ]; then PASS=$((PASS+1)); fi; check "$@"; }
client() { $PY "$HERE/milter_client.py" "$MIL" "$@" 2>> "$D/client.err"; }
# jget JSON EXPR - a value from the client's JSON line (EXPR over r)
jget() { $PY -c "import json,sys; r=json.loads(sys.argv[1] or '{}'); print($2)" "$1" 2>/dev/null; }
count_added() { jget "$1" "sum(1 for c in r.get('changes',[]) if c[0]=='ins' and c[2]=='$2')"; }

# ---- keys, DNS, config ---------------------------------------------------------
"$MW" dkim keygen --selector rsa1 --domain example.com --out "$D/rsa1" >/dev/null
"$MW" dkim keygen --selector ed1 --domain example.com --algorithm ed25519-sha256 --out "$D/ed1" >/dev/null
"$MW" dkim keygen --selector arc1 --domain relay.example --out "$D/arc1" >/dev/null
"$MW" dkim keygen --selector arc2 --domain hop2.example --out "$D/arc2" >/dev/null
{
  echo '$TTL 300'
  echo 'example.com.        TXT "v=spf1 ip4:192.0.2.1 -all"'
  echo '_dmarc.example.com. TXT "v=DMARC1; p=reject"'
  echo 'news.example.       TXT "v=spf1 ip4:192.0.2.1 -all"'
  cat "$D/rsa1.txt" "$D/ed1.txt" "$D/arc1.txt" "$D/arc2.txt" | grep -v '^;'
} > "$D/test.zone"
conf() { # conf PORT ARCDOMAIN ARCSEL ARCKEY AUTHSERV
cat <<CONF
[milter]
socket = inet:$1@127.0.0.1
authserv_id = $5
domains = example.com
zone = $D/test.zone
dkim_key = example.com rsa1 $D/rsa1.private
dkim_key = example.com ed1 $D/ed1.private
default_action = tempfail
scan_rules = $HERE/../../samples/scan/phishing.rules
arc_seal = on
arc_domain = $2
arc_selector = $3
arc_key = $4
CONF
}
conf "$MIL" relay.example arc1 "$D/arc1.private" mx.relay.example > "$D/mw.conf"
"$MW" milter -c "$D/mw.conf" --set arc_key="$D/ed1.private" --check > /dev/null 2>&1
ok "an ed25519 arc_key is refused (RFC 8617: rsa-sha256 only)" 2 $?
"$MW" milter -c "$D/mw.conf" --set arc_selector= --check > /dev/null 2>&1
ok "arc_seal = on without a selector is refused" 2 $?
"$MW" milter -c "$D/mw.conf" --check > /dev/null
ok "the test configuration checks" 0 $?
"$MW" milter -c "$D/mw.conf" 2> "$D/mw.log" &
MWPID=$!
wait_port "$MIL" || { cat "$D/mw.log"; exit 1; }

# ---- 1. 50 MB outbound: signed while streaming ----------------------------------
BIG=$((50 * 1024 * 1024))
R=$(client --auth alice --from alice@example.com --to bob@remote.example \
  --header "From: Alice <alice@example.com>" --header "To: bob@remote.example" \
  --header "Subject: fifty megabytes" --header "Date: Mon, 23 Nov 2026 10:00:00 +0000" \
  --gen-body "$BIG" --out "$D/out50.eml")
ok "50 MB outbound: accepted" accept "$(jget "$R" "r['final']")"
ok "50 MB outbound: LEADSPC negotiated" True "$(jget "$R" "r['leadspc']")"
ok "50 MB outbound: two DKIM signatures inserted" 2 "$(count_added "$R" DKIM-Signature)"
"$MW" dkim verify "$D/out50.eml" --zone "$D/test.zone" > "$D/v50.out" 2>&1
ok "mailwarden dkim verify: both pass" "0 2" "$? $(grep -c '^signature [0-9]*: pass' "$D/v50.out")"
$PY "$HERE/dkim_check.py" "$D/test.zone" "$D/out50.eml" > "$D/py50.out" 2>&1
ok "python3-dkim: both pass" "0 2" "$? $(grep -c '^pass' "$D/py50.out")"

# ---- 2. the signed 50 MB message inbound: verified and ARC-sealed -----------------
R=$(client --from alice@example.com --client-ip 192.0.2.1 --message "$D/out50.eml" --out "$D/in50.eml")
ok "50 MB inbound: accepted" accept "$(jget "$R" "r['final']")"
AR=$(jget "$R" "[c[3] for c in r['changes'] if c[2]=='Authentication-Results'][0]")
ok "A-R: dkim=pass for both signatures" 2 "$(echo "$AR" | grep -o 'dkim=pass' | wc -l)"
ok "A-R: dmarc=pass" 1 "$(echo "$AR" | grep -c 'dmarc=pass')"
ok "ARC set added (AAR, AMS, AS)" "1 1 1" "$(count_added "$R" ARC-Authentication-Results) $(count_added "$R" ARC-Message-Signature) $(count_added "$R" ARC-Seal)"
"$MW" arc verify "$D/in50.eml" --zone "$D/test.zone" > "$D/arc50.out" 2>&1
ok "mailwarden arc verify: the sealed 50 MB message validates" "ARC cv=pass (1 instance): 1 ARC set validates" "$(head -1 "$D/arc50.out")"
HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$MWPID/status")
if grep -q __asan_init "$MW"; then
  echo "skip: VmHWM ${HWM} kB not asserted under ASan (its quarantine keeps freed chunks)"
else
  ok "peak RSS of the daemon under 64 MB after two 50 MB messages (${HWM} kB)" 1 "$([ "$HWM" -lt 65536 ] && echo 1 || echo 0)"
fi
echo "measure: VmHWM ${HWM} kB after 2 x 50 MB" > "$D/measure"
rm -f "$D/out50.eml" "$D/in50.eml"

# ---- 3. ARC: python3-dkim validates our seal; a second hop seals on top -----------
printf 'From: <news@news.example>\r\nTo: alice@example.com\r\nSubject: list post\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello list.\r\n' > "$D/small.eml"
R=$(client --message "$D/small.eml" --out "$D/sealed1.eml")
ok "small inbound: sealed" 1 "$(count_added "$R" ARC-Seal)"
"$MW" arc verify "$D/sealed1.eml" --zone "$D/test.zone" > "$D/arc1.out" 2>&1
ok "mailwarden arc verify: i=1 validates" "0 ARC cv=pass (1 instance): 1 ARC set validates" "$? $(head -1 "$D/arc1.out")"
$PY - "$D/test.zone" "$D/sealed1.eml" > "$D/pyarc1.out" 2>&1 <<'PYEOF'
import re, sys, dkim
txt = {}
for line in open(sys.argv[1]):
    m = re.match(r'^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)$', line.strip())
    if m and not line.startswith(";"):
        txt[m.group(1).rstrip(".").lower()] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))).encode()
dns = lambda name, timeout=5: txt.get(name.decode().rstrip(".").lower())
cv, results, reason = dkim.arc_verify(open(sys.argv[2], "rb").read(), dnsfunc=dns)
print(cv.decode() if isinstance(cv, bytes) else cv, reason)
PYEOF
ok "python3-dkim arc_verify: pass" 1 "$(grep -c '^pass' "$D/pyarc1.out")"
# hop 2: a second milter (another ADMD) seals the sealed message again
MIL2=$(free_port); while [ "$MIL2" = "$MIL" ]; do MIL2=$(free_port); done
conf "$MIL2" hop2.example arc2 "$D/arc2.private" mx.hop2.example > "$D/mw2.conf"
"$MW" milter -c "$D/mw2.conf" 2> "$D/mw2.log" &
MW2=$!
wait_port "$MIL2"
R=$($PY "$HERE/milter_client.py" "$MIL2" --message "$D/sealed1.eml" --out "$D/sealed2.eml")
kill "$MW2"; wait "$MW2"
ok "hop 2 A-R: arc=pass for i=1" 1 "$(jget "$R" "[c[3] for c in r['changes'] if c[2]=='Authentication-Results'][0]" | grep -c 'arc=pass')"
"$MW" arc verify "$D/sealed2.eml" --zone "$D/test.zone" --json > "$D/arc2.out" 2>&1
ok "mailwarden arc verify: two hops validate" "0 pass 2" "$? $($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["cv"], r["instances"])' "$D/arc2.out")"
$PY - "$D/test.zone" "$D/sealed2.eml" > "$D/pyarc2.out" 2>&1 < <(sed -n '/^import re, sys, dkim/,/^print(cv/p' "$0")
ok "python3-dkim arc_verify: two hops pass" 1 "$(grep -c '^pass' "$D/pyarc2.out")"

# ---- 4. SMFIP_HDR_LEADSPC: simple/simple over odd spacing ------------------------
printf 'From:   Odd  <news@news.example>\r\nSubject:\tspaced\t out  \r\nTo:alice@example.com\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nbody  text \r\n' > "$D/odd.eml"
"$MW" dkim sign "$D/odd.eml" --domain example.com --selector rsa1 --key "$D/rsa1.private" \
  --canon simple/simple > "$D/odd.signed" 2>&1
ok "odd-spacing message signed simple/simple" 1 "$(grep -c 'c=simple/simple' "$D/odd.signed")"
R=$(client --message "$D/odd.signed")
ok "with LEADSPC: dkim=pass" 1 "$(jget "$R" "[c[3] for c in r['changes'] if c[2]=='Authentication-Results'][0]" | grep -c 'dkim=pass')"
R=$(client --no-leadspc --message "$D/odd.signed")
ok "without LEADSPC (spacing lost): dkim=fail, as documented" 1 "$(jget "$R" "[c[3] for c in r['changes'] if c[2]=='Authentication-Results'][0]" | grep -c 'dkim=fail')"

# ---- 5. bad input: defined actions, the daemon stays up -------------------------
R=$(client --raw-header "Bad Name= x" --header "From: <news@news.example>" --gen-body 100)
ok "malformed field name: tempfail (default_action)" "reply-4 451 4.3.0" "$(jget "$R" "r['final']") $(jget "$R" "r['reply'][:9]")"
# one 1 MB field is one 1 MB milter packet: libmilter drops the connection
# (its 64 KiB packet limit); the MTA applies milter_default_action
R=$(client --header "From: <news@news.example>" --long-header 1000000 --gen-body 100)
ok "1 MB header line: libmilter closes the connection" disconnected "$(jget "$R" "r['final']")"
R=$(client --header "From: <news@news.example>" --long-header 60000 --long-count 20 --gen-body 100)
ok "1.2 MB header section (20 x 60 kB): tempfail (default_action)" "reply-4" "$(jget "$R" "r['final']")"
ok "the milter logged why (section over the limit)" 1 "$(grep -c 'not evaluated: header section larger than' "$D/mw.log")"
R=$(client --header "From: <news@news.example>" --many-headers 10000 --gen-body 100)
ok "10,000 header fields: tempfail (default_action)" "reply-4" "$(jget "$R" "r['final']")"
ok "the milter logged why (fields over the limit)" 1 "$(grep -c 'not evaluated: message: more than 1000 header fields' "$D/mw.log")"
R=$(client --no-eoh --gen-body 1000)
ok "body without header fields: accepted" accept "$(jget "$R" "r['final']")"
ok "and an A-R added" 1 "$(count_added "$R" Authentication-Results)"
R=$(client --header "From: <news@news.example>" --gen-body 5000000 --cut-after 1000000)
ok "client gone mid-body" cut "$(jget "$R" "r['final']")"
R=$(client --header "From: <news@news.example>" --gen-body 300000 --abort-after 100000)
ok "aborted message, then a good one on the same connection: accepted" accept "$(jget "$R" "r['final']")"
ok "the good one has exactly one A-R" 1 "$(count_added "$R" Authentication-Results)"
ok "the daemon is still running" 0 "$(kill -0 "$MWPID" 2>/dev/null; echo $?)"
R=$(client --message "$D/small.eml")
ok "after all that, a normal message gets its A-R" 1 "$(count_added "$R" Authentication-Results)"

kill -TERM "$MWPID"; wait "$MWPID"; rc=$?; MWPID=
ok "SIGTERM: milter exits 0" 0 "$rc"
ok "no sanitizer report" 0 "$(grep -c 'Sanitizer' "$D/mw.log" "$D/mw2.log" | awk -F: '{s+=$2} END {print s+0}')"
cat "$D/measure"
echo "$PASS passed, $FAILS failed"
if [ "$FAILS" -ne 0 ]; then
  echo "--- mailwarden log"; tail -30 "$D/mw.log"; echo "--- client errors"; tail -20 "$D/client.err"
  exit 1
fi
