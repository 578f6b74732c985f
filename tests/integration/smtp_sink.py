#!/usr/bin/env python3
"""tests/integration/smtp_sink.py PORT PIDFILE - a tiny SMTP sink on 127.0.0.1
for the logscan Postfix test.  Replies by recipient local part:
  blocked*  -> 554 5.7.1 ... blocked using zen.spamhaus.org (a reputation block)
  gblock*   -> 550-5.7.1 Gmail-style "likely unsolicited mail" block
  defer*    -> 451 4.3.0 temporary failure
  unknown*  -> 550 5.1.1 user unknown
  anything else -> 250.  Stops after 10 minutes on its own."""
import os
import socketserver
import sys
import threading


class H(socketserver.StreamRequestHandler):
    def reply(self, s):
        self.wfile.write((s + "\r\n").encode())

    def handle(self):
        self.reply("220 sink.test ESMTP")
        data = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if data:
                if line in (b".\r\n", b".\n"):
                    data = False
                    self.reply("250 2.0.0 Ok: queued as SINK1")
                continue
            cmd = line.decode("latin-1").strip()
            u = cmd.upper()
            if u.startswith("EHLO"):
                self.wfile.write(b"250-sink.test\r\n250 PIPELINING\r\n")
            elif u.startswith("HELO") or u.startswith("MAIL") or u.startswith("RSET") or u.startswith("NOOP"):
                self.reply("250 2.0.0 Ok")
            elif u.startswith("RCPT"):
                lp = cmd.split("<", 1)[-1].lower()
                if lp.startswith("blocked"):
                    self.reply("554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org")
                elif lp.startswith("gblock"):
                    self.reply("550-5.7.1 [127.0.0.1] Our system has detected that this message is\r\n550 5.7.1 likely unsolicited mail. - gsmtp")
                elif lp.startswith("defer"):
                    self.reply("451 4.3.0 Temporary failure, try again later")
                elif lp.startswith("unknown"):
                    self.reply("550 5.1.1 <%s: Recipient address rejected: User unknown" % lp.rstrip(">"))
                else:
                    self.reply("250 2.1.5 Ok")
            elif u.startswith("DATA"):
                self.reply("354 go ahead")
                data = True
            elif u.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:
                self.reply("502 5.5.2 unknown command")


class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    srv = S(("127.0.0.1", int(sys.argv[1])), H)
    with open(sys.argv[2], "w") as f:
        f.write(str(os.getpid()))
    threading.Timer(600, srv.shutdown).start()
    srv.serve_forever()
