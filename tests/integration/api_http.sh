#!/usr/bin/env bash
# api_http.sh MAILWARDEN - the daemon's HTTP API (docs/API.md) against a
# real `mailwarden serve` on 127.0.0.1 with a sqlite counter store and an
# events db: access rules, CSRF checks, body limits, parameter bounds,
# paging, release through the API (then the policy service answers DUNNO),
# manual block, TLS with a self-signed certificate.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
need curl curl
need python3 python3
need openssl openssl
D=$(mktemp -d /tmp/mw-api-XXXXXX)
POL=$(free_port); HTTP=$(free_port); MWPID=
cleanup() { [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
TOKEN=s3cret-$RANDOM-token
printf '%s\n' "$TOKEN" > "$D/token"
printf 'hunter2\n' > "$D/password"
conf() { # conf EXTRA... - a config with the http lines given
  cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = unix:$D/control.sock
store = sqlite:$D/state.db
events_db = $D/events.db
log = stderr
$(printf '%s\n' "$@")
[rule user]
key = sasl_username
window = 1h
alert = 2
hold = 3
CONF
}
start() { "$MW" serve -c "$D/mw.conf" 2>> "$D/mw.log" & MWPID=$!; wait_port "$POL" && wait_port "$HTTP"; }
stop() { kill -TERM "$MWPID"; wait "$MWPID"; local rc=$?; MWPID=; return $rc; }
# send USER N - N end-of-message requests for USER; prints the actions
send() { python3 - "$POL" "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
out = []
for i in range(int(sys.argv[3])):
    s.sendall(("request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\n"
               "sasl_username=%s\nrecipient=r%d@example.org\nqueue_id=Q%d\n\n" % (sys.argv[2], i, i)).encode())
    d = b""
    while not d.endswith(b"\n\n"): d += s.recv(100)
    out.append(d.split(b"\n")[0].split(b"=")[1].split(b" ")[0].decode())
print(" ".join(out))
PY
}
U="http://127.0.0.1:$HTTP"
# code ARGS... - the HTTP status of a curl request
code() { curl -s -o "$D/body" -w '%{http_code}' "$@"; }
# jget EXPR - a value of the last body (python expression on j)
jget() { python3 -c "import json,sys; j=json.load(open('$D/body')); print($1)"; }
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")

# ---- 1. loopback, no credentials configured ----------------------------------
conf "http = 127.0.0.1:$HTTP"
start || { cat "$D/mw.log"; exit 1; }
check "open GET /api/status on loopback without credentials" 200 "$(code "$U/api/status")"
check "status is JSON with the store name" sqlite "$(jget 'j["store"]')"
check "POST refused when no credentials are configured" 403 "$(code -X POST "${JSON[@]}" -d '{"key":"a"}' "$U/api/release")"
check "... with the contract's reason" "no credentials configured" "$(jget 'j["error"]')"
check "/metrics still Prometheus text" 200 "$(code "$U/metrics")"
grep -q '^mailwarden_policy_requests_total{action="DUNNO"}' "$D/body"; check "/metrics has the request counter" 0 $?
check "unknown /api path is 404" 404 "$(code "$U/api/nothing")"
check "GET on a POST endpoint is 405" 405 "$(code "$U/api/release")"
check "DELETE without credentials configured: 403" 403 "$(code -X DELETE "$U/api/status")"
stop

# ---- 2. token configured --------------------------------------------------------
conf "http = 127.0.0.1:$HTTP" "http_token_file = $D/token" "http_user = admin" "http_password_file = $D/password"
start || { cat "$D/mw.log"; exit 1; }
check "GET /api/status without a token: 401" 401 "$(code "$U/api/status")"
curl -s -D "$D/hdr" -o /dev/null "$U/api/status"
grep -qi '^WWW-Authenticate: Bearer' "$D/hdr"; check "401 carries WWW-Authenticate: Bearer" 0 $?
check "wrong token: 401" 401 "$(code -H "Authorization: Bearer nope" "$U/api/status")"
check "token with an extra byte: 401" 401 "$(code -H "Authorization: Bearer ${TOKEN}x" "$U/api/status")"
check "right token: 200" 200 "$(code "${AUTH[@]}" "$U/api/status")"
check "basic auth, right password: 200" 200 "$(code -u admin:hunter2 "$U/api/status")"
check "basic auth, wrong password: 401" 401 "$(code -u admin:hunter3 "$U/api/status")"
check "unknown scheme: 401" 401 "$(code -H "Authorization: Digest x" "$U/api/status")"
check "the dashboard page stays open (GET /)" 1 "$(c=$(code "$U/"); [ "$c" = 200 ] || [ "$c" = 404 ] && echo 1)"
check "malformed JSON: 400" 400 "$(code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":' "$U/api/release")"
check "JSON without key: 400" 400 "$(code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"user":"x"}' "$U/api/release")"
check "key not a string: 400" 400 "$(code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":5}' "$U/api/release")"
head -c 100000 /dev/zero | tr '\0' 'a' > "$D/huge"
check "100 kB body: 413" 413 "$(code "${AUTH[@]}" "${JSON[@]}" -X POST --data-binary @"$D/huge" "$U/api/release")"
check "chunked 100 kB body: 413" 413 "$(code "${AUTH[@]}" "${JSON[@]}" -H 'Transfer-Encoding: chunked' -X POST --data-binary @"$D/huge" "$U/api/release")"
check "form content type: 415" 415 "$(code "${AUTH[@]}" -X POST -d 'key=pat' "$U/api/release")"
check "foreign Origin: 403" 403 "$(code "${AUTH[@]}" "${JSON[@]}" -H 'Origin: http://evil.example' -X POST -d '{"key":"x"}' "$U/api/release")"
check "same Origin: 200" 200 "$(code "${AUTH[@]}" "${JSON[@]}" -H "Origin: http://127.0.0.1:$HTTP" -X POST -d '{"key":"x"}' "$U/api/release")"
check "limit=0: 400" 400 "$(code "${AUTH[@]}" "$U/api/events?limit=0")"
check "limit=1001: 400" 400 "$(code "${AUTH[@]}" "$U/api/events?limit=1001")"
check "offset=-1: 400" 400 "$(code "${AUTH[@]}" "$U/api/events?offset=-1")"
check "limit=abc: 400" 400 "$(code "${AUTH[@]}" "$U/api/senders?limit=abc")"
check "limit=1000: 200" 200 "$(code "${AUTH[@]}" "$U/api/events?limit=1000")"

# traffic: pat crosses alert (>2) and hold (>3); kim sends one message
check "pat: 3 pass, then HOLD" "DUNNO DUNNO DUNNO HOLD HOLD HOLD" "$(send Pat 6)"
send kim 1 >/dev/null
code "${AUTH[@]}" "$U/api/held" >/dev/null
check "held: one item" 1 "$(jget 'j["total"]')"
check "held: pat under rule user" "pat user" "$(jget 'j["items"][0]["key"]+" "+j["items"][0]["rule"]')"
check "held: the hold event is named" 1 "$(jget 'int(j["items"][0]["event_id"] > 0)')"
code "${AUTH[@]}" "$U/api/senders" >/dev/null
check "senders sorted by count" "pat:6:held kim:1:ok" "$(jget '" ".join("%s:%d:%s" % (i["key"], i["count"], i["state"]) for i in j["items"])')"
code "${AUTH[@]}" "$U/api/senders?q=KI" >/dev/null
check "senders q= filters (case-insensitive)" "kim" "$(jget '",".join(i["key"] for i in j["items"])')"
code "${AUTH[@]}" "$U/api/senders/pat" >/dev/null
check "sender detail: 6 messages this minute" 6 "$(jget 'sum(p["count"] for p in j["history"])')"
check "sender detail: recent events with recipients" 1 "$(jget 'int(len(j["recent"]) == 2 and len(j["recent"][0]["recipients"]) > 0)')"
check "unknown sender: 404" 404 "$(code "${AUTH[@]}" "$U/api/senders/nobody")"
code "${AUTH[@]}" "$U/api/status" >/dev/null
check "status: held 1, 2 events in 24 h, 1 alert, 7 messages/min" "1 2 1 7" "$(jget '"%d %d %d %d" % (j["held"], j["events_24h"], j["alerts_24h"], j["messages_per_min"])')"
check "status: requests by answer" "4 3" "$(jget '"%d %d" % (j["requests"]["dunno"], j["requests"]["hold"])')"

# paging: ten more senders cross "alert" (one event each), none is held
for u in a b c d e f g h i j; do send "u$u" 3 >/dev/null; done
code "${AUTH[@]}" "$U/api/events?limit=5&offset=0" >/dev/null; p1=$(jget '",".join(str(i["id"]) for i in j["items"])'); total=$(jget 'j["total"]')
code "${AUTH[@]}" "$U/api/events?limit=5&offset=5" >/dev/null; p2=$(jget '",".join(str(i["id"]) for i in j["items"])')
check "events total" 12 "$total"
check "offset paging: pages are disjoint, 5 each, newest first" "ok" "$(python3 -c "
a=[int(x) for x in '$p1'.split(',')]; b=[int(x) for x in '$p2'.split(',')]
print('ok' if len(a)==5 and len(b)==5 and not set(a)&set(b) and a==sorted(a,reverse=True) and max(b)<min(a) else 'bad %s %s'%(a,b))")"
code "${AUTH[@]}" "$U/api/events?key=pat&action=hold" >/dev/null
check "events filter key+action" "1 pat hold" "$(jget '"%d %s %s" % (j["total"], j["items"][0]["key"], j["items"][0]["action"])')"
code "${AUTH[@]}" "$U/api/events?type=logscan" >/dev/null
check "events filter type" 0 "$(jget 'j["total"]')"

# release through the API: the next policy request for pat answers DUNNO
check "release pat: 200" 200 "$(code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":"Pat"}' "$U/api/release")"
check "release says released" True "$(jget 'j["released"]')"
check "after the API release, pat's next message: DUNNO" DUNNO "$(send Pat 1)"
code "${AUTH[@]}" "$U/api/held" >/dev/null
check "held is empty after the release" 0 "$(jget 'j["total"]')"
grep -q "release pat (http)" "$D/mw.log"; check "release logged" 0 $?

