#!/usr/bin/env bash
# serve_milter_postfix.sh MAILWARDEN - `mailwarden serve` with the milter
# inside (milter = in [serve]) behind one private Postfix on loopback:
# smtpd_milters and check_policy_service both point at the same process.
# Deliveries go through relayhost to a python sink (milter_sink.py); DNS
# comes from an offline zone file.  Checks:
#  - outbound from a SASL user is DKIM-signed (verified by mailwarden);
#  - inbound spoof of a p=reject domain is rejected (550 5.7.1), of a
#    p=reject; pct=0 domain and of a p=reject; t=y domain is accepted with
#    dis=quarantine in our A-R and the X-Mailwarden-DMARC field;
#  - the same p=reject spoof from a configured forwarder (127.0.0.2) is
#    accepted with "override=forwarded" in our A-R;
#  - inbound_scan = tag adds X-Mailwarden-Scan to inbound mail;
#  - three phishing-shaped outbound messages from alice land in the hold
#    queue; each becomes a milter-scan event and runs alert_command; past
#    `hold = 2` of a count = scan_holds rule a policy event is recorded and
#    alice's next, clean, message is answered HOLD by the policy service,
#    while bob's clean message passes;
#  - restarted with dmarc_quarantine = hold and inbound_scan = reject: the
#    pct=0 spoof lands in the hold queue, an inbound phishing-shaped
#    message is refused 550 5.7.1;
#  - both sockets are bound before root is dropped (user = nobody); SIGHUP
#    reloads without stopping the milter; SIGTERM stops both, exit 0.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
. "$(dirname "$0")/lib_postfix.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
need postfix postfix
need swaks swaks
need saslpasswd2 sasl2-bin
need curl curl
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (postfix master)"; exit 77; }

