#!/usr/bin/env bash
# serve_badinput.sh MAILWARDEN - malformed and hostile policy clients against
# a running `mailwarden serve`; after every case a fresh client must still get
# a correct answer (the daemon is alive and answering).  Also: SIGHUP with a
# broken config keeps the old rules, with a good one switches to the new.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
need python3 python3
D=$(mktemp -d /tmp/mw-bad-XXXXXX)
POL=$(free_port)
MWPID=
cleanup() { [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
write_conf() { # HOLD_LIMIT
cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = unix:$D/control.sock
events_db = off
metrics = off
request_timeout = 2
max_connections = 12000
log = stderr

[rule user]
key = sasl_username
window = 1h
hold = $1
CONF
}
write_conf 3
"$MW" serve -c "$D/mw.conf" 2> "$D/mw.log" &
MWPID=$!
wait_port "$POL" || { cat "$D/mw.log"; exit 1; }

PORT=$POL PID=$MWPID CONTROL=$D/control.sock python3 - <<'PY'
import os, socket, time, resource, sys
PORT = int(os.environ["PORT"]); PID = int(os.environ["PID"])
REQ = b"request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\nsasl_username=%s\nclient_address=192.0.2.1\n\n"
fails = 0
def check(what, want, got):
    global fails
    if want == got: print("ok:", what)
    else: print("FAIL: %s: want %r got %r" % (what, want, got)); fails += 1
def conn():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5); return s
def answer(s):
    data = b""
    while not data.endswith(b"\n\n"):
        chunk = s.recv(4096)
        if not chunk: return data + b"<EOF>"
        data += chunk
    return data
def closed(s, wait=5):
    s.settimeout(wait)
    try: return s.recv(100) == b""
    except (ConnectionResetError, BrokenPipeError): return True
    except socket.timeout: return False
probes = 0
def alive(what):
    global probes
    probes += 1
    try:
        s = conn(); s.sendall(REQ % (b"probe%d" % probes)); a = answer(s); s.close()
    except OSError as e: a = repr(e).encode()
    check("daemon answers a fresh client after: " + what, b"action=DUNNO\n\n", a)
    os.kill(PID, 0)

# table: name, bytes to send, expected answer, connection closed after
hostile = [
  ("1 MB attribute", b"request=smtpd_access_policy\nsender=" + b"a" * (1 << 20) + b"\n\n"),
  ("binary bytes", b"request=smtpd_access_policy\nsender=\x00\x01\xfe\xff\n\n"),
  ("5000 attributes", b"request=smtpd_access_policy\n" + b"".join(b"a%d=1\n" % i for i in range(5000)) + b"\n"),
  ("line without =", b"request=smtpd_access_policy\nGET / HTTP/1.0\n\n"),
  ("wrong request type", b"request=junk\nsasl_username=x\n\n"),
  ("empty request", b"\n"),
]
for name, data in hostile:
    s = conn()
    try: s.sendall(data)
    except OSError: pass
    try: a = answer(s)
    except OSError as e: a = repr(e).encode()
    check(name + ": default action answered", b"action=DUNNO\n\n", a)
    check(name + ": connection closed", True, closed(s))
    s.close(); alive(name)

# no empty line: no answer, then closed after request_timeout (2 s)
s = conn(); s.sendall(b"request=smtpd_access_policy\nsasl_username=x\n")
s.settimeout(1)
try: got = s.recv(100)
except socket.timeout: got = b"<no answer yet>"
check("no empty line: no answer while incomplete", b"<no answer yet>", got)
check("no empty line: closed after request_timeout", True, closed(s, 4))
alive("no empty line")

# slowloris: one byte every 0.2 s never completes within request_timeout
s = conn(); t0 = time.time(); gone = False
for b in REQ % b"slow":
    try: s.send(bytes([b]))
    except OSError: gone = True; break
    if time.time() - t0 > 4: break
    time.sleep(0.2)
check("slowloris: closed by the daemon", True, gone or closed(s, 2))
s.close(); alive("slowloris")

# pipelining: 3 requests in one write, 3 answers in order; hold above 3
s = conn(); s.sendall((REQ % b"pipe") * 4)
data = b""
while data.count(b"\n\n") < 4:
    chunk = s.recv(4096)
    if not chunk: break
    data += chunk
got = [a + b"\n\n" for a in data.split(b"\n\n")[:4]]
check("pipelined answers", [b"action=DUNNO\n\n"] * 3 + [b"action=HOLD rate limit exceeded\n\n"], got)
s.close()

# a client that pipelines requests and never reads its answers: once its
# unread answers pass the 1 MB cap it is no longer read, and it is closed
# after request_timeout (2 s) instead of holding its buffers forever (here
# the partial request left in its input triggers the same timeout)
s = conn(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(0.2); sent = 0
t0 = time.time()
try:
    while time.time() - t0 < 8:
        sent += s.send((REQ % b"noreader") * 64)
except (socket.timeout, BlockingIOError): pass
except OSError: pass
time.sleep(4)
# ask the daemon (control socket) how many connections it holds: only the
# control connection itself may remain
u = socket.socket(socket.AF_UNIX); u.connect(os.environ["CONTROL"]); u.sendall(b"status\n")
st = b""
while not st.endswith(b"\n"): st += u.recv(4096)
u.close()
import json
check("client that never reads: closed by the daemon", 1, json.loads(st)["connections"])
s.close(); alive("a client that never reads")

# 10,000 idle connections: all held open, the daemon keeps answering
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 10000
if hard != resource.RLIM_INFINITY and hard < want + 100:
    want = max(100, hard - 200)  # this machine allows fewer descriptors
    print("note: RLIMIT_NOFILE hard limit %d: testing %d idle connections" % (hard, want))
resource.setrlimit(resource.RLIMIT_NOFILE, (want + 100 if hard == resource.RLIM_INFINITY else min(hard, 20000), hard))
idle = []
try:
    for i in range(want):
        c = socket.socket(); c.setblocking(True); c.connect(("127.0.0.1", PORT)); idle.append(c)
except OSError as e:
    print("FAIL: could open only %d idle connections: %r" % (len(idle), e)); fails += 1
check("opened %d idle connections" % want, want, len(idle))
alive("%d idle connections" % want)
for c in idle: c.close()
alive("closing the idle connections")
sys.exit(1 if fails else 0)
PY
py=$?
[ "$py" -eq 0 ] || FAILS=$((FAILS+1))

# memory after the flood stays bounded (RSS in kB)
rss=$(awk '/VmRSS/{print $2}' /proc/$MWPID/status)
[ "$rss" -lt 200000 ]; check "RSS after 10000 connections below 200 MB ($rss kB)" 0 $?

# SIGHUP: a broken file is rejected, the old rules keep running
ask() { printf 'request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\nsasl_username=%s\n\n' "$1" |
        python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",'"$POL"')); s.sendall(sys.stdin.buffer.read()); print(s.recv(200).decode().split(chr(10))[0])'; }
echo "[rule broken" >> "$D/mw.conf"
kill -HUP "$MWPID"; sleep 0.5
grep -q "reload rejected" "$D/mw.log"; check "broken config: reload rejected in the log" 0 $?
for i in 1 2 3; do ask hup1 > /dev/null; done
check "old rules still apply (hold above 3)" "action=HOLD rate limit exceeded" "$(ask hup1)"
write_conf 10
kill -HUP "$MWPID"; sleep 0.5
grep -q "configuration reloaded" "$D/mw.log"; check "good config: reloaded" 0 $?
for i in 1 2 3; do ask hup2 > /dev/null; done
check "new rules apply (hold above 10)" "action=DUNNO" "$(ask hup2)"

kill -TERM "$MWPID"; wait "$MWPID"; rc=$?; MWPID=
check "SIGTERM: exit 0" 0 "$rc"

# connection cap: max_connections = 50, 200 idle clients: the least recently
# active ones are closed, the count stays at the cap, newcomers are answered.
# Also listens on IPv6 loopback when the machine has it.
sed -i 's/^max_connections = .*/max_connections = 50/' "$D/mw.conf"
"$MW" serve -c "$D/mw.conf" 2> "$D/mw2.log" &
MWPID=$!
wait_port "$POL" || { cat "$D/mw2.log"; exit 1; }
PORT=$POL python3 - <<'PY' || FAILS=$((FAILS+1))
import os, socket, sys, time
PORT = int(os.environ["PORT"])
idle = [socket.create_connection(("127.0.0.1", PORT)) for _ in range(200)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
s.sendall(b"request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\nsasl_username=cap\n\n")
a = s.recv(100)
ok = a == b"action=DUNNO\n\n"
print(("ok" if ok else "FAIL") + ": newcomer answered with 200 idle clients over a cap of 50")
closed = 0
for c in idle:
    c.settimeout(0.01)
    try:
        if c.recv(1) == b"": closed += 1
    except socket.timeout: pass
    except OSError: closed += 1
ok2 = closed >= 150
print(("ok" if ok2 else "FAIL") + ": %d of 200 idle connections closed by the cap (want >= 150)" % closed)
sys.exit(0 if ok and ok2 else 1)
PY
conns=$("$MW" status -c "$D/mw.conf" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections"])')
[ "$conns" -le 50 ]; check "status: connections at most the cap ($conns)" 0 $?
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
  P6=$(free_port)
  "$MW" serve --listen "[::1]:$P6" --control off --events-db off --log stderr 2> "$D/mw6.log" &
  P6PID=$!
  sleep 0.5
  got=$(python3 -c 'import socket,sys; s=socket.create_connection(("::1",'"$P6"'),timeout=5); s.sendall(b"request=smtpd_access_policy\n\n"); print(s.recv(100).decode().strip())')
  check "IPv6 listener [::1] answers" "action=DUNNO" "$got"
  kill "$P6PID"; wait "$P6PID"
fi
kill -TERM "$MWPID"; wait "$MWPID"; MWPID=
if [ "$FAILS" -ne 0 ]; then tail -30 "$D/mw.log"; exit 1; fi
echo "serve_badinput: all checks passed"
