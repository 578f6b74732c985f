#!/usr/bin/env python3
"""tests/integration/milter_client.py - a small milter-protocol client
(version 6, what Postfix and Sendmail speak to libmilter), for tests only.

  milter_client.py PORT [options]

Sends one SMTP transaction to the milter on 127.0.0.1:PORT the way an MTA
would and prints one JSON line: the final action ("accept", "reject",
"tempfail", "discard", "continue", "disconnected"), the SMTP reply the
milter set, the header changes it asked for and whether SMFIP_HDR_LEADSPC
was agreed.  With --out FILE the message as delivered (header changes
applied the way Postfix applies them, CRLF line ends) is written there.

Input: --message FILE (header + body), or --gen-body BYTES (a generated
text body after --header lines), streamed in 65535-byte body chunks so a
50 MB body never sits in memory.  Bad-input modes: --raw-header NAME=VALUE
(sent as is), --long-header BYTES [--long-count N] (X-Long fields that long),
--many-headers N (N more fields), --cut-after BYTES (close the socket after that many body
bytes), --abort-after BYTES (send SMFIC_ABORT, then a second, normal message
on the same connection), --no-eoh (body without end-of-header).
"""
import argparse
import json
import socket
import struct
import sys

SMFIP_HDR_LEADSPC = 0x00100000
ALL_ACTIONS = 0x1FF
CHUNK = 65535


