#!/usr/bin/env python3
"""Scale of `tocsin serve` on one machine.

Question: can one machine run 100,000 monitors at a 60 s interval (1,667
checks/s sustained with no backlog, start lag p99 < 100 ms, RSS < 2 KiB per
monitor, <= 64 bytes on disk per raw result) and 10,000 monitors at 10 s;
and how long does a p95 over 30 days of one monitor take from the rollups
(< 20 ms)?

The script starts its own nginx (one worker, a 2 KB page, access_log off) on
a loopback port, then `tocsin serve` with a generated config whose monitors
all check that page (a distinct URL each), first with no monitors (the RSS
baseline) and then at each scale. It scrapes /metrics after a warm-up and at
the end of a measured window, reads the server's CPU and RSS from /proc,
stops the server with SIGTERM, measures the database, runs
build/bench/rollup_query, prints a Markdown section, replaces that section
in docs/benchmarks.md and keeps the raw numbers in
build/bench/serve_scale.json. Every process it starts is stopped at exit, on
error and on Ctrl-C; traffic goes to 127.0.0.1 only. Python 3 stdlib only.
See bench/README.md.
"""

import argparse
import collections
import json
import math
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from benchlib import (command_line, finish_section, CLK_TCK, DOCS_DEFAULT, PAGE_BYTES, PORT_ATTEMPTS, REPO_ROOT, BenchError,
                      Children, Nginx, date_utc, deb_version, display_path, fmt_int, free_port,
                      http_get, log, loopback_only, machine_busy_ticks,
                      machine_info, markers, proc_cpu_ticks, processes_matching, raise_nofile,
                      run_main, seconds_env, sh, tail, wait_for, write_docs, write_json)
from promtext import (histogram_buckets, histogram_delta, histogram_quantile, metric_first,
                      metric_sum, parse_metrics, share_at_most)

BENCHMARK = "serve_scale"
MARK_BEGIN, MARK_END = markers(BENCHMARK)

# The two questions' scales: monitors, interval, the variable that sets the
# measured window, and its default.
Scenario = collections.namedtuple("Scenario", "name monitors interval_s seconds_env seconds")
SCENARIOS = (
    Scenario("100k@60s", 100_000, 60, "SCALE_SECONDS", 300),
    Scenario("10k@10s", 10_000, 10, "SCALE_FAST_SECONDS", 120),
)

# Targets.
TARGET_RATE_FRACTION = 0.99       # checks/s >= 99% of monitors / interval (window edges)
TARGET_LAG_P99_S = 0.100          # start lag p99 below this
TARGET_LAG_QUANTILE = 0.99
TARGET_RSS_PER_MONITOR = 2048     # bytes of RSS above the no-monitor baseline, per monitor
TARGET_BYTES_PER_RESULT = 64      # bytes of the results table per raw result
TARGET_QUERY_MS = 20.0            # a 30-day summary of one monitor from rollups
BACKLOG_SECONDS = 1.0             # queue or in flight above this many seconds of checks: backlog

# Limits and defaults; each one named.
WARMUP_EXTRA_S = 30               # warm-up = one interval + this: every monitor has run
BASELINE_SETTLE_S = 5             # the no-monitor server runs this long before its RSS is read
SAMPLE_EVERY_S = 10               # gauges and RSS sampled this often during a run
SERVER_START_BASE_S = 60.0        # /healthz must answer within this...
SERVER_START_PER_MONITOR_S = 0.001  # ...plus this per monitor (config load, registration)
SERVER_STOP_TIMEOUT_S = 60.0      # SIGTERM, then SIGKILL after this
SCRAPE_TIMEOUT_S = 30.0
ROLLUP_TIMEOUT_S = 600.0
SQLITE_TIMEOUT_S = 300.0
MAX_FAILED_FRACTION = 0.001       # above this share of failed checks, a run is flagged
COUNT_TOLERANCE = 0.01            # checks completed vs requests nginx served
FOREIGN_LOAD_WARN = 0.10          # other processes' CPU, in cores
PER_HOST_CONCURRENCY = 10_000     # every monitor checks the one nginx
MONITOR_NAME_DIGITS = 6
ROLLUP_DAYS = 30
ROLLUP_INTERVAL_S = 60
ROLLUP_MONITORS = 1
LAG_HISTOGRAM = "tocsin_schedule_lag_seconds"
WRITE_HISTOGRAM = "tocsin_store_write_seconds"
LOG_PROBLEM_RE = re.compile(r"\[(warning|error|critical)\]|\b(WARN|ERROR|FATAL)\b")

TOCSIN_DEFAULT = os.path.join(REPO_ROOT, "build", "tocsin")
ROLLUP_QUERY_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "rollup_query")
JSON_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "serve_scale.json")
JSON_CUSTOM_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "serve_scale-custom.json")


# ------------------------------------------------------------------ server

def proc_status(pid):
    """Memory figures of a live process from /proc/PID/status, in bytes
    (Threads as a count)."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(rest.split()[0]) * 1024
            elif key == "Threads":
                out[key] = int(rest.split()[0])
    return out


def monitor_config(listen, data_dir, page_url, monitors, interval_s):
    """The YAML of a server whose `monitors` all check page_url, each with
    its own query string so that every URL is distinct."""
    digits = max(MONITOR_NAME_DIGITS, len(str(monitors)))
    parts = ["# Written by bench/serve_scale.py: %d monitors of one nginx page every %d s.\n"
             % (monitors, interval_s),
             "server:\n",
             "  listen: %s\n" % listen,
             "  data_dir: %s\n" % data_dir,
             "  allow_private: true\n",
             "  per_host_concurrency: %d\n" % PER_HOST_CONCURRENCY]
    if monitors == 0:
        parts.append("monitors: []\n")
    else:
        parts.append("monitors:\n")
        entry = "  - name: m%%0%dd\n    url: %s?m=%%d\n    interval: %ds\n" % (
            digits, page_url, interval_s)
        parts.extend(entry % (i, i) for i in range(1, monitors + 1))
    return "".join(parts)


def serve_supported(binary):
    """Whether `tocsin serve` exists: its own help names --config (CLI11
    answers `tocsin serve --help` with the top-level help, status 0, when
    there is no such subcommand)."""
    try:
        r = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True,
                           timeout=SCRAPE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0 and "--config" in r.stdout + r.stderr


class Server:
    """One `tocsin serve` with its own config and data directory."""

    def __init__(self, children, binary, workdir):
        self.children = children
        self.binary = binary
        self.dir = workdir
        self.data_dir = os.path.join(workdir, "data")
        self.config_path = os.path.join(workdir, "tocsin.yaml")
        self.log_path = os.path.join(workdir, "stderr.log")
        self.proc = None
        self.port = None

    def start(self, page_url, monitors, interval_s):
        """Writes the config, starts the server and waits for /healthz;
        returns the seconds from exec to the first healthy answer."""
        os.makedirs(self.dir, exist_ok=True)
        timeout = SERVER_START_BASE_S + SERVER_START_PER_MONITOR_S * monitors
        for attempt in range(PORT_ATTEMPTS):
            self.port = free_port()
            with open(self.config_path, "w") as f:
                f.write(monitor_config("127.0.0.1:%d" % self.port, self.data_dir, page_url,
                                       monitors, interval_s))
            err = open(self.log_path, "ab")
            t0 = time.monotonic()
            self.proc = self.children.start([self.binary, "serve", "--config", self.config_path],
                                            stdout=err, stderr=err)
            err.close()
            try:
                wait_for(lambda: http_get(self.url("/healthz"))[0] == 200,
                         "tocsin serve on 127.0.0.1:%d with %s monitors"
                         % (self.port, fmt_int(monitors)), timeout_s=timeout, proc=self.proc)
                return time.monotonic() - t0
            except BenchError as e:
                exited = self.proc.poll() is not None
                self.children.stop(self.proc)
                # Only a lost race for the port is worth another try.
                if not exited or attempt == PORT_ATTEMPTS - 1:
                    raise BenchError("%s; its log ends:\n%s" % (e, tail(self.log_path)))
        raise AssertionError("unreachable")

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ensure_alive(self, during):
        if not self.alive():
            raise BenchError("tocsin serve exited (status %s) during %s; its log ends:\n%s"
                             % (self.proc.returncode, during, tail(self.log_path)))

    def scrape(self):
        status, body = http_get(self.url("/metrics"), timeout=SCRAPE_TIMEOUT_S)
        if status != 200:
            raise BenchError("GET /metrics answered %d" % status)
        return parse_metrics(body.decode("utf-8", errors="replace"))

    def stop(self):
        """SIGTERM, then waits for a graceful exit (SIGKILL after
        SERVER_STOP_TIMEOUT_S). Returns seconds taken, exit status and
        whether it stopped by itself."""
        if self.proc is None:
            return None
        t0 = time.monotonic()
        graceful = True
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            graceful = False
        self.children.stop(self.proc)
        return {"stop_s": round(time.monotonic() - t0, 3), "exit_status": self.proc.returncode,
                "graceful": graceful and self.proc.returncode == 0}

    def log_problems(self):
        """Warning and error lines of the server's log (count, first few)."""
        try:
            with open(self.log_path, errors="replace") as f:
                lines = [x.rstrip("\n") for x in f if LOG_PROBLEM_RE.search(x)]
        except OSError:
            return {"count": 0, "first": []}
        return {"count": len(lines), "first": [x[:300] for x in lines[:5]]}


