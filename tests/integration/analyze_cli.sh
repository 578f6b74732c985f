#!/usr/bin/env bash
# analyze_cli.sh MAILWARDEN - `mailwarden analyze` end to end on the stories
# of tests/data/analyze (offline zone): exit status per verdict, the JSON
# shape the issue asks for ({verdict, explanation, connecting_ip, hops[],
# auth{spf,dkim,dmarc}, findings[]}), standard input, --trusted, and bad
# input (usage errors, a missing file, binary garbage).
set -uo pipefail
mw=$1
cd "$(dirname "$0")/../.."
d=tests/data/analyze
zone=(--zone "$d/analyze.zone" --now 1700600000)
out=$(mktemp); trap 'rm -f "$out"' EXIT
fails=0
check() { # name want_exit command...
  local name=$1 want=$2; shift 2
  local got=0
  "$@" >"$out" 2>&1 || got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; head -40 "$out"; fails=$((fails+1))
  else
    echo "ok   $name"
  fi
}
has() { # name fixed-string
  if ! grep -qF -- "$2" "$out"; then echo "FAIL $1: output lacks '$2'"; fails=$((fails+1)); fi
}
json() { # name python-expression over j (the parsed output)
  if ! python3 -c "import json,sys; j=json.load(open('$out')); sys.exit(0 if ($2) else 1)"; then
    echo "FAIL $1: JSON check '$2'"; head -60 "$out"; fails=$((fails+1))
  fi
}

check "genuine" 0 "$mw" analyze "$d/genuine.eml" "${zone[@]}"
has "genuine verdict" "verdict: authentic"
has "genuine hop" ">2   mail.orto-bio.it"
check "forwarded" 0 "$mw" analyze "$d/forwarded.eml" "${zone[@]}"
has "forwarded verdict" "verdict: authentic-but-relayed"
check "direct-to-mx" 1 "$mw" analyze "$d/direct-to-mx.eml" "${zone[@]}"
has "direct-to-mx story" "'mail.com' is only the HELO name the client gave"
has "direct-to-mx advice" "block outbound port 25"
check "relayed spam" 1 "$mw" analyze "$d/relayed-spam.eml" "${zone[@]}"
has "relayed advice" "rotate the SMTP/API keys"
check "backscatter" 1 "$mw" analyze "$d/backscatter.eml" "${zone[@]}"
has "backscatter verdict" "verdict: backscatter"

check "json spoof" 1 "$mw" analyze "$d/direct-to-mx.eml" "${zone[@]}" --json
json "json keys" "all(k in j for k in ('verdict','explanation','connecting_ip','hops','auth','findings'))"
json "json verdict" "j['verdict']=='spoofed' and j['connecting_ip']=='94.130.34.42'"
json "json hops" "all(all(k in h for k in ('helo','rdns','ip','by','protocol','time')) for h in j['hops']) and j['hops'][0]['helo']=='mail.com' and j['hops'][0]['rdns'] is None"
json "json auth" "j['auth']['spf']=='fail' and j['auth']['dkim']=='none' and j['auth']['dmarc']=='fail'"
json "json findings" "{'dmarc-fail','direct-to-mx','display-name-impersonation'} <= {f['code'] for f in j['findings']} and all(set(f)=={'code','severity','message','evidence'} for f in j['findings'])"

check "stdin" 0 sh -c "\"$mw\" analyze - --zone $d/analyze.zone --now 1700600000 --json < $d/genuine.eml"
json "stdin json" "j['verdict']=='authentic' and j['findings']==[]"
check "trusted forwarder" 0 "$mw" analyze "$d/forwarded.eml" "${zone[@]}" --trusted fwd.unimi-alumni.it --json
json "trusted moves boundary" "j['verdict']=='authentic' and j['connecting_ip']=='185.53.178.10'"
check "authserv-id" 1 "$mw" analyze "$d/relayed-spam.eml" "${zone[@]}" --authserv-id other.example --json
json "authserv-id untrusted" "all(c['state']=='untrusted' for c in j['authentication_results'])"

slowzone=$(mktemp); trap 'rm -f "$out" "$slowzone"' EXIT
{ cat "$d/analyze.zone"; echo "_dmarc.slow-bank.example. TIMEOUT"; } >"$slowzone"
check "temperror" 3 sh -c "printf 'Received: from x (x [45.67.1.2]) by mx with ESMTP; Tue, 21 Nov 2023 08:00:00 +0000\\nFrom: a@slow-bank.example\\n\\nx\\n' | \"$mw\" analyze - --zone $slowzone"
has "temperror verdict" "verdict: undetermined"

check "help" 0 "$mw" analyze --help
check "no file" 2 "$mw" analyze
check "bad trusted" 2 "$mw" analyze "$d/genuine.eml" --trusted 10.0.0.0/99
check "missing file" 2 "$mw" analyze /nonexistent/x.eml "${zone[@]}"
check "garbage" 2 sh -c "printf '\\001\\377\\376 binary junk\\n\\200\\201' | \"$mw\" analyze - --zone $d/analyze.zone"
has "garbage verdict" "verdict: undetermined"
has "garbage reason" "message-unreadable"

echo "analyze_cli: $fails failure(s)"
[ "$fails" -eq 0 ]
