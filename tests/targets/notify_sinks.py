#!/usr/bin/python3
"""Real receivers for Tocsin's alert deliveries, for the integration tests.

- SMTP servers (aiosmtpd, from Debian's python3-aiosmtpd): plain SMTP; SMTP
  that requires STARTTLS and AUTH; SMTP over implicit TLS. Each message is
  kept as DIR/mail/N.eml with its envelope in DIR/mail/N.json.
- An HTTP receiver standing in for every webhook service: it records each
  request as one JSON line in DIR/http.jsonl (method, path, headers, body)
  and answers by the first segment of the path:
    /ok/...              200 "ok"
    /fail/...            500
    /gone/...            410
    /hang/...            answers nothing for 60 s
    /flaky/N/...         503 with Retry-After: 1 for the first N requests to
                         this exact path, then 200
    /slowok/MS/...       200 after MS milliseconds
    /alternate/...       500 and 200 in turn for this exact path (500 first)
    /switch/...          200 while DIR/switch is absent or says "ok", else 500

Usage (Debian's /usr/bin/python3, which has aiosmtpd):
    notify_sinks.py --dir DIR [--host 127.0.0.2] [--smtp-port P] [--no-http]
                    [--no-tls] [--user U --password P]

Prints one JSON line when ready: {"smtp": P, "smtp_starttls": P, "smtps": P,
"http": P, "ca_file": "..."} (a port is 0 when not started). Runs until its
stdin reaches EOF or it gets SIGTERM. Binds loopback only.
"""

import argparse
import asyncio
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

MAX_BODY_BYTES = 4 * 1024 * 1024
HANG_SECONDS = 60


def free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def make_certificates(directory, host):
    """A CA and a server certificate for `host` (an IP SAN), with openssl."""
    ca_key = os.path.join(directory, "sink-ca.key")
    ca = os.path.join(directory, "sink-ca.pem")
    key = os.path.join(directory, "sink.key")
    csr = os.path.join(directory, "sink.csr")
    cert = os.path.join(directory, "sink.pem")
    ext = os.path.join(directory, "sink.ext")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", ca_key, "-out", ca, "-days", "30", "-subj", "/CN=Tocsin Sink CA")
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=" + host)
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:%s,DNS:localhost\n" % host)
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "30", "-extfile", ext)
    return ca, cert, key


class Store:
    """Numbered files, written whole then renamed, so readers never see half."""

    def __init__(self, directory, quiet=False):
        self.quiet = quiet  # HTTP requests not recorded (benchmarks' load)
        self.mail_dir = os.path.join(directory, "mail")
        os.makedirs(self.mail_dir, exist_ok=True)
        self.http_log = os.path.join(directory, "http.jsonl")
        self.lock = threading.Lock()
        self.count = 0

    def mail(self, envelope, port):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.mail_dir, "%06d" % n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "port": port,
                "time": time.time()}
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")

    def request(self, record):
        line = json.dumps(record) + "\n"
        with self.lock:
            with open(self.http_log, "a") as f:
                f.write(line)


class MailHandler:
    def __init__(self, store, port):
        self.store = store
        self.port = port

    async def handle_DATA(self, server, session, envelope):
        self.store.mail(envelope, self.port)
        return "250 Message accepted"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        return AuthResult(success=ok, handled=False)


def start_smtp(store, host, port, **kwargs):
    controller = Controller(MailHandler(store, port), hostname=host, port=port, **kwargs)
    controller.start()
    return controller


def make_http_handler(store, switch_path):
    flaky_counts = {}
    flaky_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self, status, body=b"ok", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self):
            length = min(int(self.headers.get("Content-Length", "0") or 0), MAX_BODY_BYTES)
            body = self.rfile.read(length) if length else b""
            if not store.quiet:
                store.request({"method": self.command, "path": self.path,
                               "headers": {k.lower(): v for k, v in self.headers.items()},
                               "body": body.decode("utf-8", "replace"), "time": time.time()})
            parts = self.path.split("?")[0].strip("/").split("/")
            kind = parts[0] if parts else ""
            if kind == "ok":
                self._answer(200)
            elif kind == "fail":
                self._answer(500, b"broken")
            elif kind == "gone":
                self._answer(410, b"gone")
            elif kind == "hang":
                time.sleep(HANG_SECONDS)
                self._answer(200)
            elif kind == "flaky" and len(parts) > 1 and parts[1].isdigit():
                with flaky_lock:
                    seen = flaky_counts.get(self.path, 0)
                    flaky_counts[self.path] = seen + 1
                if seen < int(parts[1]):
                    self._answer(503, b"busy", [("Retry-After", "1")])
                else:
                    self._answer(200)
            elif kind == "switch":
                try:
                    with open(switch_path) as f:
                        up = f.read().strip() == "ok"
                except OSError:
                    up = True
                self._answer(200 if up else 500)
            elif kind == "alternate":
                with flaky_lock:
                    seen = flaky_counts.get(self.path, 0)
                    flaky_counts[self.path] = seen + 1
                self._answer(500 if seen % 2 == 0 else 200)
            elif kind == "slowok" and len(parts) > 1 and parts[1].isdigit():
                time.sleep(int(parts[1]) / 1000.0)
                self._answer(200)
            else:
                self._answer(404, b"unknown path")

        do_POST = _handle
        do_GET = _handle
        do_PUT = _handle

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default="127.0.0.2")
    parser.add_argument("--smtp-port", type=int, default=0)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-tls", action="store_true")
    parser.add_argument("--user", default="tocsin")
    parser.add_argument("--password", default="s3cret")
    parser.add_argument("--quiet-http", action="store_true",
                        help="do not record HTTP requests (a benchmark's steady load)")
    args = parser.parse_args()
    if not ipaddress.ip_address(args.host).is_loopback:
        sys.exit("notify_sinks: --host must be a loopback address")
    os.makedirs(args.dir, exist_ok=True)
    store = Store(args.dir, quiet=args.quiet_http)
    ready = {"smtp": 0, "smtp_starttls": 0, "smtps": 0, "http": 0, "ca_file": ""}
    controllers = []

    smtp_port = args.smtp_port or free_port(args.host)
    controllers.append(start_smtp(store, args.host, smtp_port))
    ready["smtp"] = smtp_port
    if not args.no_tls:
        ca, cert, key = make_certificates(args.dir, args.host)
        ready["ca_file"] = ca
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        port = free_port(args.host)
        controllers.append(start_smtp(
            store, args.host, port, tls_context=context, require_starttls=True,
            auth_required=True, authenticator=Authenticator(args.user, args.password)))
        ready["smtp_starttls"] = port
        port = free_port(args.host)
        controllers.append(start_smtp(store, args.host, port, ssl_context=context))
        ready["smtps"] = port

    http_server = None
    if not args.no_http:
        http_server = ThreadingHTTPServer((args.host, 0), make_http_handler(store, os.path.join(args.dir, "switch")))
        http_server.daemon_threads = True
        threading.Thread(target=http_server.serve_forever, daemon=True).start()
        ready["http"] = http_server.server_address[1]

    print(json.dumps(ready), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    for c in controllers:
        c.stop()
    if http_server:
        http_server.shutdown()


if __name__ == "__main__":
    main()
