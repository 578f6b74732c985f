#!/usr/bin/env bash
# dmarc_generate_postfix.sh MAILWARDEN - DMARC aggregate reports as a
# receiver, end to end: a private Postfix on loopback with `mailwarden
# milter` (events_db) receives spoofed and genuine mail for four policy
# domains (quarantine applied as a header, reject applied, an exempt domain:
# local_policy override, p=none); `mailwarden dmarc-report generate` rolls the stored results up
#  - with --out: one .xml.gz per domain under the RFC file name, valid
#    against tests/data/dmarc/rfc9990.xsd (xmllint), with the right counts;
#  - with --send: reports mailed through Postfix's sendmail to the sink,
#    only to authorised destinations: in-domain (shop.example), external with
#    its <domain>._report._dmarc record (authorised.example), corp.example; external
#    without it dropped and said so (thirdparty.example, other.example);
#    `mailwarden dmarc-report` reads the delivered mail back into the same
#    records as the file;
#  - a second --send sends nothing (periods remembered in the database);
#    --again --json sends them again with the same report ids; --keep
#    deletes old stored results.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
. "$(dirname "$0")/lib_postfix.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
XSD="$HERE/../data/dmarc/rfc9990.xsd"

D=$(mktemp -d /tmp/mw-drgen-XXXXXX)
chmod 755 "$D"
MWPID=
cleanup() {
  [ -f "$D/etc/main.cf" ] && postfix -c "$D/etc" stop >/dev/null 2>&1
  [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null
  [ -s "$D/sink.pid" ] && kill "$(cat "$D/sink.pid")" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT

# ---- without Postfix: usage and an empty database -----------------------------
G=("$MW" dmarc-report generate)
"${G[@]}" --help | grep -q -- '--events-db PATH'
check "generate --help" 0 $?
"${G[@]}" --org O --email r@rcv.example --out "$D" 2>/dev/null
check "no --events-db: usage error" 2 $?
"${G[@]}" --events-db "$D/e.db" --org O --email r@rcv.example 2>/dev/null
check "neither --out nor --send: usage error" 2 $?
"${G[@]}" --events-db "$D/e.db" --org O --email r@rcv.example --out "$D" --send 2>/dev/null
check "both --out and --send: usage error" 2 $?
"${G[@]}" --events-db "$D/e.db" --org O --email nobody --out "$D" 2>/dev/null
check "--email without @: usage error" 2 $?
"${G[@]}" --events-db "$D/e.db" --org O --email r@rcv.example --out "$D" --period 5h 2>/dev/null
check "--period 5h (does not divide a day): usage error" 2 $?
"${G[@]}" --events-db "$D/e.db" --org O --email r@rcv.example --out "$D/nodir" 2>/dev/null
check "--out to a missing directory: usage error" 2 $?
"${G[@]}" --events-db "$D/e.db" --org O --email r@rcv.example --out "$D" > "$D/empty.out"
check "empty database: exit 0" 0 $?
check "empty database: says so" 1 "$(grep -c '^no DMARC evaluations' "$D/empty.out")"

need postfix postfix
need swaks swaks
need xmllint libxml2-utils
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (postfix master)"; exit 77; }
SMTP=$(free_port); MIL=$(free_port); SINK=$(free_port)
while [ "$MIL" = "$SMTP" ]; do MIL=$(free_port); done
while [ "$SINK" = "$SMTP" ] || [ "$SINK" = "$MIL" ]; do SINK=$(free_port); done

# ---- DNS and the milter ---------------------------------------------------------
mkdir -p "$D/mw" "$D/out" "$D/reports"
cat > "$D/mw/test.zone" <<'ZONE'
$TTL 300
shop.example.         TXT "v=spf1 ip4:192.0.2.9 -all"
_dmarc.shop.example.  TXT "v=DMARC1; p=quarantine; rua=mailto:agg@shop.example"
bank.example.         TXT "v=spf1 ip4:192.0.2.9 -all"
_dmarc.bank.example.  TXT "v=DMARC1; p=reject; rua=mailto:agg@thirdparty.example"
news.example.         TXT "v=spf1 ip4:127.0.0.1 -all"
_dmarc.news.example.  TXT "v=DMARC1; p=none; rua=mailto:agg@authorised.example!10m,mailto:x@other.example"
corp.example.         TXT "v=spf1 ip4:192.0.2.9 -all"
_dmarc.corp.example.  TXT "v=DMARC1; p=reject; rua=mailto:agg@corp.example"
news.example._report._dmarc.authorised.example. TXT "v=DMARC1"
ZONE
cat > "$D/mw/mailwarden.conf" <<CONF
[milter]
socket = inet:$MIL@127.0.0.1
authserv_id = mx.rcv.example
domains = rcv.example
zone = $D/mw/test.zone
dmarc_reject = yes
dmarc_exempt_domains = corp.example
default_action = tempfail
events_db = $D/mw/events.db
CONF
"$MW" milter -c "$D/mw/mailwarden.conf" 2> "$D/mw.log" &
MWPID=$!
wait_port "$MIL" || { cat "$D/mw.log"; exit 1; }
$PY "$HERE/milter_sink.py" "$SINK" "$D/out" "$D/sink.pid" 2> "$D/sink.log" &
wait_port "$SINK" || { cat "$D/sink.log"; exit 1; }

# ---- postfix ----------------------------------------------------------------------
pf_layout "$D" "$SMTP"
pf_main "$D" mx.rcv.example <<CONF
relay_domains = rcv.example
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$SINK
smtp_tls_security_level = none
smtpd_milters = inet:127.0.0.1:$MIL
milter_default_action = tempfail
CONF
pf_start "$D"
wait_port "$SMTP" || { cat "$D/start.log" "$D/maillog" 2>/dev/null; exit 1; }

send() { local f=$1; shift
  swaks --server 127.0.0.1 --port "$SMTP" --from "$f" --to alice@rcv.example --silent 2 \
    --header "From: <$f>" "$@" >> "$D/swaks.log" 2>&1; echo $?; }

# ---- inbound mail: 2 spoofs of shop (quarantine: header added), 1 of bank
# (reject, applied), 1 of corp (reject, but exempt), 3 genuine from news
check "shop spoof 1 accepted" 0 "$(send ceo@shop.example)"
check "shop spoof 2 accepted" 0 "$(send ceo@shop.example)"
rc=$(send ceo@bank.example)
check "bank spoof rejected" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
check "corp spoof accepted (exempt)" 0 "$(send ceo@corp.example)"
for i in 1 2 3; do check "news message $i accepted" 0 "$(send list@news.example)"; done

# ---- --out ----------------------------------------------------------------------
UNTIL=$(( $(date +%s) + 86400 ))   # include today's (incomplete) period
GEN=("$MW" dmarc-report generate --events-db "$D/mw/events.db" --org "Mailwarden Test"
     --email dmarc-reports@rcv.example --until "$UNTIL")
"${GEN[@]}" --out "$D/reports" > "$D/out.txt"
check "generate --out: exit 0" 0 $?
check "four report files" 4 "$(ls "$D/reports" | grep -c '^rcv\.example![a-z.]*![0-9]*![0-9]*\.xml\.gz$')"
for dom in shop.example bank.example news.example corp.example; do
  F=$(ls "$D/reports"/rcv.example\!$dom\!*.xml.gz 2>/dev/null | head -1)
  zcat "$F" > "$D/$dom.xml" 2>/dev/null
  xmllint --noout --schema "$XSD" "$D/$dom.xml" 2> "$D/xmllint.log"
  check "$dom: valid against rfc9990.xsd" 0 $?
  "$MW" dmarc-report --json "$F" > "$D/$dom.file.json" 2>/dev/null
done
msgs() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["messages"])' "$1" 2>/dev/null; }
check "shop: 2 messages" 2 "$(msgs "$D/shop.example.file.json")"
check "bank: 1 message" 1 "$(msgs "$D/bank.example.file.json")"
check "news: 3 messages" 3 "$(msgs "$D/news.example.file.json")"
check "shop: disposition quarantine" 1 \
  "$(tr -d ' \n' < "$D/shop.example.xml" | grep -c '<disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>')"
check "corp: disposition none, reason local_policy (exempt)" 1 \
  "$(tr -d ' \n' < "$D/corp.example.xml" | grep -c '<disposition>none</disposition><dkim>fail</dkim><spf>fail</spf><reason><type>local_policy</type></reason>')"
check "bank: disposition reject" 1 "$(grep -c '<disposition>reject</disposition>' "$D/bank.example.xml")"
check "news: disposition pass, spf aligned" 1 \
  "$(tr -d ' \n' < "$D/news.example.xml" | grep -c '<count>3</count><policy_evaluated><disposition>pass</disposition><dkim>fail</dkim><spf>pass</spf>')"
check "news: policy p=none published" 1 "$(grep -c '<p>none</p>' "$D/news.example.xml")"

# ---- --send through Postfix's sendmail --------------------------------------------
MAIL_CONFIG="$D/etc" "${GEN[@]}" --send --zone "$D/mw/test.zone" > "$D/send.txt" 2>&1
check "generate --send: exit 1 (destinations dropped)" 1 $?
check "corp: agg@corp.example sent" 1 "$(grep -c '^  mailto:agg@corp.example: sent$' "$D/send.txt")"
check "shop: agg@shop.example sent" 1 "$(grep -c '^  mailto:agg@shop.example: sent$' "$D/send.txt")"
check "news: authorised external destination sent" 1 "$(grep -c '^  mailto:agg@authorised.example: sent$' "$D/send.txt")"
check "news: unauthorised external destination dropped" 1 \
  "$(grep -c '^  mailto:x@other.example: dropped: external destination not authorised: no v=DMARC1 at news.example._report._dmarc.other.example' "$D/send.txt")"
check "bank: thirdparty.example dropped" 1 \
  "$(grep -c '^  mailto:agg@thirdparty.example: dropped: external destination not authorised' "$D/send.txt")"
# the sink got 6 inbound messages, then the 3 reports
reports=()
for _ in $(seq 1 150); do
  mapfile -t reports < <(grep -l '^Subject: Report Domain:' "$D"/out/*.eml 2>/dev/null)
  [ "${#reports[@]}" -ge 3 ] && break; sleep 0.1
done
check "three report mails delivered" 3 "${#reports[@]}"
for M in "${reports[@]}"; do
  dom=$(sed -n 's/^Subject: Report Domain: \([^ ]*\) Submitter: rcv.example.*/\1/p' "$M")
  env="${M%.eml}.env"
  case $dom in news.example) want_rcpt="<agg@authorised.example>" ;; *) want_rcpt="<agg@$dom>" ;; esac
  check "$dom: envelope sender" "<dmarc-reports@rcv.example>" "$(head -1 "$env")"
  check "$dom: envelope recipient" "$want_rcpt" "$(sed -n 2p "$env")"
  "$MW" dmarc-report --json "$M" > "$D/$dom.mail.json" 2>/dev/null
  same=$($PY - "$D/$dom.file.json" "$D/$dom.mail.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print("same" if a["sources"] == b["sources"] and a["messages"] == b["messages"] else "differ")
PYEOF
)
  check "$dom: the mailed report reads back into the same records" same "$same"
