#!/usr/bin/env bash
# milter_postfix.sh MAILWARDEN - a real, private Postfix on loopback with
# smtpd_milters = `mailwarden milter`; deliveries go through relayhost to a
# python sink on loopback (milter_sink.py), which keeps every message and
# its envelope.  DNS comes from an offline zone file.  Checks:
#  - outbound (SASL-authenticated alice): the delivered message carries
#    rsa-sha256 and ed25519-sha256 DKIM signatures that python3-dkim and
#    `mailwarden dkim verify` accept, and a BATV-tagged envelope sender that
#    `mailwarden batv verify` accepts;
#  - inbound spoof of a p=quarantine domain: delivered with our A-R showing
#    dmarc=fail; spoof of a p=reject domain: rejected (550 5.7.1);
#  - a forged A-R with our authserv-id is removed, a foreign one kept;
#  - a bounce (null sender) to an untagged address of ours is rejected, to a
#    tagged one accepted and delivered to the original address;
#  - an outbound phishing-shaped message (samples/scan/phishing.rules) lands
#    in Postfix's hold queue and a hold event is recorded;
#  - SMFIP_HDR_LEADSPC: a simple/simple signature over odd header spacing
#    verifies through Postfix (the milter rebuilds fields byte-exactly).
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
need postfix postfix
need swaks swaks
need saslpasswd2 sasl2-bin
$PY -c 'import dkim, nacl' 2>/dev/null || need no-python3-dkim python3-dkim
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (postfix master)"; exit 77; }

