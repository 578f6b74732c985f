#!/usr/bin/env bash
# serve_config.sh MAILWARDEN - `serve --check`: the documented example
# etc/mailwarden.conf is valid and yields the default rules; each broken
# configuration in the table is refused with exit 2, naming the file (and the line when it is a
# syntax or setting error).
set -uo pipefail
MW=$(readlink -f "$1")
cd "$(dirname "$0")/../.."
. tests/integration/lib_serve.bash
D=$(mktemp -d /tmp/mw-conf-XXXXXX); trap 'rm -rf "$D"' EXIT

out=$("$MW" serve -c etc/mailwarden.conf --check); check "example config valid" 0 $?
echo "$out" | grep -q "rule sasl_messages: window 300s, alert > 100, hold > 300"
check "example config: default sasl rule" 0 $?
out=$("$MW" serve --check); check "no file: defaults valid" 0 $?
echo "$out" | grep -q "rule recipients_per_message: window 300s, hold > 100"
check "no file: default recipient cap" 0 $?

bad=(
  "[serve]\nlisten_to = x"
  "[serve]\nfail_open = maybe"
  "[serve]\nstore_timeout_ms = 0"
  "[serve]\ndefault_action = BOUNCE"
  "[serve]\nalert_command = logger -t x"
  "[serve]\nevent_retention = forever"
  "[nonsense]\na = b"
  "[rule x]\nkey = sasl_username"
  "[rule x]\nhold = 5"
  "[rule x]\nkey = helo\nhold = 5"
  "[rule x]\nkey = sasl_username\nwindow = 0\nhold = 5"
  "[rule x]\nkey = recipient_domain\nhold = 5"
  "[rule bad name]\nkey = sasl_username\nhold = 5"
  "[rule x]\nkey = sasl_username\nhold = 5\noverride = alice"
  "[rule x\nkey = sasl_username"
)
for b in "${bad[@]}"; do
  printf "$b\n" > "$D/bad.conf"
  err=$("$MW" serve -c "$D/bad.conf" --check 2>&1 >/dev/null); rc=$?
  check "refused: $(printf "$b" | tr '\n' ' ')" 2 "$rc"
  echo "$err" | grep -q "bad.conf:" || { echo "FAIL: file not named in: $err"; FAILS=$((FAILS+1)); }
done
[ "$FAILS" -eq 0 ] || exit 1
echo "serve_config: all checks passed"
