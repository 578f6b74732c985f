#!/usr/bin/env bash
# bench/api_http.sh [N] - time the HTTP API with N events (default 100,000)
# in the events db: a daemon on 127.0.0.1 with a token, the events
# inserted with python3's sqlite3 (same schema as store/eventlog.c: the
# daemon creates the file first), then curl timings (best and median of
# 20) of GET /api/status, /api/events?limit=100, a filtered and a deep
# page, /api/senders and /api/held.  Never run by ctest.
set -euo pipefail
N=${1:-100000}
cd "$(dirname "$0")/.."
MW=$(readlink -f build/mailwarden)
. tests/integration/lib_serve.bash
D=$(mktemp -d /tmp/mw-apibench-XXXXXX)
POL=$(free_port); HTTP=$(free_port); PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$D"' EXIT
cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = off
http = 127.0.0.1:$HTTP
http_token = bench
events_db = $D/events.db
log = stderr
CONF
ready() { for _ in $(seq 100); do grep -q "service ready" "$D/log" && return; sleep 0.05; done; }
"$MW" serve -c "$D/mw.conf" 2>"$D/log" & PID=$!; ready; kill $PID; wait $PID || true; PID=
python3 - "$D/events.db" "$N" <<'PY'
import sqlite3, sys, random, json
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2]); random.seed(1)
now = 1795440000000
rows = []
for i in range(n):
    k = "user%04d@example.org" % random.randrange(2000)
    src, rule = ("logscan", "remote_block") if i % 10 == 0 else ("policy", "sasl_messages")
    act = random.choice(["alert", "alert", "hold", "defer"])
    ev = json.dumps({"recipients": ["r%d@example.net" % j for j in range(5)], "subjects": ["Quarterly report"]})
    rows.append((now - (n - i) * 800, src, rule, k, act, 301, 300, 300000, "192.0.2.%d" % (i % 250), k, k, ev))
db.executemany("INSERT INTO mw_events(time_ms, source, rule, key, action, count, lim, window_ms,"
               " client_address, sasl_username, sender, evidence) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
PY
"$MW" serve -c "$D/mw.conf" 2>"$D/log" & PID=$!; ready
# some live traffic so /api/senders has pairs: 500 users x 4 messages
python3 - "$POL" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for u in range(500):
    for _ in range(4):
        s.sendall(b"request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\nsasl_username=u%d\n\n" % u)
        d = b""
        while not d.endswith(b"\n\n"): d += s.recv(100)
PY
t() { # t PATH - best and median of 20 requests, in ms, and the body size
  local times=() size
  for _ in $(seq 20); do
    times+=("$(curl -s -o "$D/body" -w '%{time_total}' -H 'Authorization: Bearer bench' "http://127.0.0.1:$HTTP$1")")
  done
  size=$(stat -c %s "$D/body")
  printf '%s\n' "${times[@]}" | sort -n | awk -v p="$1" -v s="$size" \
    '{a[NR]=$1} END {printf "%-48s best %6.1f ms  median %6.1f ms  %7d bytes\n", p, a[1]*1000, a[int((NR+1)/2)]*1000, s}'
}
echo "events: $N"
t /api/status
t '/api/events?limit=100'
t '/api/events?limit=1000'
t '/api/events?limit=100&offset=90000'
t '/api/events?key=user0042@example.org&limit=100'
t '/api/events?type=logscan&action=hold&limit=100'
t '/api/logfindings?limit=100'
t '/api/blocks'
t '/api/senders?limit=100'
t '/api/held'
t '/api/senders/u7'
