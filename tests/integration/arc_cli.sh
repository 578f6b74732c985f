#!/usr/bin/env bash
# arc_cli.sh MAILWARDEN - `mailwarden arc` end to end: seal a message twice
# (keys made by `mailwarden dkim keygen`, published in an offline zone),
# validate each hop, break the body and see the chain fail, refuse to seal
# on top of a cv=fail seal, and validate the real list message of
# ../shared/testdata/arc-mail-auth/001.txt.
set -euo pipefail
mw=$1
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name want_exit command...
  local name=$1 want=$2; shift 2
  local got=0
  "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; cat "$tmp/out" "$tmp/err"; fails=$((fails+1))
  else
    echo "ok   $name"
  fi
}
has() { grep -qF -- "$2" "$tmp/out" || { echo "FAIL $1: no '$2'"; cat "$tmp/out"; fails=$((fails+1)); }; }

"$mw" dkim keygen --selector arc1 --domain relay.example --out "$tmp/k1" >/dev/null
"$mw" dkim keygen --selector arc2 --domain list.example --out "$tmp/k2" >/dev/null
cat "$tmp/k1.txt" "$tmp/k2.txt" > "$tmp/zone"
z=(--zone "$tmp/zone")
printf 'Authentication-Results: relay.example; spf=pass smtp.mailfrom=alice@example.com;\n dkim=none\nFrom: Alice <alice@example.com>\nTo: list@list.example\nSubject: ARC test\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <arc-1@example.com>\n\nHello list.\n' > "$tmp/m0"

check "verify unsealed: none" 0 "$mw" arc verify "$tmp/m0" "${z[@]}" --json
has "cv none" '"cv": "none"'
check "seal hop 1" 0 "$mw" arc seal "$tmp/m0" --domain relay.example --selector arc1 \
  --key "$tmp/k1.private" --authserv-id relay.example --time 1700000000 "${z[@]}"
cp "$tmp/out" "$tmp/m1"
has "AAR copies our A-R" "ARC-Authentication-Results: i=1; relay.example;"
has "cv=none on hop 1" "cv=none; d=relay.example; i=1; s=arc1; t=1700000000"
check "verify hop 1: pass" 0 "$mw" arc verify "$tmp/m1" "${z[@]}" --json
has "pass 1" '"cv": "pass"'
has "1 instance" '"instances": 1'
check "seal hop 2" 0 "$mw" arc seal "$tmp/m1" --domain list.example --selector arc2 \
  --key "$tmp/k2.private" --authserv-id list.example --auth-results "arc=pass header.oldest-pass=1" \
  "${z[@]}"
cp "$tmp/out" "$tmp/m2"
has "cv=pass on hop 2" "cv=pass; d=list.example; i=2"
check "verify hop 2: pass" 0 "$mw" arc verify "$tmp/m2" "${z[@]}"
has "text pass" "ARC cv=pass (2 instances)"
sed 's/Hello list./Hello list, with a footer./' "$tmp/m2" > "$tmp/m2bad"
check "modified body: fail" 1 "$mw" arc verify "$tmp/m2bad" "${z[@]}" --json
has "fail" '"cv": "fail"'
check "seal over a broken chain: cv=fail" 0 "$mw" arc seal "$tmp/m2bad" --domain list.example \
  --selector arc2 --key "$tmp/k2.private" --authserv-id list.example "${z[@]}"
cp "$tmp/out" "$tmp/m3"
has "cv=fail seal" "cv=fail; d=list.example; i=3"
check "no set on top of cv=fail" 1 "$mw" arc seal "$tmp/m3" --domain list.example \
  --selector arc2 --key "$tmp/k2.private" --authserv-id list.example "${z[@]}"
check "usage: seal without key" 2 "$mw" arc seal "$tmp/m0" --domain a.example --selector s \
  --authserv-id a.example "${z[@]}"
check "usage: unknown action" 2 "$mw" arc frobnicate "$tmp/m0"
check "help" 0 "$mw" arc --help

src=../shared/testdata/arc-mail-auth/001.txt
if [ -f "$src" ]; then
  awk 'NF==0{exit} { name=$1; $1=""; sub(/^ /,""); gsub(/"/,"\\\""); printf "%s. TXT", name;
        while (length($0) > 200) { printf " \"%s\"", substr($0,1,200); $0=substr($0,201) }
        printf " \"%s\"\n", $0 }' "$src" > "$tmp/zone2"
  awk 'f{print} NF==0{f=1}' "$src" > "$tmp/list"
  check "mail-auth 001 (Google ARC set): pass" 0 "$mw" arc verify "$tmp/list" --zone "$tmp/zone2"
fi
[ $fails -eq 0 ] && echo "all arc CLI checks passed" || { echo "$fails failed"; exit 1; }