# block through the API: REJECT until released
check "block kim: 200" 200 "$(code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":"kim","duration_s":600}' "$U/api/block")"
check "blocked key: REJECT" REJECT "$(send kim 1)"
code "${AUTH[@]}" "$U/api/held" >/dev/null
check "a block is listed as held (rule block)" "kim block" "$(jget '" ".join(i["key"]+" "+i["rule"] for i in j["items"])')"
check "bad duration: 400" 400 "$(code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":"kim","duration_s":0}' "$U/api/block")"
code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":"kim"}' "$U/api/release" >/dev/null
check "released block: DUNNO again" DUNNO "$(send kim 1)"
check "token never logged" 0 "$(grep -c "$TOKEN" "$D/mw.log")"
check "pat again: held at the 4th message since the release" "DUNNO DUNNO HOLD" "$(send Pat 3)"
code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":"lee","duration_s":3600}' "$U/api/block" >/dev/null
stop

# history survives a restart (per-minute rows in the events db); held keys
# come back from the hold events and the sqlite store's counts
start || { cat "$D/mw.log"; exit 1; }
code "${AUTH[@]}" "$U/api/senders/pat" >/dev/null
check "history after a restart" 10 "$(jget 'sum(p["count"] for p in j["history"])')"
code "${AUTH[@]}" "$U/api/held" >/dev/null
check "held after a restart: pat, count 4, with its hold event" "pat 1" "$(jget '" ".join("%s %d" % (i["key"], i["event_id"] > 0) for i in j["items"] if i["rule"] != "block")')"
code "${AUTH[@]}" "$U/api/senders?rule=user&q=pat" >/dev/null
check "senders after a restart: the store's count" "pat:4:held" "$(jget '" ".join("%s:%d:%s" % (i["key"], i["count"], i["state"]) for i in j["items"])')"
check "a manual block survives the restart" REJECT "$(send lee 1)"
code "${AUTH[@]}" "$U/api/held" >/dev/null
check "... and is listed" "lee block" "$(jget '" ".join(i["key"] + " " + i["rule"] for i in j["items"] if i["rule"] == "block")')"
code "${AUTH[@]}" "${JSON[@]}" -X POST -d '{"key":"lee"}' "$U/api/release" >/dev/null
check "released: DUNNO" DUNNO "$(send lee 1)"
stop; start || { cat "$D/mw.log"; exit 1; }
check "the release sticks across a restart" DUNNO "$(send lee 1)"
stop

