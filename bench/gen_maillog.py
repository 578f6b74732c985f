#!/usr/bin/env python3
"""bench/gen_maillog.py - write a large, realistic Postfix mail.log for benchmarks.

usage: gen_maillog.py OUT SIZE_MB [SEED]

Deterministic for a seed.  Traffic mix per simulated minute: authenticated
submissions (one of them a compromised account sending a spam run), inbound
mail through postscreen/smtpd, local pickup, deliveries with 1-3 recipients
(sent / deferred / bounced, some reputation blocks from big providers),
SASL brute force, NOQUEUE rejects, TLS and disconnect noise.  Lines use the
traditional syslog format of Debian's rsyslog.  Not committed: written to
/tmp by bench/logscan.sh.
"""
import random
import sys

MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
HEX = "0123456789ABCDEF"
DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "gmx.de", "web.de", "orange.fr",
           "comcast.net", "bluewin.ch", "example.org", "example.net", "uni-x.edu"]
MX = {"gmail.com": "gmail-smtp-in.l.google.com", "outlook.com": "outlook-com.olc.protection.outlook.com",
      "yahoo.com": "mta7.am0.yahoodns.net", "gmx.de": "mx00.gmx.net", "web.de": "mx-ha02.web.de",
      "orange.fr": "smtp-in.orange.fr", "comcast.net": "mx1a1.comcast.net",
      "bluewin.ch": "mxbw.bluewin.ch", "example.org": "mx.example.org",
      "example.net": "mail.example.net", "uni-x.edu": "mx1.uni-x.edu"}
