#!/usr/bin/env bash
# serve_persist.sh MAILWARDEN - the sqlite store keeps the windows across a
# restart: 5 messages, SIGTERM, start again on the same file, the 6th message
# crosses "hold above 5".  The memory store, for contrast, starts from zero.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
need python3 python3
D=$(mktemp -d /tmp/mw-persist-XXXXXX)
POL=$(free_port); MWPID=
cleanup() { [ -n "$MWPID" ] && kill "$MWPID" 2>/dev/null && wait "$MWPID" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
cat > "$D/mw.conf" <<CONF
[serve]
listen = 127.0.0.1:$POL
control = off
events_db = off
log = stderr
[rule user]
key = sasl_username
window = 1h
hold = 5
CONF
start() { "$MW" serve -c "$D/mw.conf" --store "$1" 2>> "$D/mw.log" & MWPID=$!; wait_port "$POL"; }
stop() { kill -TERM "$MWPID"; wait "$MWPID"; local rc=$?; MWPID=; return $rc; }
send() { python3 - "$POL" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
out = []
for _ in range(int(sys.argv[2])):
    s.sendall(b"request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\nsasl_username=pat\n\n")
    d = b""
    while not d.endswith(b"\n\n"): d += s.recv(100)
    out.append(d.split(b"\n")[0].split(b"=")[1].split(b" ")[0].decode())
print(" ".join(out))
PY
}
for store in "sqlite:$D/state.db" memory; do
  start "$store" || { cat "$D/mw.log"; exit 1; }
  check "$store: five messages pass" "DUNNO DUNNO DUNNO DUNNO DUNNO" "$(send 5)"
  stop; check "$store: SIGTERM exits 0 (store flushed)" 0 $?
  start "$store" || exit 1
  want=HOLD; [ "$store" = memory ] && want=DUNNO
  check "$store: after the restart the 6th message gives $want" "$want" "$(send 1)"
  stop
done
[ "$FAILS" -eq 0 ] || { tail "$D/mw.log"; exit 1; }
echo "serve_persist: all checks passed"
