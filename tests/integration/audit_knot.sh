#!/usr/bin/env bash
# audit_knot.sh MAILWARDEN - `mailwarden audit` through the c-ares backend
# against a real authoritative server (Debian's knot) on loopback.
#
# knotd serves one test root zone holding: the issue's seed domain (SPF over
# the lookup limit with Google/Amazon SES/secureserver records), its MX and
# PTR, DNSBL zones we create (an IP listed on two sub-lists, an IP not
# listed, an IP whose query is refused with 127.255.255.254, a listed
# domain), a 100-include record and a 4000-byte TXT record (answered over
# TCP).  Checks: verdicts and findings through --resolver, the same findings
# as the offline --zone backend on the same data, a refused DNSBL answer is
# "not checked" never "listed", and a DNS server that never answers gives a
# bounded run without a crash.  Processes stopped by recorded pid.  Exit 77
# (skip) when knotd or python3 is missing outside CI.
set -u
mw=${1:?usage: audit_knot.sh /path/to/mailwarden}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/lib_knot.bash"
knot_init audit_knot

# ---- the zone: one root zone with everything --------------------------------
{
  cat <<'EOF'
$ORIGIN .
$TTL 300
.                 SOA  ns.test. hostmaster.test. 1 7200 3600 1209600 300
.                 NS   ns.test.
ns.test.          A    127.0.0.1
EOF
  cat "$src/tests/data/audit/providers.zone"
  cat <<'EOF'
$ORIGIN seed.example.
@       A    192.0.2.80
@       MX   10 mx1
@       TXT  "v=spf1 a mx include:amazonses.com include:_spf.google.com include:secureserver.net ~all"
_dmarc  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@seed.example"
mx1     A    192.0.2.10
out     A    198.51.100.7
$ORIGIN 2.0.192.in-addr.arpa.
10      PTR  mx1.seed.example.
$ORIGIN 100.51.198.in-addr.arpa.
7       PTR  198-51-100-7.dyn.isp.example.
$ORIGIN zen.test.example.
10.2.0.192        A 127.0.0.2
10.2.0.192        A 127.0.0.4
5.113.0.203       A 127.255.255.254
$ORIGIN dbl.test.example.
seed.example      A 127.0.1.2
EOF
  printf '$ORIGIN big.example.\n@ TXT ('
  for i in $(seq 0 99); do printf ' "include:i%d.big.example "' "$i"; done
  printf ' )\n'
  printf '@ TXT "v=spf1 redirect=big2.big.example"\n' >/dev/null
  for i in $(seq 0 99); do printf 'i%d TXT "v=spf1 ip4:10.%d.0.0/16 -all"\n' "$i" "$i"; done
  printf '$ORIGIN wide.example.\n@ TXT ( "v=spf1"'
  for s in $(seq 0 19); do
    printf ' "'; for k in $(seq 0 13); do printf ' ip4:10.1.%d.%d' "$s" "$k"; done; printf '"'
  done
  printf ' " -all" )\n'
} >"$tmp/root.zone"
# the 100-include record must start with v=spf1: prepend it to the first string
sed -i 's|^@ TXT ( "include:i0.big.example "|@ TXT ( "v=spf1 include:i0.big.example "|' "$tmp/root.zone"
sed -i 's|^\(@ TXT ( "v=spf1 include:i0.*\) )$|\1 "-all" )|' "$tmp/root.zone"

cat >"$tmp/dnsbl.conf" <<'EOF'
zone zen.test.example ip Test ZEN
code 127.0.0.2 listed SBL: test spam source
code 127.0.0.4-127.0.0.7 listed XBL: test exploited host
code 127.255.255.254 error query refused: public resolver
zone dbl.test.example domain Test DBL
code 127.0.1.2 listed DBL: test spam domain
EOF

knot_start .="$tmp/root.zone"
port=$knot_port
knot_wait "$mw" dns seed.example TXT --resolver "127.0.0.1:$knot_port" --dns-timeout 300

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
R=(--resolver "127.0.0.1:$port" --dns-timeout 2000)

# ---- the seed domain through real DNS ----------------------------------------
"$mw" audit seed.example --ip 198.51.100.7 --ip 203.0.113.5 --dnsbl-zones "$tmp/dnsbl.conf" \
  "${R[@]}" --json >"$tmp/real.json" 2>"$tmp/real.err"; rc=$?
[ $rc -eq 1 ] && ok || bad "seed: exit $rc want 1: $(cat "$tmp/real.err")"
python3 - "$tmp/real.json" >"$tmp/check.out" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
codes = {f["code"] for f in d["findings"]}
fails = []
def want(cond, msg):
    if not cond: fails.append(msg)
want(d["spf"]["lookups"] == 12, "spf lookups %s" % d["spf"]["lookups"])
costs = {n["name"]: n["cost"] for n in d["spf"]["tree"]}
want(costs.get("_spf.google.com") == 4 and costs.get("secureserver.net") == 5, "tree costs %s" % costs)
want(d["spf"]["flattened"] and any("ip4:199.255.192.0/22" in l for l in d["spf"]["flattened"]), "flattened")
for c in ["spf-lookups-over-limit", "dmarc-policy-none", "dkim-none-found", "rdns-generic",
          "rdns-missing", "dnsbl-listed", "dnsbl-not-checked", "rdns-ok"]:
    want(c in codes, "missing finding " + c)
