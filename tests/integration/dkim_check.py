#!/usr/bin/env python3
"""tests/integration/dkim_check.py ZONE FILE - verify every DKIM-Signature of
FILE with python3-dkim (a peer implementation), DNS answered from ZONE (TXT
records only, the offline zone file format).  Prints one line per signature
"pass|fail d=... s=..." and exits 0 when all pass and there is at least one."""
import re
import sys

import dkim


def load_txt(path):
    txt = {}
    for line in open(path):
        if line.lstrip().startswith(";"):
            continue
        m = re.match(r'^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)$', line.strip())
        if m:
            parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
            txt[m.group(1).rstrip(".").lower()] = "".join(parts).encode()
    return txt


txt = load_txt(sys.argv[1])
msg = open(sys.argv[2], "rb").read()
dns = lambda name, timeout=5: txt.get(name.decode().rstrip(".").lower())
n = len(re.findall(rb"(?mi)^DKIM-Signature:", msg))
ok = True
for i in range(n):
    d = dkim.DKIM(msg)
    good = d.verify(idx=i, dnsfunc=dns)
    print("%s d=%s s=%s" % ("pass" if good else "fail", d.domain.decode() if d.domain else "?",
                            d.selector.decode() if d.selector else "?"))
    ok = ok and good
sys.exit(0 if ok and n > 0 else 1)
