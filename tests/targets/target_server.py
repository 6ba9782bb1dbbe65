#!/usr/bin/env python3
"""A hostile, misbehaving HTTP(S) + DNS target for Tocsin's integration tests.

The C++ integration tests start this as a subprocess so that every outcome the
probe engine can report (slow, broken, oversized, redirecting, badly
certified, unresolvable, unreachable) has a real server behind it. HTTP is
written by hand on raw sockets, not with http.server, so each endpoint
controls every byte and every pause it sends.

Usage:
    python3 tests/targets/target_server.py --dir SCRATCH_DIR [--host 127.0.0.2] [--verbose]

Start-up generates certificates into SCRATCH_DIR with the `openssl` CLI, opens
every listener on a kernel-chosen port of --host and prints exactly one JSON
line on stdout (see tests/targets/README.md). The process then runs until its
stdin reaches EOF (the parent test closed the pipe or died) or it gets
SIGTERM/SIGINT. It only binds to, and only ever answers, loopback addresses.

Python 3.11 standard library only, plus the `openssl` command (OpenSSL 3.0).
"""

import argparse
import http
import ipaddress
import json
import os
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib
from urllib.parse import unquote

KIB = 1024
MIB = 1024 * KIB

# Limits on what we read, so a confused client cannot make us buffer without bound.
MAX_HEADER_BYTES = 64 * KIB
MAX_BODY_BYTES = 1 * MIB
MAX_CHUNK_LINE_BYTES = 1 * KIB
MAX_TRAILER_LINES = 100
RECV_CHUNK_BYTES = 16 * KIB
# A client that neither sends nor reads for this long is dropped, so no
# connection thread outlives its client by much.
SOCKET_IDLE_TIMEOUT_S = 30.0
# After a response we half-close and drain the client's leftovers for at most
# this long (see close_gracefully).
LINGER_TIMEOUT_S = 2.0
LINGER_MAX_DRAIN_BYTES = 1 * MIB
MAX_CONNECTIONS = 256
LISTEN_BACKLOG = 128
ACCEPT_RETRY_PAUSE_S = 0.1
# Python hands the GIL over every 5 ms by default; a thread waking from
# /delay's sleep could wait that long behind a busy one, and the tests check
# time-to-first-byte to within 2 ms.
GIL_SWITCH_INTERVAL_S = 0.0005

# Bounds on query parameters, so every loop a request can start is finite.
MAX_WAIT_MS = 60_000
MAX_SLOW_HEADER_COUNT = 1000
MAX_TRICKLE_BYTES = 64 * MIB
MAX_TRICKLE_CHUNK_BYTES = 1 * MIB
MAX_BYTES_N = 1024 * MIB
MAX_BIG_HEADERS_KB = 16 * KIB
MAX_REDIRECT_CHAIN = 1000
# Longer digit strings are refused before int() sees them (Python rejects
# over 4300 digits with an exception, and no limit here needs more than 10).
MAX_DECIMAL_DIGITS = 18

# Shapes of the canned responses.
OK_BODY_BYTES = 2048
OK_MARKER = b"tocsin-ok-marker"
GZIP_MARKER = b"tocsin-gzip-marker"
GZIP_TEXT_BYTES = 4 * KIB
GZIP_BOMB_BYTES = 100 * MIB
ENDLESS_CHUNK_BYTES = 16 * KIB
SEND_BLOCK_BYTES = 64 * KIB
BIG_HEADER_LINE_BYTES = 1 * KIB
JSON_BODY = b'{"status":"up","version":3,"checks":{"db":"ok"}}'

# Certificates.
CERT_VALID_DAYS = 30
EXPIRED_NOT_BEFORE = "20200101000000Z"
EXPIRED_NOT_AFTER = "20200102000000Z"
LEAF_SANS = ["DNS:localhost", "DNS:*.tocsin.test", "DNS:tocsin.test", "IP:127.0.0.1", "IP:127.0.0.2"]
EC_KEY_ARGS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

