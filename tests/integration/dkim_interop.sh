#!/usr/bin/env bash
# dkim_interop.sh MAILWARDEN - DKIM interoperability, both directions, with
# the real peers from Debian: python3-dkim (dkimpy), OpenDKIM (opendkim -t
# with TestDNSData, opendkim-testmsg for signing) and Mail::DKIM (perl; no
# ed25519 in Debian 12's version).
#
#   1. mailwarden signs (rsa-sha256 and ed25519-sha256, simple/simple and
#      relaxed/relaxed); every peer verifies; a copy changed after signing
#      fails everywhere.
#   2. each peer signs with its own key; mailwarden verifies with --zone; a
#      changed copy fails (opendkim-testmsg can only sign rsa-sha1, which
#      mailwarden must refuse: checked as "verifies, result policy").
# Keys are published as a zone file for mailwarden and as "<name> <TXT>"
# records that each peer reads through its test hook (dkimpy's dnsfunc,
# Mail::DKIM::DNS::resolver, OpenDKIM's TestDNSData): no DNS server, no
# network.  Exit 77 (skip) when a peer is missing outside CI.
# Prints "N passed, N failed".
set -u
mw=$(readlink -f "${1:?usage: dkim_interop.sh /path/to/mailwarden}")
here=$(cd "$(dirname "$0")" && pwd)/dkim_peers
PY=/usr/bin/python3

missing=()
$PY -c 'import dkim, nacl' 2>/dev/null || missing+=(python3-dkim python3-nacl)
perl -MMail::DKIM::Verifier -e1 2>/dev/null || missing+=(libmail-dkim-perl)
command -v opendkim >/dev/null || missing+=(opendkim)
command -v opendkim-testmsg >/dev/null || missing+=(opendkim-tools)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "dkim_interop: missing ${missing[*]} (scripts/setup --test)"
  [ -n "${CI:-}" ] && exit 1
  exit 77
fi

tmp=$(mktemp -d /tmp/mw-dkim-interop.XXXXXX)
[ -z "${MW_KEEP:-}" ] && trap 'rm -rf "$tmp"' EXIT
[ -n "${MW_KEEP:-}" ] && echo "$tmp"
cd "$tmp" || exit 1
passed=0
failed=0

# expect WANT DESC CMD... - WANT is ok (exit 0) or bad (non-zero)
expect() {
  local want=$1 desc=$2
  shift 2
  local rc=0
  "$@" >out.txt 2>&1 || rc=$?
  if { [ "$want" = ok ] && [ $rc -eq 0 ]; } || { [ "$want" = bad ] && [ $rc -ne 0 ]; }; then
    passed=$((passed + 1))
    echo "ok    $desc"
  else
    failed=$((failed + 1))
    echo "FAIL  $desc (exit $rc, wanted $want)"
    sed 's/^/      /' out.txt | head -n 8
  fi
}

