#!/usr/bin/env python3
"""tests/integration/milter_sink.py PORT DIR PIDFILE - an SMTP sink on
127.0.0.1 for milter_postfix.sh: every message it receives is written to
DIR/N.eml (the data, CRLF) and DIR/N.env (line 1: MAIL FROM, then one line
per RCPT TO).  Answers 250 to everything.  Stops after 10 minutes."""
import os
import socketserver
import sys
import threading

COUNT = [0]
LOCK = threading.Lock()


class H(socketserver.StreamRequestHandler):
    def reply(self, s):
        self.wfile.write((s + "\r\n").encode())

    def handle(self):
        self.reply("220 sink.test ESMTP")
        mail_from, rcpts, data, lines = "", [], False, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if data:
                if line in (b".\r\n", b".\n"):
                    with LOCK:
                        COUNT[0] += 1
                        n = COUNT[0]
                    base = os.path.join(sys.argv[2], str(n))
                    with open(base + ".eml.tmp", "wb") as f:
                        f.write(b"".join(lines))
                    with open(base + ".env", "w") as f:
                        f.write("\n".join([mail_from] + rcpts) + "\n")
                    os.rename(base + ".eml.tmp", base + ".eml")
                    data, lines, rcpts = False, [], []
                    self.reply("250 2.0.0 Ok: queued as SINK%d" % n)
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            cmd = line.decode("latin-1").strip()
            up = cmd.upper()
            if up.startswith("EHLO"):
                self.reply("250-sink.test")
                self.reply("250 8BITMIME")
            elif up.startswith("MAIL FROM:"):
                mail_from = cmd[10:].split()[0] if cmd[10:].strip() else ""
                self.reply("250 2.1.0 Ok")
            elif up.startswith("RCPT TO:"):
                rcpts.append(cmd[8:].split()[0])
                self.reply("250 2.1.5 Ok")
            elif up == "DATA":
                data = True
                self.reply("354 go ahead")
            elif up == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 Ok")


class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    srv = S(("127.0.0.1", int(sys.argv[1])), H)
    with open(sys.argv[3], "w") as f:
        f.write(str(os.getpid()))
    threading.Timer(600, srv.shutdown).start()
    srv.serve_forever()
