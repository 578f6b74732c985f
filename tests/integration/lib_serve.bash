# tests/integration/lib_serve.bash - helpers sourced by the serve_*.sh integration
# tests (named .bash so ctest does not run it as a test).
[ "${BASH_SOURCE[0]}" = "$0" ] && exit 77

# need PROGRAM PACKAGE - the program or skip (fail in CI: scripts/setup installs it)
need() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then
    if [ -n "${CI:-}" ]; then echo "FAIL: $1 missing (package $2)"; exit 1; fi
    echo "SKIP: $1 missing (apt-get install $2)"; exit 77
  fi
}

# free_port - a TCP port on 127.0.0.1 nobody listens on
free_port() {
  local p
  # $(free_port) runs in a subshell that inherits RANDOM's state: reseed, or
  # two calls in a row return the same port
  RANDOM=$(( BASHPID + 10#$(date +%N) % 100000 ))
  for _ in $(seq 1 200); do
    p=$(( 15000 + RANDOM % 17000 ))   # below the ephemeral range (32768-): no client socket holds it
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port" >&2; exit 1
}

# wait_port PORT - until something listens (5 s)
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    sleep 0.05
  done
  echo "FAIL: nothing listens on port $1"; return 1
}

# check DESC WANT GOT - compare and count
FAILS=0
check() {
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: want '$2' got '$3'"; FAILS=$((FAILS+1)); fi
}