D=$(mktemp -d /tmp/mw-milter-XXXXXX)
chmod 755 "$D"
SMTP=$(free_port); MIL=$(free_port); SINK=$(free_port)
while [ "$MIL" = "$SMTP" ]; do MIL=$(free_port); done
while [ "$SINK" = "$SMTP" ] || [ "$SINK" = "$MIL" ]; do SINK=$(free_port); done
MWPID=
PASS=0
cleanup() {
  postfix -c "$D/etc" stop >/dev/null 2>&1
  [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null
  [ -s "$D/sink.pid" ] && kill "$(cat "$D/sink.pid")" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT
ok() { if [ "$2" = "$3" ]; then PASS=$((PASS+1)); fi; check "$@"; }

# ---- keys and DNS --------------------------------------------------------------
mkdir -p "$D/mw" "$D/out"
"$MW" dkim keygen --selector rsa1 --domain example.com --out "$D/mw/rsa1" >/dev/null
"$MW" dkim keygen --selector ed1 --domain example.com --algorithm ed25519-sha256 --out "$D/mw/ed1" >/dev/null
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$D/mw/batv.key"; echo >> "$D/mw/batv.key"
{
  echo '$TTL 300'
  echo 'example.com.        TXT "v=spf1 ip4:192.0.2.1 -all"'
  echo '_dmarc.example.com. TXT "v=DMARC1; p=reject"'
  echo 'bank.example.       TXT "v=spf1 ip4:192.0.2.9 -all"'
  echo '_dmarc.bank.example. TXT "v=DMARC1; p=reject"'
  echo 'shop.example.       TXT "v=spf1 ip4:192.0.2.9 -all"'
  echo '_dmarc.shop.example. TXT "v=DMARC1; p=quarantine"'
  echo 'news.example.       TXT "v=spf1 ip4:127.0.0.1 -all"'
  cat "$D/mw/rsa1.txt" "$D/mw/ed1.txt" | grep -v '^;'
} > "$D/mw/test.zone"
cat > "$D/mw/mailwarden.conf" <<CONF
[milter]
socket = inet:$MIL@127.0.0.1
authserv_id = mx.example.com
domains = example.com
zone = $D/mw/test.zone
dkim_key = example.com rsa1 $D/mw/rsa1.private
dkim_key = example.com ed1 $D/mw/ed1.private
batv_key_file = $D/mw/batv.key
dmarc_reject = yes
default_action = tempfail
scan_rules = $HERE/../../samples/scan/phishing.rules
events_db = $D/mw/events.db
max_message = 1048576
CONF
# configuration errors are usage errors (exit 2), never a half-started milter
"$MW" milter -c "$D/mw/mailwarden.conf" --set "dkim_key=example.com x $D/nonexistent" --check 2>/dev/null
ok "missing DKIM key file: exit 2" 2 $?
"$MW" milter -c "$D/mw/mailwarden.conf" --set "no_such_key=1" --check 2>/dev/null
ok "unknown setting: exit 2" 2 $?
"$MW" milter -c "$D/mw/mailwarden.conf" --check > /dev/null
ok "the test configuration checks" 0 $?
"$MW" milter -c "$D/mw/mailwarden.conf" 2> "$D/mw.log" &
MWPID=$!
wait_port "$MIL" || { cat "$D/mw.log"; exit 1; }
$PY "$HERE/milter_sink.py" "$SINK" "$D/out" "$D/sink.pid" 2> "$D/sink.log" &
wait_port "$SINK" || { cat "$D/sink.log"; exit 1; }

# ---- postfix ------------------------------------------------------------------
mkdir -p "$D/etc" "$D/spool" "$D/data" "$D/sasl"
chown postfix "$D/data"
cp /etc/postfix/master.cf "$D/etc/master.cf" 2>/dev/null || cp /usr/share/postfix/master.cf.dist "$D/etc/master.cf"
awk -v port="$SMTP" '
  /^[a-z]/ && NF >= 8 { if ($5 == "y" || $5 == "-") $5 = "n"; if ($1 == "smtp" && $2 == "inet") $1 = "127.0.0.1:" port }
  { print }' "$D/etc/master.cf" > "$D/etc/master.cf.new" && mv "$D/etc/master.cf.new" "$D/etc/master.cf"
cat > "$D/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $D/spool
data_directory = $D/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mw-test.localdomain
mydomain = localdomain
mydestination =
relay_domains = example.com
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file = $D/maillog
maillog_file_prefixes = $D
relayhost = [127.0.0.1]:$SINK
smtp_tls_security_level = none
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_milters = inet:127.0.0.1:$MIL
milter_default_action = tempfail
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
CONF
mkdir -p "$D/etc/sasl"
echo "testpass" | saslpasswd2 -p -c -f "$D/sasl/sasldb2" -u mw-test.localdomain alice
chown postfix "$D/sasl/sasldb2"; chmod 600 "$D/sasl/sasldb2"
cat > "$D/etc/sasl/smtpd.conf" <<CONF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $D/sasl/sasldb2
mech_list: PLAIN LOGIN
CONF
postfix -c "$D/etc" check 2> "$D/check.log" || { cat "$D/check.log"; exit 1; }
postfix -c "$D/etc" start 2> "$D/start.log" || { cat "$D/start.log"; exit 1; }
wait_port "$SMTP" || { cat "$D/start.log" "$D/maillog" 2>/dev/null; exit 1; }

# send FROM TO [swaks options] - one message; echoes swaks' exit code
send() { local f=$1 t=$2; shift 2
  swaks --server 127.0.0.1 --port "$SMTP" --from "$f" --to "$t" --silent 2 "$@" >> "$D/swaks.log" 2>&1; echo $?; }
# our_ar FILE - our A-R field of a delivered message, unfolded onto one line
our_ar() { awk 'tolower($0) ~ /^authentication-results: mx\.example\.com/ {on=1; printf "%s", $0; next}
  on && /^[ \t]/ {printf " %s", $0; next} {on=0}' "$1" 2>/dev/null; echo; }
# delivered N - wait for the sink's N-th message (10 s); echoes its path
delivered() {
  for _ in $(seq 1 100); do [ -f "$D/out/$1.eml" ] && { echo "$D/out/$1.eml"; return; }; sleep 0.1; done
  echo "$D/out/missing-$1"
}

# ---- 1. outbound, authenticated: DKIM-signed, BATV-tagged --------------------
auth=(--auth LOGIN --auth-user alice@mw-test.localdomain --auth-password testpass)
ok "outbound message accepted" 0 "$(send alice@example.com bob@remote.example "${auth[@]}" \
  --header "From: Alice <alice@example.com>" --header "Subject: quarterly report")"
M=$(delivered 1)
ok "two DKIM signatures added" 2 "$(grep -ci '^DKIM-Signature:' "$M" 2>/dev/null)"
$PY "$HERE/dkim_check.py" "$D/mw/test.zone" "$M" > "$D/pydkim.out" 2>&1
ok "python3-dkim verifies both signatures" "0 2" "$? $(grep -c '^pass' "$D/pydkim.out")"
"$MW" dkim verify "$M" --zone "$D/mw/test.zone" > "$D/mwdkim.out" 2>&1
ok "mailwarden dkim verify passes" "0 2" "$? $(grep -c '^signature [0-9]*: pass' "$D/mwdkim.out")"
ENVFROM=$(head -1 "$D/out/1.env" 2>/dev/null | tr -d '<>')
ok "envelope sender BATV-tagged" 1 "$(echo "$ENVFROM" | grep -c '^prvs=[0-9]\{4\}[0-9a-f]\{6\}=alice@example.com$')"
"$MW" batv verify "$ENVFROM" --key-file "$D/mw/batv.key" > /dev/null
ok "the tag verifies with our key" 0 $?
ok "no A-R added to outbound mail" 0 "$(grep -ci '^Authentication-Results:' "$M" 2>/dev/null)"

# ---- 2. inbound spoofs: p=quarantine delivered with dmarc=fail, p=reject rejected
ok "spoof of a p=quarantine domain accepted" 0 "$(send ceo@shop.example alice@example.com \
  --header "From: <ceo@shop.example>")"
M=$(delivered 2)
ok "our A-R shows dmarc=fail" 1 "$(our_ar "$M" | grep -c 'dmarc=fail (p=quarantine')"
ok "our A-R shows spf=fail" 1 "$(our_ar "$M" | grep -c 'spf=fail smtp.mailfrom=ceo@shop.example')"
rc=$(send ceo@bank.example alice@example.com --header "From: <ceo@bank.example>")
ok "spoof of a p=reject domain refused by swaks" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
ok "postfix logged the milter reject (5.7.1 DMARC)" 1 \
  "$(grep -c 'milter-reject: END-OF-MESSAGE.*5.7.1 rejected by DMARC' "$D/maillog")"
ok "the milter logged dmarc=fail for bank.example" 1 "$(tr '\n' ' ' < "$D/mw.log" | grep -c 'dmarc=fail (p=reject[^>]*header.from=bank.example[^>]*-> reject')"

# ---- 3. forged A-R with our authserv-id removed, foreign kept -----------------
ok "message with a forged A-R accepted" 0 "$(send news@news.example alice@example.com \
  --header "From: <news@news.example>" \
  --add-header "Authentication-Results: mx.example.com; dmarc=pass header.from=forged-marker.example" \
  --add-header "Authentication-Results: other.example; spf=pass smtp.mailfrom=kept-marker.example")"
M=$(delivered 3)
ok "forged A-R removed" 0 "$(grep -c 'forged-marker' "$M" 2>/dev/null)"
ok "foreign A-R kept" 1 "$(grep -c 'kept-marker' "$M" 2>/dev/null)"
ok "exactly one A-R with our authserv-id" 1 "$(grep -ci '^Authentication-Results: mx.example.com' "$M" 2>/dev/null)"
ok "and it says spf=pass for news.example" 1 "$(our_ar "$M" | grep -c 'spf=pass smtp.mailfrom=news@news.example')"

# ---- 4. BATV: bounces -------------------------------------------------------------
rc=$(send "<>" alice@example.com --header "Subject: Undelivered Mail")
ok "bounce to an untagged address refused" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
ok "postfix logged the RCPT reject" 1 "$(grep -c 'milter-reject: RCPT from.*5.7.1 bounce to an address we never used' "$D/maillog")"
TAG=$("$MW" batv sign alice@example.com --key-file "$D/mw/batv.key")
ok "bounce to a tagged address accepted" 0 "$(send "<>" "$TAG" --header "Subject: Undelivered Mail")"
M=$(delivered 4)
ok "delivered to the original address" "<alice@example.com>" "$(sed -n 2p "$D/out/4.env" 2>/dev/null)"
rc=$(send "<>" "prvs=0999abcdef=alice@example.com" --header "Subject: Undelivered Mail")
ok "bounce with a bad tag refused" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"

# ---- 5. outbound phishing-shaped message: hold queue + event -------------------
ok "phishing-shaped outbound message accepted" 0 "$(send alice@example.com victim@remote.example "${auth[@]}" \
  --header "From: \"security@bank.example\" <alice@example.com>" --header "Subject: Action required" \
  --body "Your account has been suspended. Verify your account at https://secure-login.example/x")"
hold=0
for _ in $(seq 1 50); do
  hold=$(MAIL_CONFIG="$D/etc" postqueue -j | grep -c '"queue_name": *"hold"'); [ "$hold" = 1 ] && break; sleep 0.1
done
ok "it is in Postfix's hold queue" 1 "$hold"
ok "postfix logged the milter hold" 1 "$(grep -c 'milter-hold: END-OF-MESSAGE.*from=<prvs=' "$D/maillog")"
ok "the milter logged the score and first rule" 1 "$(grep -c 'alice@mw-test.localdomain (127.0.0.1): mailwarden scan: score [0-9]* >= 10' "$D/mw.log")"
ok "a hold event is recorded for alice" 1 \
  "$("$MW" events --db "$D/mw/events.db" --key alice@mw-test.localdomain --json | grep -c '"action": "hold"')"

# ---- 6. bad input: client gone mid-message, message over max_message ----------
$PY - "$SMTP" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
f.readline()
for cmd in (b"EHLO x", b"MAIL FROM:<a@news.example>", b"RCPT TO:<alice@example.com>", b"DATA"):
    s.sendall(cmd + b"\r\n")
    while True:
        l = f.readline()
        if l[3:4] != b"-":
            break
s.sendall(b"From: a@news.example\r\nSubject: cut\r\n\r\nhalf a bo")
s.close()
PYEOF
head -c 1500000 /dev/zero | tr '\0' 'x' | fold -w 76 > "$D/big.txt"
ok "a 1.5 MB message over max_message accepted" 0 "$(send news@news.example alice@example.com \
  --header "From: <news@news.example>" --body "$D/big.txt")"
M=$(delivered 5)
ok "and passed unchanged (no A-R added)" 0 "$(grep -ci '^Authentication-Results:' "$M" 2>/dev/null || true)"
ok "the milter logged the size skip" 1 "$(grep -c 'over max_message (1048576 bytes): passed unchanged' "$D/mw.log")"
ok "after both, a normal message still gets its A-R" 0 "$(send news@news.example alice@example.com --header "From: <news@news.example>")"
M=$(delivered 6)
ok "A-R present" 1 "$(grep -ci '^Authentication-Results: mx.example.com' "$M" 2>/dev/null)"

# ---- 7. SMFIP_HDR_LEADSPC through Postfix: simple/simple over odd spacing -------
printf 'From:   News  <news@news.example>\r\nTo:alice@example.com\r\nSubject:\tspaced\t out  \r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <odd.1@news.example>\r\n\r\nbody  text \r\n' > "$D/odd.eml"
"$MW" dkim sign "$D/odd.eml" --domain example.com --selector rsa1 --key "$D/mw/rsa1.private" \
  --canon simple/simple > "$D/odd.signed"
ok "odd-spacing message accepted" 0 "$(send news@news.example alice@example.com --data "$D/odd.signed")"
M=$(delivered 7)
ok "simple/simple signature over odd spacing: our A-R says dkim=pass" 1 "$(our_ar "$M" | grep -c 'dkim=pass')"
ok "the odd spacing reached the mailbox unchanged" 1 "$(grep -c "$(printf '^Subject:\tspaced\t out  \r$')" "$M" 2>/dev/null)"

kill -TERM "$MWPID"; wait "$MWPID"; rc=$?; MWPID=
ok "SIGTERM: milter exits 0" 0 "$rc"
echo "$PASS passed, $FAILS failed"
if [ "$FAILS" -ne 0 ]; then
  echo "--- mailwarden log"; tail -20 "$D/mw.log"; echo "--- maillog"; tail -30 "$D/maillog"
  exit 1
fi
