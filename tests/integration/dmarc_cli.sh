#!/usr/bin/env bash
# dmarc_cli.sh MAILWARDEN - `mailwarden dmarc` end to end on the offline
# samples (samples/dmarc): exit codes, the A-R header, the JSON shape, and a
# DKIM-signed message (RFC 8463 A.3, ../shared/testdata/dkim-mail-auth/001.txt)
# whose aligned DKIM pass makes DMARC pass although SPF fails.
set -euo pipefail
mw=$1
cd "$(dirname "$0")/../.."
zone=samples/dmarc/example.zone
fails=0
check() { # name want_exit command...
  local name=$1 want=$2; shift 2
  local got=0
  "$@" >/tmp/mw_dmarc_out.$$ 2>&1 || got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; cat /tmp/mw_dmarc_out.$$; fails=$((fails+1))
  else
    echo "ok   $name"
  fi
}
has() { # name pattern: the last output contains the fixed string
  if ! grep -qF -- "$2" /tmp/mw_dmarc_out.$$; then
    echo "FAIL $1: output lacks '$2'"; cat /tmp/mw_dmarc_out.$$; fails=$((fails+1))
  fi
}
common=(--zone "$zone" --authserv-id mx.example.net)

check "aligned SPF pass" 0 "$mw" dmarc samples/dmarc/aligned.eml --client-ip 192.0.2.10 \
  --mail-from alice@example.com --helo mail.example.com "${common[@]}"
has "aligned A-R" "dmarc=pass (p=reject sp=quarantine np=reject dis=none)"
has "aligned A-R spf" "spf=pass smtp.mailfrom=alice@example.com"

check "spoofed fails with reject" 1 "$mw" dmarc samples/dmarc/spoofed.eml \
  --client-ip 203.0.113.5 --mail-from bounce@attacker.example --helo attacker.example \
  "${common[@]}" --json
has "spoofed json result" '"result": "fail"'
has "spoofed json disposition" '"disposition": "reject"'
has "spoofed external rua" '"authorized": true'
has "spoofed A-R" 'policy.dmarc=reject'

check "SPF pass, unaligned MAIL FROM" 1 "$mw" dmarc samples/dmarc/aligned.eml \
  --client-ip 198.51.100.7 --mail-from list@bulk.example.net "${common[@]}"
has "unaligned spf pass" "spf=pass smtp.mailfrom=list@bulk.example.net"
check "SPF pass, relaxed-aligned subdomain" 0 "$mw" dmarc samples/dmarc/aligned.eml \
  --client-ip 198.51.100.7 --mail-from list@news.example.com "${common[@]}"
has "relaxed pass" "dmarc=pass"

check "sp for an existing subdomain" 1 "$mw" dmarc - --client-ip 203.0.113.5 \
  "${common[@]}" --json < <(sed 's/alice@example.com/alice@mail.example.com/' samples/dmarc/aligned.eml)
has "sp tag" '"policy_tag": "sp"'
has "sp quarantine" '"disposition": "quarantine"'

check "np for a non-existent subdomain" 1 "$mw" dmarc - --client-ip 203.0.113.5 \
  "${common[@]}" --json < <(sed 's/alice@example.com/alice@ghost.example.com/' samples/dmarc/aligned.eml)
has "np tag" '"policy_tag": "np"'
has "np reject" '"disposition": "reject"'

check "t=y testing" 1 "$mw" dmarc - --client-ip 203.0.113.5 "${common[@]}" --json \
  < <(sed 's/alice@example.com/alice@example.org/' samples/dmarc/aligned.eml)
has "t=y disposition" '"disposition": "none"'
has "t=y flag" '"testing": true'

check "no DMARC record: none" 0 "$mw" dmarc - --client-ip 203.0.113.5 "${common[@]}" \
  < <(sed 's/alice@example.com/alice@nowhere.example/' samples/dmarc/aligned.eml)
has "none" "dmarc=none header.from=nowhere.example"

check "usage: no --client-ip" 2 "$mw" dmarc samples/dmarc/aligned.eml "${common[@]}"
check "usage: bad ip" 2 "$mw" dmarc samples/dmarc/aligned.eml --client-ip 1.2.3 "${common[@]}"
check "input: missing file" 2 "$mw" dmarc /nonexistent.eml --client-ip 192.0.2.1 "${common[@]}"
check "help" 0 "$mw" dmarc --help

# DKIM-aligned pass: the RFC 8463 A.3 message, keys from the corpus file.
src=../shared/testdata/dkim-mail-auth/001.txt
if [ -f "$src" ]; then
  tmp=$(mktemp -d)
  awk 'NF==0{exit} { name=$1; $1=""; sub(/^ /,""); gsub(/"/,"\\\""); printf "%s. TXT", name;
        while (length($0) > 200) { printf " \"%s\"", substr($0,1,200); $0=substr($0,201) }
        printf " \"%s\"\n", $0 }' "$src" > "$tmp/zone"
  echo '_dmarc.football.example.com. TXT "v=DMARC1; p=reject; adkim=s"' >> "$tmp/zone"
  awk 'f{print} NF==0{f=1}' "$src" > "$tmp/msg"
  check "DKIM aligned pass (RFC 8463 A.3)" 0 "$mw" dmarc "$tmp/msg" --client-ip 203.0.113.5 \
    --mail-from joe@football.example.com --zone "$tmp/zone" --now 1667843664 --json
  has "dkim ed25519 pass" '"algorithm": "ed25519-sha256"'
  has "dkim aligned" '"dkim_aligned": true'
  has "dmarc pass" '"disposition": "none"'
  rm -rf "$tmp"
fi
rm -f /tmp/mw_dmarc_out.$$
[ $fails -eq 0 ] && echo "all dmarc CLI checks passed" || { echo "$fails failed"; exit 1; }