done

# ---- idempotent -------------------------------------------------------------------------
MAIL_CONFIG="$D/etc" "${GEN[@]}" --send --zone "$D/mw/test.zone" > "$D/send2.txt" 2>&1
check "second --send: exit 0" 0 $?
check "second --send: 4 periods already sent" 4 "$(grep -c ': already sent$' "$D/send2.txt")"
sleep 1
check "no new report mail" 3 "$(grep -l '^Subject: Report Domain:' "$D"/out/*.eml 2>/dev/null | wc -l)"

# ---- --again --json: the same reports again, as JSON ------------------------------
MAIL_CONFIG="$D/etc" "${GEN[@]}" --send --again --json --zone "$D/mw/test.zone" > "$D/again.json" 2>&1
check "--again: exit 1 (same dropped destinations)" 1 $?
check "--again --json: 4 reports, 3 sent, 2 dropped" "4 3 2" "$($PY - "$D/again.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))["reports"]
st = [d["status"] for x in r for d in x["destinations"]]
print(len(r), st.count("sent"), st.count("dropped"))
PYEOF
)"
check "--again: the same report ids" "$(grep -o 'report [0-9.a-f]*' "$D/send.txt" | sort | tr -d '\n')" \
  "$($PY -c 'import json,sys; print("".join(sorted("report " + x["report_id"] for x in json.load(open(sys.argv[1]))["reports"])))' "$D/again.json")"

# ---- retention: --keep 1 a hundred days later deletes the 7 stored results --------
"$MW" dmarc-report generate --events-db "$D/mw/events.db" --org O --email dmarc-reports@rcv.example \
  --until $((UNTIL + 100 * 86400)) --keep 1 --send --zone "$D/mw/test.zone" > "$D/keep.txt" 2>&1
check "--keep 1: exit 0, nothing to send" 0 $?
check "--keep 1: 7 results deleted" 1 "$(grep -c '^deleted 7 stored results older than 1 days$' "$D/keep.txt")"

echo "$FAILS failed"
if [ "$FAILS" -ne 0 ]; then
  echo "--- out.txt"; cat "$D/out.txt"; echo "--- send.txt"; cat "$D/send.txt"
  echo "--- mailwarden log"; tail -20 "$D/mw.log"; echo "--- maillog"; tail -30 "$D/maillog"
  exit 1
fi
