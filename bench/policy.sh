#!/usr/bin/env bash
# bench/policy.sh [SECONDS] [CONNS] - policy-service throughput and latency:
# mailwarden with the memory, sqlite and redis stores, then postfwd (postfwd2)
# and policyd-rate-limit from Debian with an equivalent rule (per
# sasl_username, more than 300 in 5 minutes -> HOLD/defer), all driven by
# bench/bench_policy.c with the same requests.  The requests are RCPT-state
# ones, because policyd-rate-limit counts only at RCPT (it answers other
# states without looking at its database); mailwarden's rule counts
# recipients at RCPT to match.  A last line runs mailwarden's built-in
# default rules on END-OF-MESSAGE requests.  Prints one line each and the
# ratios against postfwd.  Not part of the test suite; results go to
# docs/PERFORMANCE.md by hand.  Everything runs on 127.0.0.1 and is stopped
# by pid at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}; CONNS=${2:-32}
# the peers (benchmark only, never linked): install when missing, as root
for pkg in postfwd policyd-rate-limit redis-server; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && continue
  [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "$pkg" >/dev/null 2>&1 || echo "note: $pkg not installed; skipped"
done
make bench >/dev/null || exit 1
MW=$PWD/build/mailwarden; BENCH=$PWD/build/bench_policy
. tests/integration/lib_serve.bash
D=$(mktemp -d /tmp/mw-bench-XXXXXX); chmod 755 "$D"
PIDS=(); REDIS_PIDFILE=
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -n "$REDIS_PIDFILE" ] && [ -s "$REDIS_PIDFILE" ] && kill "$(cat "$REDIS_PIDFILE")"
  [ -s "$D/postfwd.pid" ] && kill "$(cat "$D/postfwd.pid")" 2>/dev/null
  sleep 0.5; rm -rf "$D"
}
trap cleanup EXIT
declare -A RPS

# run LABEL PORT - one measured run; remembers req/s
run() {
  local out; out=$("$BENCH" --port "$2" --conns "$CONNS" --seconds "$SECS" --label "$1" \
    --state "${STATE:-RCPT}" --json) || {
    echo "$1: benchmark failed"; return; }
  RPS[$1]=$(echo "$out" | sed 's/.*"rps":\([0-9]*\).*/\1/'); LASTLABEL=$1
  echo "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%-24s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  p999 %7.3f ms  (%d requests, %d conns, DUNNO %d HOLD %d DEFER %d)" % (r["label"], r["rps"], r["p50_ms"], r["p99_ms"], r["p999_ms"], r["requests"], r["conns"], r["dunno"], r["hold"], r["defer"]))'
}

