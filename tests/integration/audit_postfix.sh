#!/usr/bin/env bash
# audit_postfix.sh MAILWARDEN - the SMTP probe of `mailwarden audit --smtp`
# against a real, private Postfix on loopback, in four configurations:
#   closed relay, no TLS      -> relay closed, no STARTTLS (warning)
#   open relay (mynetworks widened), no TLS, AUTH before TLS
#                             -> OPEN RELAY (critical), AUTH before TLS (critical)
#   closed relay, STARTTLS with a self-signed certificate (openssl),
#   smtpd_tls_auth_only       -> relay closed, TLS works, certificate name
#                                right/wrong, untrusted (self-signed), AUTH
#                                only after TLS
#   open relay, STARTTLS      -> OPEN RELAY, TLS works
# plus a python3 server that speaks garbage and one that stalls: bounded time,
# a clear finding.  The probe never sends DATA (checked in the maillog).
# Postfix runs from its own config dir and is stopped with `postfix stop`;
# the python servers by recorded pid.  Exit 77 (skip) outside CI when postfix,
# openssl, saslpasswd2 or python3 is missing, or when not root.
set -u
MW=${1:?usage: audit_postfix.sh /path/to/mailwarden}
. "$(dirname "$0")/lib_serve.bash"
. "$(dirname "$0")/lib_postfix.bash"
need postfix postfix
need openssl openssl
need saslpasswd2 sasl2-bin
need python3 python3
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (postfix master)"; exit 77; }

D=$(mktemp -d /tmp/mw-audit-postfix-XXXXXX)
chmod 755 "$D"
SMTP=$(free_port)
PIDS=()
cleanup() {
  postfix -c "$D/etc" stop >/dev/null 2>&1
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT

pf_layout "$D" "$SMTP"
mkdir -p "$D/tls"
pf_sasl "$D" mx.audit.test alice testpass
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/tls/key.pem" -out "$D/tls/cert.pem" \
  -days 30 -subj "/CN=mx.audit.test" -addext "subjectAltName=DNS:mx.audit.test" >/dev/null 2>&1 \
  || { echo "FAIL: openssl req"; exit 1; }
chmod 644 "$D/tls/key.pem"
cat > "$D/zone" <<'EOF'
$ORIGIN audit.test.
@    TXT "v=spf1 ip4:127.0.0.1 -all"
@    MX  10 mx
mx   A   127.0.0.1
EOF

# configure RELAY TLS - write main.cf and (re)start postfix
configure() {
  postfix -c "$D/etc" stop >/dev/null 2>&1
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$SMTP) 2>/dev/null || break; sleep 0.1; done
  local nets="127.0.0.2/32" tls="" auth="smtpd_sasl_auth_enable = no"
  [ "$1" = open ] && nets="0.0.0.0/0"
  if [ "$2" = tls ]; then
    tls="smtpd_tls_cert_file = $D/tls/cert.pem
smtpd_tls_key_file = $D/tls/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes"
    auth="smtpd_sasl_auth_enable = yes"
  elif [ "$1" = open ]; then
    auth="smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = no"
  fi
  pf_main "$D" mx.audit.test <<CONF
mynetworks = $nets
default_transport = discard:test sink
relay_transport = discard:test sink
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
$auth
$tls
CONF
  pf_start "$D"
  wait_port "$SMTP" || { cat "$D/start.log" "$D/maillog" 2>/dev/null; exit 1; }
}

# audit NAME [options] - probe and keep the JSON in $D/NAME.json
audit() {
  local name=$1; shift
  "$MW" audit audit.test --zone "$D/zone" --no-dnsbl --smtp "127.0.0.1:$SMTP" --smtp-timeout 5000 \
    --json "$@" > "$D/$name.json" 2> "$D/$name.err"
  echo $? > "$D/$name.rc"
}
# q NAME EXPR - evaluate a python expression over the JSON (d = object, c = finding codes)
q() {
  python3 - "$D/$1.json" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = {f["code"]: f["severity"] for f in d["findings"]}
s = d["smtp"]
print(eval(sys.argv[2]))
EOF
}

configure closed plain
audit closed_plain
check "closed/plain: relay verdict" closed "$(q closed_plain 's["relay"]')"
check "closed/plain: RCPT refused with 5xx" True "$(q closed_plain '500 <= s["rcpt_to"] < 600')"
check "closed/plain: no open-relay finding" False "$(q closed_plain '"smtp-open-relay" in c')"
check "closed/plain: no STARTTLS is a warning" warning "$(q closed_plain 'c.get("smtp-no-starttls")')"
check "closed/plain: no AUTH before TLS" None "$(q closed_plain 's["auth_before_tls"]')"