D=$(mktemp -d /tmp/mw-smilter-XXXXXX)
chmod 755 "$D"
SMTP=$(free_port); MIL=$(free_port); SINK=$(free_port); POL=$(free_port)
while [ "$MIL" = "$SMTP" ]; do MIL=$(free_port); done
while [ "$SINK" = "$SMTP" ] || [ "$SINK" = "$MIL" ]; do SINK=$(free_port); done
while [ "$POL" = "$SMTP" ] || [ "$POL" = "$MIL" ] || [ "$POL" = "$SINK" ]; do POL=$(free_port); done
HTTP=$(free_port)
while [ "$HTTP" = "$SMTP" ] || [ "$HTTP" = "$MIL" ] || [ "$HTTP" = "$SINK" ] || [ "$HTTP" = "$POL" ]; do HTTP=$(free_port); done
MWPID=
cleanup() {
  pf_stop "$D"
  [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null
  [ -s "$D/sink.pid" ] && kill "$(cat "$D/sink.pid")" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT

# ---- keys, DNS, configuration ---------------------------------------------------
mkdir -p "$D/mw" "$D/out"
"$MW" dkim keygen --selector rsa1 --domain example.com --out "$D/mw/rsa1" >/dev/null
{
  echo '$TTL 300'
  echo 'example.com.          TXT "v=spf1 ip4:192.0.2.1 -all"'
  echo '_dmarc.example.com.   TXT "v=DMARC1; p=reject"'
  echo 'bank.example.         TXT "v=spf1 ip4:192.0.2.9 -all"'
  echo '_dmarc.bank.example.  TXT "v=DMARC1; p=reject"'
  echo 'pct0.example.         TXT "v=spf1 ip4:192.0.2.9 -all"'
  echo '_dmarc.pct0.example.  TXT "v=DMARC1; p=reject; pct=0"'
  echo 'trial.example.        TXT "v=spf1 ip4:192.0.2.9 -all"'
  echo '_dmarc.trial.example. TXT "v=DMARC1; p=reject; t=y"'
  echo 'news.example.         TXT "v=spf1 ip4:127.0.0.1 -all"'
  grep -v '^;' "$D/mw/rsa1.txt"
} > "$D/mw/test.zone"
cat > "$D/alert.sh" <<SH
#!/bin/sh
cat >> "$D/alerts.log"
SH
chmod 755 "$D/alert.sh"
touch "$D/alerts.log"; chown nobody "$D/alerts.log" "$D/mw"
cat > "$D/mw/mailwarden.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = off
metrics = 127.0.0.1:$HTTP
events_db = $D/mw/events.db
store = memory
log = stderr
user = nobody
alert_command = $D/alert.sh
milter = inet:$MIL@127.0.0.1

[rule scan_user]
key = sasl_username
count = scan_holds
window = 1h
hold = 2
text = too many content-scan holds: held for review

[milter]
authserv_id = mx.example.com
domains = example.com
zone = $D/mw/test.zone
dkim_key = example.com rsa1 $D/mw/rsa1.private
dmarc_reject = yes
dmarc_quarantine = header
dmarc_forwarders = 127.0.0.2
inbound_scan = tag
scan_rules = $HERE/../../samples/scan/phishing.rules
CONF
"$MW" serve -c "$D/mw/mailwarden.conf" --check > "$D/check.out"
check "serve --check shows the milter" 1 "$(grep -c "milter on inet:$MIL@127.0.0.1: 1 DKIM keys" "$D/check.out")"
sed 's/^inbound_scan = tag/inbound_scan = loud/' "$D/mw/mailwarden.conf" > "$D/mw/bad.conf"
"$MW" serve -c "$D/mw/bad.conf" --check > /dev/null 2>&1
check "a bad [milter] value: exit 2" 2 $?
"$MW" serve -c "$D/mw/mailwarden.conf" --milter off --check > "$D/check.out"
check "--milter off: no milter" 0 "$(grep -c 'milter on' "$D/check.out")"
"$MW" serve -c "$D/mw/mailwarden.conf" 2> "$D/mw.log" &
MWPID=$!
wait_port "$POL" || { cat "$D/mw.log"; exit 1; }
wait_port "$MIL" || { cat "$D/mw.log"; exit 1; }
check "both sockets bound, then root dropped to nobody" "nobody" "$(ps -o user= -p $MWPID | tr -d ' ')"
$PY "$HERE/milter_sink.py" "$SINK" "$D/out" "$D/sink.pid" 2> "$D/sink.log" &
wait_port "$SINK" || { cat "$D/sink.log"; exit 1; }

# ---- postfix ------------------------------------------------------------------
pf_layout "$D" "$SMTP"
pf_main "$D" mw-test.localdomain <<CONF
relay_domains = example.com
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$SINK
smtp_tls_security_level = none
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_end_of_data_restrictions = check_policy_service inet:127.0.0.1:$POL
smtpd_milters = inet:127.0.0.1:$MIL
milter_default_action = tempfail
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
CONF
pf_sasl "$D" mw-test.localdomain alice testpass
echo "testpass" | saslpasswd2 -p -c -f "$D/sasl/sasldb2" -u mw-test.localdomain bob
pf_start "$D"
wait_port "$SMTP" || { cat "$D/start.log" "$D/maillog" 2>/dev/null; exit 1; }

# send FROM TO [swaks options] - one message; echoes swaks' exit code
send() { local f=$1 t=$2; shift 2
  swaks --server 127.0.0.1 --port "$SMTP" --from "$f" --to "$t" --silent 2 "$@" >> "$D/swaks.log" 2>&1; echo $?; }
our_ar() { awk 'tolower($0) ~ /^authentication-results: mx\.example\.com/ {on=1; printf "%s", $0; next}
  on && /^[ \t]/ {printf " %s", $0; next} {on=0}' "$1" 2>/dev/null; echo; }
N=0
# next_delivery - wait for the sink's next message (10 s); M = its path
next_delivery() {
  N=$((N+1)); M="$D/out/missing-$N"
  for _ in $(seq 1 100); do [ -f "$D/out/$N.eml" ] && { M="$D/out/$N.eml"; return; }; sleep 0.1; done
}
held() { MAIL_CONFIG="$D/etc" postqueue -j | grep -c '"queue_name": *"hold"'; }
# wait_held N - until N messages are in the hold queue (5 s)
wait_held() { local h=0; for _ in $(seq 1 50); do h=$(held); [ "$h" -ge "$1" ] && break; sleep 0.1; done; echo "$h"; }
events() { "$MW" events --db "$D/mw/events.db" --json "$@" 2>/dev/null; }
auth_alice=(--auth LOGIN --auth-user alice@mw-test.localdomain --auth-password testpass)
auth_bob=(--auth LOGIN --auth-user bob@mw-test.localdomain --auth-password testpass)

# ---- 1. outbound: signed by the milter inside serve --------------------------
check "outbound message accepted" 0 "$(send alice@example.com bob@remote.example "${auth_alice[@]}" \
  --header "From: Alice <alice@example.com>" --header "Subject: quarterly report")"
next_delivery
"$MW" dkim verify "$M" --zone "$D/mw/test.zone" > "$D/mwdkim.out" 2>&1
check "its DKIM signature verifies" "0 1" "$? $(grep -c '^signature [0-9]*: pass' "$D/mwdkim.out")"

# ---- 2. DMARC: reject, pct=0, t=y, forwarder override --------------------------
rc=$(send ceo@bank.example alice@example.com --header "From: <ceo@bank.example>")
check "p=reject spoof refused" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
check "postfix logged the 5.7.1 DMARC reject" 1 "$(grep -c 'milter-reject: END-OF-MESSAGE.*5.7.1 rejected by DMARC' "$D/maillog")"
check "p=reject; pct=0 spoof accepted" 0 "$(send ceo@pct0.example alice@example.com --header "From: <ceo@pct0.example>")"
next_delivery
check "A-R: dis=quarantine, sampled out" 1 "$(our_ar "$M" | grep -c 'dmarc=fail (p=reject dis=quarantine pct-sampled-out')"
check "X-Mailwarden-DMARC quarantine field" 1 "$(grep -c '^X-Mailwarden-DMARC: DMARC policy quarantine for pct0.example' "$M")"
check "p=reject; t=y spoof accepted" 0 "$(send ceo@trial.example alice@example.com --header "From: <ceo@trial.example>")"
next_delivery
check "A-R: dis=quarantine t=y" 1 "$(our_ar "$M" | grep -c 'dmarc=fail (p=reject dis=quarantine t=y')"
check "p=reject spoof via the forwarder 127.0.0.2 accepted" 0 \
  "$(send ceo@bank.example alice@example.com --local-interface 127.0.0.2 --header "From: <ceo@bank.example>")"
next_delivery
check "A-R: dis=none override=forwarded" 1 "$(our_ar "$M" | grep -c 'dmarc=fail (p=reject dis=none override=forwarded)[[:space:]]*header.from=bank.example')"
check "the milter logged the override" 1 "$(grep -c 'DMARC bank.example: requested reject, dis=none override=forwarded' "$D/mw.log")"
check "inbound_scan = tag: X-Mailwarden-Scan added" 1 "$(grep -c '^X-Mailwarden-Scan: score=0 threshold=10 rules=none' "$M")"

# ---- 3. SIGHUP keeps the milter ---------------------------------------------
kill -HUP "$MWPID"
for _ in $(seq 1 50); do grep -q 'configuration reloaded' "$D/mw.log" && break; sleep 0.1; done
check "after SIGHUP inbound mail still gets our A-R" 0 "$(send news@news.example alice@example.com --header "From: <news@news.example>")"
next_delivery
check "A-R present" 1 "$(grep -ci '^Authentication-Results: mx.example.com' "$M" 2>/dev/null)"

# ---- 4. scan holds: hold queue, events, alerts, then HOLD at the policy service
phish() { send alice@example.com "victim$1@remote.example" "${auth_alice[@]}" \
  --header "From: \"security@bank.example\" <alice@example.com>" --header "Subject: Action required" \
  --body "Your account has been suspended. Verify your account at https://secure-login.example/x"; }
for i in 1 2 3; do
  check "phishing-shaped message $i accepted" 0 "$(phish $i)"
  check "held ($i in the hold queue)" "$i" "$(wait_held $i)"
done
for _ in $(seq 1 50); do [ "$(events --key alice@mw-test.localdomain | grep -c '"source": "milter-scan"')" = 3 ] && break; sleep 0.1; done
check "three milter-scan hold events for alice" 3 "$(events --key alice@mw-test.localdomain | grep -c '"source": "milter-scan"')"
check "one scan_user policy event (hold crossed)" 1 "$(events --key alice@mw-test.localdomain | grep -c '"rule": "scan_user"')"
for _ in $(seq 1 50); do [ "$(grep -c '"source":"milter-scan"' "$D/alerts.log" 2>/dev/null)" = 3 ] && break; sleep 0.1; done
check "alert_command ran for each scan hold" 3 "$(grep -c '"source":"milter-scan"' "$D/alerts.log" 2>/dev/null)"
check "/metrics counts the three scan holds" 1 \
  "$(curl -s "http://127.0.0.1:$HTTP/metrics" | grep -c '^mailwarden_milter_scan_holds_total 3$')"
check "and for the rule crossing" 1 "$(grep -c '"rule":"scan_user"' "$D/alerts.log" 2>/dev/null)"
check "alice's clean message accepted" 0 "$(send alice@example.com carol@remote.example "${auth_alice[@]}" \
  --header "From: Alice <alice@example.com>" --header "Subject: lunch")"
check "and put on hold by the policy service" 4 "$(wait_held 4)"
check "serve answered HOLD with the rule text" 1 "$(grep -c 'HOLD too many content-scan holds: held for review sasl_username=alice@mw-test.localdomain' "$D/mw.log")"
check "bob's clean message passes" 0 "$(send bob@example.com carol@remote.example "${auth_bob[@]}" \
  --header "From: Bob <bob@example.com>" --header "Subject: lunch")"
next_delivery
check "delivered, signed" 1 "$(grep -ci '^DKIM-Signature:' "$M" 2>/dev/null)"
check "hold queue unchanged" 4 "$(held)"

# ---- 5. SIGTERM stops both ------------------------------------------------------
kill -TERM "$MWPID"; wait "$MWPID"; rc=$?; MWPID=
check "SIGTERM: serve exits 0" 0 "$rc"
check "milter port closed" 1 "$( (exec 3<>/dev/tcp/127.0.0.1/$MIL) 2>/dev/null && echo 0 || echo 1)"

# ---- 6. restarted with dmarc_quarantine = hold, inbound_scan = reject --------
sed -e 's/^dmarc_quarantine = header/dmarc_quarantine = hold/' -e 's/^inbound_scan = tag/inbound_scan = reject/' \
  "$D/mw/mailwarden.conf" > "$D/mw/strict.conf"
"$MW" serve -c "$D/mw/strict.conf" 2>> "$D/mw.log" &
MWPID=$!
wait_port "$MIL" || { tail "$D/mw.log"; exit 1; }
before=$(held)
check "pct=0 spoof accepted" 0 "$(send ceo@pct0.example alice@example.com --header "From: <ceo@pct0.example>")"
check "and quarantined (DMARC quarantine = hold)" $((before+1)) "$(wait_held $((before+1)))"
rc=$(send news@news.example alice@example.com --header "From: <news@news.example>" --header "Subject: Action required" \
  --body "Your account has been suspended. Verify your account at https://secure-login.example/x")
check "inbound phishing-shaped message refused (inbound_scan = reject)" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
check "postfix logged the 5.7.1 content reject" 1 "$(grep -c 'milter-reject: END-OF-MESSAGE.*5.7.1 message refused by content policy' "$D/maillog")"
kill -TERM "$MWPID"; wait "$MWPID"; rc=$?; MWPID=
check "SIGTERM again: exit 0" 0 "$rc"
echo "$FAILS failed"
if [ "$FAILS" -ne 0 ]; then
  echo "--- mailwarden log"; tail -30 "$D/mw.log"; echo "--- maillog"; tail -30 "$D/maillog"
  exit 1
fi
