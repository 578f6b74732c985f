#!/usr/bin/env bash
# dkim_cli.sh MAILWARDEN - the `mailwarden dkim` command end to end, offline:
# keygen (both algorithms), sign, verify with --zone, JSON shape, exit codes
# (0 pass/none, 1 fail, 2 usage/input, 3 permerror/temperror), standard
# input, a 10 MB header, --now against x=.  Prints "N passed, N failed".
set -u
mw=$(readlink -f "${1:?usage: dkim_cli.sh /path/to/mailwarden}")
tmp=$(mktemp -d /tmp/mw-dkim-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
passed=0
failed=0

# expect_rc WANT DESC CMD... - exit status must be WANT
expect_rc() {
  local want=$1 desc=$2 rc=0
  shift 2
  "$@" >out.txt 2>err.txt || rc=$?
  if [ "$rc" -eq "$want" ]; then
    passed=$((passed + 1)); echo "ok    $desc"
  else
    failed=$((failed + 1)); echo "FAIL  $desc (exit $rc, want $want)"; head -5 out.txt err.txt
  fi
}
# expect_out PATTERN DESC - the last command's stdout matches
expect_out() {
  if grep -q -- "$1" out.txt; then
    passed=$((passed + 1)); echo "ok    $2"
  else
    failed=$((failed + 1)); echo "FAIL  $2 (no '$1')"; head -20 out.txt
  fi
}

printf 'From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: hi\n\nHello Bob\n' >msg.eml
printf 'Subject: no from\n\nx\n' >nofrom.eml
expect_rc 0 "keygen rsa" "$mw" dkim keygen --selector r --domain example.com --out r
expect_rc 0 "keygen ed25519 --json" "$mw" dkim keygen --selector e --domain example.com \
  --algorithm ed25519-sha256 --out e --json
expect_out '"record_name": "e._domainkey.example.com"' "keygen JSON names the record"
expect_rc 3 "keygen refuses to overwrite a private key" "$mw" dkim keygen --selector r --domain example.com --out r
[ "$(stat -c %a r.private)" = 600 ] && { passed=$((passed + 1)); echo "ok    private key mode 0600"; } ||
  { failed=$((failed + 1)); echo "FAIL  private key mode $(stat -c %a r.private)"; }
cat r.txt e.txt >zone

expect_rc 0 "sign rsa" "$mw" dkim sign msg.eml --domain example.com --selector r --key r.private
cp out.txt rsa.eml
expect_rc 0 "sign ed25519 simple/simple, x= in 60 s" "$mw" dkim sign rsa.eml --domain example.com \
  --selector e --key e.private --canon simple/simple --expire 60 --now 1800000000
cp out.txt both.eml
expect_rc 0 "verify rsa" "$mw" dkim verify rsa.eml --zone zone
expect_out '^dkim=pass' "human output says dkim=pass"
expect_rc 0 "verify both --json before x=" "$mw" dkim verify both.eml --zone zone --json --now 1800000030
/usr/bin/python3 -c '
import json,sys
d=json.load(open("out.txt"))
assert d["result"]=="pass", d
s=d["signatures"]
assert [x["algorithm"] for x in s]==["ed25519-sha256","rsa-sha256"], s
assert all(x["result"]=="pass" and x["domain"]=="example.com" for x in s), s
assert s[0]["x"]==1800000060 and s[0]["key_type"]=="ed25519", s[0]
' && { passed=$((passed + 1)); echo "ok    JSON shape and values"; } ||
  { failed=$((failed + 1)); echo "FAIL  JSON shape"; cat out.txt; }
expect_rc 0 "after x=: the ed25519 signature expired, rsa still passes" \
  "$mw" dkim verify both.eml --zone zone --now 1800000061
expect_out 'signature 1: permerror' "expired signature is permerror"
sed 's/Hello Bob/Hello Eve/' rsa.eml >changed.eml
expect_rc 1 "changed body: fail" "$mw" dkim verify changed.eml --zone zone
expect_out 'body hash mismatch' "reason names the body hash"
expect_rc 0 "stdin" sh -c "\"$mw\" dkim verify - --zone zone <rsa.eml"
expect_rc 0 "unsigned: none" "$mw" dkim verify msg.eml --zone zone --json
expect_out '"signatures": \[\]' "unsigned: empty list"
expect_out '"result": "none"' "unsigned: result none"
: >empty.zone
expect_rc 3 "no key record: permerror" "$mw" dkim verify rsa.eml --zone empty.zone
printf 'r._domainkey.example.com TIMEOUT\n' >slow.zone
expect_rc 3 "key lookup timeout: temperror" "$mw" dkim verify rsa.eml --zone slow.zone
expect_out 'temperror' "temperror reported"
expect_rc 2 "sign without From" "$mw" dkim sign nofrom.eml --domain example.com --selector r --key r.private
expect_rc 2 "sign with a list lacking From" "$mw" dkim sign msg.eml --domain example.com --selector r \
  --key r.private --headers to:subject
expect_rc 2 "sign: ed25519 algorithm with an RSA key" "$mw" dkim sign msg.eml --domain example.com \
  --selector r --key r.private --algorithm ed25519-sha256
expect_rc 2 "sign: key file is not a key" "$mw" dkim sign msg.eml --domain example.com --selector r --key msg.eml
expect_rc 2 "verify: missing file" "$mw" dkim verify nonexistent.eml --zone zone
expect_rc 2 "verify: no FILE" "$mw" dkim verify --zone zone
expect_rc 2 "unknown action" "$mw" dkim frobnicate
expect_rc 2 "bad --now" "$mw" dkim verify rsa.eml --now yesterday
expect_rc 0 "--help" "$mw" dkim --help
/usr/bin/python3 -c '
import sys
sys.stdout.write("From: a@example.com\n" + "X-Big: " + "x" * 900 + "\n" * 0)
for i in range(11000):
    sys.stdout.write("X-Big: " + "x" * 900 + "\n")
sys.stdout.write("\nbody\n")' >huge.eml
expect_rc 2 "10 MB header: input error, no crash" "$mw" dkim verify huge.eml --zone zone
grep -q 'header' err.txt && { passed=$((passed + 1)); echo "ok    10 MB header: reason given"; } ||
  { failed=$((failed + 1)); echo "FAIL  10 MB header reason"; cat err.txt; }

echo "dkim_cli: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
