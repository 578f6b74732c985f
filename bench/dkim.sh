#!/usr/bin/env bash
# bench/dkim.sh [SECONDS] - DKIM verifications per CPU second: mailwarden vs
# python3-dkim, Mail::DKIM and OpenDKIM on the same signed messages, (a) a
# 2 KB message and (b) a 1 MB body, rsa-sha256 2048-bit, relaxed/relaxed,
# keys answered from memory (no DNS).  Also the machine's limits from
# `openssl speed` (rsa2048 verify/s, sha256 bytes/s; CPU time, as ours) and
# the ratios.  Not part of the test suite (never run in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}
PY=/usr/bin/python3

need=()
for p in python3-dkim libmail-dkim-perl opendkim openssl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
make bench >/dev/null
mw=$(pwd)/build/mailwarden
tmp=$(mktemp -d /tmp/mw-bench-dkim.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

"$mw" dkim keygen --selector bench --domain example.com --out bench >/dev/null
cp bench.txt zone
echo "bench._domainkey.example.com $(openssl pkey -in bench.private -pubout -outform DER |
  base64 -w0 | sed 's/^/v=DKIM1; k=rsa; p=/')" >records
$PY - <<'PYEOF'
import random
random.seed(1)
hdr = ("From: Alice Example <alice@example.com>\r\nTo: Bob <bob@example.org>\r\n"
       "Subject: benchmark message\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
       "Message-ID: <bench-1@example.com>\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=us-ascii\r\n\r\n")
words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod".split()
def body(n):
    out, size = [], 0
    while size < n:
        line = " ".join(random.choice(words) for _ in range(10)) + "\r\n"
        out.append(line)
        size += len(line)
    return "".join(out)
open("small.txt", "w", newline="").write(hdr + body(2048 - len(hdr) - 560))
open("large.txt", "w", newline="").write(hdr + body(1 << 20))
PYEOF
for m in small large; do
  "$mw" dkim sign $m.txt --domain example.com --selector bench --key bench.private \
    --canon relaxed/relaxed >$m.eml
done

# opendkim_rate MSG COPIES - OpenDKIM's test mode over COPIES copies, per CPU second
opendkim_rate() {
  local list="" i
  for ((i = 0; i < $2; i++)); do cp "$1" "od$i.eml"; list+="${list:+,}od$i.eml"; done
  printf 'Mode v\nSyslog no\nTestDNSData file:%s/records\n' "$tmp" >od.conf
  $PY - "$list" "$2" <<'PYEOF'
import resource, subprocess, sys
out = subprocess.run(["opendkim", "-x", "od.conf", "-t", sys.argv[1]],
                     capture_output=True, text=True).stdout
ok = out.count("succeeded")
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
print("%.1f" % (ok / cpu) if ok == int(sys.argv[2]) else "0")
if ok != int(sys.argv[2]):
    sys.stderr.write("opendkim: %d of %s verified: %r\n" % (ok, sys.argv[2], out[:300]))
PYEOF
  rm -f od*.eml
}

rsa=$(openssl speed -seconds "$secs" rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $NF}')
sha=$(openssl speed -seconds "$secs" -evp sha256 -bytes 16384 2>/dev/null |
  awk '/^sha256/ {sub("k","",$2); print $2 * 1000}')
declare -A rate
for m in small large; do
  read -r r bytes < <("$OLDPWD/build/bench_dkim" zone $m.eml "$secs")
  rate[mw_$m]=$r
  rate[bytes_$m]=$bytes
  rate[py_$m]=$($PY "$OLDPWD/bench/peer_dkimpy.py" records $m.eml "$secs")
  rate[pl_$m]=$(perl "$OLDPWD/bench/peer_maildkim.pl" records $m.eml "$secs")
  copies=$([ $m = small ] && echo 2000 || echo 40)
  rate[od_$m]=$(opendkim_rate $m.eml "$copies")
done

printf '\nDKIM verification, rsa-sha256 2048-bit, relaxed/relaxed, per CPU second\n'
printf '%-22s %14s %14s\n' "" "small (2 KB)" "large (1 MB)"
for p in mw:mailwarden py:python3-dkim pl:Mail::DKIM od:OpenDKIM; do
  printf '%-22s %14s %14s\n' "${p#*:}" "${rate[${p%%:*}_small]}" "${rate[${p%%:*}_large]}"
done
awk -v s="${rate[mw_small]}" -v l="${rate[mw_large]}" -v b="${rate[bytes_large]}" \
    -v rsa="$rsa" -v sha="$sha" -v py="${rate[py_small]}" -v pl="${rate[pl_small]}" \
    -v od="${rate[od_small]}" -v pyl="${rate[py_large]}" -v pll="${rate[pl_large]}" \
    -v odl="${rate[od_large]}" 'BEGIN {
  printf "\nopenssl speed: rsa2048 %.0f verify/s, sha256 %.0f MB/s\n", rsa, sha / 1e6
  printf "mailwarden small / raw rsa2048 verify:  %.0f%% (goal 90%%)\n", 100 * s / rsa
  printf "mailwarden large body bytes / sha256:    %.0f%% (%.0f MB/s; goal 80%%)\n",
         100 * l * b / sha, l * b / 1e6
  printf "mailwarden vs python3-dkim: %.1fx small, %.1fx large\n", s / py, l / pyl
  printf "mailwarden vs Mail::DKIM:   %.1fx small, %.1fx large\n", s / pl, l / pll
  if (od > 0) printf "mailwarden vs OpenDKIM:     %.1fx small, %.1fx large\n", s / od, l / odl
}'
