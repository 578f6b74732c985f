#!/usr/bin/env bash
# netwatch_netns.sh MAILWARDEN - netwatch and firewall against real sockets,
# as root, inside two private network namespaces joined by a veth pair:
#   ns S: an SMTP sink on port 25 (IPv4 10.250.N.2, IPv6 fd00:250:N::2)
#   ns C: a "web app" (user nobody) and an "MTA" (test user mwtestmta) that
#         both connect to the sink.
# Checks: netwatch reports the web app with its pid, uid and command line
# and not the MTA; reduced mode without root; a connection of a few
# milliseconds is caught by --watch --nflog; generated nft rules pass
# `nft -c -f`, and applied in ns C they block the web app and let the MTA
# through (IPv4 and IPv6), --apply is idempotent, --remove undoes it;
# iptables/ip6tables text passes `*-restore --test` and blocks when loaded.
# Exit 77 (skip) when not root or network namespaces are unavailable.
set -u
MW=$(readlink -f "$1")
PY=/usr/bin/python3
fails=0
skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, nftables)"
for tool in ip nft setpriv useradd "$PY"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    [ -n "${CI:-}" ] && { echo "FAIL: $tool missing in CI (scripts/setup --test)"; exit 1; }
    skip "$tool not installed"
  fi
done

N=$(( $$ % 200 + 20 ))
NS_C=mwnw-c-$$
NS_S=mwnw-s-$$
T=$(mktemp -d /tmp/mw-netwatch-XXXXXX)
chmod 755 "$T"
pids=()
created_user=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  ip netns del "$NS_C" 2>/dev/null
  ip netns del "$NS_S" 2>/dev/null
  [ -n "$created_user" ] && userdel mwtestmta 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

ip netns add "$NS_C" 2>/dev/null || skip "cannot create network namespaces here"
ip netns add "$NS_S" || skip "cannot create a second network namespace"
ip link add "mwc$$" type veth peer name "mws$$" || skip "cannot create a veth pair"
ip link set "mwc$$" netns "$NS_C"
ip link set "mws$$" netns "$NS_S"
C4=10.250.$N.1; S4=10.250.$N.2; C6=fd00:250:$N::1; S6=fd00:250:$N::2
ip -n "$NS_C" addr add "$C4/24" dev "mwc$$"
ip -n "$NS_S" addr add "$S4/24" dev "mws$$"
ip -n "$NS_C" addr add "$C6/64" dev "mwc$$" nodad
ip -n "$NS_S" addr add "$S6/64" dev "mws$$" nodad
for ns in "$NS_C" "$NS_S"; do ip -n "$ns" link set lo up; done
ip -n "$NS_C" link set "mwc$$" up
ip -n "$NS_S" link set "mws$$" up

if ! id mwtestmta >/dev/null 2>&1; then
  useradd -r -M -d /nonexistent -s /usr/sbin/nologin mwtestmta || skip "useradd failed"
  created_user=1
fi
MTA_UID=$(id -u mwtestmta)
cp "$MW" "$T/mailwarden" && chmod 755 "$T/mailwarden"

# ---- helpers -------------------------------------------------------------
cat >"$T/sink.py" <<'EOF'
import socket, sys, threading
def serve(c):
    try:
        c.sendall(b"220 sink ESMTP\r\n")
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 25)); s.listen(64)
open(sys.argv[1], "w").write("ready\n")
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
cat >"$T/client.py" <<'EOF'
# client.py MODE HOST [SRCPORT]   (process title carries a marker for the test)
#   hold: connect, read the banner, sleep;  short: connect and reset at once;
#   try: print ok / refused / timeout
import os, socket, struct, sys, time
mode, host = sys.argv[1], sys.argv[2]
src = int(sys.argv[3]) if len(sys.argv) > 3 else 0
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam)
s.settimeout(3)
if src:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", src))
try:
    s.connect((host, 25))
except ConnectionRefusedError:
    print("refused"); sys.exit(1)
except OSError as e:
    print("error", e); sys.exit(1)
if mode == "try":
    print("ok"); sys.exit(0)
