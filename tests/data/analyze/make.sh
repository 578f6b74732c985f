#!/usr/bin/env bash
# make.sh [MAILWARDEN] - rebuild the analyze test messages and zone.
#
# The messages are built from src/ (headers in the style of the MTAs on
# each path) and DKIM-signed for real with mailwarden's own signer, key
# orto-bio.it.s2023.private (a test key, published in analyze.zone).  The
# outputs are committed; run this only to change a story.  Signing time is
# fixed (--now) so the outputs are reproducible up to the RSA signature.
set -euo pipefail
cd "$(dirname "$0")"
mw=${1:-../../../build/mailwarden}
key=orto-bio.it.s2023.private
sign() { # sign FILE NOW
  "$mw" dkim sign "$1" --domain orto-bio.it --selector s2023 --key "$key" --now "$2"
}
{ cat zone.head; echo "; --- DKIM key of orto-bio.it (selector s2023)"; grep -v '^;' orto-bio.it.s2023.txt | grep TXT; } >analyze.zone

# the genuine message: submitted with ESMTPSA, signed by mail.orto-bio.it
{ cat src/genuine.head; sign src/genuine.body 1700550003; } >genuine.eml

# the same message sent to an alumni alias and forwarded (Return-Path kept)
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
sed 's/^To: marco@recipient-mail.it/To: giulia.rossi@unimi-alumni.it/; s/for <marco@recipient-mail.it>/for <giulia.rossi@unimi-alumni.it>/' \
  src/genuine.body >"$tmp"
{ cat src/forwarded.head; sign "$tmp" 1700550003; } >forwarded.eml

# a signed message whose body was changed on the way through a relay
sed 's/^Return-Path: <bounce-8812@bulk-relay.net>/Return-Path: <info@orto-bio.it>/
  s/spf=neutral smtp.mailfrom=bounce-8812@bulk-relay.net/spf=fail smtp.mailfrom=info@orto-bio.it/
  s/dkim=none;/dkim=fail (body hash did not verify) header.d=orto-bio.it header.s=s2023;/' \
  src/relayed-spam.txt | sed '/^Authentication-Results: orto-bio.it/,+1d' |
  sed -n '1,/^Received: from \[10.8.0.3\]/p' | sed '$d' >"$tmp.head"
sed -n '/^Received: from \[10.8.0.3\]/,$p' src/relayed-spam.txt |
  sed 's/^Message-ID: .*/Message-ID: <f4471@orto-bio.it>/' >"$tmp.body"
sign "$tmp.body" 1700618525 | sed 's#https://orto-bio-pagamenti.example#https://orto-bio-pagamenti.example/x#' >"$tmp.signed"
cat "$tmp.head" "$tmp.signed" >tampered.eml
rm -f "$tmp.head" "$tmp.body" "$tmp.signed"

# stories without our signature (the spammer had none to give)
cp src/relayed-spam.txt relayed-spam.eml
cp src/direct-to-mx.txt direct-to-mx.eml
cp src/backscatter.txt backscatter.eml
echo "analyze test data rebuilt"
