#!/usr/bin/env bash
# fuzz/smoke.sh SECONDS - build every fuzz/fuzz_*.c target with clang and run
# each for SECONDS (two at a time on a 2-core machine).  Seeds come from
# fuzz/seeds/<target>/ when present.  A crash fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
make fuzz >/dev/null
pids=()
status=0
for bin in build-fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus=build-fuzz/corpus-$name
  mkdir -p "$corpus"
  seeds=fuzz/seeds/$name
  [ -d "$seeds" ] || seeds=
  ( "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
      -artifact_prefix="build-fuzz/$name-" "$corpus" $seeds \
      >"build-fuzz/$name.log" 2>&1 \
    && echo "fuzz $name: ok ($(grep -c . "build-fuzz/$name.log") log lines)" ) \
    || { echo "fuzz $name: FAILED"; tail -n 40 "build-fuzz/$name.log"; exit 1; } &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