# ------------------------------------------------------------- measurement

def gauges(metrics):
    """The backlog gauges and counters of one scrape; None where the server
    does not expose them. Skips accept both the labelled counter and one
    gauge per reason."""
    def one(name, **labels):
        return metric_sum(metrics, name, **labels)
    overlap, overlap_name = metric_first(metrics, [
        ("tocsin_checks_skipped_total", {"reason": "overlap"}),
        ("tocsin_checks_skipped_overlap", {})])
    missed, missed_name = metric_first(metrics, [
        ("tocsin_checks_skipped_total", {"reason": "missed"}),
        ("tocsin_checks_skipped_missed", {})])
    return {
        "checks": one("tocsin_checks_total"),
        "checks_ok": one("tocsin_checks_total", outcome="ok"),
        "in_flight": one("tocsin_checks_in_flight"),
        "engine_queue": one("tocsin_engine_queue_depth"),
        "monitors": one("tocsin_monitors"),
        "recorder_queue": one("tocsin_recorder_queue_depth"),
        "dropped": one("tocsin_results_dropped"),
        "committed": one("tocsin_results_committed"),
        "started": one("tocsin_checks_started"),
        "deferred_host": one("tocsin_checks_deferred_host"),
        "store_failing": one("tocsin_store_failing"),
        "skipped_overlap": overlap,
        "skipped_missed": missed,
        "_names": {"skipped_overlap": overlap_name, "skipped_missed": missed_name},
    }


def outcome_deltas(m0, m1):
    """Checks completed between two scrapes, by outcome."""
    out = {}
    for (n, labels), v in m1.items():
        if n == "tocsin_checks_total":
            outcome = dict(labels).get("outcome", "")
            d = v - m0.get((n, labels), 0.0)
            if d:
                out[outcome] = int(d)
    return out


def snapshot(server, nginx):
    """Everything read at one end of the measured window, in a fixed order."""
    s = {"t": time.monotonic(),
         "server_ticks": proc_cpu_ticks(server.proc.pid),
         "nginx_ticks": nginx.cpu_ticks(),
         "machine_ticks": machine_busy_ticks()}
    s["metrics"] = server.scrape()
    s["nginx"] = nginx.status()
    s["own_status_requests"] = nginx.status_requests
    s["mem"] = proc_status(server.proc.pid)
    return s


def sample(server, t_start, phase):
    """One point of the time series kept in the raw JSON."""
    g = gauges(server.scrape())
    mem = proc_status(server.proc.pid)
    return {"phase": phase, "t_s": round(time.monotonic() - t_start, 1),
            "rss": mem.get("VmRSS"), "checks": g["checks"], "in_flight": g["in_flight"],
            "recorder_queue": g["recorder_queue"], "engine_queue": g["engine_queue"],
            "committed": g["committed"], "dropped": g["dropped"],
            "skipped_missed": g["skipped_missed"]}


