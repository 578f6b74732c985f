#!/usr/bin/env bash
# dmarc_report_cli.sh MAILWARDEN - `mailwarden dmarc-report` on the original
# report samples (../shared/testdata; skipped, exit 77, when absent): totals,
# classes, filters, JSON shape, exit codes, and refusals of bad input.
set -uo pipefail
MW=$1
cd "$(dirname "$0")/../.."
TD=../shared/testdata
[ -d "$TD/dmarc-reports-parsedmarc" ] || { echo "skip: no testdata"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 needed"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
A=$TD/dmarc-reports-parsedmarc/aggregate
E=$TD/dmarc-reports-parsedmarc/extract_report

# one report, three containers: identical JSON
for f in nice-input.xml nice-input.xml.gz nice-input.xml.zip; do
  "$MW" dmarc-report --json "$E/$f" >"$tmp/$f.json"; echo $? >"$tmp/$f.rc"
done
cmp -s "$tmp/nice-input.xml.json" "$tmp/nice-input.xml.gz.json" && ok || bad "xml vs gz differ"
cmp -s "$tmp/nice-input.xml.json" "$tmp/nice-input.xml.zip.json" && ok || bad "xml vs zip differ"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["reports"], d["messages"], len(d["sources"]), d["reporters"][0]["org"])' "$tmp/nice-input.xml.json")
[ "$got" = "1 3047 15 google.com" ] && ok || bad "nice-input totals: got '$got'"

# the same report three times (xml, gz, zip) counts once
got=$("$MW" dmarc-report --json "$E/nice-input.xml" "$E/nice-input.xml.gz" "$E/nice-input.xml.zip" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["reports"], d["duplicate_reports"], d["messages"])')
[ "$got" = "1 2 3047" ] && ok || bad "xml+gz+zip: got '$got', want '1 2 3047'"

# the whole aggregate directory: 13 files, 11 distinct reports (invalid_xml.xml
# and invalid_utf_8.xml are broken copies of two others), classes add up
"$MW" dmarc-report --json "$A" >"$tmp/all.json"; rc=$?
[ $rc -eq 1 ] && ok || bad "aggregate dir exit $rc, want 1 (unauthorised mail)"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["reports"], d["duplicate_reports"], d["errors"], sum(d["classes"].values())==d["messages"], sum(s["messages"] for s in d["sources"])==d["messages"])' "$tmp/all.json")
[ "$got" = "11 2 0 True True" ] && ok || bad "aggregate dir: got '$got'"

# --domain and --since filter whole reports
got=$("$MW" dmarc-report --json --domain twlnet.com "$A" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["reports"], d["skipped_reports"], d["policy"])')
[ "$got" = "1 12 reject" ] && ok || bad "--domain twlnet.com: got '$got'"
got=$("$MW" dmarc-report --json --since 2024-03-01 "$A" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["reports"])')
[ "$got" = "2" ] && ok || bad "--since 2024-03-01: got '$got' reports, want 2"

# human output names the classes and ends with a verdict
"$MW" dmarc-report "$A/rfc9990-sample.xml" >"$tmp/h.txt"; rc=$?
[ $rc -eq 0 ] && ok || bad "rfc9990 sample exit $rc, want 0 (all aligned)"
grep -q '^192.0.2.123 .* aligned ' "$tmp/h.txt" && ok || bad "rfc9990 sample: no aligned source line"
grep -q 'Verdict: safe to move to p=reject' "$tmp/h.txt" && ok || bad "rfc9990 sample: verdict missing"

# bad input: clear errors, exit 2
: >"$tmp/empty.xml"
"$MW" dmarc-report "$tmp/empty.xml" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'empty report' "$tmp/err" && ok || bad "empty: exit $rc, $(cat "$tmp/err")"
head -c 300 "$E/nice-input.xml.gz" >"$tmp/trunc.xml.gz"
"$MW" dmarc-report "$tmp/trunc.xml.gz" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'truncated gzip' "$tmp/err" && ok || bad "truncated gz: exit $rc, $(cat "$tmp/err")"
head -c 50000000 /dev/zero | gzip -9 >"$tmp/bomb.xml.gz"
"$MW" dmarc-report "$tmp/bomb.xml.gz" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'zip bomb' "$tmp/err" && ok || bad "gzip bomb: exit $rc, $(cat "$tmp/err")"
truncate -s 100M "$tmp/huge.xml"
"$MW" dmarc-report "$tmp/huge.xml" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'report over 33554432 bytes (not read)' "$tmp/err" && ok || bad "100 MB: exit $rc, $(cat "$tmp/err")"
rm -f "$tmp/huge.xml"
"$MW" dmarc-report --since yesterday "$A" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "--since yesterday: exit $rc, want 2"
"$MW" dmarc-report >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "no FILE: exit $rc, want 2"
"$MW" dmarc-report --help | grep -q 'usage: mailwarden dmarc-report' && ok || bad "--help"

