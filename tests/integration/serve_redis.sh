#!/usr/bin/env bash
# serve_redis.sh MAILWARDEN - two `mailwarden serve` daemons share counters
# through a real redis-server on loopback:
#  - a limit is enforced across both (hold above 10, requests alternate);
#  - Redis killed mid-run: every request is still answered (local fallback),
#    status says degraded;
#  - Redis back: status up again and the daemons share counters again.
set -uo pipefail
MW=$(readlink -f "$1")
. "$(dirname "$0")/lib_serve.bash"
need redis-server redis-server
need python3 python3
D=$(mktemp -d /tmp/mw-redis-XXXXXX)
RP=$(free_port); PA=$(free_port); PB=$(free_port)
PIDS=()
start_redis() {
  redis-server --bind 127.0.0.1 --port "$RP" --save '' --appendonly no --daemonize yes \
    --pidfile "$D/redis.pid" --logfile "$D/redis.log" || exit 1
  for _ in $(seq 1 100); do [ -s "$D/redis.pid" ] && break; sleep 0.05; done
  wait_port "$RP"
}
stop_redis() {
  local p; p=$(cat "$D/redis.pid"); kill "$p"
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
  rm -f "$D/redis.pid"
}
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -s "$D/redis.pid" ] && stop_redis
  rm -rf "$D"
}
trap cleanup EXIT
start_redis
for n in A B; do
  port=$PA; [ $n = B ] && port=$PB
  cat > "$D/$n.conf" <<CONF
[serve]
listen = 127.0.0.1:$port
control = unix:$D/$n.sock
store = redis://127.0.0.1:$RP
store_timeout_ms = 50
events_db = off
metrics = off
log = stderr

[rule user]
key = sasl_username
window = 1h
hold = 10
CONF
  "$MW" serve -c "$D/$n.conf" 2> "$D/$n.log" &
  PIDS+=($!)
done
wait_port "$PA" && wait_port "$PB" || { cat "$D"/*.log; exit 1; }

# run USER N - N requests alternating A, B on persistent connections;
# prints the answers' actions on one line and the slowest answer in ms
run() {
  PA=$PA PB=$PB python3 - "$1" "$2" <<'PY'
import os, socket, sys, time
user, n = sys.argv[1].encode(), int(sys.argv[2])
socks = [socket.create_connection(("127.0.0.1", int(os.environ[p])), timeout=3) for p in ("PA", "PB")]
req = b"request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\nsasl_username=%s\n\n" % user
acts, slowest = [], 0.0
for i in range(n):
    s = socks[i % 2]; t = time.time(); s.sendall(req); data = b""
    try:
        while not data.endswith(b"\n\n"):
            c = s.recv(4096)
            if not c: break
            data += c
    except socket.timeout: data = b"action=LOST"
    slowest = max(slowest, time.time() - t)
    acts.append(data.split(b"\n")[0].split(b"=")[1].split(b" ")[0].decode() if data else "LOST")
print(" ".join(acts)); print(int(slowest * 1000))
PY
}
state() { "$MW" status --control "unix:$D/$1.sock" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["store_state"])'; }

out=$(run shared 12)
check "limit across both daemons: 10 DUNNO then HOLD on either" \
  "DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO HOLD HOLD" "$(echo "$out" | head -1)"
check "daemon A store state" up "$(state A)"

# Redis hung (SIGSTOP): connections are accepted by the kernel but never
# answered; every answer must still come within the store timeout (50 ms)
# plus a reconnect attempt, far below Postfix's own policy timeout.
kill -STOP "$(cat "$D/redis.pid")"
out=$(run hung 30)
kill -CONT "$(cat "$D/redis.pid")"
check "redis hung: all 30 requests answered" 30 "$(echo "$out" | head -1 | tr ' ' '\n' | grep -c -e DUNNO -e HOLD)"
slow=$(echo "$out" | tail -1)
echo "   (slowest answer while redis was hung: $slow ms; store_timeout_ms = 50)"
[ "$slow" -lt 1000 ]; check "redis hung: no answer waited a second or more" 0 $?
sleep 2.5   # reconnect: at most once a second, from the one-second sweep
check "daemon A back up after SIGCONT" up "$(state A)"

stop_redis
out=$(run down 40)
acts=$(echo "$out" | head -1)
check "redis down: all 40 requests answered" 40 "$(echo "$acts" | tr ' ' '\n' | grep -c -e DUNNO -e HOLD)"
check "redis down: no answer lost" 0 "$(echo "$acts" | tr ' ' '\n' | grep -c LOST)"
echo "   (slowest answer while redis was down: $(echo "$out" | tail -1) ms)"
check "redis down: local counters enforce per daemon (20 each > 10: HOLD from the 21st overall)" \
  HOLD "$(echo "$acts" | awk '{print $NF}')"
check "daemon A says degraded" degraded "$(state A)"
grep -q "unreachable: counting locally" "$D/A.log"; check "degraded state logged" 0 $?

start_redis
sleep 2.5   # reconnect is tried at most once a second, from the sweep or a request
check "daemon A back up" up "$(state A)"
check "daemon B back up" up "$(state B)"
out=$(run again 12)
check "sharing resumed: 10 DUNNO then HOLD" \
  "DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO DUNNO HOLD HOLD" "$(echo "$out" | head -1)"
grep -q "reachable again" "$D/A.log"; check "recovery logged" 0 $?

for p in "${PIDS[@]}"; do kill -TERM "$p"; wait "$p"; check "daemon $p exits 0 on SIGTERM" 0 $?; done
PIDS=()
if [ "$FAILS" -ne 0 ]; then tail -n 20 "$D/A.log" "$D/B.log"; exit 1; fi
echo "serve_redis: all checks passed"