BLOCKS = {
    "gmail.com": "421-4.7.0 [203.0.113.25 15] Our system has detected an unusual rate of 421-4.7.0 unsolicited mail originating from your IP address. - gsmtp",
    "outlook.com": "550 5.7.1 Unfortunately, messages from [203.0.113.25] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
    "yahoo.com": "421 4.7.0 [TSS04] Messages from 203.0.113.25 temporarily deferred due to unexpected volume or user complaints",
}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.t = 0  # seconds since Jan 1 00:00
        self.pid = 1000
        self.out = []

    def stamp(self):
        t = self.t
        d, rem = divmod(t, 86400)
        m = 0
        while d >= DAYS[m % 12]:
            d -= DAYS[m % 12]
            m += 1
        h, rem = divmod(rem, 3600)
        mi, s = divmod(rem, 60)
        return "%s %2d %02d:%02d:%02d mail" % (MON[m % 12], d + 1, h, mi, s)

    def qid(self):
        return "".join(self.r.choice(HEX) for _ in range(10))

    def ip(self):
        r = self.r
        return "%d.%d.%d.%d" % (r.randint(11, 220), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))

    def line(self, tag, msg):
        self.out.append("%s postfix/%s[%d]: %s\n" % (self.stamp(), tag, self.pid, msg))

    def deliver(self, q, rcpts, block=None):
        for rc in rcpts:
            dom = rc.split("@")[1]
            mx = MX.get(dom, "mx." + dom)
            mip = self.ip()
            x = self.r.random()
            if block and dom in BLOCKS:
                st = "deferred" if BLOCKS[dom].startswith("4") else "bounced"
                self.line("smtp", "%s: to=<%s>, relay=%s[%s]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=%s, status=%s (host %s[%s] said: %s (in reply to end of DATA command))"
                          % (q, rc, mx, mip, "4.7.0" if st == "deferred" else "5.7.1", st, mx, mip, BLOCKS[dom]))
            elif x < 0.90:
                self.line("smtp", "Trusted TLS connection established to %s[%s]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)" % (mx, mip))
                self.line("smtp", "%s: to=<%s>, relay=%s[%s]:25, delay=0.%d, delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 OK  1700000000 x%dsi.%d - gsmtp)"
                          % (q, rc, mx, mip, self.r.randint(1, 9), self.r.randint(1, 99999), self.r.randint(1, 999)))
            elif x < 0.96:
                self.line("smtp", "%s: to=<%s>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to %s[%s]:25: Connection timed out)" % (q, rc, mx, mip))
            else:
                self.line("smtp", "%s: to=<%s>, relay=%s[%s]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.1.1, status=bounced (host %s[%s] said: 550 5.1.1 <%s>: Recipient address rejected: User unknown (in reply to RCPT TO command))"
                          % (q, rc, mx, mip, mx, mip, rc))

    def submission(self, user, cip, spam=False):
        r = self.r
        q = self.qid()
        self.pid = r.randint(1000, 30000)
        self.line("submission/smtpd", "connect from client-%s.isp.example[%s]" % (cip.replace(".", "-"), cip))
        self.line("submission/smtpd", "%s: client=client-%s.isp.example[%s], sasl_method=PLAIN, sasl_username=%s" % (q, cip.replace(".", "-"), cip, user))
        self.line("cleanup", "%s: message-id=<%d.%s@mail.example.com>" % (q, r.randint(1, 10**9), q))
        n = r.randint(1, 3)
        rcpts = ["%s%d@%s" % (r.choice(["anna", "bob", "chen", "dana", "eli"]), r.randint(1, 5000), r.choice(DOMAINS)) for _ in range(n)]
        self.line("qmgr", "%s: from=<%s>, size=%d, nrcpt=%d (queue active)" % (q, user, r.randint(900, 90000), n))
        self.line("submission/smtpd", "disconnect from client-%s.isp.example[%s] ehlo=1 auth=1 mail=1 rcpt=%d data=1 quit=1 commands=%d" % (cip.replace(".", "-"), cip, n, n + 5))
        self.deliver(q, rcpts, block=spam and r.random() < 0.3)
        self.line("qmgr", "%s: removed" % q)

    def inbound(self):
        r = self.r
        q = self.qid()
        cip = self.ip()
        self.pid = r.randint(1000, 30000)
        self.line("postscreen", "CONNECT from [%s]:%d to [198.51.100.10]:25" % (cip, r.randint(1024, 65000)))
        self.line("postscreen", "PASS OLD [%s]:%d" % (cip, r.randint(1024, 65000)))
        self.line("smtpd", "connect from mail-%s.sender.example[%s]" % (cip.replace(".", "-"), cip))
        if r.random() < 0.2:
            self.line("smtpd", "NOQUEUE: reject: RCPT from mail-%s.sender.example[%s]: 550 5.1.1 <nobody%d@example.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<x@sender.example> to=<nobody%d@example.com> proto=ESMTP helo=<sender.example>"
                      % (cip.replace(".", "-"), cip, r.randint(1, 999), r.randint(1, 999)))
            self.line("smtpd", "disconnect from mail-%s.sender.example[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4" % (cip.replace(".", "-"), cip))
            return
        self.line("smtpd", "%s: client=mail-%s.sender.example[%s]" % (q, cip.replace(".", "-"), cip))
        self.line("cleanup", "%s: message-id=<%s@sender.example>" % (q, q.lower()))
        sender = "" if r.random() < 0.05 else "news@sender.example"
        self.line("qmgr", "%s: from=<%s>, size=%d, nrcpt=1 (queue active)" % (q, sender, r.randint(2000, 200000)))
        self.line("smtpd", "disconnect from mail-%s.sender.example[%s] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % (cip.replace(".", "-"), cip))
        self.line("virtual", "%s: to=<user%d@example.com>, relay=virtual, delay=0.05, delays=0.02/0/0/0.03, dsn=2.0.0, status=sent (delivered to maildir)" % (q, r.randint(1, 300)))
        self.line("qmgr", "%s: removed" % q)

    def noise(self):
        r = self.r
        x = r.random()
        ip = self.ip()
        if x < 0.4:
            self.line("smtpd", "warning: unknown[%s]: SASL LOGIN authentication failed: UGFzc3dvcmQ6" % ip)
        elif x < 0.7:
            self.line("smtpd", "lost connection after AUTH from unknown[%s]" % ip)
        elif x < 0.85:
            q = self.qid()
            self.line("pickup", "%s: uid=33 from=<www-data>" % q)
            self.line("cleanup", "%s: message-id=<%s@mail.example.com>" % (q, q))
            self.line("qmgr", "%s: from=<www-data@mail.example.com>, size=1200, nrcpt=1 (queue active)" % q)
            self.deliver(q, ["winner%d@%s" % (r.randint(1, 99), r.choice(DOMAINS))])
            self.line("qmgr", "%s: removed" % q)
        else:
            self.line("anvil", "statistics: max connection rate 3/60s for (smtpd:%s) at %s" % (ip, self.stamp()[:15]))

    def minute(self):
        r = self.r
        if not hasattr(self, "users"):  # each user submits from one or two addresses
            self.users = [("user%d@example.com" % i, [self.ip(), self.ip()]) for i in range(1, 400)]
        for _ in range(r.randint(20, 40)):
            u, ips = r.choice(self.users)
            self.submission(u, r.choice(ips))
        for _ in range(r.randint(20, 40)):
            self.inbound()
        for _ in range(r.randint(3, 8)):
            self.noise()
        if (self.t // 3600) % 24 == 3:  # a compromised account's spam run every night
            for _ in range(60):
                self.submission("victim@example.com", "203.0.113.25", spam=True)
        self.t += 60


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, size_mb = sys.argv[1], int(sys.argv[2])
    g = Gen(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    target = size_mb << 20
    written = 0
    with open(out, "w") as f:
        while written < target:
            g.minute()
            chunk = "".join(g.out)
            g.out = []
            f.write(chunk)
            written += len(chunk)
    print("%s: %d MB, simulated %d days" % (out, written >> 20, g.t // 86400), file=sys.stderr)


if __name__ == "__main__":
    main()
