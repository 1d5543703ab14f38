#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A webhook receiver for vigil's tests (standard library only).

Listens on 127.0.0.1 only. Every POST body is appended as one line to --out
before the answer is sent, so a 2xx seen by the client means the body is in
the file. --status makes it answer every request with that code instead
(e.g. 500, to play a failing endpoint). --falco refuses (400) a body that
falcosidekick would refuse: not JSON, no known priority, no rule, no time or
no output_fields. The bound port is written to --port-file once listening.
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

FALCO_PRIORITIES = {"emergency", "alert", "critical", "error", "warning", "notice",
                    "informational", "debug"}


def falco_problem(body):
    """Why falcosidekick would refuse this body, or None."""
    try:
        p = json.loads(body)
    except ValueError as e:
        return "not JSON: %s" % e
    if not isinstance(p, dict):
        return "not an object"
    if str(p.get("priority", "")).lower() not in FALCO_PRIORITIES:
        return "bad priority"
    if not p.get("rule"):
        return "no rule"
    if not p.get("time"):
        return "no time"
    if not isinstance(p.get("output_fields"), dict) or not p["output_fields"]:
        return "no output_fields"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as a real collector

    def answer(self, code, text=""):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        opts = self.server.opts
        if opts.status != 200:
            self.answer(opts.status, "configured to fail\n")
            return
        if opts.falco:
            problem = falco_problem(body)
            if problem:
                self.answer(400, problem + "\n")
                return
        with open(opts.out, "a") as f:
            f.write(body.replace("\n", "\\n") + "\n")
        if opts.headers_out:
            with open(opts.headers_out, "a") as f:
                for k, v in self.headers.items():
                    f.write("%s: %s\n" % (k, v))
        self.answer(200, "ok\n")

    def log_message(self, fmt, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--out", required=True)
    ap.add_argument("--headers-out")
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--falco", action="store_true")
    opts = ap.parse_args()

    HTTPServer.allow_reuse_address = True
    srv = HTTPServer(("127.0.0.1", opts.port), Handler)
    srv.opts = opts
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, opts.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