def pkt(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.f = self.s.makefile("rb")

    def send(self, cmd, data=b""):
        try:
            self.s.sendall(pkt(cmd, data))
        except OSError:  # the milter closed: the next read says so
            pass

    def read(self):
        try:
            hdr = self.f.read(4)
        except OSError:  # reset by the milter
            return None, b""
        if len(hdr) < 4:
            return None, b""
        (n,) = struct.unpack(">I", hdr)
        body = self.f.read(n)
        return body[:1], body[1:]


def cstr(b):
    return b.split(b"\0")


def body_chunks(args):
    if args.message:
        data = open(args.message, "rb").read()
        sep = data.find(b"\r\n\r\n")
        lf = data.find(b"\n\n")
        if sep < 0 or (0 <= lf < sep):
            sep, skip = lf, 2
        else:
            skip = 4
        body = data[sep + skip:] if sep >= 0 else b""
        for i in range(0, len(body), CHUNK):
            yield body[i:i + CHUNK]
        return
    line = b"The quick brown fox jumps over the lazy dog;  streamed \t body line.\r\n"
    left = args.gen_body
    block = line * (CHUNK // len(line))
    while left > 0:
        b = block[:left]
        left -= len(b)
        yield b


def headers_of(args):
    """(name, value-with-leading-space) pairs, unfolded lines kept as LF folding"""
    out = []
    if args.message:
        data = open(args.message, "rb").read().replace(b"\r\n", b"\n")
        head = data.split(b"\n\n", 1)[0]
        for line in head.split(b"\n"):
            if line[:1] in (b" ", b"\t") and out:
                out[-1][1] += b"\n" + line
            elif line:
                name, _, value = line.partition(b":")
                out.append([name, value])
    for h in args.header:
        name, _, value = h.encode().partition(b":")
        out.append([name, value])
    for h in args.raw_header:
        name, _, value = h.encode().partition(b"=")
        out.append([name, value])
    for i in range(args.long_count if args.long_header else 0):
        out.append([b"X-Long", b" " + b"x" * args.long_header])
    for i in range(args.many_headers):
        out.append([b"X-Many-%d" % i, b" v"])
    return out


def transaction(c, args, leadspc, result, body_limit=None):
    """MAIL .. end of message; returns the final action"""
    macros = b""
    if args.auth:
        macros = b"{auth_authen}\0" + args.auth.encode() + b"\0"
    c.send(b"D", b"M" + macros)
    c.send(b"M", b"<" + args.sender.encode() + b">\0")
    r = step(c, result)
    if r != "continue":
        return r
    c.send(b"R", b"<" + args.rcpt.encode() + b">\0")
    r = step(c, result)
    if r != "continue":
        return r
    for name, value in headers_of(args):
        v = value if leadspc else value.lstrip(b" \t")
        c.send(b"L", name + b"\0" + v + b"\0")
        r = step(c, result)
        if r != "continue":
            return r
    if not args.no_eoh:
        c.send(b"N")
        r = step(c, result)
        if r != "continue":
            return r
    sent = 0
    for chunk in body_chunks(args):
        if body_limit is not None and sent + len(chunk) > body_limit:
            chunk = chunk[:body_limit - sent]
            if chunk:
                c.send(b"B", chunk)
                step(c, result)
            return "cut"
        c.send(b"B", chunk)
        sent += len(chunk)
        r = step(c, result)
        if r != "continue":
            return r
    c.send(b"E")
    while True:
        cmd, data = c.read()
        if cmd is None:
            return "disconnected"
        if cmd in (b"h", b"i", b"m"):
            if cmd == b"h":
                name, value = cstr(data)[:2]
                result["changes"].append(["add", -1, name.decode(), value.decode("latin-1")])
            else:
                (idx,) = struct.unpack(">I", data[:4])
                name, value = cstr(data[4:])[:2]
                result["changes"].append(["ins" if cmd == b"i" else "chg", idx, name.decode(),
                                          value.decode("latin-1")])
            continue
        if cmd in (b"e", b"+", b"-", b"q", b"p"):
            result["other"].append(cmd.decode() + ":" + data.rstrip(b"\0").decode("latin-1"))
            continue
        return final(cmd, data, result)


def final(cmd, data, result):
    if cmd == b"y":
        result["reply"] = data.rstrip(b"\0").decode("latin-1")
        return "reply-" + result["reply"][:1]
    return {b"a": "accept", b"c": "continue", b"r": "reject", b"t": "tempfail",
            b"d": "discard"}.get(cmd, "other-" + cmd.decode("latin-1"))


def step(c, result):
    cmd, data = c.read()
    if cmd is None:
        return "disconnected"
    return final(cmd, data, result)


def write_out(args, leadspc, result):
    """the delivered message: original fields exactly as sent, the milter's
    as Postfix writes them ("Name: value", or "Name:value" under LEADSPC)"""
    hdrs = [[n.decode("latin-1"), v.decode("latin-1")] for n, v in headers_of(args)]
    sep = "" if leadspc else " "
    for kind, idx, name, value in result["changes"]:
        if kind == "chg":  # idx-th (1-based) field of that name; empty value deletes
            seen = 0
            for i, (n, _) in enumerate(hdrs):
                if n.lower() == name.lower():
                    seen += 1
                    if seen == idx:
                        if value == "":
                            del hdrs[i]
                        else:
                            hdrs[i][1] = sep + value
                        break
        elif kind == "ins":
            hdrs.insert(idx, [name, sep + value])
        else:
            hdrs.append([name, sep + value])
    with open(args.out, "wb") as f:
        for n, v in hdrs:
            line = (n + ":" + v).replace("\r\n", "\n").replace("\n", "\r\n")
            f.write(line.encode("latin-1") + b"\r\n")
        f.write(b"\r\n")
        for chunk in body_chunks(args):
            f.write(chunk)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--from", dest="sender", default="news@news.example")
    ap.add_argument("--to", dest="rcpt", default="alice@example.com")
    ap.add_argument("--auth")
    ap.add_argument("--client-ip", default="192.0.2.1")
    ap.add_argument("--helo", default="client.example")
    ap.add_argument("--no-leadspc", action="store_true")
    ap.add_argument("--message")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--raw-header", action="append", default=[])
    ap.add_argument("--gen-body", type=int, default=0)
    ap.add_argument("--long-header", type=int, default=0)
    ap.add_argument("--long-count", type=int, default=1)
    ap.add_argument("--many-headers", type=int, default=0)
    ap.add_argument("--cut-after", type=int)
    ap.add_argument("--abort-after", type=int)
    ap.add_argument("--no-eoh", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    c = Conn(args.port)
    proto = 0 if args.no_leadspc else SMFIP_HDR_LEADSPC
    c.send(b"O", struct.pack(">III", 6, ALL_ACTIONS, proto))
    cmd, data = c.read()
    if cmd != b"O":
        print(json.dumps({"final": "no-optneg"}))
        return 1
    _, _, mproto = struct.unpack(">III", data[:12])
    leadspc = bool(mproto & SMFIP_HDR_LEADSPC)
    result = {"leadspc": leadspc, "changes": [], "other": [], "reply": None}
    c.send(b"D", b"C{client_addr}\0" + args.client_ip.encode() + b"\0")
    c.send(b"C", b"client.example\0" + b"4" + struct.pack(">H", 25) + args.client_ip.encode() + b"\0")
    r = step(c, result)
    if r == "continue":
        c.send(b"H", args.helo.encode() + b"\0")
        r = step(c, result)
    if r == "continue":
        if args.cut_after is not None:
            r = transaction(c, args, leadspc, result, args.cut_after)
            c.s.close()  # gone mid-message
            result["final"] = r
            print(json.dumps(result))
            return 0
        if args.abort_after is not None:
            transaction(c, args, leadspc, result, args.abort_after)
            c.send(b"A")  # the MTA aborts this message; the next one follows
            result["changes"] = []
        r = transaction(c, args, leadspc, result)
    result["final"] = r
    if args.out and r in ("accept", "continue"):
        write_out(args, leadspc, result)
    try:
        c.send(b"Q")
    except OSError:
        pass
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
