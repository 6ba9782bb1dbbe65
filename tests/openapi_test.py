#!/usr/bin/python3
"""Every answer of a running `tocsin serve` agrees with docs/openapi.json.

Starts the server (no SMTP: account mail lands in DATA_DIR/mail/new, where
this test reads the links), walks every documented operation with requests
that succeed and requests that fail, and checks each answer: its status is
one the operation documents, its content type is the documented one, and a
JSON body validates against the documented schema (jsonschema, from
Debian's python3-jsonschema). At the end every operation must have been
called and answered with a documented success at least once.

Usage: openapi_test.py TOCSIN_BINARY SOURCE_DIR
"""

import base64
import email
import glob
import hashlib
import hmac
import struct
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema

PASSWORD = "vellum orbit quasar tundra 47"
ADMIN_PASSWORD = "quartz lemur ribbon cascade 31"


def totp(secret_b32, at=None):
    """RFC 6238: HMAC-SHA1, 30 s steps, 6 digits."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Checker:
    def __init__(self, doc, base):
        self.doc = doc
        self.base = base
        self.failures = []
        self.succeeded = set()  # (METHOD, pattern) answered with a documented 2xx
        self.patterns = []
        for path in doc["paths"]:
            regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
            self.patterns.append((re.compile(regex), path))

    def pattern_of(self, path):
        path = path.split("?")[0]
        exact = [p for r, p in self.patterns if p == path]
        if exact:
            return exact[0]
        for regex, pattern in self.patterns:
            if regex.match(path):
                return pattern
        return None

    def call(self, method, path, body=None, headers=None, form=None, expect=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if form is not None:
            data = form.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                status, content_type, raw, got = r.status, r.headers.get("Content-Type", ""), \
                    r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, content_type, raw, got = e.code, e.headers.get("Content-Type", ""), \
                e.read(), e.headers
        self.check(method, path, status, content_type, raw)
        if expect is not None and status != expect:
            self.failures.append("%s %s: expected %d, got %d: %s"
                                 % (method, path, expect, status, raw[:300]))
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if "json" in content_type else None
        except ValueError:
            parsed = None
        return status, parsed, text, got

    def check(self, method, path, status, content_type, raw):
        where = "%s %s -> %d" % (method, path, status)
        pattern = self.pattern_of(path)
        if pattern is None:
            self.failures.append(where + ": the path is not in the document")
            return
        operation = self.doc["paths"][pattern].get(method.lower())
        if operation is None:
            if status != 405:
                self.failures.append(where + ": the method is not in the document")
            return
        response = operation["responses"].get(str(status))
        if response is None:
            self.failures.append(where + ": status not documented for " + pattern)
            return
        if 200 <= status < 300:
            self.succeeded.add((method, pattern))
        content = response.get("content")
        if not content:
            if raw:
                self.failures.append(where + ": documented without a body, got one")
            return
        media = content_type.split(";")[0].strip()
        if media not in content:
            self.failures.append(where + ": content type %s, documented %s"
                                 % (media, list(content)))
            return
        if media != "application/json":
            return
        schema = dict(content[media]["schema"])
        schema["components"] = self.doc["components"]
        try:
            instance = json.loads(raw)
            jsonschema.Draft202012Validator(schema).validate(instance)
        except (ValueError, jsonschema.ValidationError) as e:
            message = e.message if hasattr(e, "message") else str(e)
            self.failures.append(where + ": does not match its schema: " + message[:400])


def mailed_link(data_dir, path):
    for name in sorted(glob.glob(os.path.join(data_dir, "mail", "new", "*")),
                       key=os.path.getmtime, reverse=True):
        with open(name, "rb") as f:
            message = email.message_from_binary_file(f)
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode("utf-8", "replace")
                m = re.search(r"http://\S+(%s[A-Za-z0-9_-]+)" % re.escape(path), text)
                if m:
                    return m.group(1)
    return None


def wait_for(predicate, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


def main():
    binary, source = sys.argv[1], sys.argv[2]
    with open(os.path.join(source, "docs", "openapi.json")) as f:
        doc = json.load(f)
    jsonschema.Draft202012Validator.check_schema({"$defs": doc["components"]["schemas"]})
    tmp = tempfile.mkdtemp(prefix="tocsin-openapi-test-")
    server = None
    try:
        port = free_port()
        data = os.path.join(tmp, "data")
        config = os.path.join(tmp, "tocsin.yaml")
        with open(config, "w") as f:
            # status_page_cache: 0s, so a page shows each change at once
            # (and the setting is seen to reach the server).
            f.write("server:\n  listen: 127.0.0.1:%d\n  data_dir: %s\n  allow_private: true\n"
                    "  status_page_cache: 0s\n" % (port, data))
        log = open(os.path.join(tmp, "serve.log"), "w")
        server = subprocess.Popen([binary, "serve", "--config", config], stderr=log, stdout=log)
        base = "http://127.0.0.1:%d" % port
        c = Checker(doc, base)

        def healthy():
            try:
                return c.call("GET", "/healthz")[0] == 200
            except OSError:
                return False
        if not wait_for(healthy):
            raise SystemExit("the server did not start:\n" + open(log.name).read())
        admin = subprocess.run([binary, "admin", "--data-dir", data, "create-user", "--email",
                                "admin@tocsin.test", "--name", "Admin"],
                               input=ADMIN_PASSWORD + "\n", text=True, capture_output=True)
        assert admin.returncode == 0, admin.stdout + admin.stderr

        c.call("GET", "/metrics", expect=200)
        _, info, _, _ = c.call("GET", "/api/v1/server", expect=200)
        assert info["mail"] == "drop" and info["registration"] == "open", info
        c.call("GET", "/api/v1/openapi.json", expect=200)
        # Accounts: register, confirm through the mailed link, log in.
        reg = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD,
               "age_confirmed": True, "policy_accepted": True}
        c.call("POST", "/api/v1/account", {"name": "Ada"}, expect=400)
        c.call("POST", "/api/v1/account", b"{}", {"Content-Type": "text/plain"}, expect=415)
        c.call("POST", "/api/v1/account", reg, expect=202)
        confirm = wait_for(lambda: mailed_link(data, "/confirm/"))
        assert confirm, "no confirmation mail"
        c.call("GET", confirm, expect=200)
        c.call("POST", "/api/v1/session", {"email": "ada@example.com", "password": PASSWORD},
               expect=403)
        c.call("POST", confirm, expect=200)
        c.call("POST", confirm, expect=404)
        c.call("POST", "/api/v1/account/confirm", {"token": "nope"}, expect=404)
        c.call("POST", "/api/v1/account", dict(reg, email="bob@example.com", name="Bob"),
               expect=202)
        bob_link = wait_for(lambda: (mailed_link(data, "/confirm/") or confirm) != confirm
                            and mailed_link(data, "/confirm/"))
        assert bob_link, "no confirmation mail for the second user"
        c.call("POST", "/api/v1/account/confirm", {"token": bob_link.rsplit("/", 1)[1]},
               expect=200)
        c.call("POST", "/api/v1/session", {"email": "ada@example.com", "password": "wrong"},
               expect=401)
        status, login, _, headers = c.call(
            "POST", "/api/v1/session", {"email": "ada@example.com", "password": PASSWORD},
            expect=200)
        cookie = headers["Set-Cookie"].split(";")[0]
        ada = {"Cookie": cookie, "X-CSRF-Token": login["csrf_token"]}
        c.call("GET", "/api/v1/session", headers=ada, expect=200)
        c.call("GET", "/api/v1/account", expect=401)
        c.call("GET", "/api/v1/account", headers=ada, expect=200)
        c.call("PATCH", "/api/v1/account", {"time_zone": "Europe/Paris"}, ada, expect=200)
        c.call("PATCH", "/api/v1/account", {"time_zone": "Nowhere"}, ada, expect=400)
        c.call("PATCH", "/api/v1/account", {"name": "x"}, {"Cookie": cookie}, expect=403)
        # Sessions: a second login is listed, and ended by its id.
        c.call("POST", "/api/v1/session", {"email": "ada@example.com", "password": PASSWORD},
               expect=200)
        _, listed, _, _ = c.call("GET", "/api/v1/account/sessions", headers=ada, expect=200)
        other = [x for x in listed["sessions"] if not x["current"]]
        assert other, "the second session is not listed"
        c.call("DELETE", "/api/v1/account/sessions/" + other[0]["id"], headers=ada, expect=204)
        c.call("DELETE", "/api/v1/account/sessions/" + other[0]["id"], headers=ada, expect=404)
        c.call("DELETE", "/api/v1/account/sessions", headers=ada, expect=204)
        # Two-step login: set up, confirm, recovery codes, off again.
        c.call("POST", "/api/v1/account/totp", {"password": "wrong"}, ada, expect=400)
        _, setup, _, _ = c.call("POST", "/api/v1/account/totp", {"password": PASSWORD}, ada,
                                expect=200)
        c.call("POST", "/api/v1/account/totp/confirm", {"code": "000000"}, ada, expect=400)
        _, rec, _, _ = c.call("POST", "/api/v1/account/totp/confirm",
                              {"code": totp(setup["secret"])}, ada, expect=200)
        c.call("POST", "/api/v1/account/totp", {"password": PASSWORD}, ada, expect=409)
        _, rec, _, _ = c.call("POST", "/api/v1/account/recovery-codes", {"password": PASSWORD},
                              ada, expect=200)
        c.call("DELETE", "/api/v1/account/totp", {"password": PASSWORD, "code": "nope"}, ada,
               expect=400)
        c.call("DELETE", "/api/v1/account/totp",
               {"password": PASSWORD, "code": rec["recovery_codes"][0]}, ada, expect=204)
        c.call("DELETE", "/api/v1/account/totp",
               {"password": PASSWORD, "code": rec["recovery_codes"][1]}, ada, expect=409)
        c.call("POST", "/api/v1/account/recovery-codes", {"password": PASSWORD}, ada,
               expect=409)

        # Teams: make one, invite Bob by the mailed link's page, then by the
        # API; roles; removal.
        _, team, _, _ = c.call("POST", "/api/v1/teams", {"name": "Ops"}, ada, expect=201)
        c.call("POST", "/api/v1/teams", {"name": ""}, ada, expect=400)
        c.call("GET", "/api/v1/teams", headers=ada, expect=200)
        tp = "/api/v1/teams/%d" % team["id"]
        c.call("POST", tp + "/invitations", {"email": "bob@example.com", "role": "boss"}, ada,
               expect=400)
        c.call("POST", tp + "/invitations", {"email": "bob@example.com", "role": "editor"}, ada,
               expect=202)
        invite = wait_for(lambda: mailed_link(data, "/invite/"))
        assert invite, "no invitation mail"
        c.call("GET", invite, expect=200)
        c.call("POST", invite, form="email=bob%40example.com&password=wrong", expect=401)
        c.call("POST", invite, form="email=bob%40example.com&password=" +
               PASSWORD.replace(" ", "+"), expect=200)
        c.call("POST", invite, form="email=bob%40example.com&password=" +
               PASSWORD.replace(" ", "+"), expect=404)
        _, bob_login, _, bob_headers = c.call(
            "POST", "/api/v1/session", {"email": "bob@example.com", "password": PASSWORD},
            expect=200)
        bob = {"Cookie": bob_headers["Set-Cookie"].split(";")[0],
               "X-CSRF-Token": bob_login["csrf_token"]}
        c.call("POST", tp + "/invitations", {"email": "bob@example.com", "role": "owner"}, ada,
               expect=202)
        second_invite = wait_for(lambda: (mailed_link(data, "/invite/") or invite) != invite
                                 and mailed_link(data, "/invite/"))
        assert second_invite, "no second invitation mail"
        token = second_invite.rsplit("/", 1)[1]
        c.call("POST", "/api/v1/invitations/accept", {"token": token}, bob, expect=200)
        c.call("POST", "/api/v1/invitations/accept", {"token": token}, bob, expect=404)
        _, members, _, _ = c.call("GET", tp + "/members", headers=ada, expect=200)
        ids = {m["email"]: m["user_id"] for m in members["members"]}
        c.call("PATCH", tp + "/members/%d" % ids["bob@example.com"], {"role": "viewer"}, ada,
               expect=200)
        c.call("PATCH", tp + "/members/%d" % ids["ada@example.com"], {"role": "viewer"}, ada,
               expect=409)
        c.call("DELETE", tp + "/members/%d" % ids["bob@example.com"], headers=ada, expect=204)
        c.call("DELETE", tp + "/members/%d" % ids["bob@example.com"], headers=ada, expect=404)
        c.call("GET", "/api/v1/teams/999999/members", headers=ada, expect=404)
        c.call("DELETE", tp, {"password": "wrong"}, ada, expect=400)
        c.call("DELETE", "/api/v1/teams/999999", {"password": PASSWORD}, ada, expect=404)
        c.call("DELETE", tp, {"password": PASSWORD}, ada, expect=204)
        c.call("DELETE", tp, {"password": PASSWORD}, ada, expect=404)
        # The address: to a new one (confirmed by the API), and back (by the
        # mailed link's page).
        c.call("POST", "/api/v1/account/email", {"password": "wrong", "email": "a@b.example"},
               ada, expect=400)
        c.call("POST", "/api/v1/account/email",
               {"password": PASSWORD, "email": "ada2@example.com"}, ada, expect=202)
        moved = wait_for(lambda: mailed_link(data, "/email/"))
        assert moved, "no address-change mail"
        c.call("GET", moved, expect=200)
        c.call("POST", "/api/v1/account/email/confirm", {"token": moved.rsplit("/", 1)[1]},
               expect=200)
        c.call("POST", "/api/v1/account/email/confirm", {"token": "nope"}, expect=404)
        c.call("POST", "/api/v1/account/email",
               {"password": PASSWORD, "email": "ada@example.com"}, ada, expect=202)
        back = wait_for(lambda: (mailed_link(data, "/email/") or moved) != moved
                        and mailed_link(data, "/email/"))
        assert back, "no second address-change mail"
        c.call("POST", back, expect=200)
        c.call("POST", back, expect=404)

        _, tok, _, _ = c.call("POST", "/api/v1/session",
                              {"email": "admin@tocsin.test", "password": ADMIN_PASSWORD,
                               "token": True}, expect=201)
        admin_h = {"Authorization": "Bearer " + tok["token"]}
        c.call("GET", "/api/v1/admin/settings", headers=admin_h, expect=200)
        c.call("GET", "/api/v1/admin/settings", headers=ada, expect=403)
        _, listed, _, _ = c.call("GET", "/api/v1/admin/users", headers=admin_h, expect=200)
        by_email = {u["email"]: u["id"] for u in listed["users"]}
        c.call("GET", "/api/v1/admin/users", headers=ada, expect=403)
        _, traffic, _, _ = c.call("GET", "/api/v1/admin/traffic", headers=admin_h, expect=200)
        assert traffic["total"] > 0 and traffic["routes"], traffic
        c.call("GET", "/api/v1/admin/traffic", headers=ada, expect=403)
        c.call("PATCH", "/api/v1/admin/users/%d" % by_email["ada@example.com"],
               {"disabled": False}, admin_h, expect=200)
        c.call("PATCH", "/api/v1/admin/users/%d" % by_email["admin@tocsin.test"],
               {"disabled": True}, admin_h, expect=400)
        c.call("PATCH", "/api/v1/admin/users/999999", {"disabled": True}, admin_h, expect=404)
        _, smtp, _, _ = c.call("GET", "/api/v1/admin/smtp", headers=admin_h, expect=200)
        assert smtp["source"] == "none", smtp
        c.call("PUT", "/api/v1/admin/smtp", {"host": "127.0.0.1", "port": 9, "tls": "none"},
               admin_h, expect=200)
        c.call("PUT", "/api/v1/admin/smtp", {"host": "127.0.0.1", "tls": "ssl"}, admin_h,
               expect=400)
        c.call("POST", "/api/v1/admin/smtp/test", headers=admin_h, expect=202)
        c.call("GET", "/api/v1/admin/smtp", headers=ada, expect=403)
        c.call("DELETE", "/api/v1/admin/smtp", headers=admin_h, expect=204)
        c.call("PUT", "/api/v1/admin/privacy-policy", {"text": "Ours."}, admin_h, expect=200)
        c.call("PUT", "/api/v1/admin/privacy-policy", {"text": "x"}, ada, expect=403)
        c.call("PUT", "/api/v1/admin/privacy-policy", {"words": "x"}, admin_h, expect=400)
        _, policy, _, _ = c.call("GET", "/api/v1/privacy-policy", expect=200)
        assert policy["text"] == "Ours.", policy
        c.call("PATCH", "/api/v1/admin/users/%d" % by_email["admin@tocsin.test"],
               {"disabled": True}, ada, expect=403)
        c.call("GET", "/api/v1/banner", expect=200)
        c.call("POST", "/api/v1/admin/notices",
               {"kind": "announcement", "subject": "Maintenance", "text": "Tonight.",
                "banner": True}, admin_h, expect=202)
        c.call("POST", "/api/v1/admin/notices", {"kind": "x", "subject": "s", "text": "t"},
               admin_h, expect=400)
        c.call("POST", "/api/v1/admin/notices", {"kind": "security", "subject": "s",
                                                 "text": "t"}, ada, expect=403)
        c.call("GET", "/api/v1/banner", expect=200)
        c.call("DELETE", "/api/v1/admin/banner", headers=ada, expect=403)
        c.call("DELETE", "/api/v1/admin/banner", headers=admin_h, expect=204)
        c.call("PATCH", "/api/v1/admin/settings", {"registration": "open"}, admin_h, expect=200)
        c.call("PATCH", "/api/v1/admin/settings", {"registration": "x"}, admin_h, expect=400)

        # Tokens.
        _, made, _, _ = c.call("POST", "/api/v1/tokens", {"name": "ci", "read_only": False}, ada,
                               expect=201)
        c.call("POST", "/api/v1/tokens", {"name": ""}, ada, expect=400)
        c.call("GET", "/api/v1/tokens", headers=ada, expect=200)
        c.call("GET", "/api/v1/tokens?workspace_id=999999", headers=ada, expect=403)
        bearer = {"Authorization": "Bearer " + made["token"]}

        # Alert settings: channels (and a test through one), the workspace's
        # policy, maintenance windows.
        ws = login["user"]["personal_workspace_id"]
        _, ch, _, _ = c.call("POST", "/api/v1/channels",
                             {"name": "team mail", "type": "email", "to": ["team@example.com"]},
                             bearer, expect=201)
        c.call("POST", "/api/v1/channels", {"name": "team mail", "type": "email",
                                            "to": ["x@example.com"]}, bearer, expect=400)
        c.call("POST", "/api/v1/channels", {"name": "hook", "type": "webhook", "url": "nope"},
               bearer, expect=400)
        c.call("POST", "/api/v1/channels", {"name": "x", "type": "email", "to": ["a@b.c"],
                                            "color": "red"}, bearer, expect=400)
        chp = "/api/v1/channels/%d" % ch["id"]
        c.call("GET", "/api/v1/channels", headers=bearer, expect=200)
        c.call("GET", chp, headers=bearer, expect=200)
        c.call("GET", "/api/v1/channels/999999", headers=bearer, expect=404)
        c.call("PATCH", chp, {"to": ["team@example.com", "lead@example.com"]}, bearer, expect=200)
        c.call("PATCH", chp, {"name": "renamed"}, bearer, expect=400)
        _, queued, _, _ = c.call("POST", chp + "/test", headers=bearer, expect=202)

        def test_delivered():
            s, row, _, _ = c.call("GET", chp + "/tests/" + queued["test_id"], headers=bearer)
            return s == 200 and row["state"] == "delivered"
        assert wait_for(test_delivered, 20), "the test notification was not delivered"
        c.call("GET", chp + "/tests/test-0-x", headers=bearer, expect=404)
        policy = "/api/v1/workspaces/%d/alert-policy" % ws
        c.call("GET", policy, headers=bearer, expect=200)
        c.call("GET", "/api/v1/workspaces/999999/alert-policy", headers=bearer, expect=404)
        c.call("PUT", policy, {"level": "degraded", "remind_every": "15m",
                               "notify": ["team mail"], "email_owner": True}, bearer, expect=200)
        c.call("PUT", policy, {"notify": ["nobody"]}, bearer, expect=400)
        c.call("PUT", policy, {"remind_every": "1s"}, bearer, expect=400)
        c.call("DELETE", chp, headers=bearer, expect=409)
        _, win, _, _ = c.call("POST", "/api/v1/maintenance",
                              {"name": "deploys", "weekly": ["tue"], "at": "02:00",
                               "duration": "30m", "time_zone": "Europe/Paris"}, bearer,
                              expect=201)
        c.call("POST", "/api/v1/maintenance", {"name": "bad", "duration": "30m"}, bearer,
               expect=400)
        c.call("GET", "/api/v1/maintenance", headers=bearer, expect=200)
        c.call("DELETE", "/api/v1/maintenance/%d" % win["id"], headers=bearer, expect=204)
        c.call("DELETE", "/api/v1/maintenance/%d" % win["id"], headers=bearer, expect=404)
        c.call("PUT", policy, {"level": "down"}, bearer, expect=200)

        # Monitors: one that runs against this server's own /healthz.
        mon = {"name": "self", "url": base + "/healthz", "interval_s": 10,
               "check": {"timeout": "2s"}}
        _, checked, _, _ = c.call("POST", "/api/v1/monitors/check",
                                  {"url": base + "/healthz", "check": {"timeout": "2s"}}, bearer,
                                  expect=200)
        assert checked["result"]["outcome"] == "ok", checked
        c.call("POST", "/api/v1/monitors/check", {"url": "ftp://x"}, bearer, expect=400)
        _, created, _, _ = c.call("POST", "/api/v1/monitors", mon, bearer, expect=201)
        c.call("POST", "/api/v1/monitors", mon, bearer, expect=409)
        c.call("POST", "/api/v1/monitors", {"name": "x", "url": "ftp://x"}, bearer, expect=400)
        mid = "/api/v1/monitors/%d" % created["id"]
        c.call("GET", "/api/v1/monitors", headers=bearer, expect=200)
        c.call("GET", "/api/v1/monitors?after_id=0&limit=1", headers=bearer, expect=200)
        c.call("GET", "/api/v1/monitors/stats?ids=%d" % created["id"], headers=bearer, expect=200)
        c.call("GET", "/api/v1/monitors/stats?ids=zero", headers=bearer, expect=400)
        c.call("GET", mid, headers=bearer, expect=200)
        c.call("GET", "/api/v1/monitors/999999", headers=bearer, expect=404)
        c.call("PATCH", mid, {"interval_s": 20}, bearer, expect=200)
        c.call("PATCH", mid, {"interval_s": 2}, bearer, expect=400)
        c.call("PATCH", mid, {"alerts": {"level": "all", "notify": ["team mail"]},
                              "slow_threshold_ms": 500}, bearer, expect=200)
        c.call("PATCH", mid, {"alerts": {"level": "sometimes"}}, bearer, expect=400)
        c.call("PATCH", mid, {"alerts": {"notify": ["nobody"]}}, bearer, expect=400)
        c.call("POST", mid + "/pause", headers=bearer, expect=200)
        c.call("POST", mid + "/resume", headers=bearer, expect=200)

        def has_results():
            s, page, _, _ = c.call("GET", mid + "/results", headers=bearer)
            return s == 200 and page["results"]
        assert wait_for(has_results), "the monitor never ran"
        c.call("GET", mid + "/results?limit=0", headers=bearer, expect=400)
        c.call("GET", mid + "/summary", headers=bearer, expect=200)
        _, series, _, _ = c.call("GET", mid + "/series", headers=bearer, expect=200)
        assert series["step"] == "minute" and series["points"], series
        c.call("GET", mid + "/series?step=fortnight", headers=bearer, expect=400)
        c.call("GET", mid + "/summary?from_ms=10&to_ms=5", headers=bearer, expect=400)

        # The weekly summary: day and hour, a preview, one mailed now, and
        # the one-click link from its text (no login).
        c.call("PATCH", "/api/v1/account",
               {"weekly_summary_day": "friday", "weekly_summary_hour": 7}, ada, expect=200)
        c.call("PATCH", "/api/v1/account", {"weekly_summary_day": "someday"}, ada, expect=400)
        c.call("PATCH", "/api/v1/account", {"weekly_summary_hour": 24}, ada, expect=400)
        _, preview, _, _ = c.call("GET", "/api/v1/account/weekly-summary", headers=ada, expect=200)
        c.call("POST", "/api/v1/account/weekly-summary/send", headers=ada, expect=202)
        unsubscribe = re.search(r"/unsubscribe/[A-Za-z0-9_-]+", preview["text"]).group(0)
        c.call("GET", unsubscribe, expect=200)
        c.call("POST", unsubscribe, form="List-Unsubscribe=One-Click", expect=200)
        c.call("POST", "/unsubscribe/forged", expect=400)
        _, profile, _, _ = c.call("GET", "/api/v1/account", headers=ada, expect=200)
        assert profile["weekly_summary"] is False and profile["weekly_summary_day"] == "friday", \
            profile

        # A status page of the monitor: its posts, badges, a subscriber who
        # confirms by the mailed link and leaves in one click.
        sp = {"slug": "acme", "title": "Acme", "monitors": [created["id"]],
              "host": "status.acme.test"}
        _, page, _, _ = c.call("POST", "/api/v1/status-pages", sp, bearer, expect=201)
        c.call("POST", "/api/v1/status-pages", sp, bearer, expect=400)
        spid = "/api/v1/status-pages/%d" % page["id"]
        c.call("GET", "/api/v1/status-pages", headers=bearer, expect=200)
        c.call("GET", spid, headers=bearer, expect=200)
        c.call("GET", "/api/v1/status-pages/999999", headers=bearer, expect=404)
        _, _, first, _ = c.call("GET", "/status/acme", expect=200)
        c.call("PATCH", spid, {"show_urls": True, "hide_blips_under_s": 60, "title": "Acme two"},
               bearer, expect=200)
        _, _, second, _ = c.call("GET", "/status/acme", expect=200)
        assert "<h1>Acme</h1>" in first and "<h1>Acme two</h1>" in second, \
            "the page did not change at once with status_page_cache: 0s"
        c.call("PATCH", spid, {"monitors": [999999]}, bearer, expect=400)
        c.call("GET", "/status/acme", expect=200)
        c.call("GET", "/status/nothing", expect=404)
        c.call("GET", "/status/acme/badge/%d/status.svg" % created["id"], expect=200)
        c.call("GET", "/status/acme/badge/%d/uptime.svg?days=0" % created["id"], expect=400)
        c.call("GET", "/status/acme/badge/999999/status.svg", expect=404)
        c.call("POST", "/status/acme/subscribe", form="email=visitor%40example.com", expect=202)
        c.call("POST", "/status/acme/subscribe", form="email=nope", expect=400)
        c.call("POST", "/status/nothing/subscribe", form="email=a%40b.example", expect=404)
        confirm = wait_for(lambda: mailed_link(data, "/status/acme/confirm/"), 30)
        assert confirm, "no confirmation mail for the subscriber"
        c.call("GET", confirm, expect=200)
        c.call("POST", confirm, expect=200)
        c.call("POST", "/status/acme/confirm/forged", expect=404)
        _, post, _, _ = c.call("POST", spid + "/posts",
                               {"title": "Slow pages", "state": "investigating",
                                "message": "Looking into it."}, bearer, expect=201)
        c.call("POST", spid + "/posts", {"title": "x", "state": "panic", "message": "m"}, bearer,
               expect=400)
        c.call("POST", spid + "/posts/%d/updates" % post["id"],
               {"state": "resolved", "message": "Fixed."}, bearer, expect=201)
        c.call("POST", spid + "/posts/999999/updates", {"state": "resolved", "message": "x"},
               bearer, expect=404)
        c.call("GET", spid + "/posts", headers=bearer, expect=200)
        leave = wait_for(lambda: mailed_link(data, "/status/acme/unsubscribe/"), 30)
        assert leave, "no notice with an unsubscribe link reached the subscriber"
        c.call("GET", leave, expect=200)
        c.call("POST", leave, form="List-Unsubscribe=One-Click", expect=200)
        c.call("POST", leave, expect=404)
        c.call("DELETE", spid, headers=bearer, expect=204)
        c.call("DELETE", spid, headers=bearer, expect=404)

        # A monitor that fails, for an incident to read and acknowledge.
        bad = {"name": "down", "url": base + "/api/v1/nothing-here", "interval_s": 10,
               "check": {"timeout": "2s"}}
        _, down, _, _ = c.call("POST", "/api/v1/monitors", bad, bearer, expect=201)

        def incident():
            s, page, _, _ = c.call("GET", "/api/v1/incidents", headers=bearer)
            return s == 200 and page["incidents"] and page["incidents"][0]
        inc = wait_for(incident, 40)
        assert inc, "no incident opened"
        c.call("GET", "/api/v1/incidents/%d" % inc["id"], headers=bearer, expect=200)
        c.call("GET", "/api/v1/incidents/999999", headers=bearer, expect=404)
        c.call("POST", "/api/v1/incidents/%d/ack" % inc["id"], headers=bearer, expect=200)
        c.call("GET", "/api/v1/incidents?limit=0", headers=bearer, expect=400)
        ack = wait_for(lambda: mailed_link(data, "/ack/"), 30)
        assert ack, "no alert mail with an acknowledgement link"
        c.call("GET", ack, expect=200)
        c.call("POST", ack, expect=200)
        c.call("GET", "/ack/not-a-token", expect=400)
        c.call("POST", "/ack/not-a-token", expect=400)
        c.call("GET", "/api/v1/account/export", headers=ada, expect=200)
        c.call("GET", "/api/v1/account/export", headers=bearer, expect=403)
        c.call("DELETE", "/api/v1/monitors/%d" % down["id"], headers=bearer, expect=204)
        c.call("DELETE", mid, headers=ada, expect=204)
        c.call("DELETE", mid, headers=ada, expect=404)
        c.call("DELETE", chp, headers=bearer, expect=204)
        c.call("DELETE", "/api/v1/tokens/%d" % made["id"], headers=ada, expect=204)
        c.call("DELETE", "/api/v1/tokens/999999", headers=ada, expect=404)

        # Passwords.
        c.call("POST", "/api/v1/account/password",
               {"current_password": "wrong wrong wrong", "new_password": "x"}, ada, expect=400)
        new_password = "lantern staple grumpy orchid 9"
        c.call("POST", "/api/v1/account/password",
               {"current_password": PASSWORD, "new_password": new_password}, ada, expect=204)
        # Reset by the mailed link's form, then by the API with a second link.
        c.call("POST", "/api/v1/account/password-reset", {"email": "ada@example.com"}, expect=202)
        reset = wait_for(lambda: mailed_link(data, "/reset/"))
        assert reset, "no reset mail"
        c.call("GET", reset, expect=200)
        c.call("POST", reset, form="password=short", expect=400)
        c.call("POST", reset, form="password=" + new_password.replace(" ", "+") + "+2", expect=200)
        c.call("POST", reset, form="password=" + PASSWORD.replace(" ", "+"), expect=404)
        c.call("POST", "/api/v1/account/password-reset", {"email": "ada@example.com"}, expect=202)
        second = wait_for(lambda: (mailed_link(data, "/reset/") or reset) != reset
                          and mailed_link(data, "/reset/"))
        assert second, "no second reset mail"
        c.call("POST", "/api/v1/account/password-reset/confirm",
               {"token": second.rsplit("/", 1)[1], "password": PASSWORD}, expect=204)
        c.call("POST", "/api/v1/account/password-reset/confirm",
               {"token": "nope", "password": PASSWORD}, expect=404)
        _, login, _, headers = c.call(
            "POST", "/api/v1/session", {"email": "ada@example.com", "password": PASSWORD},
            expect=200)
        ada = {"Cookie": headers["Set-Cookie"].split(";")[0], "X-CSRF-Token": login["csrf_token"]}
        c.call("DELETE", "/api/v1/session", headers=ada, expect=204)
        _, login, _, headers = c.call(
            "POST", "/api/v1/session", {"email": "ada@example.com", "password": PASSWORD},
            expect=200)
        ada = {"Cookie": headers["Set-Cookie"].split(";")[0], "X-CSRF-Token": login["csrf_token"]}
        c.call("DELETE", "/api/v1/account", {"password": "wrong"}, ada, expect=400)
        c.call("DELETE", "/api/v1/account", {"password": PASSWORD}, ada, expect=204)
        c.call("GET", "/api/v1/account", headers=ada, expect=401)

        missing = []
        for path, item in doc["paths"].items():
            for method in item:
                if method == "parameters":
                    continue
                if (method.upper(), path) not in c.succeeded:
                    missing.append("%s %s" % (method.upper(), path))
        for m in missing:
            c.failures.append("never answered with a documented success: " + m)
        if c.failures:
            print("openapi_test: %d problem(s):" % len(c.failures))
            for f in c.failures:
                print("  " + f)
            return 1
        print("openapi_test: every answer matched docs/openapi.json (%d operations)"
              % len(c.succeeded))
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
