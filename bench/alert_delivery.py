#!/usr/bin/env python3
"""Alert delivery under load, on one machine.

Two questions (issue: alerting), each against a real `tocsin serve`, a real
SMTP server (aiosmtpd, tests/targets/notify_sinks.py) and nginx:

1. Latency. With 10,000 healthy monitors running (nginx, every 60 s), a few
   hundred more whose target fails (notify_sinks /fail/...): from the check
   that confirms each outage (the incident's confirmed_at, when that check
   started) to its email accepted by the SMTP server (the sink's clock),
   p50 and p99. Target: p99 under 1 s. Grouping is off (group_window: 0s),
   so each alert is its own message.
2. A storm. 5,000 monitors whose target (notify_sinks /switch/...) turns
   from good to failing at once, beside the 10,000 healthy ones, default
   grouping (30 s): messages sent, every notice delivered (none lost), the
   time from the switch until the outbox is empty, and the checks' start
   lag meanwhile (target: p99 under 100 ms).

Prints a Markdown section and replaces it in docs/benchmarks.md (between
its markers); raw numbers go to build/bench/alert_delivery.json. Loopback
only; every process it starts stops at exit. Run it with `make bench-alerts`.
Python 3 stdlib; the SMTP sink runs under Debian's /usr/bin/python3 (with
python3-aiosmtpd).
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from benchlib import (BenchError, Children, Nginx, command_line, date_utc, display_path,
                      finish_section, fmt_int, free_port, http_get, log, loopback_only,
                      machine_info, markers, raise_nofile, run_main, tail, wait_for, write_docs,
                      write_json, DOCS_DEFAULT, REPO_ROOT)
from promtext import histogram_delta, histogram_quantile, metric_sum, parse_metrics, share_at_most

BENCHMARK = "alert_delivery"
MARK_BEGIN, MARK_END = markers(BENCHMARK)

HEALTHY = 10_000
VICTIMS = 300
STORM = 5_000
INTERVAL_S = 60
TARGET_P99_S = 1.0
TARGET_LAG_P99_S = 0.100
START_TIMEOUT_S = 120.0
LATENCY_TIMEOUT_S = 240.0        # every victim confirmed and mailed within this
STORM_WARMUP_S = INTERVAL_S + 15  # every storm monitor has run once, healthy
STORM_TIMEOUT_S = 400.0          # switch -> every incident open and its notice delivered
POLL_S = 1.0
LAG_HISTOGRAM = "tocsin_schedule_lag_seconds"

TOCSIN_DEFAULT = os.path.join(REPO_ROOT, "build", "tocsin")
SINKS = os.path.join(REPO_ROOT, "tests", "targets", "notify_sinks.py")
JSON_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "alert_delivery.json")


class Sinks:
    """notify_sinks.py: an SMTP server and an HTTP receiver on 127.0.0.2."""

    def __init__(self, children, directory):
        self.dir = directory
        self.proc = children.start(
            ["/usr/bin/python3", SINKS, "--dir", directory, "--no-tls", "--quiet-http"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        if not line:
            raise BenchError("notify_sinks.py did not start (python3-aiosmtpd installed?)")
        ready = json.loads(line)
        self.smtp, self.http = ready["smtp"], ready["http"]

    def url(self, path):
        return "http://127.0.0.2:%d%s" % (self.http, path)

    def switch(self, up):
        with open(os.path.join(self.dir, "switch"), "w") as f:
            f.write("ok" if up else "down")

    def mails(self):
        """[(received unix s, incident id or None, subject)] of every message."""
        out = []
        mail_dir = os.path.join(self.dir, "mail")
        if not os.path.isdir(mail_dir):
            return out
        for name in sorted(os.listdir(mail_dir)):
            if not name.endswith(".json"):
                continue
            base = os.path.join(mail_dir, name[:-5])
            with open(base + ".json") as f:
                meta = json.load(f)
            incident, subject = None, ""
            with open(base + ".eml", "rb") as f:
                for raw in f:
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    if not line:
                        break
                    if line.lower().startswith("x-tocsin-incident:"):
                        incident = int(line.split(":", 1)[1])
                    elif line.lower().startswith("subject:"):
                        subject = line.split(":", 1)[1].strip()
            out.append((meta["time"], incident, subject))
        return out


def config(listen, data_dir, sinks, page_url, victims, storm, group_window):
    parts = ["# Written by bench/alert_delivery.py\n",
             "server:\n  listen: %s\n  data_dir: %s\n  allow_private: true\n" % (listen, data_dir),
             "  per_host_concurrency: 10000\n",
             "  smtp: {host: 127.0.0.2, port: %d, tls: none}\n" % sinks.smtp,
             "notifications:\n  - {name: ops, type: email, to: [ops@example.com]}\n",
             "alerts:\n  notify: [ops]\n  group_window: %s\n" % group_window,
             "monitors:\n"]
    for i in range(HEALTHY):
        parts.append("  - {name: h%d, url: '%s?m=%d', interval: %ds}\n"
                     % (i, page_url, i, INTERVAL_S))
    for i in range(victims):
        parts.append("  - {name: v%d, url: '%s', interval: %ds}\n"
                     % (i, sinks.url("/fail/%d" % i), INTERVAL_S))
    for i in range(storm):
        parts.append("  - {name: s%d, url: '%s', interval: %ds}\n"
                     % (i, sinks.url("/switch/%d" % i), INTERVAL_S))
    return "".join(parts)


class Server:
    def __init__(self, children, binary, workdir):
        self.children, self.binary, self.dir = children, binary, workdir
        self.data_dir = os.path.join(workdir, "data")
        self.log_path = os.path.join(workdir, "serve.log")
        self.port = free_port()
        self.proc = None

    def start(self, yaml):
        os.makedirs(self.dir, exist_ok=True)
        path = os.path.join(self.dir, "tocsin.yaml")
        with open(path, "w") as f:
            f.write(yaml)
        err = open(self.log_path, "ab")
        self.proc = self.children.start([self.binary, "serve", "--config", path],
                                        stdout=err, stderr=err)
        err.close()
        try:
            wait_for(lambda: http_get(self.url("/healthz"))[0] == 200, "tocsin serve",
                     timeout_s=START_TIMEOUT_S, proc=self.proc)
        except BenchError as e:
            raise BenchError("%s; its log ends:\n%s" % (e, tail(self.log_path)))

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def scrape(self):
        status, body = http_get(self.url("/metrics"), timeout=30)
        if status != 200:
            raise BenchError("GET /metrics answered %d" % status)
        return parse_metrics(body.decode("utf-8", "replace"))

    def query(self, sql):
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data_dir, "tocsin.db"),
                             uri=True, timeout=30)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def stop(self):
        if self.proc is not None:
            self.children.stop(self.proc)


def quantile(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))]


def latency_run(children, binary, tmp, nginx):
    sinks = Sinks(children, os.path.join(tmp, "sinks-latency"))
    server = Server(children, binary, os.path.join(tmp, "serve-latency"))
    server.start(config("127.0.0.1:%d" % server.port, server.data_dir, sinks, nginx.page_url(),
                        VICTIMS, 0, "0s"))
    log("latency: %s healthy + %d failing monitors every %d s" % (fmt_int(HEALTHY), VICTIMS,
                                                                 INTERVAL_S))
    deadline = time.monotonic() + LATENCY_TIMEOUT_S
    while time.monotonic() < deadline:
        mailed = {i for _, i, _ in sinks.mails() if i is not None}
        if len(mailed) >= VICTIMS:
            break
        if server.proc.poll() is not None:
            raise BenchError("tocsin serve exited; its log ends:\n" + tail(server.log_path))
        time.sleep(POLL_S)
    confirmed = dict(server.query("SELECT id, confirmed_at FROM incidents"))
    first_mail = {}
    for t, incident, _ in sinks.mails():
        if incident is not None and incident not in first_mail:
            first_mail[incident] = t
    lat = [first_mail[i] - confirmed[i] / 1000.0 for i in confirmed if i in first_mail]
    server.stop()
    sinks_stop(children, sinks)
    return {"incidents": len(confirmed), "mailed": len(lat),
            "p50_s": quantile(lat, 0.5), "p99_s": quantile(lat, 0.99), "max_s": max(lat or [0]),
            "min_s": min(lat or [0])}


def sinks_stop(children, sinks):
    try:
        sinks.proc.stdin.close()
    except OSError:
        pass
    children.stop(sinks.proc)


def storm_run(children, binary, tmp, nginx):
    sinks = Sinks(children, os.path.join(tmp, "sinks-storm"))
    sinks.switch(True)
    server = Server(children, binary, os.path.join(tmp, "serve-storm"))
    server.start(config("127.0.0.1:%d" % server.port, server.data_dir, sinks, nginx.page_url(),
                        0, STORM, "30s"))
    log("storm: %s healthy + %s monitors about to fail, warm-up %d s"
        % (fmt_int(HEALTHY), fmt_int(STORM), STORM_WARMUP_S))
    time.sleep(STORM_WARMUP_S)
    before = server.scrape()
    t_switch = time.time()
    sinks.switch(False)
    log("storm: the %s targets fail now" % fmt_int(STORM))
    deadline = time.monotonic() + STORM_TIMEOUT_S
    t_empty = None
    while time.monotonic() < deadline:
        incidents, = server.query("SELECT count(*) FROM incidents")[0]
        pending, delivered = server.query(
            "SELECT coalesce(sum(state = 0), 0), coalesce(sum(state = 1), 0) FROM outbox")[0]
        if incidents >= STORM and pending == 0 and delivered >= STORM:
            t_empty = time.time()
            break
        if server.proc.poll() is not None:
            raise BenchError("tocsin serve exited; its log ends:\n" + tail(server.log_path))
        time.sleep(POLL_S)
    after = server.scrape()
    incidents, = server.query("SELECT count(*) FROM incidents")[0]
    rows = dict(server.query("SELECT state, count(*) FROM outbox GROUP BY state"))
    first_confirm, last_confirm = server.query(
        "SELECT min(confirmed_at), max(confirmed_at) FROM incidents")[0]
    lag = histogram_delta(before, after, LAG_HISTOGRAM)
    mails = sinks.mails()
    res = {"incidents": incidents, "delivered": rows.get(1, 0), "pending": rows.get(0, 0),
           "failed": rows.get(2, 0), "messages": len(mails),
           "first_confirmed_s": (first_confirm or 0) / 1000.0 - t_switch,
           "last_confirmed_s": (last_confirm or 0) / 1000.0 - t_switch,
           "outbox_empty_s": None if t_empty is None else t_empty - t_switch,
           "outbox_empty_after_last_confirm_s":
               None if t_empty is None or last_confirm is None else t_empty - last_confirm / 1000.0,
           "lag_p50_s": histogram_quantile(lag, 0.5)["value"],
           "lag_p99_s": histogram_quantile(lag, 0.99)["value"],
           "lag_share_le_100ms": share_at_most(lag, 0.1),
           "checks": (metric_sum(after, "tocsin_checks_total") or 0)
                     - (metric_sum(before, "tocsin_checks_total") or 0)}
    server.stop()
    sinks_stop(children, sinks)
    return res


def fmt_s(x, digits=2):
    return "n/a" if x is None else ("%.*f s" % (digits, x))


def markdown(res):
    lat, st = res["latency"], res["storm"]
    p99_ok = lat["p99_s"] is not None and lat["p99_s"] < TARGET_P99_S
    lag_ok = st["lag_p99_s"] is not None and st["lag_p99_s"] < TARGET_LAG_P99_S
    none_lost = st["delivered"] >= STORM and st["failed"] == 0 and st["pending"] == 0
    lines = [MARK_BEGIN, "## Alert delivery under load", "",
             "- Date: %s. Machine: %d cores (%s), %s GiB. Command: `%s`."
             % (res["date_utc"], res["machine"]["nproc"], res["machine"]["cpu_model"],
                res["machine"]["mem_gib"], res["command"]),
             "- Setup: `tocsin serve` with %s healthy monitors (nginx, every %d s) and an "
             "aiosmtpd SMTP server (tests/targets/notify_sinks.py) on loopback; one email "
             "channel." % (fmt_int(HEALTHY), INTERVAL_S),
             "",
             "| question | measured | target | verdict |",
             "| --- | --- | --- | --- |",
             "| confirming check to email accepted, %d outages, grouping off | p50 %s, p99 %s, "
             "max %s (%d of %d mailed) | p99 < %.0f s | %s |"
             % (VICTIMS, fmt_s(lat["p50_s"], 3), fmt_s(lat["p99_s"], 3), fmt_s(lat["max_s"], 3),
                lat["mailed"], lat["incidents"], TARGET_P99_S, "PASS" if p99_ok else "FAIL"),
             "| %s monitors down at once: notices delivered | %s of %s, %d failed, %d pending "
             "| all | %s |" % (fmt_int(STORM), fmt_int(st["delivered"]), fmt_int(st["incidents"]),
                               st["failed"], st["pending"], "PASS" if none_lost else "FAIL"),
             "| the storm's messages (group_window 30 s) | %d | a handful | %s |"
             % (st["messages"], "PASS" if 0 < st["messages"] <= 10 else "FAIL"),
             "| switch to outbox empty | %s (confirmations from %s to %s after the switch; "
             "empty %s after the last) | | |"
             % (fmt_s(st["outbox_empty_s"], 1), fmt_s(st["first_confirmed_s"], 1),
                fmt_s(st["last_confirmed_s"], 1), fmt_s(st["outbox_empty_after_last_confirm_s"], 1)),
             "| start lag while it happened | p50 %s, p99 %s over %s checks | p99 < 100 ms | %s |"
             % (fmt_s(st["lag_p50_s"], 4), fmt_s(st["lag_p99_s"], 4), fmt_int(st["checks"]),
                "PASS" if lag_ok else "FAIL"),
             ""]
    notes = [
        "Latency is measured from the start of the check that confirmed each outage (the "
        "incident's `confirmed_at`) to the SMTP server's receipt of the message, both on this "
        "machine's clock; it includes the check itself, the evaluator, the outbox transaction "
        "and the SMTP conversation.",
        "In the storm the targets fail at once, but each monitor notices at its next check (its "
        "phase within the 60 s interval) and confirms 5 s later, so confirmations spread over "
        "about a minute; with grouping the channel gets its first message at once and one per "
        "30 s window after it.",
        "Start lag is `tocsin_schedule_lag_seconds` observed between the switch and the end "
        "(bucket resolution).",
    ]
    return finish_section(lines, notes, res, MARK_END)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", help="write the section here (default docs/benchmarks.md)")
    parser.add_argument("--json", default=JSON_DEFAULT)
    parser.add_argument("--small", action="store_true",
                        help="a quick trial: 1%% of the monitors, docs left alone")
    args = parser.parse_args()
    if args.small:
        global HEALTHY, VICTIMS, STORM
        HEALTHY, VICTIMS, STORM = HEALTHY // 100, VICTIMS // 10, STORM // 100
    binary = os.environ.get("TOCSIN_BIN") or TOCSIN_DEFAULT
    if not os.access(binary, os.X_OK):
        raise BenchError("%s is not built: `make build`, or set TOCSIN_BIN" % binary)
    if not os.path.exists("/usr/sbin/nginx"):
        raise BenchError("/usr/sbin/nginx not found; scripts/install-deps installs it")
    loopback_only()
    raise_nofile()
    res = {"benchmark": BENCHMARK, "date_utc": date_utc(), "machine": machine_info(),
           "command": command_line(("TOCSIN_BIN",), "bench-alerts", "bench/alert_delivery.py"),
           "json_path": display_path(args.json), "warnings": []}
    children = Children()
    tmp = tempfile.mkdtemp(prefix="tocsin-alerts-")
    os.chmod(tmp, 0o755)
    try:
        nginx = Nginx(children, tmp)
        nginx.start()
        res["latency"] = latency_run(children, binary, tmp, nginx)
        log("latency: p50 %s p99 %s" % (fmt_s(res["latency"]["p50_s"], 3),
                                        fmt_s(res["latency"]["p99_s"], 3)))
        res["storm"] = storm_run(children, binary, tmp, nginx)
        log("storm: %s" % json.dumps(res["storm"]))
    finally:
        children.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    write_json(args.json, res)
    section = markdown(res)
    print(section)
    if not args.small or args.docs:
        write_docs(args.docs or DOCS_DEFAULT, section, BENCHMARK)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
