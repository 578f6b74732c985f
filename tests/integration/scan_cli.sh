#!/usr/bin/env bash
# scan_cli.sh MAILWARDEN - `mailwarden scan` end to end on the samples:
# exit codes, the rules that match a base64 HTML phishing message, JSON,
# the built-in rules, and bad rules files (exit 2 with the line number).
set -uo pipefail
MW=$1
cd "$(dirname "$0")/../.."
S=samples/scan
pass=0 fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $1: want '$2' got '$3'"; fi; }

out=$("$MW" scan $S/phish.eml --rules $S/phishing.rules); rc=$?
check "phish: exit 1 (hold)" 1 $rc
for r in suspended verify_account urgent_subject known_phish_domain reply_to_elsewhere display_name_spoof; do
  check "phish: rule $r matched" 1 "$(echo "$out" | grep -c " $r ")"
done
check "phish: score line" 1 "$(echo "$out" | grep -c '^score 27, threshold 10: HOLD$')"
"$MW" scan $S/clean.eml --rules $S/phishing.rules > /dev/null
check "clean: exit 0" 0 $?
check "json: hold true" true "$("$MW" scan $S/phish.eml --rules $S/phishing.rules --json | /usr/bin/python3 -c 'import json,sys; print(str(json.load(sys.stdin)["hold"]).lower())')"
"$MW" scan $S/phish.eml > /dev/null
check "built-in rules hold the phish" 1 $?
printf 'ok 1 body /x/\nbad 1 body /(/\n' > /tmp/mw-scan-bad.$$
err=$("$MW" scan $S/clean.eml --rules /tmp/mw-scan-bad.$$ 2>&1); rc=$?
rm -f /tmp/mw-scan-bad.$$
check "bad rules: exit 2" 2 $rc
check "bad rules: line number" 1 "$(echo "$err" | grep -c 'line 2: regex')"
"$MW" scan /nonexistent.eml > /dev/null 2>&1
check "missing message: exit 2" 2 $?
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