# publish NAME KEYFILE - the key's record into the zone and the records file
publish() {
  local name=$1 key=$2 rec
  if openssl pkey -in "$key" -noout -text 2>/dev/null | grep -q ED25519; then
    rec="v=DKIM1; k=ed25519; p=$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 | base64 -w0)"
  else
    rec="v=DKIM1; k=rsa; p=$(openssl pkey -in "$key" -pubout -outform DER | base64 -w0)"
  fi
  echo "$name $rec" >>records
  printf '%s. 300 IN TXT' "$name" >>zone
  local i
  for ((i = 0; i < ${#rec}; i += 250)); do printf ' "%s"' "${rec:i:250}" >>zone; done
  echo >>zone
}

# tamper IN OUT - change one body word after signing
tamper() { sed 's/Hello interop/Hullo interop/' "$1" >"$2"; }

# peer verifiers: exit 0 on pass
py_verify() { $PY "$here/dkimpy_peer.py" verify records "$1"; }
pl_verify() { perl "$here/maildkim_peer.pl" verify records "$1"; }
od_verify() { opendkim -x od.conf -t "$1" 2>&1 | tee od.out; grep -q "succeeded" od.out; }
mw_sha1_policy() {
  "$mw" dkim verify "$1" --zone zone | tee mw.out
  grep -q '^signature 1: policy' mw.out && grep -q 'rsa-sha1 signature verifies' mw.out
}
mw_fail() { "$mw" dkim verify "$1" --zone zone | tee mw.out; grep -q '^dkim=fail' mw.out; }
mw_verify() { "$mw" dkim verify "$1" --zone zone | tee mw.out && grep -q '^dkim=pass' mw.out; }

cat >msg.txt <<'MSG'
From: Alice Example <alice@example.com>
To: bob@example.org
Subject: interop test
Date: Mon, 23 Nov 2026 10:00:00 +0000
Message-ID: <interop-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello interop  world,	with  tabs   and trailing spaces   
second line


MSG
printf 'Mode v\nSyslog no\nTestDNSData file:%s/records\n' "$tmp" >od.conf
: >records
: >zone

# ---- keys: ours (mailwarden keygen) and the peers' own -------------------
"$mw" dkim keygen --selector mwrsa --domain example.com --out mwrsa >/dev/null
"$mw" dkim keygen --selector mwed --domain example.com --algorithm ed25519-sha256 --out mwed >/dev/null
openssl genrsa -traditional -out pyrsa.pem 2048 2>/dev/null
openssl genpkey -algorithm ed25519 -out pyed.pem 2>/dev/null
openssl pkey -in pyed.pem -outform DER | tail -c 32 | base64 -w0 >pyed.seed
openssl genrsa -traditional -out plrsa.pem 2048 2>/dev/null
opendkim-genkey -b 2048 -d example.com -s odrsa -D "$tmp" 2>/dev/null
for k in mwrsa:mwrsa.private mwed:mwed.private pyrsa:pyrsa.pem pyed:pyed.pem \
         plrsa:plrsa.pem odrsa:odrsa.private; do
  publish "${k%%:*}._domainkey.example.com" "${k#*:}"
done

# ---- 1. mailwarden signs, peers verify ------------------------------------
for alg in rsa ed; do
  for canon in simple/simple relaxed/relaxed; do
    tag="$alg-${canon%%/*}"
    "$mw" dkim sign msg.txt --domain example.com --selector "mw$alg" --key "mw$alg.private" \
      --canon "$canon" >"signed-$tag.eml"
    tamper "signed-$tag.eml" "tampered-$tag.eml"
    expect ok  "mailwarden $tag -> mailwarden verifies" mw_verify "signed-$tag.eml"
    expect ok  "mailwarden $tag -> python3-dkim verifies" py_verify "signed-$tag.eml"
    expect ok  "mailwarden $tag -> opendkim verifies" od_verify "signed-$tag.eml"
    expect bad "mailwarden $tag, changed -> mailwarden fails" mw_verify "tampered-$tag.eml"
    expect bad "mailwarden $tag, changed -> python3-dkim fails" py_verify "tampered-$tag.eml"
    expect bad "mailwarden $tag, changed -> opendkim fails" od_verify "tampered-$tag.eml"
    if [ "$alg" = rsa ]; then
      expect ok  "mailwarden $tag -> Mail::DKIM verifies" pl_verify "signed-$tag.eml"
      expect bad "mailwarden $tag, changed -> Mail::DKIM fails" pl_verify "tampered-$tag.eml"
    fi
  done
done

# ---- 2. peers sign, mailwarden verifies -----------------------------------
$PY "$here/dkimpy_peer.py" sign pyrsa.pem pyrsa example.com rsa-sha256 relaxed/simple msg.txt >py-rsa.eml
$PY "$here/dkimpy_peer.py" sign pyed.seed pyed example.com ed25519-sha256 relaxed/relaxed msg.txt >py-ed.eml
$PY "$here/dkimpy_peer.py" sign pyrsa.pem pyrsa example.com rsa-sha256 simple/simple msg.txt >py-rsa-simple.eml
perl "$here/maildkim_peer.pl" sign plrsa.pem plrsa example.com relaxed msg.txt >pl-rsa.eml
perl "$here/maildkim_peer.pl" sign plrsa.pem plrsa example.com simple msg.txt >pl-rsa-simple.eml
for f in py-rsa py-ed py-rsa-simple pl-rsa pl-rsa-simple; do
  tamper "$f.eml" "$f-changed.eml"
  expect ok  "$f signed -> mailwarden verifies" mw_verify "$f.eml"
  expect bad "$f signed, changed -> mailwarden fails" mw_verify "$f-changed.eml"
done
# opendkim-testmsg signs rsa-sha1 only (no option to choose) and cannot sign
# with an Ed25519 key; without -C Debian 12's 2.11.0~beta2 prints a corrupted
# b= tail.  Its signature must verify cryptographically, and mailwarden
# must still refuse it as RFC 8301 §3.1 requires (result policy).
opendkim-testmsg -C -d example.com -s odrsa -k odrsa.private <msg.txt >od-rsa.eml
tamper od-rsa.eml od-rsa-changed.eml
expect ok  "opendkim-testmsg rsa-sha1 -> mailwarden: verifies, refused (policy)" mw_sha1_policy od-rsa.eml
expect ok  "opendkim-testmsg rsa-sha1, changed -> mailwarden fails" mw_fail od-rsa-changed.eml
# the peers agree with each other on their own messages (sanity of the setup)
expect ok "py-rsa signed -> opendkim verifies" od_verify py-rsa.eml
expect ok "pl-rsa signed -> python3-dkim verifies" py_verify pl-rsa.eml

echo "dkim_interop: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
