#!/usr/bin/env bash
# bounce_cli.sh MAILWARDEN - `mailwarden bounce` end to end: one DSN, an mbox,
# a maildir, --json shape, the backscatter verdict, exit codes.
set -u
mw=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# a DSN for a forged original "from" our domain
cat >"$dir/forged.eml" <<'MSG'
From: MAILER-DAEMON@mx.example.net
To: ceo@our.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; nobody@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown
--B
Content-Type: text/rfc822-headers

Received: from bot.example.com ([203.0.113.66]) by mx.example.net; Mon, 1 Jan 2024 00:00:00 +0000
Message-ID: <spam123@bot.example.com>
From: ceo@our.example
To: nobody@example.net

--B--
MSG
# a qmail bounce of mail that did leave from our IP
cat >"$dir/ours.eml" <<'MSG'
From: MAILER-DAEMON@mx.example.org
To: news@our.example
Subject: failure notice

Hi. This is the qmail-send program at mx.example.org.

<full@example.org>:
192.0.2.20 does not like recipient.
Remote host said: 552 5.2.2 Mailbox is full
Giving up on 192.0.2.20.

--- Below this line is a copy of the message.

Received: from mta.our.example (mta.our.example [198.51.100.7])
  by mx.example.org with ESMTP; Mon, 1 Jan 2024 00:00:00 +0000
Message-ID: <n42@mta.our.example>
From: news@our.example
To: full@example.org

hello
MSG

out=$("$mw" bounce --json --our-domain our.example --our-ip 198.51.100.0/24 "$dir/forged.eml")
rc=$?
[ $rc -eq 1 ] || fail "hard bounce + backscatter should exit 1, got $rc"
for want in '"address": "nobody@example.net"' '"status": "5.1.1"' '"reason": "userunknown"' \
            '"hard": true' '"remote_mta": "mx.example.net"' '"backscatter": "backscatter"' \
            '"check": "received"' '"backscatter_share": 1.0'; do
  grep -qF "$want" <<<"$out" || fail "json lacks $want"
done

out=$("$mw" bounce --our-domain our.example --our-ip 198.51.100.0/24 "$dir/ours.eml")
rc=$?
[ $rc -eq 0 ] || fail "soft genuine bounce should exit 0, got $rc"
grep -q 'full@example.org  failed 5.2.2 mailboxfull soft' <<<"$out" || fail "qmail line: $out"
grep -q 'backscatter: genuine' <<<"$out" || fail "qmail verdict: $out"

# mbox of both, and a maildir holding them
{ echo "From MAILER-DAEMON Mon Jan  1 00:00:00 2024"; cat "$dir/forged.eml"; echo;
  echo "From MAILER-DAEMON Mon Jan  1 00:00:01 2024"; cat "$dir/ours.eml"; } >"$dir/box.mbox"
out=$("$mw" bounce --our-domain our.example --our-ip 198.51.100.0/24 "$dir/box.mbox")
grep -q 'summary: 2 messages, 2 bounces, 2 recipients (1 hard)' <<<"$out" || fail "mbox: $out"
grep -q 'backscatter: 1 of 2 bounces to our domains (50.0%), 1 genuine' <<<"$out" || fail "share: $out"
mkdir -p "$dir/md/cur" "$dir/md/new" "$dir/md/tmp"
cp "$dir/forged.eml" "$dir/md/cur/1:2,S"; cp "$dir/ours.eml" "$dir/md/new/2"
out=$("$mw" bounce --json "$dir/md")
grep -q '"messages": 2' <<<"$out" || fail "maildir: $out"

# BATV: a bounce to our tagged sender is ours even when the headers mislead;
# a tag that does not verify is forged (keys shared with the milter)
printf 'test-secret-0\n' >"$dir/batv.keys"
tag=$("$mw" batv sign ceo@our.example --key-file "$dir/batv.keys") || fail "batv sign"
sed "s/^To: ceo@our.example/To: $tag/" "$dir/forged.eml" >"$dir/tagged.eml"
out=$("$mw" bounce --our-domain our.example --batv-keys "$dir/batv.keys" "$dir/tagged.eml")
grep -q 'backscatter: genuine' <<<"$out" || fail "valid BATV tag: $out"
bad=$(sed 's/^\(prvs=....\)....../\1ffffff/' <<<"$tag")
sed "s/^To: ceo@our.example/To: $bad/" "$dir/forged.eml" >"$dir/badtag.eml"
out=$("$mw" bounce --our-domain our.example --batv-keys "$dir/batv.keys" "$dir/badtag.eml")
grep -q 'backscatter: backscatter' <<<"$out" || fail "forged BATV tag: $out"
grep -q 'forged or expired' <<<"$out" || fail "BATV evidence: $out"

# usage and input errors
"$mw" bounce >/dev/null 2>&1; [ $? -eq 2 ] || fail "no FILE should exit 2"
"$mw" bounce --bogus x >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad option should exit 2"
"$mw" bounce --our-ip 300.1.1.1 "$dir/ours.eml" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad CIDR"
"$mw" bounce "$dir/missing.eml" >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing file should exit 2"
"$mw" bounce --help | grep -q -- '--our-domain' || fail "help"
"$mw" bounce --batv-keys "$dir/missing.keys" "$dir/ours.eml" >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing key file"
echo "ok"
