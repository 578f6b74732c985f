#!/usr/bin/env bash
# serve_alerts.sh MAILWARDEN - an event (threshold crossed) reaches every
# alert path: the alert command (execve, JSON on stdin), the webhook (HTTP
# POST of the same JSON to a server this test runs on 127.0.0.1), the
# SQLite history (mailwarden events), and the Prometheus /metrics counters.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
need python3 python3
D=$(mktemp -d /tmp/mw-alerts-XXXXXX)
POL=$(free_port); HOOK=$(free_port); MET=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$D"; }
trap cleanup EXIT

# the webhook receiver: stores each POST body (one line) and answers 204
HOOK=$HOOK OUT="$D/hook.jsonl" python3 - <<'PY' &
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(os.environ["OUT"], "ab") as f: f.write(body + b"\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["HOOK"])), H).serve_forever()
PY
PIDS+=($!)
wait_port "$HOOK" || exit 1

cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = unix:$D/control.sock
events_db = $D/events.db
metrics = 127.0.0.1:$MET
log = stderr
webhook = http://127.0.0.1:$HOOK/alert
alert_command = /usr/bin/tee -a $D/command.jsonl

[rule user]
key = sasl_username
count = recipients
window = 10m
alert = 2
reject = 3
text = stop
CONF
"$MW" serve -c "$D/mw.conf" 2> "$D/mw.log" &
PIDS+=($!)
wait_port "$POL" && wait_port "$MET" || { cat "$D/mw.log"; exit 1; }

answers=$(python3 - "$POL" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
out = []
for i in range(4):
    s.sendall(b"request=smtpd_access_policy\nprotocol_state=RCPT\nsasl_username=Eve\n"
              b"client_address=192.0.2.9\nsender=eve@example.org\nrecipient=r%d@example.net\n"
              b"instance=abc\n\n" % i)
    data = b""
    while not data.endswith(b"\n\n"): data += s.recv(4096)
    out.append(data.decode().split("\n")[0])
print("|".join(out))
PY
)
check "answers: DUNNO, DUNNO, DUNNO (alert), REJECT" \
  "action=DUNNO|action=DUNNO|action=DUNNO|action=REJECT stop" "$answers"

# wait for the children (webhook, command) to deliver
for _ in $(seq 1 50); do
  [ "$(cat "$D/hook.jsonl" 2>/dev/null | wc -l)" -ge 2 ] && \
  [ "$(cat "$D/command.jsonl" 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.1
done
# children deliver concurrently: order the events by id before comparing
field() { python3 -c 'import json,sys; l=sorted((json.loads(x) for x in open(sys.argv[1])), key=lambda e: e["id"]); print(" ".join(str(e[sys.argv[2]]) for e in l))' "$@"; }
check "webhook got two events" "alert reject" "$(field "$D/hook.jsonl" action)"
check "webhook event key" "eve eve" "$(field "$D/hook.jsonl" key)"
check "alert command got the same JSON on stdin" "$(sort "$D/hook.jsonl")" "$(sort "$D/command.jsonl")"
check "evidence: recipients sampled from the RCPT requests" \
  "['r0@example.net', 'r1@example.net', 'r2@example.net']" \
  "$(python3 -c 'import json,sys; print([e for e in map(json.loads, open(sys.argv[1])) if e["id"] == 1][0]["recipients"])' "$D/hook.jsonl")"
check "history: two events for eve" 2 "$("$MW" events --db "$D/events.db" --key eve --json | grep -c '"rule": "user"')"
"$MW" events --db "$D/events.db" > /dev/null; check "events exit 1 when events are listed" 1 $?
"$MW" events --db "$D/events.db" --key nobody > /dev/null; check "events exit 0 when none" 0 $?

metrics=$(python3 -c 'import urllib.request,sys; print(urllib.request.urlopen("http://127.0.0.1:'"$MET"'/metrics").read().decode())')
check "metrics: requests answered REJECT" 1 "$(echo "$metrics" | grep -c '^mailwarden_policy_requests_total{action="REJECT"} 1$')"
check "metrics: requests answered DUNNO" 1 "$(echo "$metrics" | grep -c '^mailwarden_policy_requests_total{action="DUNNO"} 3$')"
check "metrics: alerts by action" 2 "$(echo "$metrics" | grep -c -E '^mailwarden_alerts_total\{action="(alert|reject)"\} 1$')"
check "metrics: latency histogram count" 1 "$(echo "$metrics" | grep -c '^mailwarden_policy_latency_seconds_count 4$')"
check "metrics: store up" 1 "$(echo "$metrics" | grep -c '^mailwarden_store_up{store="memory"} 1$')"
check "metrics: keys tracked" 1 "$(echo "$metrics" | grep -c '^mailwarden_keys_tracked [0-9]')"
code=$(python3 -c 'import urllib.request,urllib.error
try: urllib.request.urlopen("http://127.0.0.1:'"$MET"'/nope")
except urllib.error.HTTPError as e: print(e.code)')
check "metrics: unknown path is 404" 404 "$code"
"$MW" status -c "$D/mw.conf" --json | grep -q '"reject":1'; check "status JSON counts the reject event" 0 $?
"$MW" release -c "$D/mw.conf" eve > /dev/null; check "release eve" 0 $?
"$MW" release -c "$D/mw.conf" eve > /dev/null; check "release again: nothing counted (exit 1)" 1 $?
[ "$FAILS" -eq 0 ] || { tail -20 "$D/mw.log"; exit 1; }
echo "serve_alerts: all checks passed"