# failure reports (ARF and Exim text) in the same inputs, per source IP
F=$TD/dmarc-reports-parsedmarc/failure
"$MW" dmarc-report --json "$F" >"$tmp/f.json"; rc=$?
[ $rc -eq 1 ] && ok || bad "failure dir exit $rc, want 1"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["failure_reports"], d["reports"], " ".join(sorted(s["ip"]+"/"+(s.get("auth_failure") or "-") for s in d["failure_sources"])))' "$tmp/f.json")
[ "$got" = "3 0 10.10.10.10/dmarc 167.89.69.24/- 203.0.113.68/dmarc" ] && ok || bad "failure dir: got '$got'"
"$MW" dmarc-report "$F" "$A/rfc9990-sample.xml" >"$tmp/fh.txt"
grep -q '^203.0.113.68 .*auth-failure  dmarc .*example.com .*Payment from your account.' "$tmp/fh.txt" && ok || bad "failure human line: $(cat "$tmp/fh.txt")"
grep -q '^1 reports, ' "$tmp/fh.txt" && ok || bad "failure + aggregate: aggregate summary missing"
got=$("$MW" dmarc-report --json --domain domain.de "$F" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["failure_reports"], d["skipped_reports"])')
[ "$got" = "1 2" ] && ok || bad "failure --domain: got '$got'"

# --db: import, import again (nothing new), summarise from the database alone
DB=$tmp/dr.db
"$MW" dmarc-report --json --db "$DB" "$A" "$F" >"$tmp/i1.json"
"$MW" dmarc-report --json --db "$DB" "$A" "$F" >"$tmp/i2.json"
got=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["stored"]; b=json.load(open(sys.argv[2]))["stored"]; print(a["reports"], a["failure_reports"], b["reports"], b["already_stored"], b["failure_reports"], b["failure_already_stored"])' "$tmp/i1.json" "$tmp/i2.json")
[ "$got" = "11 3 0 13 0 3" ] && ok || bad "--db import twice: got '$got', want '11 3 0 13 0 3'"
"$MW" dmarc-report --json --db "$DB" >"$tmp/d.json"
got=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); c=json.load(open(sys.argv[3])); print(a["reports"]==b["reports"], a["messages"]==b["messages"], a["sources"]==b["sources"], c["failure_sources"]==b["failure_sources"])' "$tmp/all.json" "$tmp/d.json" "$tmp/f.json")
[ "$got" = "True True True True" ] && ok || bad "--db summary differs from files: $got"
got=$("$MW" dmarc-report --json --db "$DB" --domain twlnet.com | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["reports"], d["policy"])')
[ "$got" = "1 reject" ] && ok || bad "--db --domain: got '$got'"
"$MW" dmarc-report --db "$DB" >"$tmp/dh.txt"
grep -q '^11 reports, ' "$tmp/dh.txt" && ok || bad "--db human summary"
head -c 5000 /dev/urandom >"$tmp/corrupt.db"
"$MW" dmarc-report --db "$tmp/corrupt.db" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'not a DMARC report database' "$tmp/err" && ok || bad "corrupt db: exit $rc, $(cat "$tmp/err")"
"$MW" dmarc-report --db "$tmp/missing.db" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/missing.db" ] && ok || bad "missing db: exit $rc, $(cat "$tmp/err")"

# reverse DNS and provider through an offline zone (tests/data/dmarc-report)
R=tests/data/dmarc-report
"$MW" dmarc-report --json --zone "$R/rdns.zone" "$R/rdns-report.xml" >"$tmp/z.json"; rc=$?
[ $rc -eq 1 ] && ok || bad "rdns report exit $rc, want 1"
got=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join("%s=%s/%s/%s" % (s["ip"], s.get("ptr"), s.get("rdns"), s.get("provider")) for s in d["sources"]))' "$tmp/z.json")
want="192.0.2.1=mail-a.google.com/ok/Google 198.51.100.7=o1.ptr1.sendgrid.net/ok/SendGrid 203.0.113.10=None/temperror/None 203.0.113.9=None/none/None"
[ "$got" = "$want" ] && ok || bad "rdns: got '$got'"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any("SendGrid" in a and "d=example.com" in a for a in d["advice"]) else 1)' "$tmp/z.json" && ok || bad "rdns: no SendGrid advice"
"$MW" dmarc-report --zone "$R/rdns.zone" --rdns-max 1 "$R/rdns-report.xml" >"$tmp/z1.txt"
[ "$(grep -c '^    rDNS ' "$tmp/z1.txt")" = 1 ] && ok || bad "--rdns-max 1: $(grep -c '^    rDNS ' "$tmp/z1.txt") lookups"
# stored with --db, shown again from the database without DNS
"$MW" dmarc-report --db "$tmp/z.db" --zone "$R/rdns.zone" "$R/rdns-report.xml" >/dev/null
"$MW" dmarc-report --db "$tmp/z.db" >"$tmp/z2.txt"
grep -q 'provider SendGrid (ptr o1.ptr1.sendgrid.net)' "$tmp/z2.txt" && ok || bad "--db provider not kept: $(cat "$tmp/z2.txt")"

echo "dmarc_report_cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
