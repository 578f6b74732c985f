#!/usr/bin/env bash
# serve_postfix.sh MAILWARDEN - a real, private Postfix instance on loopback
# asks `mailwarden serve` at END-OF-MESSAGE.  Checks, with swaks:
#  - unauthenticated mail from 127.0.0.1: past the client_address threshold
#    the next messages land in Postfix's hold queue (postqueue -j), an event
#    is recorded, `mailwarden release 127.0.0.1` lets mail through again;
#  - the same for an authenticated user (Cyrus SASL, sasldb) and a
#    sasl_username rule;
#  - the daemon runs as an unprivileged user after binding (user = nobody).
# Mail that is not held is delivered to Postfix's discard transport: nothing
# ever leaves the machine.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
. "$(dirname "$0")/lib_postfix.bash"
need postfix postfix
need swaks swaks
need saslpasswd2 sasl2-bin
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (postfix master)"; exit 77; }

D=$(mktemp -d /tmp/mw-postfix-XXXXXX)
chmod 755 "$D"
SMTP=$(free_port); POL=$(free_port)
MWPID=
cleanup() {
  postfix -c "$D/etc" stop >/dev/null 2>&1
  [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT

# ---- mailwarden -------------------------------------------------------------
mkdir -p "$D/mw" && chown nobody "$D/mw"
cat > "$D/mw/mailwarden.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = unix:$D/control.sock
events_db = $D/mw/events.db
store = sqlite:$D/mw/state.db
metrics = off
user = nobody
log = stderr

[rule client]
key = client_address
count = messages
window = 5m
alert = 2
hold = 4
text = test: too much mail from this address

[rule user]
key = sasl_username
count = messages
window = 5m
hold = 2
text = test: too much mail from this user
CONF
"$MW" serve -c "$D/mw/mailwarden.conf" 2> "$D/mw.log" &
MWPID=$!
wait_port "$POL" || { cat "$D/mw.log"; exit 1; }
check "daemon dropped root to nobody" "nobody" "$(ps -o user= -p $MWPID | tr -d ' ')"

# ---- postfix ------------------------------------------------------------------
pf_layout "$D" "$SMTP"
pf_main "$D" mw-test.localdomain <<CONF
mynetworks = 127.0.0.0/8
default_transport = discard:test sink
local_transport = discard:test sink
relay_transport = discard:test sink
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_end_of_data_restrictions = check_policy_service inet:127.0.0.1:$POL
smtpd_policy_service_default_action = DUNNO
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
CONF
pf_sasl "$D" mw-test.localdomain alice testpass
pf_start "$D"
wait_port "$SMTP" || { cat "$D/start.log" "$D/maillog" 2>/dev/null; exit 1; }

# send [swaks options] - one message, quietly; echoes swaks' exit code
send() { swaks --server 127.0.0.1 --port "$SMTP" --from sender@example.org --to rcpt@example.net \
         --h-Subject "mw test" --silent 2 "$@" >> "$D/swaks.log" 2>&1; echo $?; }
# held - messages in the hold queue, once the queue manager has moved the others
held() {
  sleep 1
  for _ in $(seq 1 40); do
    local total
    total=$(MAIL_CONFIG="$D/etc" postqueue -j | grep -c '"queue_name"')
    local h
    h=$(MAIL_CONFIG="$D/etc" postqueue -j | grep -c '"queue_name": *"hold"')
    [ "$total" = "$h" ] && { echo "$h"; return; }
    sleep 0.25
  done
  MAIL_CONFIG="$D/etc" postqueue -j | grep -c '"queue_name": *"hold"'
}

# ---- unauthenticated: client_address rule, hold above 4 --------------------
for i in 1 2 3 4 5 6; do check "unauthenticated message $i accepted" 0 "$(send)"; done
check "messages 5 and 6 are in the hold queue" 2 "$(held)"
check "hold event recorded for 127.0.0.1" 1 \
  "$("$MW" events --db "$D/mw/events.db" --key 127.0.0.1 --json | grep -c '"action": "hold"')"
check "alert event recorded for 127.0.0.1" 1 \
  "$("$MW" events --db "$D/mw/events.db" --key 127.0.0.1 --json | grep -c '"action": "alert"')"
grep -q "hold: END-OF-MESSAGE from .*test: too much mail from this address" "$D/maillog"
check "postfix logged the hold with our text" 0 $?
"$MW" release -c "$D/mw/mailwarden.conf" 127.0.0.1 > /dev/null
check "release 127.0.0.1" 0 $?
check "after release a message is accepted" 0 "$(send)"
check "and not held" 2 "$(held)"
"$MW" release -c "$D/mw/mailwarden.conf" 127.0.0.1 > /dev/null

# ---- authenticated: sasl_username rule, hold above 2 -----------------------
auth=(--auth LOGIN --auth-user alice@mw-test.localdomain --auth-password testpass)
if [ "$(send "${auth[@]}")" = 0 ]; then
  check "authenticated message 2 accepted" 0 "$(send "${auth[@]}")"
  check "authenticated message 3 accepted" 0 "$(send "${auth[@]}")"
  check "authenticated message 3 held (2 earlier held + 1)" 3 "$(held)"
  check "hold event for the SASL user" 1 \
    "$("$MW" events --db "$D/mw/events.db" --key alice@mw-test.localdomain --json | grep -c '"action": "hold"')"
  "$MW" release -c "$D/mw/mailwarden.conf" alice@mw-test.localdomain > /dev/null
  check "release the SASL user" 0 $?
  check "after release the user sends again" 0 "$(send "${auth[@]}")"
  check "and is not held" 3 "$(held)"
else
  echo "FAIL: SASL authentication did not work; see maillog:"
  grep -i sasl "$D/maillog" | tail -5
  FAILS=$((FAILS+1))
fi

# ---- status and shutdown -------------------------------------------------------
"$MW" status -c "$D/mw/mailwarden.conf" > /dev/null
check "status reaches the daemon" 0 $?
kill -TERM "$MWPID"; wait "$MWPID"; rc=$?; MWPID=
check "SIGTERM: exit 0" 0 "$rc"
if [ "$FAILS" -ne 0 ]; then
  echo "--- mailwarden log"; tail -20 "$D/mw.log"; echo "--- maillog"; tail -20 "$D/maillog"
  exit 1
fi
echo "serve_postfix: all checks passed"
