#!/usr/bin/env bash
# bench/netwatch.sh [MAILWARDEN] - CPU cost of one netwatch sample with
# 10,000 open TCP sockets, as root, inside a private network namespace.
#   A: 5,000 loopback connections to port 8080 (10,000 sockets, none watched)
#   B: 5,000 loopback connections to port 25   (10,000 sockets, 5,000 watched)
# For each: `netwatch --watch --interval 10 --count 300 --stats` prints the
# CPU time of the first sample (includes the /proc scan for every new
# socket) and the average of the later ones (dump + diff only).  For
# comparison: `ss -Htnp` with the same filter (dump + full /proc scan each
# time), CPU time per run averaged over 20 runs.
# Never part of the test suite.
set -euo pipefail
MW=$(readlink -f "${1:-build/mailwarden}")
PY=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespace)"; exit 1; }
NS=mwbench-$$
T=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
cat >"$T/sockets.py" <<'PYEOF'
import resource, socket, sys, time
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port)); l.listen(4096)
keep = []
for i in range(n):
    c = socket.create_connection(("127.0.0.1", port)); a, _ = l.accept()
    keep += [c, a]
open(ready, "w").write("%d\n" % len(keep))
time.sleep(3600)
PYEOF
# cpu_us_per_run N CMD... - children's user+sys CPU per run, microseconds
cpu_us_per_run() {
  "$PY" - "$@" <<'PYEOF'
import resource, subprocess, sys
n, cmd = int(sys.argv[1]), sys.argv[2:]
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(n):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int(((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1e6 / n))
PYEOF
}
run() {
  local label=$1 port=$2
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  rm -f "$T/ready"
  ip netns exec "$NS" "$PY" "$T/sockets.py" "$port" 5000 "$T/ready" &
  pid=$!
  for _ in $(seq 600); do [ -f "$T/ready" ] && break; sleep 0.1; done
  local total; total=$(ip netns exec "$NS" ss -Htan | wc -l)
  echo "== $label: $total TCP sockets in the namespace"
  ip netns exec "$NS" "$MW" netwatch --watch --interval 10 --count 300 --stats --json --all \
    >/dev/null 2>"$T/stats" || true
  grep 'netwatch stats' "$T/stats"
  local filt='( dport = :25 or dport = :465 or dport = :587 or dport = :2525 )'
  local ss_us base_us
  ss_us=$(cpu_us_per_run 20 ip netns exec "$NS" ss -Htnp "$filt")
  base_us=$(cpu_us_per_run 20 ip netns exec "$NS" true)
  echo "ss -Htnp with the same ports: $((ss_us - base_us)) us CPU per run (ip netns exec overhead of $base_us us subtracted)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  ip netns del "$NS"
}
echo "machine: $(nproc) cores, kernel $(uname -r); processes: $(ls -d /proc/[0-9]* 2>/dev/null | wc -l)"
run "A (port 8080, nothing watched)" 8080
run "B (port 25, 5,000 watched)" 25
