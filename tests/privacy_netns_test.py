#!/usr/bin/python3
"""Promise 3 (docs/privacy.md): Tocsin sends nothing anywhere but the checks
it was asked for and the channels the user chose.

Runs a real `tocsin serve`, a real SMTP server and a webhook receiver
(tests/targets/notify_sinks.py) in a network namespace of its own, whose
only interface is loopback, and walks a user's life: registration with the
mailed confirmation, a monitor whose target fails, the alert by mail and by
webhook, a test notification, the export, the termination and its mail.
Any packet the server tried to send elsewhere has no route in that
namespace, and the kernel counts it (Ip OutNoRoutes in /proc/net/snmp,
Ip6OutNoRoutes in /proc/net/snmp6): both must stay 0. At the end the test
itself tries an outside address and checks that the counter moves, so the
check can fail.

Needs to create a network namespace (unshare -n: root or CAP_SYS_ADMIN);
where it cannot, it says why and exits 77, which ctest reports as skipped.

Usage: privacy_netns_test.py TOCSIN_BINARY SOURCE_DIR
"""

import email
import fcntl
import glob
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77
PASSWORD = "vellum orbit quasar tundra 47"
ADMIN_PASSWORD = "quartz lemur ribbon cascade 31"
INNER = "TOCSIN_PRIVACY_NETNS_INNER"
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up():
    """`ip link set lo up` without iproute2: the SIOCSIFFLAGS ioctl."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def no_routes():
    """Packets this namespace had no route for: (IPv4, IPv6)."""
    with open("/proc/self/net/snmp") as f:
        lines = [line.split() for line in f if line.startswith("Ip:")]
    v4 = int(dict(zip(lines[0][1:], lines[1][1:]))["OutNoRoutes"])
    v6 = 0
    if os.path.exists("/proc/self/net/snmp6"):
        with open("/proc/self/net/snmp6") as f:
            for line in f:
                name, _, value = line.partition(" ")
                if name == "Ip6OutNoRoutes":
                    v6 = int(value)
    return v4, v6


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


class Api:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, headers=None, expect=None):
        data = None if body is None else json.dumps(body).encode()
        h = {"Connection": "close"}
        if data is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, raw, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, raw, hdrs = e.code, e.read(), e.headers
        if expect is not None and status != expect:
            raise AssertionError("%s %s: %d, expected %d: %s" % (method, path, status, expect,
                                                                raw[:300]))
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return status, payload, hdrs


def mails(sink_dir):
    out = []
    for name in sorted(glob.glob(os.path.join(sink_dir, "mail", "*.eml"))):
        with open(name, "rb") as f:
            message = email.message_from_binary_file(f)
        text = ""
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text += part.get_payload(decode=True).decode("utf-8", "replace")
        out.append((message["To"] or "", message["Subject"] or "", text))
    return out


def mailed_link(sink_dir, to, path):
    for rcpt, _, text in reversed(mails(sink_dir)):
        m = re.search(r"http://\S+?(%s[A-Za-z0-9_-]+)" % re.escape(path), text)
        if to in rcpt and m:
            return m.group(1)
    return None


def inner(binary, source):
    loopback_up()
    tmp = tempfile.mkdtemp(prefix="tocsin-privacy-netns-")
    procs = []
    try:
        sink_dir = os.path.join(tmp, "sinks")
        sinks = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(source, "tests", "targets", "notify_sinks.py"),
             "--dir", sink_dir, "--no-tls"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        procs.append(sinks)
        ready = json.loads(sinks.stdout.readline())
        hook = "http://127.0.0.2:%d" % ready["http"]
        # Counted from here: the sinks' own start-up (aiosmtpd looks up this
        # machine's name) is theirs, not the server's.
        start = no_routes()

        port = free_port()
        data = os.path.join(tmp, "data")
        config = os.path.join(tmp, "tocsin.yaml")
        with open(config, "w") as f:
            f.write("server:\n  listen: 127.0.0.1:%d\n  data_dir: %s\n  allow_private: true\n"
                    "  smtp: {host: 127.0.0.2, port: %d, tls: none}\n" % (port, data,
                                                                          ready["smtp"]))
        log_path = os.path.join(tmp, "serve.log")
        log = open(log_path, "w")
        server = subprocess.Popen([binary, "serve", "--config", config], stdout=log, stderr=log)
        procs.append(server)
        api = Api("http://127.0.0.1:%d" % port)

        def healthy():
            try:
                return api.call("GET", "/healthz")[0] == 200
            except OSError:
                return False
        assert wait_for(healthy), "the server did not start:\n" + open(log_path).read()
        made = subprocess.run([binary, "admin", "--data-dir", data, "create-user", "--email",
                               "admin@tocsin.test", "--name", "Admin"],
                              input=ADMIN_PASSWORD + "\n", text=True, capture_output=True)
        assert made.returncode == 0, made.stdout + made.stderr

        # A user's life: register, confirm by the mailed link, log in.
        api.call("POST", "/api/v1/account",
                 {"name": "Ada", "email": "ada@example.com", "password": PASSWORD,
                  "age_confirmed": True, "policy_accepted": True}, expect=202)
        confirm = wait_for(lambda: mailed_link(sink_dir, "ada@example.com", "/confirm/"))
        assert confirm, "no confirmation mail"
        api.call("POST", confirm, expect=200)
        _, login, hdrs = api.call("POST", "/api/v1/session",
                                  {"email": "ada@example.com", "password": PASSWORD},
                                  expect=200)
        ada = {"Cookie": hdrs["Set-Cookie"].split(";")[0], "X-CSRF-Token": login["csrf_token"]}

        # A webhook channel and its test; a monitor whose target fails.
        _, channel, _ = api.call("POST", "/api/v1/channels",
                                 {"name": "hook", "type": "webhook", "url": hook + "/ok/hook"},
                                 ada, expect=201)
        api.call("POST", "/api/v1/channels/%d/test" % channel["id"], headers=ada, expect=202)
        _, monitor, _ = api.call("POST", "/api/v1/monitors",
                                 {"name": "shop", "url": hook + "/fail/shop", "interval_s": 10,
                                  "check": {"timeout": "2s"}}, ada, expect=201)
        api.call("PATCH", "/api/v1/monitors/%d" % monitor["id"],
                 {"alerts": {"notify": ["hook"]}}, ada, expect=200)
        alerted = wait_for(lambda: any("ada@example.com" in to and "DOWN" in subject.upper()
                                       for to, subject, _ in mails(sink_dir)), 90)
        assert alerted, "no alert mail:\n" + open(log_path).read()[-3000:]
        hooks = os.path.join(sink_dir, "http.jsonl")
        assert wait_for(lambda: os.path.exists(hooks) and
                        sum(1 for line in open(hooks) if "/ok/hook" in line) >= 2, 30), \
            "the webhook got neither the test nor the alert"

        # Export, then terminate; the last mail arrives.
        api.call("GET", "/api/v1/account/export", headers=ada, expect=200)
        api.call("DELETE", "/api/v1/account", {"password": PASSWORD}, ada, expect=204)
        assert wait_for(lambda: any(subject == "Your Tocsin account is closed"
                                    for _, subject, _ in mails(sink_dir))), "no closing mail"
        time.sleep(1)  # a check or a delivery still in flight

        end = no_routes()
        assert end == start, ("packets without a route (IPv4, IPv6): %s before, %s after; the "
                              "server tried to reach something outside loopback:\n%s"
                              % (start, end, open(log_path).read()[-3000:]))

        # The control: an outside address does move the counter.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.connect(("192.0.2.1", 80))
            except OSError:
                pass
        assert no_routes()[0] > end[0], "the no-route counter did not move: the check is blind"
        print("privacy_netns_test: no packet left loopback (OutNoRoutes %s)" % (end,))
        return 0
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    binary, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if os.environ.get(INNER) == "1":
        return inner(binary, source)
    unshare = shutil.which("unshare")
    if unshare is None:
        print("privacy_netns_test: SKIPPED: no unshare (util-linux) on this machine")
        return SKIP
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        print("privacy_netns_test: SKIPPED: cannot create a network namespace here (%s)"
              % probe.stderr.strip())
        return SKIP
    env = dict(os.environ, **{INNER: "1"})
    return subprocess.run([unshare, "-n", sys.executable, os.path.abspath(__file__), binary,
                           source], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