cat > "$D/mw.conf" <<'CONF'
[rule sasl_rcpt]
key = sasl_username
count = recipients
window = 5m
hold = 300
CONF
# cpu_ticks PATTERN - user+system clock ticks used so far by the processes
# whose command line contains PATTERN (a path or port unique to this run)
# (or, for "tree:PID", by PID and its descendants: postfwd2 renames its processes)
cpu_ticks() {
  local t=0 p pids
  if [ "${1#tree:}" != "$1" ]; then
    pids="${1#tree:} $(pgrep -P "${1#tree:}") $(for c in $(pgrep -P "${1#tree:}"); do pgrep -P "$c"; done)"
  else
    pids=$(pgrep -f -- "$1")
  fi
  for p in $pids; do
    [ -r "/proc/$p/stat" ] && t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  echo "$t"
}
# cpu_per_req PATTERN T0 - server CPU time per answered request (all its
# processes): a cost measure that does not depend on how busy the machine is.
# Requests served during the warm-up second are estimated at the measured rate.
declare -A CPU
cpu_per_req() {
  local t1 hz; t1=$(cpu_ticks "$1"); hz=$(getconf CLK_TCK)
  local n=$(( ${RPS[$LASTLABEL]:-0} ))
  [ "$n" -gt 0 ] || return
  CPU[$LASTLABEL]=$(echo "$t1 $2 $hz $n $SECS $WARM" | awk '{ printf "%.1f", ($1 - $2) / $3 * 1e6 / ($4 * ($5 + $6)) }')
  printf "%-24s server CPU %s us per request (=> %.0f req/s per core)\n" "" "${CPU[$LASTLABEL]}" \
    "$(echo "1000000 / ${CPU[$LASTLABEL]}" | bc -l)"
}
WARM=1
# mailwarden STORE [CONF] - start the daemon on a store, run, stop
mailwarden() {
  local port; port=$(free_port)
  "$MW" serve ${2:+-c "$2"} --listen "127.0.0.1:$port" --control off --events-db off \
    --metrics off --store "$1" --log stderr 2>> "$D/mw.log" &
  local pid=$!; PIDS+=("$pid")
  wait_port "$port" || return 1
  local t0; t0=$(cpu_ticks "127.0.0.1:$port")
  run "${LABEL:-mailwarden $(echo "$1" | cut -d: -f1)}" "$port"
  cpu_per_req "127.0.0.1:$port" "$t0"
  kill "$pid"; wait "$pid" 2>/dev/null
}

mailwarden memory "$D/mw.conf"
# latency against concurrency (memory store): Postfix keeps one connection
# per smtpd process, each with one request in flight
for c in 1 4 16; do CONNS=$c LABEL="mailwarden memory, $c conn" mailwarden memory "$D/mw.conf"; done
mailwarden "sqlite:$D/state.db" "$D/mw.conf"
if command -v redis-server >/dev/null; then
  RP=$(free_port); REDIS_PIDFILE=$D/redis.pid
  redis-server --bind 127.0.0.1 --port "$RP" --save '' --appendonly no --daemonize yes \
    --pidfile "$REDIS_PIDFILE" --logfile "$D/redis.log"
  wait_port "$RP" && mailwarden "redis://127.0.0.1:$RP" "$D/mw.conf"
fi

if command -v postfwd2 >/dev/null; then
  # rate() needs the daemon mode (postfwd2 --nodaemon disables it)
  PP=$(free_port)
  cat > "$D/postfwd.cf" <<'CF'
id=RATE; sasl_username=~.; action=rate(sasl_username/300/300/HOLD outbound rate limit)
id=DEFAULT; action=DUNNO
CF
  chmod 644 "$D/postfwd.cf"
  postfwd2 --file "$D/postfwd.cf" --interface 127.0.0.1 --port "$PP" --pidfile "$D/postfwd.pid" \
    --user nobody --group nogroup --cache=0 --daemon > "$D/postfwd.log" 2>&1
  wait_port "$PP" && sleep 0.5 && { pf="tree:$(cat "$D/postfwd.pid")"; t0=$(cpu_ticks "$pf")
    run "postfwd2 (rate)" "$PP"; cpu_per_req "$pf" "$t0"; }
  [ -s "$D/postfwd.pid" ] && kill "$(cat "$D/postfwd.pid")"
fi

if command -v policyd-rate-limit >/dev/null; then
  PR=$(free_port)
  cat > "$D/prl.yaml" <<YAML
debug: False
user: "root"
group: "root"
pidfile: "$D/prl.pid"
sqlite_config:
    database: "$D/prl.sqlite3"
backend: 0
SOCKET: ["127.0.0.1", $PR]
limits:
    - [300, 300]
limit_by_sasl: True
limit_by_sender: False
limit_by_ip: False
success_action: "dunno"
fail_action: "defer_if_permit Rate limit reach, retry later"
db_error_action: "dunno"
report: False
delay_to_close: 300
YAML
  policyd-rate-limit --file "$D/prl.yaml" > "$D/prl.log" 2>&1 &
  PIDS+=($!)
  wait_port "$PR" && { t0=$(cpu_ticks "$D/prl.yaml"); run "policyd-rate-limit" "$PR"; cpu_per_req "$D/prl.yaml" "$t0"; }
fi

STATE=END-OF-MESSAGE LABEL="mailwarden mem, EOM" mailwarden memory
# the same over a unix socket (check_policy_service unix:private/...)
"$MW" serve -c "$D/mw.conf" --listen "unix:$D/policy.sock" --control off --events-db off \
  --metrics off --log stderr 2>> "$D/mw.log" &
pid=$!; PIDS+=("$pid"); sleep 0.5
t0=$(cpu_ticks "$D/policy.sock")
out=$("$BENCH" --unix "$D/policy.sock" --conns "$CONNS" --seconds "$SECS" --state RCPT \
  --label "mailwarden mem, unix" --json)
RPS["mailwarden mem, unix"]=$(echo "$out" | sed 's/.*"rps":\([0-9]*\).*/\1/'); LASTLABEL="mailwarden mem, unix"
echo "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%-24s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  p999 %7.3f ms  (%d requests, %d conns, DUNNO %d HOLD %d DEFER %d)" % (r["label"], r["rps"], r["p50_ms"], r["p99_ms"], r["p999_ms"], r["requests"], r["conns"], r["dunno"], r["hold"], r["defer"]))'
cpu_per_req "$D/policy.sock" "$t0"
kill "$pid"; wait "$pid" 2>/dev/null

echo
base=${RPS["postfwd2 (rate)"]:-}; cbase=${CPU["postfwd2 (rate)"]:-}
if [ -n "$base" ] && [ "$base" -gt 0 ]; then
  echo "ratios to postfwd2: throughput (req/s), and server CPU per request (load-independent)"
  for k in "mailwarden memory" "mailwarden sqlite" "mailwarden redis" "policyd-rate-limit" "mailwarden mem, EOM" "mailwarden mem, unix"; do
    [ -n "${RPS[$k]:-}" ] || continue
    c="-"
    [ -n "$cbase" ] && [ -n "${CPU[$k]:-}" ] && c=$(printf "%.0fx" "$(echo "$cbase / ${CPU[$k]}" | bc -l)")
    printf "%-24s %7.1fx req/s   %6s less CPU per request\n" "$k" "$(echo "${RPS[$k]} / $base" | bc -l)" "$c"
  done
fi
