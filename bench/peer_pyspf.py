#!/usr/bin/python3
"""bench/peer_pyspf.py - the same SPF checks through python3-spf (pyspf),
for bench/spf.sh.  spf.DNSLookup is replaced by a dict built from
bench/spf-bench.txt, so no query leaves the process.  A new spf.query per
evaluation, as pyspf is used.  Prints "results ..." and "rate N".
Usage: peer_pyspf.py [DATAFILE] [SECONDS]"""
import sys
import time

import spf

path = sys.argv[1] if len(sys.argv) > 1 else "bench/spf-bench.txt"
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
zone = {}
checks = []
with open(path) as f:
    for line in f:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        name, typ, value = line.split(" ", 2)
        if name == "CHECK":
            sender, want = value.split()
            checks.append((typ, sender, want))
            continue
        if typ == "TXT":
            data = [value.encode()]
        elif typ == "MX":
            pref, host = value.split()
            data = (int(pref), host)
        else:
            data = value
        zone.setdefault((name.lower(), typ), []).append(((name, typ), data))


def lookup(name, qtype, *args, **kwargs):
    return zone.get((name.lower().rstrip("."), qtype), [])


spf.DNSLookup = lookup


def one(ip, sender):
    q = spf.query(i=ip, s=sender, h="mail.client.example")
    return q.check()[0]


print("results " + " ".join(one(ip, s) for ip, s, _ in checks))
n = 0
t0 = time.monotonic()
while True:
    for ip, s, _ in checks:
        one(ip, s)
    n += len(checks)
    t = time.monotonic() - t0
    if t >= secs:
        break
print("rate %.0f" % (n / t))
