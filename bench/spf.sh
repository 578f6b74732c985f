#!/usr/bin/env bash
# bench/spf.sh [SECONDS] - SPF evaluations per second: mailwarden vs libspf2
# vs python3-spf, over the same records and checks (bench/spf-bench.txt),
# all answered from memory.  Installs the peers from Debian when missing,
# builds, checks that the three agree with the expected results, prints each
# rate and the ratios.  Not part of the test suite (never run in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}
data=bench/spf-bench.txt

need=()
for p in libspf2-dev python3-spf; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

make bench >/dev/null
out=build/bench
mkdir -p "$out"
cc -O2 -o "$out/peer_libspf2" bench/peer_libspf2.c -lspf2

# Three interleaved rounds, best rate of each kept: the machine may be busy.
best() { # best FIELD OUTPUT... -> highest value of FIELD
  local f=$1 b=0 v; shift
  for o in "$@"; do v=$(sed -n "s/^$f //p" <<<"$o"); [ "${v:-0}" -gt "$b" ] && b=$v; done
  echo "$b"
}
mws=(); l2s=(); pys=()
for round in 1 2 3; do
  mws+=("$(build/bench_spf "$data" "$secs")")
  l2s+=("$("$out/peer_libspf2" "$data" "$secs")")
  pys+=("$(/usr/bin/python3 bench/peer_pyspf.py "$data" "$secs")")
done
mw=${mws[0]}; l2=${l2s[0]}; py=${pys[0]}

want=$(awk '$1 == "CHECK" { printf " %s", $4 }' "$data")
field() { sed -n "s/^$1 //p" <<<"$2"; }
status=0
compare() { # compare NAME RESULTS
  local i=0 w g
  read -r -a W <<<"$want"
  read -r -a G <<<"$2"
  for w in "${W[@]}"; do
    g=${G[$i]:-missing}
    if [ "$g" != "$w" ]; then
      echo "  $1 disagrees on check $((i + 1)) ($(awk '$1 == "CHECK"' "$data" | sed -n "$((i + 1))p" | cut -d' ' -f2-3)): $g, expected $w"
      [ "$1" = mailwarden ] && status=1
    fi
    i=$((i + 1))
  done
}
echo "agreement with the expected results ($(wc -w <<<"$want") checks):"
compare mailwarden "$(field results "$mw")"
compare libspf2 "$(field results "$l2")"
compare pyspf "$(field results "$py")"

warm=$(best rate_warm "${mws[@]}"); cold=$(best rate_cold "${mws[@]}")
r2=$(best rate "${l2s[@]}"); rp=$(best rate "${pys[@]}")
printf '%-34s %12s evaluations/s\n' "mailwarden (warm DNS cache)" "$warm" \
  "mailwarden (cold DNS cache)" "$cold" "libspf2 $(dpkg-query -W -f='${Version}' libspf2-dev) (SPF_dns_zone)" "$r2" \
  "python3-spf $(dpkg-query -W -f='${Version}' python3-spf) (dict DNS)" "$rp"
awk -v w="$warm" -v c="$cold" -v l="$r2" -v p="$rp" 'BEGIN {
  printf "ratio warm/libspf2 %.1fx, cold/libspf2 %.1fx, warm/pyspf %.0fx\n", w / l, c / l, w / p }'
# Load-independent figure: instructions per evaluation (valgrind, if present).
if command -v valgrind >/dev/null; then
  ir() { # ir ITERS PROGRAM... -> instructions executed
    SPF_BENCH_WARM_ONLY=1 SPF_BENCH_ITERS=$1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "${@:2}" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
  }
  n=4000
  m0=$(ir 16 build/bench_spf "$data"); m1=$(ir $((n + 16)) build/bench_spf "$data")
  l0=$(ir 16 "$out/peer_libspf2" "$data"); l1=$(ir $((n + 16)) "$out/peer_libspf2" "$data")
  awk -v a="$m0" -v b="$m1" -v c="$l0" -v d="$l1" -v n="$n" 'BEGIN {
    mi = (b - a) / n; li = (d - c) / n
    printf "instructions per evaluation (callgrind): mailwarden warm %.0f, libspf2 %.0f, ratio %.1fx\n", mi, li, li / mi }'
fi
exit $status
