#!/usr/bin/python3
"""dkimpy_peer.py - python3-dkim as an interop peer for dkim_interop.sh.

  dkimpy_peer.py verify RECORDS MSG       exit 0 if the first signature verifies
  dkimpy_peer.py sign KEY SEL DOMAIN ALG CANON MSG   signed message on stdout

RECORDS holds "<name> <TXT value>" lines; dkimpy's dnsfunc hook answers from
it, so no DNS server is involved.  Messages are converted to CRLF first.
"""
import sys

import dkim


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def main():
    if sys.argv[1] == "verify":
        records = {}
        for line in open(sys.argv[2], "rb"):
            name, _, value = line.strip().partition(b" ")
            records[name.decode().lower().rstrip(".")] = value
        def dnsfunc(name, timeout=5):
            if isinstance(name, bytes):
                name = name.decode()
            return records.get(name.lower().rstrip("."))
        msg = crlf(open(sys.argv[3], "rb").read())
        return 0 if dkim.verify(msg, dnsfunc=dnsfunc) else 1
    key, sel, domain, alg, canon, path = sys.argv[2:8]
    msg = crlf(open(path, "rb").read())
    hc, bc = canon.split("/")
    sig = dkim.sign(msg, sel.encode(), domain.encode(), open(key, "rb").read(),
                    canonicalize=(hc.encode(), bc.encode()),
                    signature_algorithm=alg.encode(),
                    include_headers=[b"from", b"to", b"subject", b"date"])
    sys.stdout.buffer.write(sig + msg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