# ---- 3. refusals at start -------------------------------------------------------
conf "http = 0.0.0.0:$HTTP"
"$MW" serve -c "$D/mw.conf" 2> "$D/refuse.log"; rc=$?
check "non-loopback without credentials: refused at start" 1 "$rc"
grep -q "not a loopback address" "$D/refuse.log"; check "... saying why" 0 $?

# ---- 4. TLS ----------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/key.pem" -out "$D/cert.pem" -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
conf "http = 127.0.0.1:$HTTP" "http_token = $TOKEN" "http_tls_cert = $D/cert.pem" "http_tls_key = $D/key.pem"
start || { cat "$D/mw.log"; exit 1; }
check "HTTPS with --cacert: 200" 200 "$(code --cacert "$D/cert.pem" "${AUTH[@]}" "https://127.0.0.1:$HTTP/api/status")"
check "HTTPS answers JSON" sqlite "$(jget 'j["store"]')"
check "HTTPS without trusting the cert fails" 000 "$(code "https://127.0.0.1:$HTTP/api/status")"
check "plain HTTP on the TLS port fails" 1 "$(c=$(code "http://127.0.0.1:$HTTP/api/status"); [ "$c" != 200 ] && echo 1)"
stop

# ---- 5. DMARC reports (dmarc-report --db) and audit results --------------------
"$MW" dmarc-report --db "$D/dmarc.db" fuzz/seeds/fuzz_dmarc_report/rfc9990.xml >/dev/null
mkdir -p "$D/audit"
printf '{"domain":"example.org","summary":{"critical":1},"findings":[]}\n' > "$D/audit/example.org.json"
printf 'not json\n' > "$D/audit/broken.json"
printf '{}\n' > "$D/audit/ignored.txt"
conf "http = 127.0.0.1:$HTTP" "dmarc_db = $D/dmarc.db" "audit_dir = $D/audit"
start || { cat "$D/mw.log"; exit 1; }
check "dmarc: 200" 200 "$(code "$U/api/dmarc")"
check "dmarc: sources from the imported report (most messages first)" "True 192.0.2.1 7 aligned" "$(jget '"%s %s %d %s" % (j["configured"], j["sources"][0]["ip"], j["sources"][0]["count"], j["sources"][0]["class"])')"
check "dmarc: history per day" "2023-11-14 10 7 3" "$(jget '" ".join("%s %d %d %d" % (d["day"], d["messages"], d["pass"], d["fail"]) for d in j["history"])')"
check "dmarc: bad since_ms 400" 400 "$(code "$U/api/dmarc?since_ms=x")"
code "$U/api/audit" >/dev/null
check "audit: the two .json files, the broken one flagged" "broken.json:not a JSON object example.org.json:example.org" "$(jget '" ".join(sorted(i["file"] + ":" + i.get("error", i["domain"]) for i in j["items"]))')"
stop

[ "$FAILS" -eq 0 ] || { tail -20 "$D/mw.log"; exit 1; }
echo "api_http: all checks passed"