# The blackhole's accept queue is proven full when a connect of our own to it
# times out this fast.
BLACKHOLE_PROBE_TIMEOUT_S = 0.1
BLACKHOLE_MAX_FILLERS = 4

# DNS.
DNS_ZONE = "tocsin.test"
DNS_COUNT_PREFIX = "count."
DNS_TTL_S = 60
DNS_SHORT_TTL_S = 1
DNS_MAX_DATAGRAM = 65535
DNS_MAX_NAME_BYTES = 255
TYPE_A, TYPE_TXT, TYPE_AAAA, CLASS_IN = 1, 16, 28, 1
RCODE_NOERROR, RCODE_FORMERR, RCODE_NXDOMAIN, RCODE_NOTIMP, RCODE_REFUSED = 0, 1, 3, 4, 5
HOST = "<the --host address>"  # placeholder in the record tables below
A_RECORDS = {
    "ttl1.tocsin.test": [(HOST, DNS_SHORT_TTL_S)],
    "v6.tocsin.test": [],
    "loop.tocsin.test": [("127.0.0.1", DNS_TTL_S)],
    "multi.tocsin.test": [("127.0.0.1", DNS_TTL_S), (HOST, DNS_TTL_S)],
}
DEFAULT_A_RECORDS = [(HOST, DNS_TTL_S)]
AAAA_RECORDS = {"v6.tocsin.test": [("::1", DNS_TTL_S)]}
NXDOMAIN_NAMES = {"nx.tocsin.test"}
DROPPED_NAMES = {"slow.tocsin.test"}  # never answered: the client must time out

REASONS = {status.value: status.phrase for status in http.HTTPStatus}


