#!/usr/bin/env bash
# dashboard_browser.sh MAILWARDEN - the dashboard in headless Chromium against
# a real daemon: a sqlite counter store and an events db seeded by real policy
# requests (two users pushed over "hold above 5") and by rows inserted with the
# sqlite3 CLI (log findings: rates, one with markup in its subject, remote blocks); then
# tests/browser/dashboard.spec.js checks that the numbers shown equal what the
# store holds, releases a held user with the keyboard through the confirmation
# dialog, and here a policy request for that user must answer DUNNO while the
# other held user still gets HOLD.  Screenshots go to build/artifacts/.
set -uo pipefail
MW=$(readlink -f "$1")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib_serve.bash"
need python3 python3
need sqlite3 sqlite3
need node nodejs
need /usr/bin/chromium chromium
if [ ! -d "$SRC/tests/browser/node_modules/playwright-core" ]; then
  # an offline clone: scripts/setup --test runs npm ci in tests/browser
  echo "SKIP: tests/browser/node_modules missing (scripts/setup --test installs playwright-core)"
  exit 77
fi
D=$(mktemp -d /tmp/mw-dash-XXXXXX)
POL=$(free_port); WEB=$(free_port); MWPID=
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
cleanup() { [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
printf '%s\n' "$TOKEN" > "$D/token"
# one `mailwarden audit --json` result with a DNSBL listing (shape of cmd_audit.c)
mkdir "$D/audit"
cat > "$D/audit/example.org.json" <<'JSON'
{"domain":"example.org","summary":{"critical":1,"warning":2,"info":0},
 "findings":[{"severity":"critical","section":"dnsbl","code":"dnsbl-listed",
   "title":"192.0.2.25 is listed on zen.spamhaus.org","evidence":["25.2.0.192.zen.spamhaus.org A 127.0.0.3"],
   "fix":"request delisting"},
  {"severity":"warning","section":"spf","code":"spf-softfail","title":"SPF ends in ~all","evidence":[],"fix":"-all"},
  {"severity":"warning","section":"dmarc","code":"dmarc-none","title":"DMARC p=none","evidence":[],"fix":"p=quarantine"}]}
JSON
# DMARC aggregate reports imported by the CLI; its summary is the expectation
"$MW" dmarc-report --db "$D/dmarc.db" "$SRC/tests/data/dmarc-report/rdns-report.xml" >/dev/null
dmarc=$("$MW" dmarc-report --db "$D/dmarc.db" --json | python3 -c '
import json, sys
d = {}
for s in json.load(sys.stdin)["sources"]:
    d[s["ip"]] = d.get(s["ip"], 0) + s["messages"]
print(json.dumps(d))')
[ -n "$dmarc" ] && [ "$dmarc" != "{}" ] || { echo "FAIL: no DMARC sources imported"; exit 1; }
cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = off
store = sqlite:$D/counters.db
events_db = $D/events.db
http = 127.0.0.1:$WEB
http_token_file = $D/token
audit_dir = $D/audit
dmarc_db = $D/dmarc.db
log = stderr

[rule user]
key = sasl_username
window = 1h
alert = 3
hold = 5
text = too much mail
CONF
"$MW" serve -c "$D/mw.conf" 2> "$D/mw.log" & MWPID=$!
wait_port "$POL" && wait_port "$WEB" || { cat "$D/mw.log"; exit 1; }

# the embedded files are web/* byte for byte, with the contract's headers, and
# open without the token (the page must load to ask for it)
python3 - "$WEB" "$SRC/web" <<'PY' || FAILS=$((FAILS+1))
import sys, urllib.request
port, web = sys.argv[1], sys.argv[2]
bad = 0
for url, name in (("/", "index.html"), ("/index.html", "index.html"), ("/assets/app.js", "app.js"),
                  ("/assets/app.css", "app.css"), ("/assets/favicon.svg", "favicon.svg")):
    r = urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, url), timeout=5)
    want = open("%s/%s" % (web, name), "rb").read()
    h = r.headers
    ok = (r.status == 200 and r.read() == want
          and h["Content-Security-Policy"] == "default-src 'self'"
          and h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
          and h["Cache-Control"] == "no-cache")
    print(("ok" if ok else "FAIL") + ": GET %s is web/%s with the security headers (%s)" % (url, name, h["Content-Type"]))
    bad += not ok
try:
    urllib.request.urlopen("http://127.0.0.1:%s/assets/nope.js" % port, timeout=5)
    print("FAIL: GET /assets/nope.js answered"); bad += 1
except urllib.error.HTTPError as e:
    print(("ok" if e.code == 404 else "FAIL") + ": GET /assets/nope.js -> %d" % e.code); bad += e.code != 404
sys.exit(1 if bad else 0)
PY

# send USER N - N messages at END-OF-MESSAGE; prints the answers' actions
send() { python3 - "$POL" "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
out = []
for i in range(int(sys.argv[3])):
    s.sendall(b"request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\n"
              b"sasl_username=%s\nclient_address=192.0.2.7\nsender=%s\n"
              b"recipient=r%d@example.net\nrecipient_count=1\ninstance=i%d\n\n"
              % (sys.argv[2].encode(), sys.argv[2].encode(), i, i))
    d = b""
    while not d.endswith(b"\n\n"):
        d += s.recv(100)
    out.append(d.split(b"\n")[0].split(b"=")[1].split(b" ")[0].decode())
print(" ".join(out))
PY
}
check "mallory: 8 messages, held from the 6th" "DUNNO DUNNO DUNNO DUNNO DUNNO HOLD HOLD HOLD" "$(send mallory@example.org 8)"
check "eve: 7 messages, held from the 6th" "DUNNO DUNNO DUNNO DUNNO DUNNO HOLD HOLD" "$(send eve@example.org 7)"
check "bob: 2 messages pass" "DUNNO DUNNO" "$(send bob@example.org 2)"

# log findings written straight into the events db (as the [logwatch] follower
# would): 60 rate findings so the events view has two pages, one with markup in
# its subject, and remote blocks (destinations refusing our mail) of two domains
now=$(( $(date +%s) * 1000 ))
ins() { # TIME RULE KEY COUNT SUBJECT
  printf "INSERT INTO mw_events(time_ms, source, rule, key, action, count, lim, window_ms, evidence)"
  printf " VALUES(%s, 'logscan', '%s', '%s', 'alert', %s, 0, 0, '{\"recipients\":[],\"subjects\":[\"%s\"]}');\n" "$@"
}
{
  echo "BEGIN;"
  for i in $(seq 1 60); do ins $(( now - i * 60000 )) rate "" 1 "finding $i"; done
  ins "$now" rate "" 1 "<img src=x onerror=window.__mwxss=1>"
  ins $(( now - 7200000 )) remote_block gmail.com 5 "host gmail-smtp-in.l.google.com said: 550-5.7.1 our IP is listed at zen.spamhaus.org"
  ins $(( now - 3600000 )) remote_block gmail.com 12 "host gmail-smtp-in.l.google.com said: 550-5.7.1 our IP is listed at zen.spamhaus.org"
  ins $(( now - 1800000 )) remote_block outlook.com 3 "host outlook-com.olc.protection.outlook.com said: 550 5.7.1 Service unavailable, S3150"
  echo "COMMIT;"
} | sqlite3 -cmd ".timeout 5000" "$D/events.db" || { echo "FAIL: seeding events"; exit 1; }

# what the store holds: the event rows (the daemon's own events are written
# as the thresholds are crossed: wait until the count stops changing)
events=0
for _ in $(seq 1 50); do
  n=$(sqlite3 -cmd ".timeout 5000" "$D/events.db" "SELECT COUNT(*) FROM mw_events")
  [ "$n" = "$events" ] && break
  events=$n; sleep 0.1
done
events24=$(sqlite3 -cmd ".timeout 5000" "$D/events.db" \
  "SELECT COUNT(*) FROM mw_events WHERE time_ms >= $now - 86400000")
# the policy events: mallory and eve crossed alert (4th) and hold (6th)
check "policy events in the db" 4 "$(sqlite3 "$D/events.db" "SELECT COUNT(*) FROM mw_events WHERE source='policy'")"
check "hold events in the db" "eve@example.org mallory@example.org" \
  "$(sqlite3 "$D/events.db" "SELECT key FROM mw_events WHERE action='hold' ORDER BY key" | tr '\n' ' ' | sed 's/ $//')"

# destinations refusing us, as the store holds them: the highest count per domain
blocks=$(sqlite3 "$D/events.db" "SELECT key, MAX(count) FROM mw_events WHERE source='logscan'
  AND rule='remote_block' GROUP BY key ORDER BY key" | awk -F'|' '{printf "%s\"%s\":%s", (NR > 1 ? "," : ""), $1, $2}')
check "remote blocks in the db" '"gmail.com":12,"outlook.com":3' "$blocks"

mkdir -p "$SRC/build/artifacts"
export MW_URL="http://127.0.0.1:$WEB/" MW_TOKEN="$TOKEN" MW_ARTIFACTS="$SRC/build/artifacts"
export MW_EXPECT="{\"held\":2,\"heldKeys\":[\"eve@example.org\",\"mallory@example.org\"],
  \"events\":$events,\"events_24h\":$events24,
  \"senders\":{\"mallory@example.org\":8,\"eve@example.org\":7,\"bob@example.org\":2},
  \"blocks\":{$blocks}, \"dmarc\":$dmarc,
  \"release\":\"mallory@example.org\",\"xss\":\"<img src=x onerror=window.__mwxss=1>\"}"
(cd "$SRC/tests/browser" && timeout 120 node dashboard.spec.js) 2>&1 | tee "$D/spec.log"
spec=${PIPESTATUS[0]}
check "browser spec passes" 0 "$spec"

# released through the UI: mallory sends again; eve is still held
check "mallory after the release from the dashboard" "DUNNO" "$(send mallory@example.org 1)"
check "eve still held" "HOLD" "$(send eve@example.org 1)"
check "daemon still running" 0 "$(kill -0 "$MWPID" 2>/dev/null; echo $?)"
[ "$FAILS" -eq 0 ] || { tail -n 30 "$D/mw.log"; exit 1; }
echo "dashboard_browser: all checks passed (screenshots in build/artifacts/)"