def run_for(server, seconds, t_start, phase, samples):
    """Lets the server run `seconds`, sampling every SAMPLE_EVERY_S and
    failing fast if it exits. Bounded by its deadline."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(SAMPLE_EVERY_S, left))
        server.ensure_alive(phase)
        if deadline - time.monotonic() > 1.0:
            samples.append(sample(server, t_start, phase))


def sqlite_rows(db, sql):
    """Rows of a read-only query, through the sqlite3 CLI when installed (its
    dbstat table), else Python's sqlite3 module (Debian's library has it too)."""
    if shutil.which("sqlite3"):
        r = subprocess.run(["sqlite3", "-readonly", "-batch", "-noheader", "-separator", "|",
                            db, sql], capture_output=True, text=True, timeout=SQLITE_TIMEOUT_S)
        if r.returncode != 0:
            raise BenchError("sqlite3 %s %r failed: %s" % (db, sql, r.stderr.strip()))
        return [tuple(line.split("|")) for line in r.stdout.splitlines() if line]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=SQLITE_TIMEOUT_S)
    try:
        return [tuple(str(x) for x in row) for row in con.execute(sql).fetchall()]
    except sqlite3.Error as e:
        raise BenchError("sqlite3 %s %r failed: %s" % (db, sql, e)) from None
    finally:
        con.close()


def measure_db(db):
    """Rows of the results table, the bytes of each table's pages (dbstat),
    and the database's files."""
    if not os.path.exists(db):
        raise BenchError("no database at %s" % db)
    # The files as the server left them: a read-only sqlite3 creates an
    # empty -wal and an -shm of its own.
    files = {}
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            files[os.path.basename(db + suffix)] = os.path.getsize(db + suffix)
    rows = int(sqlite_rows(db, "SELECT count(*) FROM results")[0][0])
    tables = {name: int(size) for name, size in sqlite_rows(
        db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name")}
    file_bytes = sum(v for k, v in files.items() if not k.endswith("-shm"))
    return {
        "results_rows": rows, "table_bytes": tables, "files": files, "file_bytes": file_bytes,
        "bytes_per_result": tables.get("results", 0) / rows if rows else None,
        "rollup_bytes_per_result": tables.get("rollups", 0) / rows if rows else None,
        "file_bytes_per_result": file_bytes / rows if rows else None,
        "via": "sqlite3 CLI" if shutil.which("sqlite3") else "Python sqlite3 module",
    }


def baseline_rss(children, binary, tmp, page_url):
    """RSS of the same server with no monitors, after BASELINE_SETTLE_S."""
    server = Server(children, binary, os.path.join(tmp, "baseline"))
    log("baseline: tocsin serve with no monitors, %d s" % BASELINE_SETTLE_S)
    try:
        startup = server.start(page_url, 0, 60)
        time.sleep(BASELINE_SETTLE_S)
        server.ensure_alive("the baseline")
        g = gauges(server.scrape())
        mem = proc_status(server.proc.pid)
    finally:
        stopped = server.stop()
    return {"startup_s": round(startup, 3), "mem": mem, "monitors_gauge": g["monitors"],
            "stop": stopped, "log_problems": server.log_problems()}


def measure_scenario(children, binary, tmp, nginx, sc, seconds, warmup, baseline):
    """One scale: start, warm up, measure a window, stop, measure the disk."""
    n, interval = sc.monitors, sc.interval_s
    server = Server(children, binary, os.path.join(tmp, re.sub(r"[^a-z0-9]+", "_", sc.name)))
    log("%s: starting tocsin serve with %s monitors every %d s" % (sc.name, fmt_int(n), interval))
    samples = []
    res = {"scenario": sc.name, "monitors": n, "interval_s": interval, "seconds": seconds,
           "warmup_s": warmup, "target_rate": n / interval}
    try:
        res["startup_s"] = round(server.start(nginx.page_url(), n, interval), 3)
        t_start = time.monotonic()
        log("%s: healthy after %.1f s; warm-up %d s" % (sc.name, res["startup_s"], warmup))
        run_for(server, warmup, t_start, "warm-up", samples)
        s0 = snapshot(server, nginx)
        log("%s: measuring %d s" % (sc.name, seconds))
        run_for(server, seconds, t_start, "measured", samples)
        server.ensure_alive("the measured window")
        s1 = snapshot(server, nginx)
    finally:
        log("%s: SIGTERM" % sc.name)
        res["stop"] = server.stop()
        res["log_problems"] = server.log_problems()
        res["samples"] = samples
    res.update(window_figures(s0, s1, n, interval, baseline))
    db = os.path.join(server.data_dir, "tocsin.db")
    log("%s: measuring %s" % (sc.name, db))
    res["db"] = measure_db(db)
    res["verdicts"] = scenario_verdicts(res)
    return res


def window_figures(s0, s1, n, interval, baseline):
    wall = s1["t"] - s0["t"]
    g0, g1 = gauges(s0["metrics"]), gauges(s1["metrics"])

    def delta(key):
        return None if g0[key] is None or g1[key] is None else g1[key] - g0[key]

    checks = delta("checks")
    lag = histogram_delta(s0["metrics"], s1["metrics"], LAG_HISTOGRAM)
    write = histogram_delta(s0["metrics"], s1["metrics"], WRITE_HISTOGRAM)
    server_us = (s1["server_ticks"] - s0["server_ticks"]) * 1e6 / CLK_TCK
    nginx_us = (s1["nginx_ticks"] - s0["nginx_ticks"]) * 1e6 / CLK_TCK
    machine_us = (s1["machine_ticks"] - s0["machine_ticks"]) * 1e6 / CLK_TCK
    own = s1["own_status_requests"] - s0["own_status_requests"]
    nginx_requests = s1["nginx"]["requests"] - s0["nginx"]["requests"] - own
    nginx_accepts = s1["nginx"]["accepts"] - s0["nginx"]["accepts"] - own
    rss = s1["mem"].get("VmRSS")
    base = baseline["mem"].get("VmRSS") if baseline else None
    return {
        "window_s": round(wall, 3),
        "checks": checks,
        "outcomes": outcome_deltas(s0["metrics"], s1["metrics"]),
        "checks_ok": delta("checks_ok"),
        "checks_per_s": checks / wall if checks is not None and wall > 0 else None,
        "ok_share": (delta("checks_ok") / checks) if checks else None,
        "checks_before_window": g0["checks"],
        "lag_buckets": [[le if not math.isinf(le) else "+Inf", c] for le, c in lag],
        "lag_count": lag[-1][1] if lag else 0,
        "lag_p50": histogram_quantile(lag, 0.50),
        "lag_p99": histogram_quantile(lag, TARGET_LAG_QUANTILE),
        "lag_share_within_target": share_at_most(lag, TARGET_LAG_P99_S),
        "store_write_p99": histogram_quantile(write, 0.99),
        "gauges_t0": {k: v for k, v in g0.items() if not k.startswith("_")},
        "gauges_t1": {k: v for k, v in g1.items() if not k.startswith("_")},
        "metric_names": g1["_names"],
        "skipped_overlap": delta("skipped_overlap"),
        "skipped_missed": delta("skipped_missed"),
        "dropped": delta("dropped"),
        "committed": delta("committed"),
        "deferred_host": delta("deferred_host"),
        "mem_t1": s1["mem"],
        "rss_baseline": base,
        "rss_per_monitor": (rss - base) / n if rss is not None and base is not None else None,
        "anon_per_monitor": (s1["mem"]["RssAnon"] - baseline["mem"]["RssAnon"]) / n
        if baseline and "RssAnon" in s1["mem"] and "RssAnon" in baseline["mem"] else None,
        "server_cpu_us": int(server_us),
        "server_cores": server_us / (wall * 1e6) if wall > 0 else None,
        "cpu_us_per_check": server_us / checks if checks else None,
        "nginx_cpu_us": int(nginx_us),
        "nginx_cores": nginx_us / (wall * 1e6) if wall > 0 else None,
        "nginx_requests": nginx_requests,
        "nginx_accepts": nginx_accepts,
        "nginx_requests_per_connection": nginx_requests / nginx_accepts if nginx_accepts else None,
        "machine_busy_cores": machine_us / (wall * 1e6) if wall > 0 else None,
        "other_processes_cores": max(0.0, machine_us - server_us - nginx_us) / (wall * 1e6)
        if wall > 0 else None,
        "max_in_flight": None, "max_recorder_queue": None,  # filled from samples below
    }


def scenario_verdicts(r):
    """Each target of one scale: name, measured value, target, PASS (True),
    FALL SHORT (False) or not measured (None)."""
    rate = r["target_rate"]
    v = []
    got = r["checks_per_s"]
    v.append({"name": "checks_per_s", "value": got, "target": rate * TARGET_RATE_FRACTION,
              "pass": None if got is None else got >= rate * TARGET_RATE_FRACTION})
    backlog_limit = rate * BACKLOG_SECONDS
    parts = [r["gauges_t1"]["recorder_queue"], r["gauges_t1"]["in_flight"],
             r["skipped_missed"], r["skipped_overlap"], r["dropped"]]
    if any(p is None for p in parts):
        ok = None
    else:
        ok = (parts[0] <= backlog_limit and parts[1] <= backlog_limit and parts[2] == 0
              and parts[3] == 0 and parts[4] == 0)
    v.append({"name": "backlog", "value": parts, "target": backlog_limit, "pass": ok})
    share = r["lag_share_within_target"]
    v.append({"name": "lag_p99", "value": r["lag_p99"]["value"], "target": TARGET_LAG_P99_S,
              "share_within": share,
              "pass": None if share is None else share >= TARGET_LAG_QUANTILE})
    per = r["rss_per_monitor"]
    v.append({"name": "rss_per_monitor", "value": per, "target": TARGET_RSS_PER_MONITOR,
              "pass": None if per is None else per <= TARGET_RSS_PER_MONITOR})
    b = r["db"]["bytes_per_result"]
    v.append({"name": "bytes_per_result", "value": b, "target": TARGET_BYTES_PER_RESULT,
              "pass": None if b is None else b <= TARGET_BYTES_PER_RESULT})
    return v


def fill_sample_maxima(res):
    measured = [s for s in res.get("samples", []) if s["phase"] == "measured"]
    for key, field in (("max_in_flight", "in_flight"), ("max_recorder_queue", "recorder_queue"),
                       ("max_engine_queue", "engine_queue")):
        vals = [s[field] for s in measured if s.get(field) is not None]
        res[key] = max(vals) if vals else None


def run_rollup_query(children, binary, tmp):
    d = os.path.join(tmp, "rollup")
    argv = [binary, "--dir", d, "--days", str(ROLLUP_DAYS), "--interval", str(ROLLUP_INTERVAL_S),
            "--monitors", str(ROLLUP_MONITORS)]
    log("rollup_query: %d days of %d monitor(s) every %d s" % (
        ROLLUP_DAYS, ROLLUP_MONITORS, ROLLUP_INTERVAL_S))
    out_path, err_path = os.path.join(tmp, "rollup.out"), os.path.join(tmp, "rollup.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = children.start(argv, stdout=out, stderr=err)
        children.wait(p, ROLLUP_TIMEOUT_S)
    with open(out_path, errors="replace") as f:
        lines = [x for x in f.read().splitlines() if x.strip()]
    try:
        rep = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise BenchError("rollup_query failed (status %s); stderr:\n%s"
                         % (p.returncode, tail(err_path))) from None
    rep["exit_status"] = p.returncode
    rep["argv"] = " ".join(shlex.quote(os.path.relpath(a, REPO_ROOT) if a == binary else a)
                           for a in argv).replace(tmp, "TMP")
    rep["db"] = measure_db(os.path.join(d, "tocsin.db"))
    q = rep["query_ms_p50"], rep["cold_ms"], rep["odd_query_ms_p50"]
    rep["verdicts"] = [
        {"name": "query_ms_p50", "value": q[0], "target": TARGET_QUERY_MS,
         "pass": q[0] < TARGET_QUERY_MS},
        {"name": "cold_ms", "value": q[1], "target": TARGET_QUERY_MS,
         "pass": q[1] < TARGET_QUERY_MS},
        {"name": "odd_query_ms_p50", "value": q[2], "target": TARGET_QUERY_MS,
         "pass": q[2] < TARGET_QUERY_MS},
    ]
    return rep


# ------------------------------------------------------------------ report

def verdict_text(ok):
    return "not measured" if ok is None else ("PASS" if ok else "FALL SHORT")


def fmt_ms(seconds):
    return "n/a" if seconds is None else (
        "%.1f ms" % (seconds * 1e3) if seconds < 1 else "%.2f s" % seconds)


def fmt_bytes(b):
    if b is None:
        return "n/a"
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= div:
            return "%.1f %s" % (b / div, unit)
    return "%d B" % b


def fmt_num(x, digits=1):
    return "n/a" if x is None else ("%.*f" % (digits, x))


def lag_text(q):
    if q["value"] is None:
        return "n/a"
    if math.isinf(q["hi"]):
        return "> %s" % fmt_ms(q["lo"])
    return "%s (in the %s–%s bucket)" % (fmt_ms(q["value"]), fmt_ms(q["lo"]), fmt_ms(q["hi"]))


def scenario_title(r):
    return "%s monitors every %d s" % (fmt_int(r["monitors"]), r["interval_s"])


def scenario_markdown(r):
    L = ["### %s" % scenario_title(r), ""]
    if r.get("error"):
        L += ["Not measured: %s" % r["error"].splitlines()[0], ""]
        return L
    by = {v["name"]: v for v in r["verdicts"]}
    t1 = r["gauges_t1"]
    L.append("| figure | measured | target | verdict |")
    L.append("|---|---:|---:|---|")
    L.append("| checks completed per second | %s | ≥ %s (%d%% of %s monitors / %d s) | %s |" % (
        fmt_num(r["checks_per_s"]), fmt_num(by["checks_per_s"]["target"]),
        round(TARGET_RATE_FRACTION * 100), fmt_int(r["monitors"]), r["interval_s"],
        verdict_text(by["checks_per_s"]["pass"])))
    L.append("| backlog at the end: results queued, checks in flight; runs missed, skipped "
             "for overlap, results dropped in the window | %s, %s; %s, %s, %s "
             "| ≤ %s, ≤ %s; 0, 0, 0 | %s |" % tuple(
                 ["n/a" if x is None else fmt_int(x) for x in (
                     t1["recorder_queue"], t1["in_flight"], r["skipped_missed"],
                     r["skipped_overlap"], r["dropped"])]
                 + [fmt_int(by["backlog"]["target"])] * 2 + [verdict_text(by["backlog"]["pass"])]))
    share = r["lag_share_within_target"]
    L.append("| start lag p99 | %s; %s of starts within %s | < %s | %s |" % (
        lag_text(r["lag_p99"]), "n/a" if share is None else "%.2f%%" % (100 * share),
        fmt_ms(TARGET_LAG_P99_S), fmt_ms(TARGET_LAG_P99_S), verdict_text(by["lag_p99"]["pass"])))
    L.append("| RSS per monitor (RSS at the end − no-monitor baseline) / monitors | %s "
             "(%s − %s) | ≤ %s | %s |" % (
                 "n/a" if r["rss_per_monitor"] is None else "%d B" % round(r["rss_per_monitor"]),
                 fmt_bytes(r["mem_t1"].get("VmRSS")), fmt_bytes(r["rss_baseline"]),
                 fmt_bytes(TARGET_RSS_PER_MONITOR), verdict_text(by["rss_per_monitor"]["pass"])))
    db = r["db"]
    L.append("| disk per raw result: results table pages / rows | %s B (%s / %s rows) "
             "| ≤ %d B | %s |" % (
                 fmt_num(db["bytes_per_result"]), fmt_bytes(db["table_bytes"].get("results")),
                 fmt_int(db["results_rows"]), TARGET_BYTES_PER_RESULT,
                 verdict_text(by["bytes_per_result"]["pass"])))
    L.append("")
    failed = (r["checks"] or 0) - (r["checks_ok"] or 0)
    rows = [
        ("start to the first /healthz answer", "%.1f s" % r["startup_s"]),
        ("checks completed in the window; ok", "%s in %.0f s; %s ok (%s failed)" % (
            fmt_int(r["checks"] or 0), r["window_s"],
            "n/a" if r["ok_share"] is None else "%.2f%%" % (100 * r["ok_share"]),
            fmt_int(failed))),
        ("start lag p50", lag_text(r["lag_p50"])),
        ("anonymous memory (RssAnon) per monitor, above the baseline",
         "n/a" if r["anon_per_monitor"] is None else "%d B" % round(r["anon_per_monitor"])),
        ("server CPU per check; cores", "%s µs; %.2f" % (
            fmt_num(r["cpu_us_per_check"]), r["server_cores"] or 0)),
        ("nginx CPU, cores; requests per connection", "%.2f; %.2f" % (
            r["nginx_cores"] or 0, r["nginx_requests_per_connection"] or 0)),
        ("largest results queued, checks in flight (sampled every %d s)" % SAMPLE_EVERY_S,
         "%s, %s" % ("n/a" if r["max_recorder_queue"] is None else fmt_int(r["max_recorder_queue"]),
                     "n/a" if r["max_in_flight"] is None else fmt_int(r["max_in_flight"]))),
        ("batch commit p99 (`%s`)" % WRITE_HISTOGRAM, lag_text(r["store_write_p99"])),
        ("database files; per raw result; of which rollups", "%s; %s B; %s B" % (
            fmt_bytes(db["file_bytes"]), fmt_num(db["file_bytes_per_result"]),
            fmt_num(db["rollup_bytes_per_result"]))),
        ("stop after SIGTERM", "%.1f s, status %s" % (r["stop"]["stop_s"],
                                                      r["stop"]["exit_status"])),
    ]
    L.append("| also measured (no target) | |")
    L.append("|---|---:|")
    for name, value in rows:
        L.append("| %s | %s |" % (name, value))
    L.append("")
    return L


def rollup_markdown(q):
    L = ["### A 30-day summary of one monitor from rollups", ""]
    if q.get("error"):
        return L + ["Not measured: %s" % q["error"].splitlines()[0], ""]
    if q.get("skipped"):
        return L + ["Not measured (%s)." % q["skipped"], ""]
    by = {v["name"]: v for v in q["verdicts"]}
    L.append("`%s` wrote %s results (%d days, one every %d s, %.1f%% failures, latency lognormal "
             "around 80 ms) through `Store::WriteBatch` in batches of %s in %.1f s, reopened the "
             "store, then timed `Store::Summarize` %d times after a first, cold call." % (
                 q["argv"], fmt_int(q["rows"]), q["days"], q["interval_s"],
                 100 * q["expected_failures"] / max(1, q["expected_count"]),
                 fmt_int(q["batch_size"]), q["write_seconds"], q["repeat"]))
    L.append("")
    L.append("| figure | measured | target | verdict |")
    L.append("|---|---:|---:|---|")
    L.append("| p50 of the last %d days (%s rollup rows merged) | %.3f ms (max %.3f ms) "
             "| < %g ms | %s |" % (q["query_days"], fmt_int(q["rollup_rows_read"]),
                                   q["query_ms_p50"], q["query_ms_max"], TARGET_QUERY_MS,
                                   verdict_text(by["query_ms_p50"]["pass"])))
    L.append("| the same, first call on a fresh store | %.3f ms | < %g ms | %s |" % (
        q["cold_ms"], TARGET_QUERY_MS, verdict_text(by["cold_ms"]["pass"])))
    L.append("| p50 of an odd range (+%d min %d s to −%d min; %s day, hour and minute rows) "
             "| %.3f ms (max %.3f ms) | < %g ms | %s |" % (
                 q["odd_from_offset_s"] // 60, q["odd_from_offset_s"] % 60,
                 q["odd_to_offset_s"] // 60, fmt_int(q["odd_rollup_rows_read"]),
                 q["odd_query_ms_p50"], q["odd_query_ms_max"], TARGET_QUERY_MS,
                 verdict_text(by["odd_query_ms_p50"]["pass"])))
    L.append("")
    L.append("The sketch against the exact percentiles of the generated values: p95 %s µs vs "
             "%s µs exact (odd range %s vs %s), p50 %s vs %s, p99 %s vs %s; counts %s of %s "
             "and %s of %s; %s. The 30 days of one monitor take %s B per raw result in the "
             "results table (rows written in time order, so pages are full) and %s B in "
             "rollups." % (
                 fmt_int(q["p95_us"]), fmt_int(q["exact_p95_us"]), fmt_int(q["odd_p95_us"]),
                 fmt_int(q["odd_exact_p95_us"]), fmt_int(q["p50_us"]),
                 fmt_int(q["exact_p50_us"]), fmt_int(q["p99_us"]), fmt_int(q["exact_p99_us"]),
                 fmt_int(q["count"]), fmt_int(q["expected_count"]), fmt_int(q["odd_count"]),
                 fmt_int(q["odd_expected_count"]),
                 "every figure within the sketch's 1% accuracy" if q["agrees"]
                 and q["odd_agrees"] else "**a figure is outside the sketch's accuracy**",
                 fmt_num(q["db"]["bytes_per_result"]),
                 fmt_num(q["db"]["rollup_bytes_per_result"])))
    L.append("")
    return L


def markdown(res):
    m = res["machine"]
    L = [MARK_BEGIN, "## Scale of `tocsin serve`: monitors per machine", ""]
    L.append("Can one machine run 100,000 monitors at a 60 s interval (1,667 checks/s "
             "sustained, no backlog, start lag p99 < 100 ms, RSS < 2 KiB per monitor, "
             "≤ 64 bytes on disk per raw result) and 10,000 monitors at 10 s, and how long does "
             "a p95 over 30 days of one monitor take from the rollups (< 20 ms)? Every monitor "
             "checks the same local nginx page (%s bytes, a distinct URL each)." % fmt_int(PAGE_BYTES))
    L.append("")
    L.append("- Date: %s" % res["date_utc"])
    L.append("- Machine: %d CPUs, %s; Linux %s; %.1f GiB RAM; open files limit %s" % (
        m["nproc"], m["cpu_model"], m["kernel"], m["mem_gib"], fmt_int(m["nofile_limit"])))
    L.append("- Command: `%s`" % res["command"])
    L.append("- Versions: Tocsin tree %s; %s; SQLite figures via the %s" % (
        res["versions"]["tocsin_tree"], res["versions"]["nginx"], res["sqlite_via"]))
    L.append("- Setup: nginx with one worker, `access_log off`, on 127.0.0.1; `tocsin serve` "
             "with `allow_private: true`, `per_host_concurrency: %s`, defaults otherwise; each "
             "scale runs a warm-up of one interval + %d s (not counted) before its measured "
             "window" % (fmt_int(PER_HOST_CONCURRENCY), WARMUP_EXTRA_S))
    L.append("")
    for r in res["scenarios"]:
        L += scenario_markdown(r)
    L += rollup_markdown(res["rollup_query"])
    L.append("How it is measured:")
    L.append("")
    notes = [
        "Checks per second: the increase of `tocsin_checks_total` (all outcomes) between "
        "/metrics scrapes at the start and end of the window, over the window's seconds. The "
        "target allows %d%% for the window's edges." % round(100 * (1 - TARGET_RATE_FRACTION)),
        "Start lag: from the increase of the `%s` histogram's buckets over the window; the "
        "p99 is interpolated within its bucket (bucket resolution, as Prometheus's "
        "histogram_quantile), and the verdict is exact: the share of starts in buckets up to "
        "%s." % (LAG_HISTOGRAM, fmt_ms(TARGET_LAG_P99_S)),
        "Backlog: `tocsin_recorder_queue_depth` and `tocsin_checks_in_flight` at the end of "
        "the window, each at most %g s of checks (monitors / interval × %g), and no run missed "
        "or skipped for overlap and no result dropped during it." % (
            BACKLOG_SECONDS, BACKLOG_SECONDS),
        "RSS: VmRSS from /proc/PID/status at the end of the window minus the VmRSS of the "
        "same server with no monitors, %d s after it answered /healthz (%s, this run), over "
        "the monitors. It includes SQLite's page cache as it fills." % (
            BASELINE_SETTLE_S, fmt_bytes(res["baseline"]["mem"].get("VmRSS"))
            if res.get("baseline") else "n/a"),
        "Disk: after SIGTERM, the pages of the `results` table (SQLite's dbstat) over its "
        "rows. The database is young (a few results per monitor, written interleaved across "
        "monitors), so its pages may be fuller or emptier than a month-old one's; the rollup "
        "section shows the same table holding 30 days of one monitor. Loopback timings are "
        "small numbers, which SQLite stores in fewer bytes than the tens of milliseconds of "
        "real checks; rollup_query's history uses realistic ones.",
        "CPU: utime + stime of the server process (all threads) from /proc/PID/stat over the "
        "window, divided by the checks completed in it; nginx's CPU is apart and not counted.",
    ]
    return finish_section(L, notes, res, MARK_END)


def warnings_for(res):
    w = []
    for r in res["scenarios"]:
        label = scenario_title(r)
        if r.get("error"):
            w.append("%s: %s" % (label, r["error"].splitlines()[0]))
            continue
        total = r["checks"] or 0
        failed = total - (r["checks_ok"] or 0)
        if total and failed / total > MAX_FAILED_FRACTION:
            w.append("%s: %s of %s checks failed (%s)." % (
                label, fmt_int(failed), fmt_int(total), ", ".join(
                    "%s %s" % (k, fmt_int(v)) for k, v in sorted(r["outcomes"].items())
                    if k != "ok")))
        mon = r["gauges_t1"]["monitors"]
        if mon is not None and mon != r["monitors"]:
            w.append("%s: the server reported %s monitors (`tocsin_monitors`)." % (
                label, fmt_int(mon)))
        before = r["checks_before_window"]
        if before is not None and before < r["monitors"]:
            w.append("%s: only %s checks had completed when the window started; not every "
                     "monitor had run." % (label, fmt_int(before)))
        if total and abs(r["nginx_requests"] - total) > COUNT_TOLERANCE * total:
            w.append("%s: %s checks completed but nginx served %s requests in the window." % (
                label, fmt_int(total), fmt_int(r["nginx_requests"])))
        if r["committed"] is not None and total and \
                r["committed"] < total * (1 - COUNT_TOLERANCE):
            w.append("%s: %s results committed for %s checks completed in the window." % (
                label, fmt_int(r["committed"]), fmt_int(total)))
        if r["seconds"] % r["interval_s"]:
            w.append("%s: the window (%d s) is not a whole number of intervals, so monitors "
                     "are not all counted the same number of times; checks/s is approximate."
                     % (label, r["seconds"]))
        if r["other_processes_cores"] and r["other_processes_cores"] > FOREIGN_LOAD_WARN:
            w.append("%s: other processes on the machine used %.2f cores during the window; "
                     "figures may be pessimistic." % (label, r["other_processes_cores"]))
        missing = [k for k, v in r["gauges_t1"].items() if v is None and k in (
            "checks", "in_flight", "recorder_queue", "dropped", "committed", "monitors",
            "skipped_overlap", "skipped_missed")]
        if missing or not r["lag_buckets"]:
            w.append("%s: the server does not expose %s." % (label, ", ".join(
                missing + ([LAG_HISTOGRAM] if not r["lag_buckets"] else []))))
        if not r["stop"]["graceful"]:
            w.append("%s: the server did not stop cleanly after SIGTERM (status %s after "
                     "%.1f s)." % (label, r["stop"]["exit_status"], r["stop"]["stop_s"]))
        if r["log_problems"]["count"]:
            w.append("%s: the server logged %d warning or error line(s); the first: `%s`" % (
                label, r["log_problems"]["count"],
                r["log_problems"]["first"][0].replace("`", "'")))
    q = res["rollup_query"]
    if not q.get("error") and not q.get("skipped") and not (q["agrees"] and q["odd_agrees"]):
        w.append("rollup_query: a summary disagrees with the generated data; see the JSON.")
    return w


# -------------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=[s.name for s in SCENARIOS], action="append",
                    help="run only this standard scale (repeatable); the section says the "
                         "other was not run")
    ap.add_argument("--monitors", type=int, help="a custom scale instead of the standard "
                    "ones (with --interval); leaves the docs alone unless --docs is given")
    ap.add_argument("--interval", type=int, help="seconds between checks of the custom scale")
    ap.add_argument("--seconds", type=int, help="measured window of the custom scale "
                    "(default 60)")
    ap.add_argument("--warmup", type=int, help="warm-up seconds (default: interval + %d)"
                    % WARMUP_EXTRA_S)
    ap.add_argument("--skip-rollup", action="store_true", help="do not run rollup_query")
    ap.add_argument("--docs", help="Markdown file whose section to replace (default %s)"
                    % os.path.relpath(DOCS_DEFAULT, REPO_ROOT))
    ap.add_argument("--json", help="raw numbers (default %s; %s for a custom scale)" % (
        os.path.relpath(JSON_DEFAULT, REPO_ROOT), os.path.relpath(JSON_CUSTOM_DEFAULT,
                                                                  REPO_ROOT)))
    ap.add_argument("--self-test", action="store_true",
                    help="test the metrics parsing, quantile and report code on canned input, "
                         "then exit")
    args = ap.parse_args()
    if (args.monitors is None) != (args.interval is None):
        ap.error("--monitors and --interval go together")
    if args.monitors is not None and (args.only or not 1 <= args.monitors <= 1_000_000
                                      or not 10 <= args.interval <= 86_400):
        ap.error("a custom scale takes 1..1,000,000 monitors at 10..86,400 s, without --only")
    for name in ("seconds", "warmup"):
        v = getattr(args, name)
        if v is not None and not 0 <= v <= 3600:
            ap.error("--%s: 0..3600" % name)
    return args


def versions():
    rev = sh(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"])
    if not re.fullmatch(r"[0-9a-f]{4,40}", rev):
        rev = "no commit yet"
    elif sh(["git", "-C", REPO_ROOT, "status", "--porcelain", "--untracked-files=no"]):
        rev += " with uncommitted changes"
    dv = deb_version("nginx-light")
    return {"tocsin_tree": rev, "nginx": "nginx-light %s" % dv if dv else sh(
        ["/usr/sbin/nginx", "-v"])}


def main():
    args = parse_args()
    if args.self_test:
        return self_test()
    binary = os.environ.get("TOCSIN_BIN") or TOCSIN_DEFAULT
    rq_binary = os.environ.get("TOCSIN_ROLLUP_QUERY_BIN") or ROLLUP_QUERY_DEFAULT
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        raise BenchError("%s does not exist or is not executable; `make build` builds it, or "
                         "set TOCSIN_BIN" % binary)
    if not serve_supported(binary):
        raise BenchError("%s has no `serve` command (its `serve --help` does not mention "
                         "--config)" % binary)
    if not args.skip_rollup and not (os.path.isfile(rq_binary) and os.access(rq_binary, os.X_OK)):
        raise BenchError("rollup_query not built: %s. `make bench-scale` builds it; or set "
                         "TOCSIN_ROLLUP_QUERY_BIN, or pass --skip-rollup" % rq_binary)
    if not shutil.which("/usr/sbin/nginx"):
        raise BenchError("/usr/sbin/nginx not found; scripts/install-deps installs it")

    custom = args.monitors is not None
    if custom:
        scenarios = [Scenario("custom", args.monitors, args.interval, None,
                              args.seconds if args.seconds is not None else 60)]
    else:
        scenarios = [s._replace(seconds=seconds_env(s.seconds_env, s.seconds))
                     for s in SCENARIOS if not args.only or s.name in args.only]
        if args.seconds is not None:
            scenarios = [s._replace(seconds=args.seconds) for s in scenarios]
    docs = args.docs or (None if custom else DOCS_DEFAULT)
    json_path = args.json or (JSON_CUSTOM_DEFAULT if custom else JSON_DEFAULT)

    loopback_only()
    nofile = raise_nofile()
    others = processes_matching(lambda a: re.match(r"(\S*/)?nginx\b", a)
                                or re.search(r"(^|/)tocsin$", a))
    res = {"benchmark": BENCHMARK, "date_utc": date_utc(), "machine": machine_info(),
           "versions": versions(), "command": command_line(("SCALE_SECONDS", "SCALE_FAST_SECONDS", "TOCSIN_BIN", "TOCSIN_ROLLUP_QUERY_BIN"), "bench-scale", "bench/serve_scale.py"),
           "json_path": display_path(json_path),
           "config": {"page_bytes": PAGE_BYTES, "per_host_concurrency": PER_HOST_CONCURRENCY,
                      "warmup_extra_s": WARMUP_EXTRA_S, "sample_every_s": SAMPLE_EVERY_S,
                      "clk_tck": CLK_TCK, "tocsin": display_path(binary)},
           "sqlite_via": "sqlite3 CLI" if shutil.which("sqlite3") else "Python sqlite3 module",
           "scenarios": []}
    children = Children()
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix="tocsin-scale-")
        os.chmod(tmp, 0o755)  # nginx's worker may run as another user and must read the page
        nginx = Nginx(children, tmp)
        nginx.start()
        log("nginx on %s (pid %d), nofile limit %d" % (nginx.page_url(), nginx.proc.pid, nofile))
        res["baseline"] = baseline_rss(children, binary, tmp, nginx.page_url())
        log("baseline RSS %s" % fmt_bytes(res["baseline"]["mem"].get("VmRSS")))
        for sc in scenarios:
            warmup = args.warmup if args.warmup is not None else sc.interval_s + WARMUP_EXTRA_S
            try:
                r = measure_scenario(children, binary, tmp, nginx, sc, sc.seconds, warmup,
                                     res["baseline"])
                fill_sample_maxima(r)
            except BenchError as e:
                log("%s: error: %s" % (sc.name, e))
                r = {"scenario": sc.name, "monitors": sc.monitors, "interval_s": sc.interval_s,
                     "error": str(e)}
            res["scenarios"].append(r)
            shutil.rmtree(os.path.join(tmp, re.sub(r"[^a-z0-9]+", "_", sc.name)),
                          ignore_errors=True)
        for s in SCENARIOS:
            if not custom and s.name not in [r["scenario"] for r in res["scenarios"]]:
                res["scenarios"].append({"scenario": s.name, "monitors": s.monitors,
                                         "interval_s": s.interval_s,
                                         "error": "not run (--only)"})
        if args.skip_rollup:
            res["rollup_query"] = {"skipped": "--skip-rollup"}
        else:
            try:
                res["rollup_query"] = run_rollup_query(children, rq_binary, tmp)
            except BenchError as e:
                log("rollup_query: error: %s" % e)
                res["rollup_query"] = {"error": str(e)}
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        children.stop_all()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    res["scenarios"].sort(key=lambda r: [s.name for s in SCENARIOS].index(r["scenario"])
                          if r["scenario"] in [s.name for s in SCENARIOS] else -1)
    res["warnings"] = warnings_for(res)
    if others:
        res["warnings"].append("Processes this script did not start were running: %s."
                               % ", ".join(others[:10]))
    section = markdown(res)
    write_json(json_path, res)
    if docs:
        write_docs(docs, section, BENCHMARK)
        log("section written to %s" % docs)
    log("raw numbers in %s" % json_path)
    sys.stdout.write(section)
    failed = [r["scenario"] for r in res["scenarios"]
              if r.get("error") and not r["error"].startswith("not run")]
    return 1 if failed or res["rollup_query"].get("error") else 0


# --------------------------------------------------------------- self-test

CANNED_T0 = r"""# HELP tocsin_checks_total Checks completed, by outcome.
# TYPE tocsin_checks_total counter
tocsin_checks_total{outcome="ok"} 1000
tocsin_checks_total{outcome="timeout"} 2
tocsin_checks_total{outcome="http_status"} 0
# HELP tocsin_schedule_lag_seconds Start lag.
# TYPE tocsin_schedule_lag_seconds histogram
tocsin_schedule_lag_seconds_bucket{le="0.001"} 100
tocsin_schedule_lag_seconds_bucket{le="0.002"} 200
tocsin_schedule_lag_seconds_bucket{le="0.005"} 300
tocsin_schedule_lag_seconds_bucket{le="0.01"} 400
tocsin_schedule_lag_seconds_bucket{le="0.02"} 500
tocsin_schedule_lag_seconds_bucket{le="0.05"} 600
tocsin_schedule_lag_seconds_bucket{le="0.1"} 700
tocsin_schedule_lag_seconds_bucket{le="0.2"} 800
tocsin_schedule_lag_seconds_bucket{le="0.5"} 900
tocsin_schedule_lag_seconds_bucket{le="1"} 1000
tocsin_schedule_lag_seconds_bucket{le="2"} 1000
tocsin_schedule_lag_seconds_bucket{le="5"} 1000
tocsin_schedule_lag_seconds_bucket{le="10"} 1000
tocsin_schedule_lag_seconds_bucket{le="+Inf"} 1002
tocsin_schedule_lag_seconds_sum 123.5
tocsin_schedule_lag_seconds_count 1002
tocsin_checks_in_flight 7
tocsin_monitors 2000
tocsin_recorder_queue_depth 12
tocsin_results_dropped 0
tocsin_results_committed 990
tocsin_checks_skipped_total{reason="overlap"} 1
tocsin_checks_skipped_total{reason="missed"} 0
odd_label{path="a\"b\\c\nd",x="}"} 1.5e3 1700000000000
"""

# 2,000 more starts: 1,000 under 1 ms, 900 in (1, 2] ms, 80 in (5, 10] ms, 20
# in (0.5, 1] s. 1,990 more ok checks, 10 timeouts; one missed run.
CANNED_T1 = CANNED_T0.replace(
    'outcome="ok"} 1000', 'outcome="ok"} 2990').replace(
    'outcome="timeout"} 2', 'outcome="timeout"} 12').replace(
    'reason="missed"} 0', 'reason="missed"} 1').replace(
    "tocsin_checks_in_flight 7", "tocsin_checks_in_flight 3")
for _le, _add in (("0.001", 1000), ("0.002", 1900), ("0.005", 1900), ("0.01", 1980),
                  ("0.02", 1980), ("0.05", 1980), ("0.1", 1980), ("0.2", 1980), ("0.5", 1980),
                  ("1", 2000), ("2", 2000), ("5", 2000), ("10", 2000), ("+Inf", 2000)):
    _m = re.search(r'le="%s"\} (\d+)' % re.escape(_le), CANNED_T0)
    CANNED_T1 = CANNED_T1.replace(_m.group(0), 'le="%s"} %d' % (_le, int(_m.group(1)) + _add))

# The lead's alternative naming: one gauge per skip reason.
CANNED_GAUGES = """tocsin_checks_skipped_overlap 4
tocsin_checks_skipped_missed 5
tocsin_checks_total{outcome="ok"} 1
"""


def self_test():
    failures = []

    def check(what, got, want):
        if isinstance(want, float) and got is not None and not isinstance(got, str):
            ok = math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
        else:
            ok = got == want
        if not ok:
            failures.append("%s: got %r, want %r" % (what, got, want))

    m0, m1 = parse_metrics(CANNED_T0), parse_metrics(CANNED_T1)
    check("counter sum", metric_sum(m0, "tocsin_checks_total"), 1002.0)
    check("counter by label", metric_sum(m0, "tocsin_checks_total", outcome="ok"), 1000.0)
    check("absent metric", metric_sum(m0, "tocsin_nothing"), None)
    check("escaped labels", m0[("odd_label", (("path", 'a"b\\c\nd'), ("x", "}")))], 1500.0)
    check("outcome deltas", outcome_deltas(m0, m1), {"ok": 1990, "timeout": 10})
    g0, g1 = gauges(m0), gauges(m1)
    check("skips, labelled", (g0["skipped_overlap"], g1["skipped_missed"]), (1.0, 1.0))
    check("skip name", g1["_names"]["skipped_missed"],
          'tocsin_checks_skipped_total{reason="missed"}')
    gg = gauges(parse_metrics(CANNED_GAUGES))
    check("skips, gauges", (gg["skipped_overlap"], gg["skipped_missed"]), (4.0, 5.0))
    check("absent gauge", gg["recorder_queue"], None)
    b = histogram_buckets(m0, LAG_HISTOGRAM)
    check("bucket count", len(b), 14)
    check("+Inf last", math.isinf(b[-1][0]), True)
    d = histogram_delta(m0, m1, LAG_HISTOGRAM)
    check("delta total", d[-1][1], 2000.0)
    # rank 1000 of 2000 is the last of the first bucket: 1 ms exactly.
    check("p50", histogram_quantile(d, 0.5)["value"], 0.001)
    # rank 1900 ends the (1, 2] ms bucket: 2 ms.
    check("p95", histogram_quantile(d, 0.95)["value"], 0.002)
    # rank 1980 ends the (5, 10] ms bucket; p99 = 10 ms.
    check("p99", histogram_quantile(d, 0.99)["value"], 0.01)
    # rank 1990: 10 of the 20 in (0.5, 1] s -> 0.75 s.
    q = histogram_quantile(d, 0.995)
    check("p99.5 interpolated", (q["value"], q["lo"], q["hi"]), (0.75, 0.5, 1.0))
    # rank 500 of 1000 in the first bucket, lower bound 0: 0.5 ms.
    check("first bucket from 0", histogram_quantile(d, 0.25)["value"], 0.0005)
    check("share <= 100 ms", share_at_most(d, 0.1), 0.99)
    check("share, not a bound", share_at_most(d, 0.3), None)
    check("empty histogram", histogram_quantile([(0.1, 0.0), (math.inf, 0.0)], 0.99)["value"],
          None)
    inf = histogram_quantile([(0.1, 1.0), (10.0, 1.0), (math.inf, 3.0)], 0.99)
    check("in +Inf bucket", (inf["value"], inf["lo"], math.isinf(inf["hi"])), (10.0, 10.0, True))
    check("lag text, +Inf", lag_text(inf), "> 10.00 s")
    for bad in ("tocsin_x{a=b} 1", "tocsin_x 1 2 3", "tocsin_x{a=\"1\"} one"):
        try:
            parse_metrics(bad)
            failures.append("parsed bad line %r" % bad)
        except BenchError:
            pass

    cfg = monitor_config("127.0.0.1:1", "/d", "http://127.0.0.1:2/page.html", 3, 10)
    check("config monitors", cfg.count("  - name: m"), 3)
    check("config third", "  - name: m000003\n    url: http://127.0.0.1:2/page.html?m=3\n"
          "    interval: 10s\n" in cfg, True)
    check("config empty", monitor_config("h:1", "/d", "u", 0, 60).endswith("monitors: []\n"),
          True)

    # The report code on a canned run: every field it reads exists.
    s0 = {"t": 0.0, "server_ticks": 0, "nginx_ticks": 0, "machine_ticks": 0, "metrics": m0,
          "nginx": {"requests": 10, "accepts": 10}, "own_status_requests": 1,
          "mem": {"VmRSS": 50 << 20}}
    s1 = {"t": 10.0, "server_ticks": 5 * CLK_TCK, "nginx_ticks": 2 * CLK_TCK,
          "machine_ticks": 8 * CLK_TCK, "metrics": m1,
          "nginx": {"requests": 2011, "accepts": 2011}, "own_status_requests": 2,
          "mem": {"VmRSS": 52 << 20}}
    r = {"scenario": "custom", "monitors": 2000, "interval_s": 10, "seconds": 10,
         "warmup_s": 40, "target_rate": 200.0, "startup_s": 1.0,
         "stop": {"stop_s": 0.2, "exit_status": 0, "graceful": True},
         "log_problems": {"count": 1, "first": ["[warning] `x`"]}, "samples": []}
    r.update(window_figures(s0, s1, 2000, 10, {"mem": {"VmRSS": 50 << 20}}))
    r["db"] = {"results_rows": 1000, "table_bytes": {"results": 50000, "rollups": 30000},
               "file_bytes": 100000, "bytes_per_result": 50.0, "rollup_bytes_per_result": 30.0,
               "file_bytes_per_result": 100.0}
    r["verdicts"] = scenario_verdicts(r)
    fill_sample_maxima(r)
    check("checks/s", r["checks_per_s"], 200.0)
    check("cpu per check", r["cpu_us_per_check"], 2500.0)
    check("rss per monitor", r["rss_per_monitor"], 1048.576)
    check("nginx requests", r["nginx_requests"], 2000)
    check("verdicts", [v["pass"] for v in r["verdicts"]], [True, False, True, True, True])
    rq = {"argv": "build/bench/rollup_query --dir TMP", "rows": 43200, "days": 30,
          "interval_s": 60, "batch_size": 2000, "write_seconds": 0.2, "repeat": 200,
          "query_days": 30, "rollup_rows_read": 112, "query_ms_p50": 0.1, "query_ms_max": 0.2,
          "cold_ms": 0.2, "odd_from_offset_s": 1033, "odd_to_offset_s": 180,
          "odd_rollup_rows_read": 152, "odd_query_ms_p50": 0.1, "odd_query_ms_max": 0.2,
          "agrees": True, "odd_agrees": True, "db": {"bytes_per_result": 46.5,
                                                     "rollup_bytes_per_result": 38.8},
          "verdicts": [{"name": n, "pass": True} for n in
                       ("query_ms_p50", "cold_ms", "odd_query_ms_p50")]}
    for k in ("p50", "p95", "p99"):
        for p in ("", "odd_"):
            rq[p + k + "_us"] = rq[p + "exact_" + k + "_us"] = 1000
    rq.update(count=43200, expected_count=43200, expected_failures=432, odd_count=43181, odd_expected_count=43181)
    res = {"machine": {"nproc": 2, "cpu_model": "x", "kernel": "k", "mem_gib": 1.0,
                       "nofile_limit": 65536},
           "config": {}, "date_utc": "d", "command": "c", "json_path": "j",
           "versions": {"tocsin_tree": "t", "nginx": "n"}, "sqlite_via": "v",
           "baseline": {"mem": {"VmRSS": 1 << 20}},
           "scenarios": [r, {"scenario": "10k@10s", "monitors": 10000, "interval_s": 10,
                             "error": "not run (--only)"}],
           "rollup_query": rq}
    res["warnings"] = warnings_for(res)
    text = markdown(res)
    check("section markers", (text.startswith(MARK_BEGIN), text.rstrip().endswith(MARK_END)),
          (True, True))
    check("verdict shown", "FALL SHORT" in text and "PASS" in text, True)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "benchmarks.md")
        with open(path, "w") as f:
            f.write("# Benchmarks\n\n<!-- other:begin -->\nkeep\n<!-- other:end -->\n")
        write_docs(path, text, BENCHMARK)
        write_docs(path, text, BENCHMARK)
        with open(path) as f:
            doc = f.read()
        check("docs: one section, other kept", (doc.count(MARK_BEGIN), "keep" in doc), (1, True))

    if failures:
        for f in failures:
            log("self-test: FAIL " + f)
        return 1
    log("self-test: all passed")
    return 0


if __name__ == "__main__":
    run_main(main)