def log(message):
    sys.stderr.write(f"target_server: {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- certificates

OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
default_ca = test_ca
[test_ca]
database = {db}/index.txt
new_certs_dir = {db}
rand_serial = yes
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
[ext_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ext_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = {leaf_sans}
[ext_wrong_host]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example
"""


def openssl(*args):
    result = subprocess.run(["openssl", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {result.stderr.strip()}")


def make_certificates(cert_dir, host):
    """Writes the CA and the four leaves; returns {name: (cert, key)} and the CA path."""
    db = os.path.join(cert_dir, "ca-db")
    os.makedirs(db, exist_ok=True)
    # A fresh CA database each run, so a reused --dir does not pile up old entries.
    open(os.path.join(db, "index.txt"), "w").close()
    sans = LEAF_SANS + ([] if f"IP:{host}" in LEAF_SANS else [f"IP:{host}"])
    config = os.path.join(cert_dir, "openssl.cnf")
    with open(config, "w") as f:
        f.write(OPENSSL_CONFIG.format(db=db, leaf_sans=", ".join(sans)))

    def path(name):
        return os.path.join(cert_dir, name)

    ca_cert, ca_key = path("ca.pem"), path("ca.key")
    openssl("req", "-config", config, "-x509", *EC_KEY_ARGS, "-keyout", ca_key, "-out", ca_cert,
            "-days", str(CERT_VALID_DAYS), "-subj", "/CN=Tocsin Test CA", "-extensions", "ext_ca")

    def ca_signed(name, common_name, extensions, validity):
        cert, key, csr = path(f"{name}.pem"), path(f"{name}.key"), path(f"{name}.csr")
        openssl("req", "-config", config, "-new", *EC_KEY_ARGS, "-keyout", key, "-out", csr,
                "-subj", f"/CN={common_name}")
        # `openssl ca` rather than `x509 -req`: in OpenSSL 3.0 only `ca` can
        # set a notBefore/notAfter in the past (-startdate/-enddate).
        openssl("ca", "-config", config, "-batch", "-notext", "-cert", ca_cert, "-keyfile", ca_key,
                "-in", csr, "-out", cert, "-extensions", extensions, *validity)
        return cert, key

    certs = {
        "tls_valid": ca_signed("valid", "valid.tocsin.test", "ext_leaf", ["-days", str(CERT_VALID_DAYS)]),
        "tls_expired": ca_signed("expired", "expired.tocsin.test", "ext_leaf",
                                 ["-startdate", EXPIRED_NOT_BEFORE, "-enddate", EXPIRED_NOT_AFTER]),
        "tls_wrong_host": ca_signed("wrong_host", "wrong.example", "ext_wrong_host",
                                    ["-days", str(CERT_VALID_DAYS)]),
    }
    self_cert, self_key = path("self_signed.pem"), path("self_signed.key")
    openssl("req", "-config", config, "-x509", *EC_KEY_ARGS, "-keyout", self_key, "-out", self_cert,
            "-days", str(CERT_VALID_DAYS), "-subj", "/CN=selfsigned.tocsin.test", "-extensions", "ext_leaf")
    certs["tls_self_signed"] = (self_cert, self_key)
    return certs, ca_cert


def server_tls_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])  # the handler speaks HTTP/1.1 only, never h2
    return context


# ------------------------------------------------------------------ HTTP plumbing

class PeerGone(Exception):
    """The client closed before sending a whole request: nothing to answer."""


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Connection:
    """One client socket with a read buffer; `closed` is set once nobody should touch it."""

    def __init__(self, sock, shared):
        self.sock = sock
        self.shared = shared
        self.buffer = bytearray()
        self.closed = False

    def _fill(self):
        data = self.sock.recv(RECV_CHUNK_BYTES)
        if not data:
            raise PeerGone()
        self.buffer += data

    def read_until(self, delimiter, limit, too_long_status):
        """Returns the bytes before `delimiter` (consuming both); at most `limit` of them."""
        while True:
            # Search only the first `limit` bytes: a delimiter that arrived in
            # the same read as an oversized block must not let it through.
            end = self.buffer.find(delimiter, 0, limit + len(delimiter))
            if end >= 0:
                data = bytes(self.buffer[:end])
                del self.buffer[:end + len(delimiter)]
                return data
            if len(self.buffer) >= limit + len(delimiter):
                raise HttpError(too_long_status, "line or header block too long")
            self._fill()

    def read_exact(self, count):
        while len(self.buffer) < count:
            self._fill()
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def send(self, data):
        self.sock.sendall(data)

    def reset(self):
        """Closes with RST instead of FIN: SO_LINGER on with a zero timeout."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()
        self.closed = True


def close_gracefully(sock):
    """Half-closes, drains what the client still sends, then closes.

    Closing a socket with unread input makes Linux send RST, which can destroy
    a response (say a 413) before the client has read it."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(LINGER_TIMEOUT_S)
        deadline = time.monotonic() + LINGER_TIMEOUT_S
        drained = 0
        while drained < LINGER_MAX_DRAIN_BYTES and time.monotonic() < deadline:
            data = sock.recv(RECV_CHUNK_BYTES)
            if not data:
                break
            drained += len(data)
    except OSError:
        pass
    sock.close()


def parse_query(query):
    """Percent-decodes values but keeps '+' literal, so /redirect?to= reproduces
    a URL exactly; surrogateescape lets bytes that are not UTF-8 round-trip."""
    params = {}
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            params.setdefault(unquote(name), unquote(value, errors="surrogateescape"))
    return params


def parse_decimal(text):
    """A non-negative decimal integer, or None if `text` is anything else."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_DECIMAL_DIGITS:
        return int(text)
    return None


class Request:
    def __init__(self, method, target, headers):
        self.method = method
        self.target = target
        self.headers = headers  # [(name, value)] in arrival order
        self.path, _, query = target.partition("#")[0].partition("?")
        self.query_string = query
        self.query = parse_query(query)
        self.body = b""

    def header(self, name, default=None):
        for header_name, value in self.headers:
            if header_name.lower() == name:
                return value
        return default

    @property
    def wants_body(self):
        return self.method != "HEAD"

    def int_param(self, name, default, low, high):
        raw = self.query.get(name)
        if raw is None:
            return default
        value = parse_decimal(raw)
        if value is None or not low <= value <= high:
            raise HttpError(400, f"{name} must be an integer in [{low}, {high}]")
        return value


def read_chunked_body(conn):
    body = bytearray()
    while True:
        size_text = conn.read_until(b"\r\n", MAX_CHUNK_LINE_BYTES, 400).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpError(400, "bad chunk size") from None
        if size < 0 or len(body) + size > MAX_BODY_BYTES:
            raise HttpError(413, "request body too large")
        if size == 0:
            for _ in range(MAX_TRAILER_LINES):
                if not conn.read_until(b"\r\n", MAX_HEADER_BYTES, 431):
                    return bytes(body)
            raise HttpError(431, "too many trailer lines")
        body += conn.read_exact(size)
        if conn.read_exact(2) != b"\r\n":
            raise HttpError(400, "chunk not followed by CRLF")


def read_request(conn):
    head = conn.read_until(b"\r\n\r\n", MAX_HEADER_BYTES, 431).decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise HttpError(400, "malformed request line")
    headers = []
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise HttpError(400, "malformed header line")
        headers.append((name, value.strip()))
    request = Request(parts[0], parts[1], headers)

    chunked = "chunked" in request.header("transfer-encoding", "").lower()
    length = parse_decimal(request.header("content-length", "0"))
    if length is None:
        raise HttpError(400, "bad Content-Length")
    if length > MAX_BODY_BYTES:
        raise HttpError(413, "request body too large")
    # curl 7.x sends "Expect: 100-continue" for bodies over 1 KiB and then
    # stalls for a second unless told to go on; that would skew timings.
    if request.header("expect", "").lower() == "100-continue" and (chunked or length):
        conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
    request.body = read_chunked_body(conn) if chunked else conn.read_exact(length)
    return request


def status_allows_body(status):
    return status >= 200 and status not in (204, 304)


def response_head(status, headers):
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", errors="surrogateescape")


def send_response(conn, request, status, body=b"", content_type="text/plain; charset=utf-8", headers=()):
    """Sends a whole response with Content-Length and Connection: close."""
    if isinstance(body, str):
        body = body.encode()
    all_headers = list(headers)
    if status_allows_body(status):
        all_headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    else:
        body = b""
    all_headers.append(("Connection", "close"))
    send_body = request is None or request.wants_body
    conn.send(response_head(status, all_headers) + (body if send_body else b""))


def send_head(conn, status, headers):
    conn.send(response_head(status, list(headers) + [("Connection", "close")]))


# ---------------------------------------------------------------- HTTP endpoints

def make_ok_body():
    prefix = b"<!doctype html>\n<html><head><title>Tocsin target</title></head>\n<body><p>" + OK_MARKER + b"</p>\n<!-- "
    suffix = b" -->\n</body></html>\n"
    return prefix + b"x" * (OK_BODY_BYTES - len(prefix) - len(suffix)) + suffix


OK_BODY = make_ok_body()
GZIP_TEXT = (GZIP_MARKER + b"\n" + b"All work and no play makes a monitor dull.\n" * 100)[:GZIP_TEXT_BYTES]
assert len(OK_BODY) == OK_BODY_BYTES and len(GZIP_TEXT) == GZIP_TEXT_BYTES


def gzip_bytes(chunks):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    return b"".join(compressor.compress(chunk) for chunk in chunks) + compressor.flush()


GZIP_BODY = gzip_bytes([GZIP_TEXT])


class GzipBomb:
    """100 MiB of zeros gzipped to ~100 KB. Built in the background at start-up
    (~0.3 s) in 1 MiB pieces, so neither start-up nor memory pays for it."""

    def __init__(self):
        self._ready = threading.Event()
        self._data = b""
        threading.Thread(target=self._build, name="gzip-bomb", daemon=True).start()

    def _build(self):
        try:
            zeros = bytes(MIB)
            self._data = gzip_bytes(zeros for _ in range(GZIP_BOMB_BYTES // MIB))
        finally:
            self._ready.set()

    def get(self):
        self._ready.wait()
        return self._data


def handle_ok(conn, request):
    send_response(conn, request, 200, OK_BODY, "text/html")


def handle_status(conn, request):
    code = request.path[len("/status/"):]
    if not (len(code) == 3 and code.isascii() and code.isdigit() and code[0] != "0"):
        raise HttpError(400, "status must be three digits, 100-999")
    # 1xx/204/304 go out without a body: sending one would break framing.
    send_response(conn, request, int(code), f"status {code}")


def handle_delay(conn, request):
    time.sleep(request.int_param("ms", 1000, 0, MAX_WAIT_MS) / 1000)
    send_response(conn, request, 200, "delayed")


def handle_slow_headers(conn, request):
    pause_s = request.int_param("ms", 100, 0, MAX_WAIT_MS) / 1000
    count = request.int_param("count", 10, 0, MAX_SLOW_HEADER_COUNT)
    conn.send(b"HTTP/1.1 200 OK\r\n")
    for i in range(count):
        time.sleep(pause_s)
        conn.send(f"X-Slow-{i}: {i}\r\n".encode())
    body = b"slow headers done"
    conn.send(b"Content-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
              + (body if request.wants_body else b""))


def handle_trickle(conn, request):
    total = request.int_param("bytes", 1000, 0, MAX_TRICKLE_BYTES)
    pause_s = request.int_param("ms", 100, 0, MAX_WAIT_MS) / 1000
    chunk = request.int_param("chunk", 100, 1, MAX_TRICKLE_CHUNK_BYTES)
    send_head(conn, 200, [("Content-Type", "application/octet-stream"), ("Content-Length", str(total))])
    sent = 0
    while request.wants_body and sent < total:
        piece = min(chunk, total - sent)
        conn.send(b"t" * piece)
        sent += piece
        if sent < total:
            time.sleep(pause_s)


def handle_endless(conn, request):
    send_head(conn, 200, [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")])
    chunk = b"%x\r\n" % ENDLESS_CHUNK_BYTES + b"e" * ENDLESS_CHUNK_BYTES + b"\r\n"
    # Ends when the client disconnects (OSError) or stops reading for
    # SOCKET_IDLE_TIMEOUT_S (the send times out).
    while request.wants_body:
        conn.send(chunk)


def handle_big_headers(conn, request):
    kb = request.int_param("kb", 100, 0, MAX_BIG_HEADERS_KB)
    fillers = []
    for i in range(kb):
        name = f"X-Filler-{i}"
        # name + ": " + value + CRLF is exactly one KiB per line
        fillers.append((name, "a" * (BIG_HEADER_LINE_BYTES - len(name) - 4)))
    send_response(conn, request, 200, "big headers", headers=fillers)


def handle_redirect_loop(conn, request):
    send_response(conn, request, 302, "redirect", headers=[("Location", "/redirect-loop")])


def handle_redirect_chain(conn, request):
    n = request.int_param("n", 5, 0, MAX_REDIRECT_CHAIN)
    if n == 0:
        send_response(conn, request, 200, "chain end")
    else:
        send_response(conn, request, 302, "redirect", headers=[("Location", f"/redirect-chain?n={n - 1}")])


def handle_redirect(conn, request):
    to = request.query.get("to")
    if not to or "\r" in to or "\n" in to:
        raise HttpError(400, "to= must be a non-empty URL without CR/LF")
    send_response(conn, request, 302, "redirect", headers=[("Location", to)])


def handle_bad_chunked(conn, request):
    send_head(conn, 200, [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")])
    conn.send(b"zz\r\n")


def handle_gzip_bomb(conn, request):
    send_response(conn, request, 200, conn.shared.gzip_bomb.get(), "application/octet-stream",
                  headers=[("Content-Encoding", "gzip")])


def handle_gzip(conn, request):
    send_response(conn, request, 200, GZIP_BODY, "text/plain", headers=[("Content-Encoding", "gzip")])


def handle_reset(conn, request):
    conn.reset()


def handle_close(conn, request):
    pass  # the caller closes with a plain FIN


def handle_garbage(conn, request):
    conn.send(b"this is not http\r\n\r\n")


def handle_bytes(conn, request):
    n = request.int_param("n", 1024, 0, MAX_BYTES_N)
    send_head(conn, 200, [("Content-Type", "application/octet-stream"), ("Content-Length", str(n))])
    block = b"x" * SEND_BLOCK_BYTES
    remaining = n if request.wants_body else 0
    while remaining > 0:
        conn.send(block[:remaining])
        remaining -= min(remaining, SEND_BLOCK_BYTES)


def handle_json(conn, request):
    send_response(conn, request, 200, JSON_BODY, "application/json")


def handle_echo(conn, request):
    headers = {}
    for name, value in request.headers:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    echoed = {"method": request.method, "path": request.path, "query": request.query_string,
              "headers": headers, "body": request.body.decode("utf-8", errors="replace")}
    send_response(conn, request, 200, json.dumps(echoed), "application/json")


ROUTES = {
    "/ok": handle_ok, "/delay": handle_delay, "/slow-headers": handle_slow_headers,
    "/trickle": handle_trickle, "/endless": handle_endless, "/big-headers": handle_big_headers,
    "/redirect-loop": handle_redirect_loop, "/redirect-chain": handle_redirect_chain,
    "/redirect": handle_redirect, "/bad-chunked": handle_bad_chunked, "/gzip-bomb": handle_gzip_bomb,
    "/gzip": handle_gzip, "/reset": handle_reset, "/close": handle_close, "/garbage": handle_garbage,
    "/bytes": handle_bytes, "/json": handle_json, "/echo": handle_echo,
}


def dispatch(conn, request):
    if request.path.startswith("/status/"):
        return handle_status(conn, request)
    handler = ROUTES.get(request.path)
    if handler is None:
        raise HttpError(404, "not found")
    return handler(conn, request)


# ------------------------------------------------------------------ listeners

class Shared:
    """What every connection thread may read; nothing in it changes after start-up."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.connection_slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.gzip_bomb = GzipBomb()


def serve_connection(sock, tls_context, listener_name, shared):
    conn = None
    try:
        sock.settimeout(SOCKET_IDLE_TIMEOUT_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # pauses must be ours, not Nagle's
        if tls_context is not None:
            sock = tls_context.wrap_socket(sock, server_side=True)
        conn = Connection(sock, shared)
        request = None
        try:
            request = read_request(conn)
            if shared.verbose:
                log(f"{listener_name} {request.method} {request.target}")
            dispatch(conn, request)
        except HttpError as error:
            send_response(conn, request, error.status, f"{error.status}: {error}\n")
        if not conn.closed:
            close_gracefully(sock)
    except (OSError, PeerGone):
        pass  # the client left, timed out, or refused our certificate: often the point of the test
    except Exception as error:  # a bug here must not take the whole target down
        log(f"{listener_name}: unexpected {type(error).__name__}: {error}")
    finally:
        if conn is None or not conn.closed:
            sock.close()
        shared.connection_slots.release()


def accept_forever(listener, tls_context, listener_name, shared):
    while True:
        try:
            sock, peer = listener.accept()
        except OSError as error:  # e.g. EMFILE; keep serving once descriptors free up
            log(f"{listener_name}: accept failed: {error}")
            time.sleep(ACCEPT_RETRY_PAUSE_S)
            continue
        if not ipaddress.ip_address(peer[0]).is_loopback or not shared.connection_slots.acquire(blocking=False):
            sock.close()
            continue
        threading.Thread(target=serve_connection, args=(sock, tls_context, listener_name, shared),
                         name=f"{listener_name}-conn", daemon=True).start()


def start_http_listener(host, tls_context, listener_name, shared):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(LISTEN_BACKLOG)
    threading.Thread(target=accept_forever, args=(listener, tls_context, listener_name, shared),
                     name=listener_name, daemon=True).start()
    return listener.getsockname()[1]


def open_blackhole(host):
    """A port whose connect() hangs: returns (port, sockets to keep open).

    The listener has backlog 0 and is never accepted from; our own connections
    fill its accept queue, after which Linux drops every further SYN, so
    clients retry until their connect timeout. The loop stops once one of our
    own connects times out, which proves the queue is full."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held = [listener]
    for _ in range(BLACKHOLE_MAX_FILLERS + 1):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.settimeout(BLACKHOLE_PROBE_TIMEOUT_S)
        try:
            probe.connect((host, port))
        except TimeoutError:
            probe.close()
            return port, held
        held.append(probe)  # it got in, so the queue had room; leave it there
    raise RuntimeError("blackhole: the accept queue never filled, connects would not hang")


def reserve_closed_port(host):
    """A socket bound but never listening: SYNs get RST (connection refused),
    and holding the binding stops anything else from taking the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    return sock.getsockname()[1], sock


# ------------------------------------------------------------------------ DNS

class DnsServer:
    """Answers one-question UDP queries from fixed tables for tocsin.test;
    NXDOMAIN for everything else. Never forwards anything anywhere."""

    def __init__(self, host, verbose):
        self.host = host
        self.verbose = verbose
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.query_counts = {}  # name -> A+AAAA queries seen; only the DNS thread touches it

    def serve_forever(self):
        while True:
            packet, peer = self.sock.recvfrom(DNS_MAX_DATAGRAM)
            if not ipaddress.ip_address(peer[0]).is_loopback:
                continue
            try:
                reply = self.reply_to(packet)
                if reply is not None:
                    self.sock.sendto(reply, peer)
            except Exception as error:  # a bad packet or a vanished client must not stop the server
                log(f"dns: unexpected {type(error).__name__}: {error}")

    def reply_to(self, packet):
        if len(packet) < 12:
            return None
        ident, flags, question_count = struct.unpack("!HHH", packet[:6])
        if flags & 0x8000:
            return None  # a response, not a query; answering it could start a loop
        opcode = (flags >> 11) & 0xF
        header_flags = 0x8000 | (opcode << 11) | 0x0400 | (flags & 0x0100)  # QR, AA, copy RD
        if opcode != 0:
            return struct.pack("!6H", ident, header_flags | RCODE_NOTIMP, 0, 0, 0, 0)
        parsed = self.parse_question(packet) if question_count == 1 else None
        if parsed is None:
            return struct.pack("!6H", ident, header_flags | RCODE_FORMERR, 0, 0, 0, 0)
        name, qtype, qclass, question = parsed
        result = self.resolve(name, qtype, qclass)
        if self.verbose:
            log(f"dns {name} type {qtype} -> {'dropped' if result is None else result[0]}")
        if result is None:
            return None
        rcode, records = result
        answers = b"".join(b"\xc0\x0c" + struct.pack("!HHIH", rtype, CLASS_IN, ttl, len(rdata)) + rdata
                           for rtype, ttl, rdata in records)  # 0xc00c points at the question's name
        return struct.pack("!6H", ident, header_flags | rcode, 1, len(records), 0, 0) + question + answers

    @staticmethod
    def parse_question(packet):
        """Returns (lowercased name, qtype, qclass, raw question bytes), or None
        if malformed. Anything after the question (EDNS OPT) is ignored."""
        labels, offset = [], 12
        while True:
            if offset >= len(packet) or offset - 12 > DNS_MAX_NAME_BYTES:
                return None
            length = packet[offset]
            offset += 1
            if length == 0:
                break
            if length & 0xC0:  # compression pointers never appear in a lone question
                return None
            labels.append(packet[offset:offset + length])
            offset += length
        if offset + 4 > len(packet):
            return None
        qtype, qclass = struct.unpack("!HH", packet[offset:offset + 4])
        # Echo the question as received: a client using DNS 0x20 case
        # randomisation checks that its mixed-case name comes back intact.
        question = packet[12:offset + 4]
        return b".".join(labels).decode("ascii", errors="replace").lower(), qtype, qclass, question

    def resolve(self, name, qtype, qclass):
        """Returns (rcode, [(type, ttl, rdata)]), or None to drop the query."""
        if qtype in (TYPE_A, TYPE_AAAA):
            self.query_counts[name] = self.query_counts.get(name, 0) + 1
        if qclass != CLASS_IN:
            return RCODE_REFUSED, []
        if name != DNS_ZONE and not name.endswith("." + DNS_ZONE):
            return RCODE_NXDOMAIN, []
        if qtype == TYPE_TXT and name.startswith(DNS_COUNT_PREFIX):
            count = str(self.query_counts.get(name[len(DNS_COUNT_PREFIX):], 0)).encode()
            return RCODE_NOERROR, [(TYPE_TXT, 0, bytes([len(count)]) + count)]  # TTL 0: never cache a counter
        if name in NXDOMAIN_NAMES:
            return RCODE_NXDOMAIN, []
        if name in DROPPED_NAMES:
            return None
        if qtype == TYPE_A:
            table = A_RECORDS.get(name, DEFAULT_A_RECORDS)
            family, rtype = socket.AF_INET, TYPE_A
        elif qtype == TYPE_AAAA:
            table = AAAA_RECORDS.get(name, [])
            family, rtype = socket.AF_INET6, TYPE_AAAA
        else:
            return RCODE_NOERROR, []
        # No SOA on empty/negative answers, so resolvers cache none of them.
        return RCODE_NOERROR, [(rtype, ttl, socket.inet_pton(family, self.host if address == HOST else address))
                               for address, ttl in table]


# ----------------------------------------------------------------------- main

def exit_on_signal(signum, frame):
    sys.exit(0)


def wait_for_stdin_eof():
    try:
        while os.read(sys.stdin.fileno(), RECV_CHUNK_BYTES):
            pass
    except OSError:
        pass  # no usable stdin counts as EOF


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="writable scratch directory for generated certificates")
    parser.add_argument("--host", default="127.0.0.2", help="IPv4 loopback address to bind (default 127.0.0.2)")
    parser.add_argument("--verbose", action="store_true", help="log requests and DNS queries to stderr")
    args = parser.parse_args()
    try:
        address = ipaddress.ip_address(args.host)
    except ValueError:
        parser.error(f"--host {args.host!r} is not an IP address")
    if address.version != 4 or not address.is_loopback:
        parser.error("--host must be an IPv4 address in 127.0.0.0/8: this server never leaves loopback")
    host = str(address)

    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGINT, exit_on_signal)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    started = time.monotonic()

    shared = Shared(args.verbose)  # starts building the gzip bomb in the background
    cert_dir = os.path.abspath(args.dir)
    os.makedirs(cert_dir, exist_ok=True)
    certs, ca_file = make_certificates(cert_dir, host)

    ports = {"host": host, "http": start_http_listener(host, None, "http", shared)}
    for name in ("tls_valid", "tls_self_signed", "tls_expired", "tls_wrong_host"):
        ports[name] = start_http_listener(host, server_tls_context(*certs[name]), name, shared)
    ports["blackhole"], blackhole_sockets = open_blackhole(host)
    ports["closed"], closed_socket = reserve_closed_port(host)
    dns = DnsServer(host, args.verbose)
    threading.Thread(target=dns.serve_forever, name="dns", daemon=True).start()
    ports["dns"] = dns.port
    ports["ca_file"] = ca_file

    print(json.dumps(ports), flush=True)
    if args.verbose:
        log(f"ready in {time.monotonic() - started:.3f} s")
    wait_for_stdin_eof()
    # blackhole_sockets and closed_socket stay referenced, hence open, until here.
    del blackhole_sockets, closed_socket


if __name__ == "__main__":
    main()
