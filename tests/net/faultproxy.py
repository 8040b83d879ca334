#!/usr/bin/env python3
"""Fault-injecting HTTP(S) proxy for the Notary client tests.

It forwards every request to one upstream server (the test's notary-server)
unless a rule matches. Rules inject the faults the real server cannot
produce: error statuses a given number of times, delays, connections closed
without a response, recorded response bodies (older or expired metadata),
and oversized bodies.

Control endpoints, on the proxy's own listener:
  POST /_faultproxy/rules   JSON list of rules, appended in order
  POST /_faultproxy/reset   drops all rules and the request log
  GET  /_faultproxy/log     JSON list of {"method", "path", "action", "auth"},
                            auth being the scheme of the Authorization header

A rule is {"method": "GET", "path": REGEX, "count": N, "action": ACTION, ...}.
"method" and "path" (re.search on the request path) are optional; "count"
is how often the rule fires (default 1, -1 for always). Actions:
  "status"  answer "status" (default 500) with a notary-style error body
            and the response headers in the object "headers", if any
  "delay"   wait "seconds", then forward
  "close"   close the connection without answering
  "body"    answer 200 with the bytes of the file "file"
  "big"     answer 200 with "size" bytes of JSON-looking filler
  "capture" write the request body to "file" and its Content-Type header
            to "file".type, then forward
The first rule that matches and still has a count left is used.

Only the Python standard library is needed. Listens on loopback only.
"""

import argparse
import http.client
import http.server
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "host", "content-length"}


class State:
    def __init__(self, upstream, upstream_ca):
        self.lock = threading.Lock()
        self.rules = []
        self.log = []
        url = urllib.parse.urlsplit(upstream)
        self.upstream_https = url.scheme == "https"
        self.upstream_host = url.hostname
        self.upstream_port = url.port or (443 if self.upstream_https else 80)
        self.context = None
        if self.upstream_https:
            self.context = ssl.create_default_context(cafile=upstream_ca)

    def pick(self, method, path):
        """Returns the rule to apply, consuming one use of it, or None."""
        with self.lock:
            for rule in self.rules:
                if rule.get("count", 1) == 0:
                    continue
                if "method" in rule and rule["method"] != method:
                    continue
                if "path" in rule and not re.search(rule["path"], path):
                    continue
                if rule.get("count", 1) > 0:
                    rule["count"] = rule.get("count", 1) - 1
                return dict(rule)
        return None

    def record(self, method, path, action, auth):
        with self.lock:
            self.log.append({"method": method, "path": path, "action": action, "auth": auth})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        sys.stderr.write("faultproxy: %s\n" % (fmt % args))

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status, body, content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def control(self, method, body):
        state = self.state
        if method == "POST" and self.path == "/_faultproxy/rules":
            rules = json.loads(body)
            with state.lock:
                state.rules.extend(rules)
            return self.reply(200, b"{}")
        if method == "POST" and self.path == "/_faultproxy/reset":
            with state.lock:
                state.rules.clear()
                state.log.clear()
            return self.reply(200, b"{}")
        if method == "GET" and self.path == "/_faultproxy/log":
            with state.lock:
                data = json.dumps(state.log).encode()
            return self.reply(200, data)
        return self.reply(404, b'{"error": "unknown control endpoint"}')

    def forward(self, method, body):
        state = self.state
        if state.upstream_https:
            conn = http.client.HTTPSConnection(state.upstream_host, state.upstream_port,
                                               context=state.context, timeout=60)
        else:
            conn = http.client.HTTPConnection(state.upstream_host, state.upstream_port,
                                              timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            conn.request(method, self.path, body=body if body or method == "POST" else None,
                         headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            kept = [(k, v) for k, v in resp.getheaders()
                    if k.lower() not in HOP_BY_HOP and k.lower() != "content-type"]
            self.reply(resp.status, data, resp.getheader("Content-Type", "text/plain"), kept)
        finally:
            conn.close()

    def apply(self, rule, method, body):
        action = rule.get("action", "status")
        if action == "status":
            status = int(rule.get("status", 500))
            err = {"errors": [{"code": "UNKNOWN", "message": "injected by faultproxy"}]}
            return self.reply(status, json.dumps(err).encode(),
                              headers=rule.get("headers", {}).items())
        if action == "delay":
            time.sleep(float(rule.get("seconds", 1)))
            return self.forward(method, body)
        if action == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if action == "body":
            with open(rule["file"], "rb") as f:
                data = f.read()
            return self.reply(200, data, "text/plain; charset=utf-8")
        if action == "capture":
            with open(rule["file"], "wb") as f:
                f.write(body)
            with open(rule["file"] + ".type", "w") as f:
                f.write(self.headers.get("Content-Type", ""))
            return self.forward(method, body)
        if action == "big":
            size = int(rule.get("size", 2 << 20))
            data = b'{"signed":"' + b"x" * max(0, size - 14) + b'"}\n'
            return self.reply(200, data[:size], "text/plain; charset=utf-8")
        return self.reply(500, b'{"error": "unknown faultproxy action"}')

    def handle_method(self, method):
        body = self.read_body()
        if self.path.startswith("/_faultproxy/"):
            return self.control(method, body)
        rule = self.state.pick(method, urllib.parse.urlsplit(self.path).path)
        action = rule.get("action", "status") if rule else "forward"
        auth = self.headers.get("Authorization", "").split(" ")[0]
        self.state.record(method, self.path, action, auth)
        if rule is None:
            return self.forward(method, body)
        return self.apply(rule, method, body)

    def do_GET(self):
        self.handle_method("GET")

    def do_POST(self):
        self.handle_method("POST")

    def do_DELETE(self):
        self.handle_method("DELETE")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", required=True, help="127.0.0.1:PORT")
    ap.add_argument("--upstream", required=True, help="https://127.0.0.1:PORT")
    ap.add_argument("--upstream-ca", help="CA file that verifies the upstream server")
    ap.add_argument("--tls-cert", help="serve TLS with this certificate")
    ap.add_argument("--tls-key")
    ap.add_argument("--pidfile")
    args = ap.parse_args()

    host, _, port = args.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("faultproxy: only loopback addresses are allowed, not %r" % host)
    Handler.state = State(args.upstream, args.upstream_ca)
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    sys.stderr.write("faultproxy: listening on %s, upstream %s\n" % (args.listen, args.upstream))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
