#!/usr/bin/env python3
"""tests/browser/stub_api.py PORT [WEBDIR] [--token T] - a stand-in of the daemon's
dashboard API (docs/DASHBOARD.md) for working on web/ without a daemon.

Development aid only: the CI test (tests/integration/dashboard_browser.sh)
uses the real daemon.  Serves web/index.html at / and web/NAME at
/assets/NAME, and canned JSON on the /api/ paths; POST /api/release really
removes the key from the held list, so the UI flow can be tried.
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

NOW = int(time.time() * 1000)
HELD = {"mallory@example.org": {"key": "mallory@example.org", "rule": "user_hour",
                                "since_ms": NOW - 600000, "until_ms": NOW + 3000000,
                                "reason": "<b>spam</b> run", "event_id": 3}}
SENDERS = [{"key": "mallory@example.org", "rule": "user_hour", "count": 812, "limit": 300,
            "window_s": 3600, "state": "held"},
           {"key": "<img src=x onerror=alert(1)>", "rule": "user_hour", "count": 120,
            "limit": 300, "window_s": 3600, "state": "alert"},
           {"key": "alice@example.org", "rule": "user_hour", "count": 12, "limit": 300,
            "window_s": 3600, "state": "ok"}]
EVENTS = [{"id": i, "time_ms": NOW - i * 60000, "type": "policy", "key": "mallory@example.org",
           "rule": "user_hour", "action": "hold" if i % 3 == 0 else "alert", "count": 300 + i,
           "limit": 300, "recipients": ["a%d@example.net" % i], "subject": "offer %d" % i,
           "detail": None} for i in range(1, 138)]


class Handler(BaseHTTPRequestHandler):
    token = None
    webdir = "web"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", "default-src 'self'")
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        return not self.token or self.headers.get("Authorization") == "Bearer " + self.token

    def do_GET(self):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        if not u.path.startswith("/api/"):
            name = "index.html" if u.path in ("/", "/index.html") else u.path[len("/assets/"):]
            path = os.path.join(self.webdir, os.path.basename(name))
            if not os.path.isfile(path):
                return self.send(404, {"error": "not found"})
            ext = name.rsplit(".", 1)[-1]
            ctype = {"html": "text/html", "js": "text/javascript", "css": "text/css"}.get(ext)
            with open(path, "rb") as f:
                return self.send(200, f.read(), ctype or "application/octet-stream")
        if not self.authorized():
            return self.send(401, {"error": "token required"})
        if u.path == "/api/status":
            return self.send(200, {"version": "0.1.0", "uptime_s": 3600, "store": "sqlite",
                                   "listen": ["127.0.0.1:10040"],
                                   "requests": {"DUNNO": 1000, "HOLD": 4},
                                   "messages_per_min": 17, "keys": 3, "held": len(HELD),
                                   "events_24h": len(EVENTS), "alerts_24h": 91, "degraded": False})
        if u.path == "/api/senders":
            return self.send(200, {"total": len(SENDERS), "items": SENDERS})
        if u.path.startswith("/api/senders/"):
            key = unquote(u.path[len("/api/senders/"):])
            hist = [{"t_ms": NOW - (1440 - i) * 60000, "count": (i * 7) % 23} for i in range(1440)]
            st = "held" if key in HELD else "ok"
            return self.send(200, {"key": key, "rules": [{"rule": "user_hour", "count": 812,
                                                          "limit": 300, "window_s": 3600,
                                                          "state": st}],
                                   "history": hist,
                                   "recent": [{"time_ms": e["time_ms"], "recipients": e["recipients"],
                                               "subject": e["subject"], "action": e["action"]}
                                              for e in EVENTS[:10]]})
        if u.path == "/api/held":
            return self.send(200, {"total": len(HELD), "items": list(HELD.values())})
        if u.path == "/api/events":
            items = [e for e in EVENTS if all(e.get(k) == q[k] for k in ("key", "rule", "action", "type") if k in q)]
            off, lim = int(q.get("offset", 0)), int(q.get("limit", 100))
            return self.send(200, {"total": len(items), "items": items[off:off + lim]})
        if u.path == "/api/blocks":
            return self.send(200, {"items": [{"destination": "gmail-smtp-in.l.google.com",
                                              "reply": "550 5.7.1 blocked using zen.spamhaus.org",
                                              "count": 12, "last_ms": NOW, "blocklist": "zen.spamhaus.org"}]})
        if u.path == "/api/dmarc":
            return self.send(200, {"configured": True,
                                   "sources": [{"ip": "192.0.2.1", "ptr": "mail.example.org",
                                                "provider": "self", "class": "aligned", "count": 900}],
                                   "history": [{"day": "2026-11-%02d" % d, "messages": 100 + d,
                                                "pass": 90 + d, "fail": 10} for d in range(1, 23)]})
        if u.path == "/api/audit":
            return self.send(200, {"configured": False, "items": []})
        return self.send(404, {"error": "no such endpoint"})

    def do_POST(self):
        if not self.authorized():
            return self.send(401, {"error": "token required"})
        n = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(n) or b"{}")
        if self.path == "/api/release":
            return self.send(200, {"released": HELD.pop(body.get("key"), None) is not None})
        return self.send(404, {"error": "no such endpoint"})


def main():
    args = sys.argv[1:]
    if "--token" in args:
        i = args.index("--token")
        Handler.token = args[i + 1]
        del args[i:i + 2]
    port = int(args[0])
    if len(args) > 1:
        Handler.webdir = args[1]
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
