#!/usr/bin/env bash
# bench/dashboard.sh [MAILWARDEN] [EVENTS] - dashboard page load with a big
# event history: a daemon on loopback with a SQLite events db holding EVENTS
# (default 100,000) events over the last 24 h (inserted with the sqlite3 CLI,
# 200 distinct keys, a policy/log mix) plus live counters for 50 senders, 5
# of them held; then headless Chromium (tests/browser/dashboard.spec.js
# --bench) loads the overview RUNS times (default 7, a fresh browser context
# each: no cache, no session) and prints navigation start -> "overview
# rendered" (the performance mark set after the last table is in the page).
# Also times the four API calls of the overview with curl.  Never run by
# ctest; results go to docs/PERFORMANCE.md by hand.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
MW=$(readlink -f "${1:-$SRC/build/mailwarden}")
N=${2:-100000}
. "$SRC/tests/integration/lib_serve.bash"
[ -d "$SRC/tests/browser/node_modules/playwright-core" ] || { echo "run scripts/setup --test first"; exit 1; }
D=$(mktemp -d /tmp/mw-dashbench-XXXXXX)
POL=$(free_port); WEB=$(free_port); MWPID=
TOKEN=bench-token-$RANDOM$RANDOM
cleanup() { [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
printf '%s\n' "$TOKEN" > "$D/token"
cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = off
store = sqlite:$D/counters.db
events_db = $D/events.db
http = 127.0.0.1:$WEB
http_token_file = $D/token
log = stderr
[rule user]
key = sasl_username
window = 1h
alert = 20
hold = 40
CONF
"$MW" serve -c "$D/mw.conf" 2> "$D/mw.log" & MWPID=$!
wait_port "$POL"; wait_port "$WEB"

now=$(( $(date +%s) * 1000 ))
sqlite3 -cmd ".timeout 5000" "$D/events.db" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO mw_events(time_ms, source, rule, key, action, count, lim, window_ms,
                      client_address, sasl_username, sender, evidence)
SELECT $now - (i * 86000000 / $N), CASE WHEN i % 4 = 0 THEN 'log' ELSE 'policy' END,
       'user', 'user' || (i % 200) || '@example.org', CASE WHEN i % 10 = 0 THEN 'hold' ELSE 'alert' END,
       21 + i % 30, 20, 3600000, '192.0.2.' || (i % 250), 'user' || (i % 200) || '@example.org',
       'user' || (i % 200) || '@example.org',
       '{"recipients":["r' || i || '@example.net"],"subjects":["subject ' || i || '"]}'
FROM n;
COMMIT;
SQL
echo "events in the db: $(sqlite3 "$D/events.db" 'SELECT COUNT(*) FROM mw_events')"

python3 - "$POL" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
for u in range(50):
    for i in range(45 if u < 5 else 1 + u % 19):
        s.sendall(b"request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\n"
                  b"sasl_username=live%d@example.org\nclient_address=192.0.2.7\n\n" % u)
        d = b""
        while not d.endswith(b"\n\n"):
            d += s.recv(100)
PY

since=$(( now - 86400000 ))
for p in /api/status "/api/senders?limit=10" "/api/held?limit=100" \
         "/api/events?limit=10&action=alert&since_ms=$since" "/api/events?limit=50"; do
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
       -w "api $p: %{time_total}s, %{size_download} bytes\n" "http://127.0.0.1:$WEB$p"
done

cd "$SRC/tests/browser"
MW_URL="http://127.0.0.1:$WEB/" MW_TOKEN="$TOKEN" RUNS=${RUNS:-7} node dashboard.spec.js --bench
