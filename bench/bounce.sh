#!/usr/bin/env bash
# bench/bounce.sh [ROUNDS] - bounces parsed per second: mailwarden vs Sisimai
# (libsisimai-perl from Debian) over the same corpus (the Sisimai set-of-emails
# maildir, ../shared/testdata/bounces-sisimai/maildir), plus their agreement
# per recipient (count, status, reason).  Both are timed end to end over
# ROUNDS passes in one process each (startup counted once); mailwarden also
# in-process (bench_bounce, parsing only).  Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
corpus=${BOUNCE_CORPUS:-../shared/testdata/bounces-sisimai/maildir}
[ -d "$corpus" ] || { echo "bench: no corpus at $corpus" >&2; exit 77; }

if ! dpkg-query -W -f='${Status}' libsisimai-perl 2>/dev/null | grep -q "install ok installed"; then
  echo "bench: installing libsisimai-perl" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends libsisimai-perl >/dev/null
fi
make bench >/dev/null
out=build/bench
mkdir -p "$out"
files=("$corpus"/*)
n=${#files[@]}

# mailwarden: the CLI, all files named at once, ROUNDS times in one run
args=()
for ((i = 0; i < rounds; i++)); do args+=("${files[@]}"); done
t0=$(date +%s.%N)
build/mailwarden bounce --json "${args[@]}" >"$out/mw-all.json" || true
t1=$(date +%s.%N)
build/mailwarden bounce --json "${files[@]}" >"$out/mw.json" || true

# Sisimai: one perl process, ROUNDS passes; the last pass is recorded
t2=$(date +%s.%N)
perl -MSisimai -e '
  my $rounds = shift @ARGV;
  for my $r (1 .. $rounds) {
    for my $f (@ARGV) {
      my $v = Sisimai->make($f, delivered => 1) || [];
      next unless $r == $rounds;
      for my $e (@$v) {
        print join("\t", $f, $e->recipient->address, $e->deliverystatus, $e->reason), "\n";
      }
    }
  }' "$rounds" "${files[@]}" >"$out/sisimai.tsv"
t3=$(date +%s.%N)

inproc=$(BENCH_ROUNDS=$((rounds * 4)) build/bench_bounce "$corpus")

python3 - "$out/mw.json" "$out/sisimai.tsv" "$n" "$rounds" "$t0" "$t1" "$t2" "$t3" "$inproc" <<'PY'
import json, re, sys, collections
mwf, sisf, n, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t0, t1, t2, t3 = map(float, sys.argv[5:9])
inproc = sys.argv[9]
mw = collections.defaultdict(list)
for m in json.load(open(mwf))["messages"]:
    for r in m["recipients"]:
        mw[re.sub(r"#\d+$", "", m["file"])].append((r["address"].lower(), r["status"], r["reason"]))
sis = collections.defaultdict(list)
for line in open(sisf, encoding="utf-8", errors="replace"):
    f, a, s, r = (line.rstrip("\n").split("\t") + ["", "", "", ""])[:4]
    sis[f].append((a.lower(), s, r))
files = set(mw) | set(sis)
same_n = sum(1 for f in files if len(mw[f]) == len(sis[f]))
pairs = [(a, b) for f in files for a, b in zip(mw[f], sis[f])]
addr = sum(1 for a, b in pairs if a[0] == b[0])
st = sum(1 for a, b in pairs if a[1] == b[1] or (not a[1] and not b[1]))
rs = sum(1 for a, b in pairs if a[2] == b[2])
mw_rate = n * rounds / (t1 - t0)
sis_rate = n * rounds / (t3 - t2)
print(f"corpus: {n} files, {rounds} rounds")
print(f"mailwarden bounce --json: {mw_rate:8.0f} messages/s ({t1-t0:.2f} s)")
print(f"mailwarden in-process:    {inproc.split(': ')[-1]}")
print(f"Sisimai (perl) make():    {sis_rate:8.0f} messages/s ({t3-t2:.2f} s)")
print(f"ratio (CLI vs Sisimai):   {mw_rate / sis_rate:8.1f}x")
print(f"agreement: same recipient count {100*same_n/len(files):.1f}% of {len(files)} files; "
      f"per recipient (n={len(pairs)}): address {100*addr/len(pairs):.1f}%, "
      f"status {100*st/len(pairs):.1f}%, reason {100*rs/len(pairs):.1f}%")
PY
