#!/usr/bin/python3
"""peer_dkimpy.py RECORDS MESSAGE SECONDS - python3-dkim verifications per
CPU second on one message (keys from "<name> <TXT>" lines via dnsfunc).
Prints "<rate>"; exits 1 if a verification does not pass."""
import sys
import time

import dkim

records = {}
for line in open(sys.argv[1], "rb"):
    name, _, value = line.strip().partition(b" ")
    records[name.decode().lower()] = value
msg = open(sys.argv[2], "rb").read()
secs = float(sys.argv[3])


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode()
    return records.get(name.lower().rstrip("."))


n = 0
t0 = time.process_time()
while True:
    if not dkim.verify(msg, dnsfunc=dnsfunc):
        sys.exit(1)
    n += 1
    t = time.process_time() - t0
    if t >= secs:
        break
print("%.1f" % (n / t))
