#!/usr/bin/env bash
# samples/demo.sh BINARY - the main job on bundled data, offline: first
# `mailwarden analyze` explains a spoof (phishing sent straight to the
# recipient's MX from a web server) and shows a genuine message from the
# same kind of setup coming out clean (samples/analyze/, zone
# samples/analyze/analyze.zone); then three SPF checks against
# samples/demo.zone showing a pass, a softfail and a fail.  spoofed /
# softfail / fail exit 1 by design; the demo checks that every command gave
# the expected status and then exits 0.
set -uo pipefail
bin=${1:-build/mailwarden}
zone=$(dirname "$0")/demo.zone
status=0

run() { # run WANT_EXIT ARGS...
  local want=$1; shift
  echo "\$ mailwarden spf $* --zone samples/demo.zone"
  "$bin" spf "$@" --zone "$zone"
  local got=$?
  echo
  if [ "$got" -ne "$want" ]; then
    echo "demo: expected exit status $want, got $got" >&2
    status=1
  fi
}

analyze() { # analyze WANT_EXIT FILE
  local want=$1 file=$2
  echo "\$ mailwarden analyze samples/analyze/$file --zone samples/analyze/analyze.zone"
  "$bin" analyze "$(dirname "$0")/analyze/$file" --zone "$(dirname "$0")/analyze/analyze.zone"
  local got=$?
  echo
  if [ "$got" -ne "$want" ]; then
    echo "demo: expected exit status $want, got $got" >&2
    status=1
  fi
}

echo "== who really sent this? \"Poste Italiane\" phishing that names our web server: spoofed"
analyze 1 phishing-direct-to-mx.eml
echo "== the same question for a genuine message of orto-bio.it: authentic"
analyze 0 genuine.eml

echo "== 1. a mail provider's server, found through an include chain: pass"
run 0 203.0.113.77 example.com --sender alice@example.com --helo out-7.mailhost.example.net
echo "== 2. a host the migrating subdomain does not list yet: softfail"
run 1 192.0.2.200 news.example.com --sender bob@news.example.com --helo mail.example.org
echo "== 3. a stranger using example.com: fail, with the domain's explanation"
run 1 192.0.2.200 example.com --sender mallory@example.com --helo mail.example.org
exit $status
