#!/usr/bin/env bash
# tests/integration/logwatch_follow.sh MAILWARDEN - `mailwarden logwatch --echo`
# follows a log while a writer appends, rotates it by rename, rotates it by
# copytruncate, truncates it, deletes and recreates it.  Every line written
# must be printed exactly once.  (Before a copytruncate/truncation
# the writer waits until the follower has printed its last line: lines
# written between logrotate's copy and its truncation are lost by design.)
set -uo pipefail
MW=$(readlink -f "$1")
D=$(mktemp -d /tmp/mw-follow-XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
LOG=$D/mail.log
n=0
write() { # write COUNT lines
  for _ in $(seq "$1"); do
    printf 'Nov 10 10:00:00 mx postfix/smtpd[1]: connect from h%d[192.0.2.%d]\n' "$n" $((n % 250 + 1)) >> "$LOG"
    n=$((n + 1))
  done
}
caught_up() { # wait until line N-1 was printed
  for _ in $(seq 200); do
    grep -q "connect from h$((n - 1))\[" "$D/out" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "FAIL: follower did not catch up to line $((n - 1))"; exit 1
}
"$MW" logwatch --echo --interval 20 "$LOG" > "$D/out" 2> "$D/err" &
PID=$!
sleep 0.3
write 50; sleep 0.1; write 50            # file appears after the follower started
caught_up
mv "$LOG" "$LOG.1"; write 30             # rename rotation: new file
printf 'Nov 10 10:00:00 mx postfix/smtpd[1]: connect from h%d[192.0.2.1]\n' "$n" >> "$LOG.1"
n=$((n + 1))                             # ... and a late write to the old one
write 20
caught_up
cp "$LOG" "$LOG.2"; : > "$LOG"; write 40 # copytruncate
caught_up
: > "$LOG"; write 5                      # truncation, shorter rewrite
caught_up
rm -f "$LOG"; sleep 0.1; write 25        # deleted and recreated
caught_up
kill -TERM "$PID"; wait "$PID"; PID=""
got=$(grep -c 'connect from' "$D/out")
dups=$(grep -o 'connect from h[0-9]*' "$D/out" | sort | uniq -d | wc -l)
fail=0
[ "$got" = "$n" ] || { echo "FAIL: $got lines printed, $n written"; fail=1; }
[ "$dups" = 0 ] || { echo "FAIL: $dups lines printed twice"; fail=1; }
grep -q 'rotations' "$D/err" || { echo "FAIL: no summary on stderr"; fail=1; }
echo "follow: $n lines written, $got printed, $dups duplicates; $(cat "$D/err")"
exit $fail
