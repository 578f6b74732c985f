# tests/integration/lib_knot.bash - a private Debian knotd on 127.0.0.1 for
# the *_knot.sh integration tests (named .bash so ctest does not run it).
#
#   knot_init NAME        skip (77) or fail in CI without knotd/python3; make
#                         $tmp, the pids array and the cleanup trap
#   knot_free_port        a port free for UDP and TCP on 127.0.0.1
#   knot_start D=F...     serve zone D from file F on $knot_port; sets
#                         $knot_port, logs to $tmp/knot.log
#   knot_wait CMD...      run CMD (with the port already in it) until it
#                         succeeds, up to ~60 s (slow under sanitizers/load)
#   knot_sink             a UDP socket that reads queries and never answers;
#                         sets $sink_port
# Every process is stopped by its recorded pid when the script exits.
[ "${BASH_SOURCE[0]}" = "$0" ] && exit 77

knot_init() {
  knot_name=$1
  if ! command -v knotd >/dev/null || ! command -v python3 >/dev/null; then
    echo "$knot_name: knotd or python3 not installed (scripts/setup --test)"
    [ -n "${CI:-}" ] && exit 1
    exit 77
  fi
  tmp=$(mktemp -d "/tmp/mw-$knot_name.XXXXXX")
  pids=()
  trap knot_cleanup EXIT
  [ -n "${MW_KEEP:-}" ] && echo "$tmp"
  return 0
}

knot_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -n "${MW_KEEP:-}" ] || rm -rf "$tmp"
}

knot_free_port() {
  python3 -c '
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        continue
    t.close(); u.close()
    print(p)
    break'
}

knot_start() {
  knot_port=$(knot_free_port)
  mkdir -p "$tmp/run" "$tmp/db"
  {
    cat <<EOF
server:
    listen: 127.0.0.1@$knot_port
    rundir: "$tmp/run"
    pidfile: "$tmp/run/knot.pid"
database:
    storage: "$tmp/db"
template:
  - id: default
    storage: "$tmp"
    zonefile-sync: -1
    journal-content: none
log:
  - target: stderr
    any: warning
zone:
EOF
    local z
    for z in "$@"; do
      printf '  - domain: %s\n    file: "%s"\n' "${z%%=*}" "${z#*=}"
    done
  } >"$tmp/knot.conf"
  knotd -c "$tmp/knot.conf" >"$tmp/knot.log" 2>&1 &
  pids+=($!)
}

knot_wait() {
  for _ in $(seq 1 300); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$knot_name: knotd did not answer on 127.0.0.1:$knot_port"
  cat "$tmp/knot.log"
  exit 1
}

knot_sink() {
  sink_port=$(knot_free_port)
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
while True:
    s.recvfrom(65535)
' "$sink_port" >"$tmp/sink.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do grep -q ready "$tmp/sink.log" && break; sleep 0.1; done
}
