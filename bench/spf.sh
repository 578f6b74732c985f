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

mw=$(build/bench_spf "$data" "$secs")
l2=$("$out/peer_libspf2" "$data" "$secs")
py=$(/usr/bin/python3 bench/peer_pyspf.py "$data" "$secs")

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

warm=$(field rate_warm "$mw"); cold=$(field rate_cold "$mw")
r2=$(field rate "$l2"); rp=$(field rate "$py")
printf '%-34s %12s evaluations/s\n' "mailwarden (warm DNS cache)" "$warm" \
  "mailwarden (cold DNS cache)" "$cold" "libspf2 $(dpkg-query -W -f='${Version}' libspf2-dev) (SPF_dns_zone)" "$r2" \
  "python3-spf $(dpkg-query -W -f='${Version}' python3-spf) (dict DNS)" "$rp"
awk -v w="$warm" -v c="$cold" -v l="$r2" -v p="$rp" 'BEGIN {
  printf "ratio warm/libspf2 %.1fx, cold/libspf2 %.1fx, warm/pyspf %.0fx\n", w / l, c / l, w / p }'
exit $status
