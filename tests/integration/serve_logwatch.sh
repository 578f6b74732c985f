#!/usr/bin/env bash
# serve_logwatch.sh MAILWARDEN - `mailwarden serve` with a [logwatch] section
# follows a Postfix log: lines already in the file at start are not re-read;
# a Gmail reputation block and 12 SASL LOGIN failures from one address,
# written across a rotation by rename (the old file is still written after
# the rename, as syslogd does until it is signalled), each become exactly one
# event in the SQLite history and one alert; /metrics shows the line,
# unparsed-line, rotation and finding counters; SIGHUP applies a new file
# list (a third file, created after the reload, is read from its start).
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
need python3 python3
NCHK=0
eval "lib_$(declare -f check)"
check() { NCHK=$((NCHK+1)); lib_check "$@"; }
D=$(mktemp -d /tmp/mw-logd-XXXXXX)
POL=$(free_port); MET=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$D"; }
trap cleanup EXIT

ts() { date -u '+%b %e %H:%M:%S'; }
LOG=$D/mail.log
# already there at start: followed from its end, so this burst is not counted
for i in $(seq 1 12); do
  echo "$(ts) mx postfix/smtpd[900]: warning: unknown[198.51.100.77]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
done > "$LOG"

write_conf() {  # write_conf FILES...
  cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = off
user =
events_db = $D/events.db
metrics = 127.0.0.1:$MET
log = stderr
alert_command = /usr/bin/tee -a $D/alerts.jsonl

[logwatch]
files = $*
poll_ms = 100
rate_limit = 100
rate_window = 5m
auth_limit = 10
CONF
}
write_conf "$LOG" "$D/other.log"
"$MW" serve -c "$D/mw.conf" --check >/dev/null 2>"$D/check.err"
check "--check accepts the [logwatch] section" "0 " "$? $(cat "$D/check.err")"
"$MW" serve -c "$D/mw.conf" 2> "$D/mw.log" &
PIDS+=($!); MWPID=$!
wait_port "$POL" && wait_port "$MET" || { cat "$D/mw.log"; exit 1; }

metric() { python3 - "$MET" "$1" <<'PY'
import sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
for line in body.splitlines():
    if line.split(" ")[0] == sys.argv[2]:
        print(line.split(" ")[1]); break
else:
    print("absent")
PY
}
# wait_lines N - until the follower has read N lines (5 s)
wait_lines() {
  for _ in $(seq 1 100); do [ "$(metric mailwarden_log_lines_total)" = "$1" ] && return 0; sleep 0.05; done
  return 1
}
sleep 0.3   # let the first poll open the file (at its end)

# 1. a message relayed to Gmail and refused for reputation (6 lines), then
#    6 SASL failures from 203.0.113.5, one foreign line, one unknown postfix line
{
  echo "$(ts) mx postfix/smtpd[1001]: 4AbC1D2: client=web1.example.org[192.0.2.10], sasl_method=LOGIN, sasl_username=shop"
  echo "$(ts) mx postfix/cleanup[1002]: 4AbC1D2: message-id=<20261123.1@example.org>"
  echo "$(ts) mx postfix/qmgr[1003]: 4AbC1D2: from=<shop@example.org>, size=2048, nrcpt=1 (queue active)"
  echo "$(ts) mx postfix/smtp[1004]: 4AbC1D2: to=<buyer@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.27.26]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[142.250.27.26] said: 550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. - gsmtp (in reply to end of DATA command))"
  echo "$(ts) mx postfix/bounce[1005]: 4AbC1D2: sender non-delivery notification: 5EfG3H4"
  echo "$(ts) mx postfix/qmgr[1003]: 4AbC1D2: removed"
  for i in $(seq 1 6); do
    echo "$(ts) mx postfix/smtpd[1010]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
  done
  echo "$(ts) mx CRON[77]: (root) CMD (run-parts /etc/cron.hourly)"
  echo "$(ts) mx postfix/smtpd[1010]: frobnicated the quux"
} >> "$LOG"
wait_lines 14
check "lines read before the rotation" "14" "$(metric mailwarden_log_lines_total)"

