#!/usr/bin/env bash
# authres_python.sh MAILWARDEN - the Authentication-Results headers that
# `mailwarden dmarc` writes are parsed by an independent RFC 8601 parser,
# the `authres` module of Debian's python3-authheaders, and every method,
# result and property must read back as our JSON says.  Skips (77) when the
# package is missing outside CI.
set -euo pipefail
mw=$1
cd "$(dirname "$0")/../.."
py=/usr/bin/python3
if ! [ -x $py ] || ! $py -c 'import authres' 2>/dev/null; then
  if [ -n "${CI:-}" ]; then echo "python3-authheaders missing in CI"; exit 1; fi
  echo "SKIP: python3-authheaders (module authres) not installed"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
zone=samples/dmarc/example.zone
run() { # name args...: write JSON to $tmp/name.json
  local name=$1; shift
  "$mw" dmarc "$@" --zone "$zone" --authserv-id "mx.example.net" --json >"$tmp/$name.json" || true
}
run aligned samples/dmarc/aligned.eml --client-ip 192.0.2.10 --mail-from alice@example.com \
  --helo mail.example.com
run spoofed samples/dmarc/spoofed.eml --client-ip 203.0.113.5 --mail-from bounce@attacker.example
run nullpath samples/dmarc/spoofed.eml --client-ip 203.0.113.5 --helo attacker.example
sed 's/^From: .*/From: "a; b" <x@ghost.example.com>, y@example.org/' samples/dmarc/aligned.eml \
  > "$tmp/two.eml"
run twofrom "$tmp/two.eml" --client-ip 203.0.113.5
src=../shared/testdata/dkim-mail-auth/001.txt
if [ -f "$src" ]; then
  awk 'NF==0{exit} { name=$1; $1=""; sub(/^ /,""); gsub(/"/,"\\\""); printf "%s. TXT", name;
        while (length($0) > 200) { printf " \"%s\"", substr($0,1,200); $0=substr($0,201) }
        printf " \"%s\"\n", $0 }' "$src" > "$tmp/zone"
  echo '_dmarc.football.example.com. TXT "v=DMARC1; p=reject"' >> "$tmp/zone"
  awk 'f{print} NF==0{f=1}' "$src" > "$tmp/msg"
  "$mw" dmarc "$tmp/msg" --client-ip 203.0.113.5 --zone "$tmp/zone" --now 1667843664 \
    --authserv-id "mx.example.net" --json > "$tmp/dkim.json" || true
fi
src=../shared/testdata/arc-mail-auth/001.txt
if [ -f "$src" ]; then
  awk 'NF==0{exit} { name=$1; $1=""; sub(/^ /,""); gsub(/"/,"\\\""); printf "%s. TXT", name;
        while (length($0) > 200) { printf " \"%s\"", substr($0,1,200); $0=substr($0,201) }
        printf " \"%s\"\n", $0 }' "$src" > "$tmp/zone3"
  awk 'f{print} NF==0{f=1}' "$src" > "$tmp/list"
  "$mw" dmarc "$tmp/list" --client-ip 203.0.113.5 --zone "$tmp/zone3" --now 1667893878 \
    --authserv-id "mx.example.net" --json > "$tmp/arclist.json" || true
fi
$py - "$tmp" <<'PYEOF'
import json, sys, glob, authres
fails = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.json")):
    j = json.load(open(path))
    text = j["authentication_results"]
    h = authres.core.AuthenticationResultsHeader.parse(authres.all_features(), text)
    got = [(r.method, r.result, {(p.type, p.name): p.value for p in r.properties}) for r in h.results]
    want = [("spf", j["spf"]["result"])]
    want += [("dkim", s["result"]) for s in j["dkim"]] or [("dkim", "none")]
    want += [("arc", j["arc"]["cv"])]
    want += [("dmarc", d["result"]) for d in j["dmarc"]["domains"]] or [("dmarc", "none")]
    problems = []
    if h.authserv_id != "mx.example.net":
        problems.append("authserv-id %r" % h.authserv_id)
    if [(m, r) for m, r, _ in got] != want:
        problems.append("results %r != %r" % ([(m, r) for m, r, _ in got], want))
    for (m, r, props), d in zip([g for g in got if g[0] == "dmarc"], j["dmarc"]["domains"]):
        if props.get(("header", "from")) != d["from_domain"]:
            problems.append("header.from %r != %r" % (props.get(("header", "from")), d["from_domain"]))
        if d["policy_tag"] and props.get(("policy", "dmarc")) != d["policy"]:
            problems.append("policy.dmarc %r != %r" % (props.get(("policy", "dmarc")), d["policy"]))
    for (m, r, props), s in zip([g for g in got if g[0] == "dkim"], j["dkim"]):
        if props.get(("header", "d")) != s["domain"] or props.get(("header", "s")) != s["selector"]:
            problems.append("dkim d/s %r" % props)
        if len(props.get(("header", "b"), "")) != 8:
            problems.append("header.b not 8 chars: %r" % props.get(("header", "b")))
    name = path.rsplit("/", 1)[1]
    if problems:
        fails += 1
        print("FAIL", name, "; ".join(problems)); print(text)
    else:
        print("ok  ", name, ", ".join("%s=%s" % (m, r) for m, r, _ in got))
sys.exit(1 if fails else 0)
PYEOF