configure open plain
audit open_plain
check "open/plain: relay verdict" open "$(q open_plain 's["relay"]')"
check "open/plain: open relay is critical" critical "$(q open_plain 'c.get("smtp-open-relay")')"
check "open/plain: AUTH PLAIN before TLS is critical" critical "$(q open_plain 'c.get("smtp-auth-before-tls")')"
check "open/plain: exit status 1" 1 "$(cat "$D/open_plain.rc")"

configure closed tls
audit closed_tls --smtp-name mx.audit.test
check "closed/tls: relay verdict" closed "$(q closed_tls 's["relay"]')"
check "closed/tls: STARTTLS works" True "$(q closed_tls 's["tls"]')"
check "closed/tls: certificate self-signed, untrusted" "True False" "$(q closed_tls 'str(s["certificate"]["self_signed"]) + " " + str(s["certificate"]["trusted"])')"
check "closed/tls: certificate name matches" True "$(q closed_tls 's["certificate"]["name_ok"]')"
check "closed/tls: untrusted certificate is a warning" warning "$(q closed_tls 'c.get("smtp-cert-untrusted")')"
check "closed/tls: about 30 days left" True "$(q closed_tls '28 <= s["certificate"]["days_left"] <= 30')"
check "closed/tls: AUTH only after TLS" "None PLAIN LOGIN" "$(q closed_tls 'str(s["auth_before_tls"]) + " " + str(s["auth_after_tls"])')"
check "closed/tls: no STARTTLS or AUTH finding" "False False" "$(q closed_tls 'str("smtp-no-starttls" in c) + " " + str("smtp-auth-before-tls" in c)')"
audit closed_tls_wrongname --smtp-name mail.other.test
check "closed/tls: wrong name is reported" warning "$(q closed_tls_wrongname 'c.get("smtp-cert-name")')"

configure open tls
audit open_tls
check "open/tls: relay verdict" open "$(q open_tls 's["relay"]')"
check "open/tls: STARTTLS works" True "$(q open_tls 's["tls"]')"
check "open/tls: open relay is critical" critical "$(q open_tls 'c.get("smtp-open-relay")')"

# the probe never sent DATA: Postfix logs no queued message
postfix -c "$D/etc" stop >/dev/null 2>&1
check "no message was queued (no DATA)" 0 "$(grep -c 'message-id=\|: from=<' "$D/maillog" 2>/dev/null)"

# ---- bad servers: garbage and stall (python3) ---------------------------------
bad_server() {  # MODE PORT
  python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[2]))); s.listen(5)
while True:
    c, _ = s.accept()
    if sys.argv[1] == "garbage":
        c.sendall(b"\x00\xff\xfeHELLO THERE\r\n" * 3)
    else:
        c.sendall(b"220 slow ESMTP\r\n")
        time.sleep(30)
    time.sleep(0.2)
    c.close()
' "$1" "$2" &
  PIDS+=($!)
  wait_port "$2"
}
G=$(free_port); bad_server garbage "$G"
start=$(date +%s%N)
"$MW" audit audit.test --zone "$D/zone" --no-dnsbl --smtp "127.0.0.1:$G" --smtp-timeout 1000 --json > "$D/garbage.json"
el=$(( ($(date +%s%N) - start) / 1000000 ))
check "garbage server: probe stopped with a reason" True "$(q garbage '"does not speak SMTP" in (s["stopped"] or "")')"
check "garbage server: bounded time" True "$([ $el -lt 5000 ] && echo True || echo False)"
S=$(free_port); bad_server stall "$S"
start=$(date +%s%N)
"$MW" audit audit.test --zone "$D/zone" --no-dnsbl --smtp "127.0.0.1:$S" --smtp-timeout 800 --json > "$D/stall.json"
el=$(( ($(date +%s%N) - start) / 1000000 ))
check "stalling server: timeout reported" True "$(q stall '"timeout" in (s["stopped"] or "")')"
check "stalling server: bounded time (per-step timeout)" True "$([ $el -lt 5000 ] && echo True || echo False)"

[ "$FAILS" -eq 0 ] && echo "audit_postfix: all checks passed"
[ "$FAILS" -eq 0 ]