# 2. rotation by rename; syslogd writes 2 more failures to the old file,
#    then (signalled) 4 failures and a second Gmail refusal to the new one
mv "$LOG" "$LOG.1"
for i in 1 2; do
  echo "$(ts) mx postfix/smtpd[1010]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: UGFzc3dvcmQ6" >> "$LOG.1"
done
{
  for i in $(seq 1 4); do
    echo "$(ts) mx postfix/smtpd[1010]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
  done
  echo "$(ts) mx postfix/smtp[1004]: 7XyZ8W9: to=<other@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.27.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[142.250.27.26] said: 550-5.7.1 [192.0.2.1] Our system has detected that this message is likely unsolicited mail. - gsmtp (in reply to end of DATA command))"
} > "$LOG.new"
mv "$LOG.new" "$LOG"
wait_lines 21
check "lines read after the rotation (each once)" "21" "$(metric mailwarden_log_lines_total)"
check "rotation seen" "1" "$(metric mailwarden_log_rotations_total)"
check "unparsed lines (the unknown postfix line)" "1" "$(metric mailwarden_log_unparsed_lines_total)"
check "files followed" "2" "$(metric mailwarden_log_files_followed)"
check "remote_block findings" "1" "$(metric 'mailwarden_log_findings_total{type="remote_block"}')"
check "auth_failures_ip findings" "1" "$(metric 'mailwarden_log_findings_total{type="auth_failures_ip"}')"
check "rate findings" "0" "$(metric 'mailwarden_log_findings_total{type="rate"}')"

events() { "$MW" events --db "$D/events.db" --json | python3 -c '
import json, sys
ev = json.load(sys.stdin)
print(" ".join(sorted("%s/%s/%s" % (e["source"], e["rule"], e["key"]) for e in ev)))'; }
check "events stored once each" \
  "logscan/auth_failures_ip/client:203.0.113.5 logscan/remote_block/gmail.com" "$(events)"
"$MW" events --db "$D/events.db" --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["rule"] == "auth_failures_ip": print(e["client_address"], e["count"] >= 10, e["limit"])' > "$D/auth.txt"
check "auth event: client, count, limit" "203.0.113.5 True 10" "$(cat "$D/auth.txt")"
for _ in $(seq 1 50); do [ "$(wc -l < "$D/alerts.jsonl" 2>/dev/null)" = 2 ] && break; sleep 0.1; done
check "alert command ran once per finding" "2" "$(wc -l < "$D/alerts.jsonl" 2>/dev/null)"

# 3. SIGHUP with a third file, created only after the reload: read from its start
write_conf "$LOG" "$D/other.log" "$D/submission.log"
kill -HUP "$MWPID"
for _ in $(seq 1 100); do [ "$(metric mailwarden_log_files_followed)" = 3 ] && break; sleep 0.05; done
check "reload: files followed" "3" "$(metric mailwarden_log_files_followed)"
for i in $(seq 1 10); do
  echo "$(ts) mx postfix/submission/smtpd[2001]: warning: unknown[192.0.2.200]: SASL PLAIN authentication failed: authentication failure"
done > "$D/submission.log"
wait_lines 31
check "reload: the new file read from its start" "31" "$(metric mailwarden_log_lines_total)"
check "reload: third finding stored" \
  "logscan/auth_failures_ip/client:192.0.2.200 logscan/auth_failures_ip/client:203.0.113.5 logscan/remote_block/gmail.com" \
  "$(events)"
check "no finding from the lines present before start" "" "$(grep -c 198.51.100.77 "$D/alerts.jsonl" | grep -v '^0$')"

kill -TERM "$MWPID"; wait "$MWPID"; rc=$?
PIDS=()
check "SIGTERM: exit 0" "0" "$rc"
if [ "$FAILS" -ne 0 ]; then cat "$D/mw.log"; fi
echo "$((NCHK - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