if mode == "short":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close(); print(os.getpid()); sys.exit(0)
s.recv(100)
time.sleep(60)
EOF
chmod 644 "$T"/*.py
as_user() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"; }
in_c() { ip netns exec "$NS_C" "$@"; }
# (background jobs call ip netns exec directly, so that $! is the process itself)
jq_py() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1" "${@:3}"; }

# optional libraries: without them --apply / --nflog say so; CI has them
have_nft=1; have_nflog=1
if in_c "$MW" firewall --remove 2>&1 | grep -q "built without"; then have_nft=0; fi
if in_c "$MW" netwatch --watch --nflog --no-nflog-rule --count 1 2>&1 | grep -q "built without"; then
  have_nflog=0
fi
if [ $have_nft = 0 ] || [ $have_nflog = 0 ]; then
  [ -n "${CI:-}" ] && { echo "FAIL: built without libnftables/libnetfilter_log in CI"; exit 1; }
  echo "note - built without libnftables ($have_nft) or libnetfilter_log ($have_nflog): those parts skipped"
fi

# ---- the sink and the two long connections --------------------------------
ip netns exec "$NS_S" "$PY" "$T/sink.py" "$T/sink.ready" &
pids+=($!)
for _ in $(seq 50); do [ -f "$T/sink.ready" ] && break; sleep 0.1; done
[ -f "$T/sink.ready" ] || { echo "FAIL: sink did not start"; exit 1; }

ip netns exec "$NS_C" setpriv --reuid=nobody --regid=nogroup --clear-groups \
  "$PY" "$T/client.py" hold "$S4" &
WEB_PID=$!; pids+=($WEB_PID)
ip netns exec "$NS_C" setpriv --reuid=mwtestmta --regid="$(id -g mwtestmta)" --clear-groups \
  "$PY" "$T/client.py" hold "$S6" &
MTA_PID=$!; pids+=($MTA_PID)
sleep 1

# ---- one-shot netwatch ----------------------------------------------------
in_c "$MW" netwatch --json --mta-user mwtestmta >"$T/once.json"; rc=$?
check "one-shot exits 1 (finding)" [ "$rc" -eq 1 ]
check "exactly the web app is reported, with pid, uid, command line" jq_py "$T/once.json" '
c = d["connections"]
assert d["suspects"] == 1 and len(c) == 1, c
e = c[0]
assert e["pid"] == int(sys.argv[2]) and e["uid"] == 65534 and e["user"] == "nobody", e
assert "client.py hold" in e["cmdline"] and e["exe"].startswith("/usr/bin/python3"), e
assert e["remote"] == sys.argv[3] and e["remote_port"] == 25 and e["class"] == "suspect", e
assert e["state"] == "ESTABLISHED", e' "$WEB_PID" "$S4"
in_c "$MW" netwatch --mta-user mwtestmta --events-db "$T/events.db" >/dev/null
"$MW" events --db "$T/events.db" --json >"$T/events.json"
check "--events-db: the web app's connection is one netwatch event" jq_py "$T/events.json" '
ev = d if isinstance(d, list) else d["events"]
assert len(ev) == 1, ev
e = ev[0]
assert e["source"] == "netwatch" and e["rule"] == "direct-smtp" and e["action"] == "alert", e
assert e["client_address"] == sys.argv[2] + ":25" and "nobody" in e["key"], e
assert any(s.startswith("pid " + sys.argv[3]) for s in e["subjects"]), e' "$S4" "$WEB_PID"
in_c "$MW" netwatch --all --json --mta-user mwtestmta >"$T/all.json"
check "--all lists the MTA connection (IPv6) as class mta" jq_py "$T/all.json" '
m = [e for e in d["connections"] if e["class"] == "mta"]
assert len(m) == 1 and m[0]["pid"] == int(sys.argv[2]) and m[0]["uid"] == int(sys.argv[3]), m
assert m[0]["remote"] == sys.argv[4], m' "$MTA_PID" "$MTA_UID" "$S6"
in_c "$MW" netwatch >"$T/once.txt"
check "without --mta-user the test MTA user is a suspect too" \
  grep -q "mwtestmta" "$T/once.txt"
in_c "$MW" netwatch --mta-user mwtestmta >"$T/table.txt"
check "table row: pid, user, command, local -> remote" \
  grep -Eq "^$WEB_PID +suspect +nobody +/usr/bin/python3 /tmp/mw-netwatch.* $C4:[0-9]+ -> $S4:25 " "$T/table.txt"

# reduced mode: as nobody, only nobody's connection is visible
in_c setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/mailwarden" netwatch --json \
  --mta-user mwtestmta >"$T/nonroot.json" 2>"$T/nonroot.err"
check "non-root: clear reduced-mode message" grep -q "reduced mode, only your own processes" "$T/nonroot.err"
check "non-root: own connection shown, the other user's hidden" jq_py "$T/nonroot.json" '
assert d["reduced"] is True and d["hidden_sockets"] == 1, d
assert [e["pid"] for e in d["connections"]] == [int(sys.argv[2])], d' "$WEB_PID"

if [ $have_nft = 1 ] && [ $have_nflog = 1 ]; then
# ---- watch mode with NFLOG: a connection of a few milliseconds -------------
ip netns exec "$NS_C" "$MW" netwatch --watch --nflog --interval 5000 --json \
  --mta-user mwtestmta >"$T/watch.jsonl" 2>"$T/watch.err" &
WATCH_PID=$!; pids+=($WATCH_PID)
for _ in $(seq 50); do in_c nft list table inet mailwarden_watch >/dev/null 2>&1 && break; sleep 0.1; done
check "--nflog installed its log-only table" bash -c "ip netns exec $NS_C nft list table inet mailwarden_watch >/dev/null"
SHORT_PID=$(in_c setpriv --reuid=nobody --regid=nogroup --clear-groups \
  "$PY" "$T/client.py" short "$S4" 40999)
in_c setpriv --reuid=mwtestmta --regid="$(id -g mwtestmta)" --clear-groups \
  "$PY" "$T/client.py" short "$S4" 40998 >/dev/null
# wait (up to 10 s on a loaded machine) for the logged SYN to be reported
for _ in $(seq 100); do grep -q '"local_port": *40999' "$T/watch.jsonl" && break; sleep 0.1; done
sleep 0.5
kill -TERM "$WATCH_PID"; wait "$WATCH_PID" 2>/dev/null
check "watch: the few-ms web-app connection is reported (uid nobody)" "$PY" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
short = [e for e in ev if e["local_port"] == 40999]
assert len(short) == 1, ev
e = short[0]
assert e["uid"] == 65534 and e["remote_port"] == 25 and e["class"] == "suspect", e
assert e["pid"] in (None, int(sys.argv[2])), e
print("   caught via", e["source"], "pid", e["pid"])' "$T/watch.jsonl" "$SHORT_PID"
check "watch: the long-lived web app reported once, the MTA never" "$PY" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert [e["pid"] for e in ev if e["local_port"] not in (40999,)] == [int(sys.argv[2])], ev
assert not [e for e in ev if e["uid"] == int(sys.argv[3])], ev' "$T/watch.jsonl" "$WEB_PID" "$MTA_UID"
check "watch removed its table on SIGTERM" bash -c "! ip netns exec $NS_C nft list table inet mailwarden_watch >/dev/null 2>&1"
fi
# control: sampling alone (5 s interval) is not expected to see such a connection
ip netns exec "$NS_C" "$MW" netwatch --watch --interval 5000 --count 2 --json \
  --mta-user mwtestmta >"$T/ctl.jsonl" &
CTL=$!; pids+=($CTL)
sleep 0.5
in_c setpriv --reuid=nobody --regid=nogroup --clear-groups "$PY" "$T/client.py" short "$S4" 40997 >/dev/null
wait "$CTL"
if grep -q '"local_port": *40997' "$T/ctl.jsonl"; then echo "note - sampler alone happened to see the short connection"
else echo "note - sampler alone (5 s) missed the short connection, as expected"; fi

# ---- firewall: nft -----------------------------------------------------------
"$MW" firewall --mta-user mwtestmta >"$T/fw.nft"
check "nft -c -f accepts the generated rules" in_c nft -c -f "$T/fw.nft"
"$MW" firewall --mta-user mwtestmta --log-only >"$T/fw-log.nft"
check "nft -c -f accepts the log-only rules" in_c nft -c -f "$T/fw-log.nft"
try() { in_c setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups "$PY" "$T/client.py" try "$2"; }
check "before: web app connects" [ "$(try nobody "$S4")" = ok ]
if [ $have_nft = 1 ]; then
in_c "$MW" firewall --mta-user mwtestmta --apply >/dev/null 2>&1
in_c "$MW" firewall --mta-user mwtestmta --apply >/dev/null 2>&1
check "--apply twice leaves one table with one reject rule" \
  [ "$(in_c nft list table inet mailwarden | grep -c 'reject with tcp reset')" = 1 ]
check "applied: web app refused (IPv4)" [ "$(try nobody "$S4")" = refused ]
check "applied: web app refused (IPv6)" [ "$(try nobody "$S6")" = refused ]
check "applied: root refused too (not an MTA user)" [ "$(in_c "$PY" "$T/client.py" try "$S4")" = refused ]
check "applied: MTA user connects (IPv4)" [ "$(try mwtestmta "$S4")" = ok ]
check "applied: MTA user connects (IPv6)" [ "$(try mwtestmta "$S6")" = ok ]
in_c "$MW" firewall --remove >/dev/null 2>&1
check "--remove: table gone" bash -c "! ip netns exec $NS_C nft list table inet mailwarden >/dev/null 2>&1"
check "--remove twice is fine" in_c "$MW" firewall --remove
check "removed: web app connects again" [ "$(try nobody "$S4")" = ok ]
in_c "$MW" firewall --mta-user mwtestmta --log-only --apply >/dev/null 2>&1
check "log-only applied: web app still connects" [ "$(try nobody "$S4")" = ok ]
in_c "$MW" firewall --remove >/dev/null 2>&1

fi

# ---- firewall: iptables / ip6tables --------------------------------------------
for fam in iptables ip6tables; do
  if ! command -v "$fam-restore" >/dev/null 2>&1; then
    [ -n "${CI:-}" ] && bad "$fam-restore missing in CI" || echo "skip - $fam-restore not installed"
    continue
  fi
  "$MW" firewall --mta-user mwtestmta --format "$fam" >"$T/fw.$fam"
  check "$fam-restore --test accepts the rules" in_c "$fam-restore" --test --noflush "$T/fw.$fam"
  in_c "$fam-restore" --noflush "$T/fw.$fam"
  dst=$S4; [ "$fam" = ip6tables ] && dst=$S6
  check "$fam loaded: web app refused" [ "$(try nobody "$dst")" = refused ]
  check "$fam loaded: MTA user connects" [ "$(try mwtestmta "$dst")" = ok ]
  in_c "$fam" -F OUTPUT; in_c "$fam" -F MAILWARDEN-SMTP; in_c "$fam" -X MAILWARDEN-SMTP
done

echo "netwatch_netns: $fails failure(s)"
[ "$fails" -eq 0 ]
