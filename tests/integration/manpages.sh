#!/usr/bin/env bash
# manpages.sh MAILWARDEN - the manual covers the program: every subcommand
# that `mailwarden --help` lists appears in man/mailwarden.1.scd, every key
# of etc/mailwarden.conf (set or commented out) appears in
# man/mailwarden.conf.5.scd, and each page renders without warnings when
# scdoc and man are available.  A new subcommand or setting therefore needs
# its paragraph in the manual before this passes.
set -uo pipefail
MW=$1
cd "$(dirname "$0")/../.."
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }

for cmd in $("$MW" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1}'); do
  if grep -qE "^\*$cmd( |\*)" man/mailwarden.1.scd; then ok; else bad "subcommand '$cmd' missing from man/mailwarden.1.scd"; fi
  if "$MW" help "$cmd" >/dev/null 2>&1; then ok; else bad "'mailwarden help $cmd' fails"; fi
done
for key in $(grep -oE '^#?[a-z_]+ *=' etc/mailwarden.conf | tr -d '#= ' | sort -u); do
  if grep -qE "\*$key\*" man/mailwarden.conf.5.scd; then ok; else bad "config key '$key' missing from man/mailwarden.conf.5.scd"; fi
done
if command -v scdoc >/dev/null && command -v man >/dev/null; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  for src in man/*.scd; do
    page=$tmp/$(basename "$src" .scd)
    if ! scdoc <"$src" >"$page" 2>"$tmp/err"; then bad "scdoc $src: $(cat "$tmp/err")"; continue; fi
    warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    if [ -z "$warn" ]; then ok; else bad "man warnings in $src: $warn"; fi
  done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