q = {(x["zone"], x["target"]): x for x in d["dnsbl"]["queries"]}
want(q[("zen.test.example", "192.0.2.10")]["verdict"] == "listed", "192.0.2.10 not listed")
want("SBL" in q[("zen.test.example", "192.0.2.10")]["meaning"] or "XBL" in q[("zen.test.example", "192.0.2.10")]["meaning"], "sub-list")
want(q[("zen.test.example", "198.51.100.7")]["verdict"] == "clean", "198.51.100.7 not clean")
want(q[("zen.test.example", "203.0.113.5")]["verdict"] == "refused", "refused not reported")
want(q[("dbl.test.example", "seed.example")]["verdict"] == "listed", "domain not listed")
listed = [f for f in d["findings"] if f["code"] == "dnsbl-listed"]
want(not any("203.0.113.5" in f["title"] for f in listed), "refused IP reported as listed")
want(len(listed) == 2, "listed findings %d" % len(listed))
print("\n".join(fails) if fails else "ok")
EOF
if [ "$(cat "$tmp/check.out")" = ok ]; then ok; else bad "seed JSON: $(cat "$tmp/check.out")"; fi

# ---- same findings offline (zone backend, same data; it takes no root owner) --
sed '/^\. /d' "$tmp/root.zone" >"$tmp/off.zone"
"$mw" audit seed.example --ip 198.51.100.7 --ip 203.0.113.5 --dnsbl-zones "$tmp/dnsbl.conf" \
  --zone "$tmp/off.zone" --json >"$tmp/off.json" 2>&1
codes() { python3 -c 'import json,sys; print(" ".join(sorted(f["code"]+":"+f["title"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"]!="dnsbl-summary")))' "$1"; }
if [ "$(codes "$tmp/real.json")" = "$(codes "$tmp/off.json")" ]; then ok; else
  bad "c-ares and zone findings differ"; diff <(codes "$tmp/real.json" | tr ' ' '\n') <(codes "$tmp/off.json" | tr ' ' '\n') | head; fi

# ---- human output: sections and markers, no colour when not a terminal -------
"$mw" audit seed.example --no-dnsbl "${R[@]}" >"$tmp/human.txt" 2>&1
if grep -q '^\[CRIT\] spf ' "$tmp/human.txt" && grep -q 'include:_spf.google.com costs 4' "$tmp/human.txt" \
   && ! grep -q $'\033' "$tmp/human.txt"; then ok; else bad "human output"; head -20 "$tmp/human.txt"; fi

# colour on a terminal (script(1) gives a pty), none with NO_COLOR
if command -v script >/dev/null; then
  script -qec "$mw audit seed.example --no-dnsbl --zone $tmp/off.zone" /dev/null >"$tmp/tty.txt" 2>&1
  NO_COLOR=1 script -qec "$mw audit seed.example --no-dnsbl --zone $tmp/off.zone" /dev/null >"$tmp/tty2.txt" 2>&1
  if grep -q $'\033\[1;31m\[CRIT\]' "$tmp/tty.txt" && ! grep -q $'\033' "$tmp/tty2.txt"; then ok; else
    bad "colour: terminal $(grep -c $'\033' "$tmp/tty.txt") NO_COLOR $(grep -c $'\033' "$tmp/tty2.txt")"; fi
fi

# ---- absurd records over real DNS: 100 includes, 4000-byte TXT (TCP) ---------
start=$(date +%s)
"$mw" audit big.example --no-dnsbl "${R[@]}" --json >"$tmp/big.json" 2>&1; rc=$?
el=$(( $(date +%s) - start ))
if [ $rc -eq 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["spf"]["lookups"]==100; assert any(f["code"]=="spf-lookups-over-limit" for f in d["findings"])' "$tmp/big.json" && [ $el -lt 30 ]; then ok; else bad "100 includes: rc=$rc ${el}s"; fi
"$mw" audit wide.example --no-dnsbl "${R[@]}" --json >"$tmp/wide.json" 2>&1; rc=$?
if [ $rc -eq 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c={f["code"] for f in d["findings"]}; assert "spf-answer-too-big" in c, c; assert d["spf"]["record"] and len(d["spf"]["record"])>3000' "$tmp/wide.json"; then ok; else bad "4000-byte TXT: rc=$rc $(head -c 300 "$tmp/wide.json")"; fi

# ---- a DNS server that never answers: bounded, no crash ----------------------
knot_sink
start=$(date +%s)
"$mw" audit seed.example --ip 192.0.2.10 --resolver "127.0.0.1:$sink_port" --dns-timeout 200 \
  --dnsbl-zones "$tmp/dnsbl.conf" >"$tmp/sink.out" 2>&1; rc=$?
el=$(( $(date +%s) - start ))
if [ $rc -ge 1 ] && [ $rc -le 3 ] && [ $el -lt 40 ]; then ok; else bad "silent DNS: rc=$rc ${el}s"; tail -5 "$tmp/sink.out"; fi
if [ $rc -eq 3 ] || grep -q 'temporary' "$tmp/sink.out"; then ok; else bad "silent DNS: no temporary-failure report"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
