#!/usr/bin/env python3
"""Probe throughput of Tocsin against its peers, all in one run.

Question: how many checks per second does Tocsin's probe engine complete
against a local nginx serving a 2 KB page, with a fresh TCP connection per
check, at 100 and 1,000 checks in flight, and at what CPU cost per check,
compared with `wrk -H 'Connection: close'` (the machine's fresh-connection
limit) and Prometheus blackbox_exporter (its /probe endpoint driven by wrk)?

The script starts its own nginx and blackbox_exporter on loopback ports it
picks, runs every measurement one after another, prints a Markdown section,
replaces that section in docs/benchmarks.md and keeps the raw numbers in
build/bench/probe_vs_peers.json. Every process it starts is stopped at exit,
on error and on Ctrl-C. Traffic goes to 127.0.0.1 only. Python 3 stdlib only.
See bench/README.md.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from benchlib import (command_line, finish_section, CLK_TCK, DOCS_DEFAULT, LISTEN_BACKLOG, NGINX_WORKER_CONNECTIONS,
                      PAGE_BYTES, PORT_ATTEMPTS, REPO_ROOT, BenchError, Children, Nginx,
                      date_utc, deb_version, display_path, floor1, fmt_int, fmt_us, free_port,
                      http_get, log, loopback_only, machine_busy_ticks, machine_info,
                      markers, proc_cpu_ticks, processes_matching, raise_nofile, run_main,
                      rusage_cpu_us, seconds_env, sh, tail, time_wait_sockets, wait_for,
                      write_docs, write_json)

# Limits and defaults; each one named, each overridable where it matters.
DEFAULT_SECONDS = 10            # one measurement (env BENCH_SECONDS)
DEFAULT_WARMUP_SECONDS = 2      # per tool, not counted (env BENCH_WARMUP_SECONDS)
INFLIGHT_LEVELS = (100, 1000)
WRK_THREADS = 1                 # env BENCH_WRK_THREADS; README says why 1
WRK_TIMEOUT = "10s"             # above blackbox's 5 s probe timeout
BLACKBOX_PROBE_TIMEOUT = "5s"
RUN_GRACE_S = 30.0              # a timed run may overrun its duration by this
MAX_FAILED_FRACTION = 0.001     # above this, a row is flagged
CPU_DISAGREEMENT = 0.10         # self-reported vs external CPU, Tocsin
REUSE_TOLERANCE = 0.01          # requests per accepted connection above 1
COUNT_TOLERANCE = 0.01          # Tocsin's successful checks above what nginx served
FOREIGN_LOAD_WARN = 0.05        # other processes' CPU, in cores
WRK_BOUND_FRACTION = 0.9        # wrk's CPU per thread above this: wrk is the bottleneck

PROBE_THROUGHPUT_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "probe_throughput")
JSON_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "probe_vs_peers.json")
BENCHMARK = "probe_vs_peers"
MARK_BEGIN, MARK_END = markers(BENCHMARK)

TARGET_RATE_VS_WRK = 0.60       # Tocsin checks/s >= 60% of wrk's fresh-connection rate
TARGET_EFFICIENCY_VS_BLACKBOX = 3.0  # Tocsin checks per CPU-second >= 3x blackbox's

# wrk prints one JSON line at the end. The baseline script defines no
# response() so wrk does not hand bodies to Lua (that would slow the
# baseline); the blackbox script reads each body for "probe_success 1".
WRK_DONE_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0 end
%(response)s
function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("ok") or 0); bad = bad + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "lua_ok": %%d, "lua_bad": %%d, ' ..
    '"connect_errors": %%d, "read_errors": %%d, "write_errors": %%d, ' ..
    '"status_errors": %%d, "timeouts": %%d, "latency_p50_us": %%d, "latency_p99_us": %%d}\n',
    summary.requests, summary.duration, ok, bad, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""
WRK_BLACKBOX_RESPONSE_LUA = r"""
function response(status, headers, body)
  if status == 200 and string.find(body, "\nprobe_success 1", 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end
"""


# ---------------------------------------------------------------- blackbox

class Blackbox:
    BIN = "/usr/bin/prometheus-blackbox-exporter"

    def __init__(self, children, tmp):
        self.children = children
        self.dir = os.path.join(tmp, "blackbox")
        self.proc = None
        self.port = None

    def start(self, target_url):
        os.makedirs(self.dir)
        conf = os.path.join(self.dir, "blackbox.yml")
        with open(conf, "w") as f:
            f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: %s\n"
                    "    http:\n      preferred_ip_protocol: ip4\n" % BLACKBOX_PROBE_TIMEOUT)
        self.target_url = target_url
        log_path = os.path.join(self.dir, "blackbox.log")
        for attempt in range(PORT_ATTEMPTS):
            self.port = free_port()
            err = open(log_path, "ab")
            self.proc = self.children.start(
                [self.BIN, "--config.file=" + conf,
                 "--web.listen-address=127.0.0.1:%d" % self.port],
                stdout=err, stderr=err)
            err.close()
            try:
                wait_for(lambda: http_get(self.metrics_url())[0] == 200,
                         "blackbox_exporter on 127.0.0.1:%d" % self.port, proc=self.proc)
                break
            except BenchError:
                self.children.stop(self.proc)
                if attempt == PORT_ATTEMPTS - 1:
                    raise BenchError("blackbox_exporter did not start; its log:\n" + tail(log_path))
        try:
            _, body = http_get(self.probe_url())
        except OSError as e:
            raise BenchError("blackbox_exporter did not answer %s: %s" % (self.probe_url(), e))
        if b"\nprobe_success 1" not in b"\n" + body:
            raise BenchError("blackbox_exporter's probe of %s did not return probe_success 1:\n%s"
                             % (target_url, body.decode(errors="replace")[-2000:]))

    def metrics_url(self):
        return "http://127.0.0.1:%d/metrics" % self.port

    def probe_url(self):
        return "http://127.0.0.1:%d/probe?module=http_2xx&target=%s" % (self.port, self.target_url)


# --------------------------------------------------------------------- runs

class Run:
    """Snapshots around one measurement: nginx's counters, nginx's CPU, the
    whole machine's CPU, and the CPU of a long-running prober if any."""

    def __init__(self, nginx, prober_pid=None):
        self.nginx = nginx
        self.prober_pid = prober_pid

    def __enter__(self):
        self.nginx.settle()
        self.st0 = self.nginx.status()
        self.own0 = self.nginx.status_requests
        self.ng0 = self.nginx.cpu_ticks()
        self.m0 = machine_busy_ticks()
        self.p0 = proc_cpu_ticks(self.prober_pid) if self.prober_pid else None
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        self.t_end = time.monotonic()
        # Probes still in flight when the driver stopped finish (or are
        # cancelled) before the after-snapshot, so their CPU and their nginx
        # request fall in the same window.
        self.nginx.settle()
        self.t1 = time.monotonic()
        self.p1 = proc_cpu_ticks(self.prober_pid) if self.prober_pid else None
        self.m1 = machine_busy_ticks()
        self.ng1 = self.nginx.cpu_ticks()
        self.st1 = self.nginx.status()
        own = self.nginx.status_requests - self.own0
        self.st1 = dict(self.st1, requests=self.st1["requests"] - own,
                        accepts=self.st1["accepts"] - own)
        self.tw = time_wait_sockets()
        return False

    def ticks_us(self, t):
        return t * 1e6 / CLK_TCK

    def common(self, counted_cpu_us):
        wall = self.t1 - self.t0
        reqs = self.st1["requests"] - self.st0["requests"]
        accepts = self.st1["accepts"] - self.st0["accepts"]
        machine_us = self.ticks_us(self.m1 - self.m0)
        nginx_us = self.ticks_us(self.ng1 - self.ng0)
        foreign = max(0.0, machine_us - nginx_us - counted_cpu_us) / (wall * 1e6) \
            if wall > 0 else 0.0
        return {
            "nginx_requests": reqs,
            "nginx_accepts": accepts,
            "nginx_requests_per_connection": (reqs / accepts) if accepts else None,
            "nginx_cpu_us": int(nginx_us),
            "nginx_cores": round(nginx_us / (wall * 1e6), 3) if wall > 0 else None,
            "drain_s": round(self.t1 - self.t_end, 3),
            "window_wall_s": round(wall, 3),
            "machine_busy_cores": round(machine_us / (wall * 1e6), 3) if wall > 0 else None,
            "other_processes_cores": round(foreign, 3),
            "time_wait_sockets_after": self.tw,
        }


def run_wrk(children, tmp, url, conns, seconds, lua_path, threads):
    """Runs wrk once; returns its parsed result and its own exact CPU."""
    out_path = os.path.join(tmp, "wrk.out")
    with open(out_path, "wb") as out:
        p = children.start(
            ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
             "--timeout", WRK_TIMEOUT, "-H", "Connection: close", "-s", lua_path, url],
            stdout=out, stderr=subprocess.STDOUT)
        ru = children.wait(p, seconds + RUN_GRACE_S)
    with open(out_path, errors="replace") as f:
        text = f.read()
    m = re.search(r"^WRK_RESULT (\{.*\})$", text, re.M)
    if p.returncode != 0 or not m:
        raise BenchError("wrk -c%d failed (status %s):\n%s" % (conns, p.returncode, text[-2000:]))
    r = json.loads(m.group(1))
    r["cpu_us"] = rusage_cpu_us(ru)
    return r


def make_row(tool, n, ok, failed, secs, cpu_us, run, cpu_window_s=None, **extra):
    """One table row. checks/s counts the tool's successful checks over its
    measured seconds; CPU per check divides the prober's CPU by the requests
    nginx served in the same window, the same denominator for every tool.
    cpu_window_s is the time over which cpu_us was spent (default: the
    snapshot window)."""
    row = {"tool": tool, "inflight": n, "ok": ok, "failed": failed, "seconds": secs,
           "checks_per_s": ok / secs if secs > 0 else 0.0, "cpu_us": int(cpu_us)}
    row.update(run.common(cpu_us + extra.pop("uncounted_cpu_us", 0)))
    window = cpu_window_s or row["window_wall_s"]
    row["prober_cores"] = round(cpu_us / (window * 1e6), 3) if window > 0 else None
    served = row["nginx_requests"]
    row["cpu_us_per_check"] = cpu_us / served if served > 0 else None
    row.update(extra)
    return row


def measure_wrk(children, tmp, nginx, seconds, warmup, threads):
    lua = os.path.join(tmp, "wrk_plain.lua")
    with open(lua, "w") as f:
        f.write(WRK_DONE_LUA % {"response": ""})
    log("wrk: warm-up %ds" % warmup)
    run_wrk(children, tmp, nginx.page_url(), INFLIGHT_LEVELS[0], warmup, lua, threads)
    rows = []
    for n in INFLIGHT_LEVELS:
        log("wrk: %d connections, %ds" % (n, seconds))
        with Run(nginx) as run:
            r = run_wrk(children, tmp, nginx.page_url(), n, seconds, lua, threads)
        failed = r["status_errors"] + r["connect_errors"] + r["read_errors"] + \
            r["write_errors"] + r["timeouts"]
        rows.append(make_row("wrk", n, r["requests"] - r["status_errors"], failed,
                             r["duration_us"] / 1e6, r["cpu_us"], run,
                             cpu_window_s=r["duration_us"] / 1e6, wrk=r))
    return rows


def measure_blackbox(children, tmp, nginx, seconds, warmup, threads):
    bb = Blackbox(children, tmp)
    bb.start(nginx.page_url())
    lua = os.path.join(tmp, "wrk_blackbox.lua")
    with open(lua, "w") as f:
        f.write(WRK_DONE_LUA % {"response": WRK_BLACKBOX_RESPONSE_LUA})
    log("blackbox_exporter: warm-up %ds" % warmup)
    run_wrk(children, tmp, bb.probe_url(), INFLIGHT_LEVELS[0], warmup, lua, threads)
    rows = []
    try:
        for n in INFLIGHT_LEVELS:
            log("blackbox_exporter: %d probes in flight, %ds" % (n, seconds))
            with Run(nginx, prober_pid=bb.proc.pid) as run:
                r = run_wrk(children, tmp, bb.probe_url(), n, seconds, lua, threads)
            failed = r["lua_bad"] + r["connect_errors"] + r["read_errors"] + \
                r["write_errors"] + r["timeouts"]
            row = make_row("blackbox_exporter", n, r["lua_ok"], failed, r["duration_us"] / 1e6,
                           run.ticks_us(run.p1 - run.p0), run, uncounted_cpu_us=r["cpu_us"],
                           cpu_ticks=run.p1 - run.p0, driver_wrk_cpu_us=r["cpu_us"], wrk=r)
            served = row["nginx_requests"]
            row["driver_wrk_cpu_us_per_probe"] = r["cpu_us"] / served if served > 0 else None
            rows.append(row)
    finally:
        children.stop(bb.proc)
    return rows


def run_tocsin(children, tmp, binary, url, n, seconds):
    out_path = os.path.join(tmp, "tocsin.out")
    err_path = os.path.join(tmp, "tocsin.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = children.start([binary, "--url", url, "--inflight", str(n),
                            "--duration", "%d" % seconds, "--allow-private"],
                           stdout=out, stderr=err)
        ru = children.wait(p, seconds + RUN_GRACE_S)
    with open(out_path, errors="replace") as f:
        lines = [x for x in f.read().splitlines() if x.strip()]
    report = None
    if p.returncode == 0 and lines:
        try:
            report = json.loads(lines[-1])
        except ValueError:
            report = None
    keys = ("checks", "ok", "failed", "seconds", "cpu_us")
    if report is None or not all(k in report for k in keys):
        raise BenchError("probe_throughput --inflight %d failed (status %s); "
                         "stdout:\n%s\nstderr:\n%s"
                         % (n, p.returncode, "\n".join(lines[-5:]), tail(err_path)))
    return report, rusage_cpu_us(ru)


def measure_tocsin(children, tmp, nginx, binary, seconds, warmup):
    log("tocsin: warm-up %ds" % warmup)
    run_tocsin(children, tmp, binary, nginx.page_url(), INFLIGHT_LEVELS[0], warmup)
    rows = []
    for n in INFLIGHT_LEVELS:
        log("tocsin probe_throughput: %d in flight, %ds" % (n, seconds))
        with Run(nginx) as run:
            rep, ext_us = run_tocsin(children, tmp, binary, nginx.page_url(), n, seconds)
        # cpu_us: the process's whole-life CPU, exact from wait4(), start-up
        # included (conservative); its self-report covers its window only.
        row = make_row("tocsin", n, int(rep["ok"]), int(rep["failed"]), float(rep["seconds"]),
                       ext_us, run, self_report=rep)
        self_per = rep["cpu_us"] / rep["checks"] if rep["checks"] else None
        row["self_cpu_us_per_check"] = self_per
        if self_per and row["cpu_us_per_check"]:
            row["cpu_disagreement"] = abs(row["cpu_us_per_check"] - self_per) / min(
                row["cpu_us_per_check"], self_per)
        rows.append(row)
    return rows


# ------------------------------------------------------------------ report

def versions(binary):
    """Raw version lines for the JSON; the Debian package version, when there
    is one, is what the report shows."""
    raw = {"nginx": sh(["/usr/sbin/nginx", "-v"]),
           "wrk": sh(["wrk", "-v"]).splitlines()[0],
           "blackbox_exporter": sh([Blackbox.BIN, "--version"]).splitlines()[0]}
    shown = {}
    for name, pkg in (("nginx", "nginx-light"), ("wrk", "wrk"),
                      ("blackbox_exporter", "prometheus-blackbox-exporter")):
        dv = deb_version(pkg)
        shown[name] = "%s %s" % (pkg, dv) if dv else raw[name]
    rev = sh(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"])
    if not re.fullmatch(r"[0-9a-f]{4,40}", rev):
        rev = "no commit yet"
    elif sh(["git", "-C", REPO_ROOT, "status", "--porcelain", "--untracked-files=no"]):
        rev += " with uncommitted changes"
    return {"raw": raw, "shown": shown, "tocsin_tree": rev, "tocsin_bench_bin": binary}


def other_probers():
    """nginx or blackbox_exporter processes this script did not start (e.g.
    services started by apt): they share the CPU, so the report names them.
    Called before the script starts its own."""
    # nginx rewrites its argv to "nginx: master process ..."
    return processes_matching(lambda argv0: re.match(r"(\S*/)?nginx\b", argv0)
                              or re.search(r"blackbox.exporter", argv0))


def ratios(rows):
    """Tocsin against each peer at the same number in flight."""
    by = {(r["tool"], r["inflight"]): r for r in rows}
    out = []
    for n in INFLIGHT_LEVELS:
        t, w = by.get(("tocsin", n)), by.get(("wrk", n))
        v = t["checks_per_s"] / w["checks_per_s"] if t and w and w["checks_per_s"] > 0 else None
        out.append({"name": "rate_vs_wrk", "inflight": n, "value": v,
                    "target": TARGET_RATE_VS_WRK,
                    "pass": None if v is None else v >= TARGET_RATE_VS_WRK})
    for n in INFLIGHT_LEVELS:
        t, b = by.get(("tocsin", n)), by.get(("blackbox_exporter", n))
        ok = t and b and t["cpu_us_per_check"] and b["cpu_us_per_check"]
        # checks per CPU-second ratio == blackbox's CPU per probe / Tocsin's per check
        v = b["cpu_us_per_check"] / t["cpu_us_per_check"] if ok else None
        out.append({"name": "efficiency_vs_blackbox", "inflight": n, "value": v,
                    "target": TARGET_EFFICIENCY_VS_BLACKBOX,
                    "pass": None if v is None else v >= TARGET_EFFICIENCY_VS_BLACKBOX})
    return out


def warnings_for(rows):
    w = []
    for r in rows:
        label = "%s at %d in flight" % (r["tool"], r["inflight"])
        total = r["ok"] + r["failed"]
        if total and r["failed"] / total > MAX_FAILED_FRACTION:
            why = r.get("self_report", {}).get("a_failure_outcome")
            w.append("%s: %s of %s checks failed%s." % (
                label, fmt_int(r["failed"]), fmt_int(total),
                " (one of them: %s)" % why if why else ""))
        rpc = r.get("nginx_requests_per_connection")
        if rpc is not None and rpc > 1 + REUSE_TOLERANCE:
            w.append("%s: nginx served %.2f requests per connection; checks were not all on "
                     "fresh connections." % (label, rpc))
        if r["tool"] == "tocsin":
            if r["nginx_requests"] < r["ok"] * (1 - COUNT_TOLERANCE):
                w.append("%s: the program reported %s successful checks but nginx served only "
                         "%s requests." % (label, fmt_int(r["ok"]), fmt_int(r["nginx_requests"])))
            if r.get("cpu_disagreement", 0) > CPU_DISAGREEMENT:
                w.append("%s: CPU per check measured from outside (%s µs, whole process life "
                         "over requests nginx served) and self-reported (%s µs, measured "
                         "window) differ by %.0f%%; the table uses the outside figure."
                         % (label, fmt_us(r["cpu_us_per_check"]),
                            fmt_us(r["self_cpu_us_per_check"]), 100 * r["cpu_disagreement"]))
        if r["other_processes_cores"] > FOREIGN_LOAD_WARN:
            w.append("%s: other processes on the machine used %.2f cores during the "
                     "measurement; figures may be low." % (label, r["other_processes_cores"]))
    return w


def markdown(res):
    m, v, cfg = res["machine"], res["versions"], res["config"]
    rows = res["rows"]
    L = [MARK_BEGIN, "## Probe throughput: Tocsin vs wrk and blackbox_exporter", ""]
    L.append("How many checks per second Tocsin's probe engine completes against a local "
             "nginx serving a %d-byte page, with a fresh TCP connection per check, at %s "
             "checks in flight, and at what CPU cost per check; measured in the same run, "
             "on the same URL, as `wrk -H 'Connection: close'` (the machine's "
             "fresh-connection limit) and blackbox_exporter's `/probe` driven by wrk."
             % (PAGE_BYTES, " and ".join(fmt_int(n) for n in INFLIGHT_LEVELS)))
    L.append("")
    L.append("- Date: %s" % res["date_utc"])
    L.append("- Machine: %d CPUs, %s; Linux %s; %.1f GiB RAM" % (
        m["nproc"], m["cpu_model"], m["kernel"], m["mem_gib"]))
    L.append("- Command: `%s`; %d s per measurement, after a %d s warm-up per tool that "
             "is not counted" % (res["command"], cfg["seconds"], cfg["warmup_seconds"]))
    L.append("- Versions: %s; %s; %s; Tocsin tree %s" % (
        v["shown"]["nginx"], v["shown"]["wrk"], v["shown"]["blackbox_exporter"],
        v["tocsin_tree"]))
    L.append("- Target: nginx with one worker, `access_log off`, on 127.0.0.1")
    L.append("")
    L.append("| tool | in flight | checks/s | CPU µs per check | prober CPU, cores "
             "| nginx CPU, cores | failed |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    names = {"wrk": "wrk -t%d, `Connection: close`" % cfg["wrk_threads"],
             "blackbox_exporter": "blackbox_exporter `/probe`",
             "tocsin": "Tocsin `probe_throughput`"}
    for tool in ("wrk", "blackbox_exporter", "tocsin"):
        trows = [r for r in rows if r["tool"] == tool]
        if not trows:
            for n in INFLIGHT_LEVELS:
                L.append("| %s | %s | not measured (%s) | | | | |" % (
                    names[tool], fmt_int(n), res["skipped"].get(tool, "skipped")))
            continue
        for r in trows:
            L.append("| %s | %s | %s | %s | %.2f | %.2f | %s |" % (
                names[tool], fmt_int(r["inflight"]), fmt_int(r["checks_per_s"]),
                fmt_us(r["cpu_us_per_check"]), r["prober_cores"], r["nginx_cores"],
                fmt_int(r["failed"])))
    L.append("")
    L.append("| ratio | in flight | measured | target | verdict |")
    L.append("|---|---:|---:|---:|---|")
    for q in res["ratios"]:
        if q["name"] == "rate_vs_wrk":
            name = "Tocsin checks/s as % of wrk's fresh-connection rate"
            target = "≥ %d%%" % round(100 * q["target"])
            val = None if q["value"] is None else "%.1f%%" % floor1(100 * q["value"])
        else:
            name = "Tocsin checks per CPU-second ÷ blackbox_exporter's probes per CPU-second"
            target = "≥ %gx" % q["target"]
            val = None if q["value"] is None else "%.1fx" % floor1(q["value"])
        verdict = "not measured" if q["pass"] is None else ("PASS" if q["pass"] else "FALL SHORT")
        L.append("| %s | %s | %s | %s | %s |" % (name, fmt_int(q["inflight"]),
                                                 val or "not measured", target, verdict))
    L.append("")
    bb = [r for r in rows if r["tool"] == "blackbox_exporter"]
    notes = [
        "checks/s counts successful checks (HTTP 200; for blackbox_exporter, a body with "
        "`probe_success 1`) over the tool's measured seconds.",
        "CPU µs per check is the prober's own CPU (user + system, from the kernel) divided "
        "by the requests nginx served in the same window; nginx's CPU is not counted. "
        "wrk: its process, from wait4(). blackbox_exporter: /proc/PID/stat utime + stime "
        "before the run and after in-flight probes drained. Tocsin: the whole life of "
        "`probe_throughput`, start-up included, from wait4(); its self-reported figure is "
        "checked against it. Prober CPU in cores is that CPU time over the wall time it "
        "was spent in.",
        "Every check used a fresh TCP connection: nginx accepted at least one connection "
        "per request it served in every row, unless a warning below says otherwise.",
        "wrk runs with `-t%d` so that, on this %d-CPU machine, the client gets %s and "
        "nginx's single worker the rest." % (
            cfg["wrk_threads"], m["nproc"],
            "one core" if cfg["wrk_threads"] == 1 else "%d cores" % cfg["wrk_threads"]),
    ]
    wrk_rows = [r for r in rows if r["tool"] == "wrk"]
    if wrk_rows and all(r["prober_cores"] >= WRK_BOUND_FRACTION * cfg["wrk_threads"]
                        for r in wrk_rows):
        t = cfg["wrk_threads"]
        notes.append("wrk was bound by its own CPU (%s cores for its %s) while nginx used "
                     "%s cores: its rate is the limit of a %d-thread client on this "
                     "machine, not of nginx." % (
                         " and ".join("%.2f" % r["prober_cores"] for r in wrk_rows),
                         "thread" if t == 1 else "%d threads" % t,
                         " and ".join("%.2f" % r["nginx_cores"] for r in wrk_rows), t))
    if bb:
        notes.append("The wrk driving blackbox_exporter is not counted as blackbox's CPU; "
                     "it used " + ", ".join("%s µs per probe at %s in flight" % (
                         fmt_us(r["driver_wrk_cpu_us_per_probe"]), fmt_int(r["inflight"]))
                         for r in bb) + ".")
    return finish_section(L, notes, res, MARK_END)



# -------------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-tocsin", action="store_true",
                    help="measure wrk and blackbox_exporter only; does not touch the docs "
                         "unless --docs is given")
    ap.add_argument("--docs", help="Markdown file whose section to replace (default %s)"
                    % os.path.relpath(DOCS_DEFAULT, REPO_ROOT))
    ap.add_argument("--json", default=JSON_DEFAULT, help="raw numbers (default %s)"
                    % os.path.relpath(JSON_DEFAULT, REPO_ROOT))
    return ap.parse_args()


def main():
    args = parse_args()
    seconds = seconds_env("BENCH_SECONDS", DEFAULT_SECONDS)
    warmup = seconds_env("BENCH_WARMUP_SECONDS", DEFAULT_WARMUP_SECONDS)
    threads = seconds_env("BENCH_WRK_THREADS", WRK_THREADS)
    binary = os.environ.get("TOCSIN_BENCH_BIN") or PROBE_THROUGHPUT_DEFAULT
    if not args.skip_tocsin and not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        raise BenchError("probe_throughput not built: %s does not exist or is not executable. "
                         "`make bench` builds it; or set TOCSIN_BENCH_BIN, or pass "
                         "--skip-tocsin to measure the peers only." % binary)
    for tool in ("/usr/sbin/nginx", "wrk", Blackbox.BIN):
        if not shutil.which(tool):
            raise BenchError("%s not found; scripts/install-deps installs it" % tool)
    docs = args.docs or (None if args.skip_tocsin else DOCS_DEFAULT)

    loopback_only()
    nofile = raise_nofile()
    res = {"benchmark": "probe_vs_peers",
           "date_utc": date_utc(),
           "config": {"seconds": seconds, "warmup_seconds": warmup,
                      "inflight": list(INFLIGHT_LEVELS), "wrk_threads": threads,
                      "page_bytes": PAGE_BYTES, "nginx_worker_processes": 1,
                      "nginx_worker_connections": NGINX_WORKER_CONNECTIONS,
                      "listen_backlog": LISTEN_BACKLOG, "clk_tck": CLK_TCK},
           "machine": machine_info(), "versions": versions(binary),
           "command": command_line(("BENCH_SECONDS", "BENCH_WARMUP_SECONDS", "BENCH_WRK_THREADS", "TOCSIN_BENCH_BIN"), "bench", "bench/probe_vs_peers.sh"), "json_path": display_path(args.json),
           "skipped": {}, "rows": []}
    others = other_probers()
    children = Children()
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix="tocsin-bench-")
        os.chmod(tmp, 0o755)  # nginx's worker may run as another user and must read the page
        nginx = Nginx(children, tmp)
        nginx.start()
        log("nginx on %s (pid %d), nofile limit %d" % (nginx.page_url(), nginx.proc.pid, nofile))
        if not args.skip_tocsin:
            # Fail in seconds, not after the peers' minute, if the binary is broken.
            log("tocsin: preflight, 1 check in flight for 1s")
            rep, _ = run_tocsin(children, tmp, binary, nginx.page_url(), 1, 1)
            if int(rep["ok"]) < 1:
                raise BenchError("probe_throughput completed no successful check of %s in its "
                                 "preflight: %s" % (nginx.page_url(), json.dumps(rep)))
        res["rows"] += measure_wrk(children, tmp, nginx, seconds, warmup, threads)
        res["rows"] += measure_blackbox(children, tmp, nginx, seconds, warmup, threads)
        if args.skip_tocsin:
            log("probe_throughput not run (--skip-tocsin); Tocsin rows skipped")
            res["skipped"]["tocsin"] = "--skip-tocsin"
        else:
            res["rows"] += measure_tocsin(children, tmp, nginx, binary, seconds, warmup)
    finally:
        # A second Ctrl-C must not interrupt the cleanup.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        children.stop_all()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    res["ratios"] = ratios(res["rows"])
    res["warnings"] = warnings_for(res["rows"])
    if others:
        res["warnings"].append("Processes this script did not start were running: %s."
                               % ", ".join(others[:10]))
    section = markdown(res)
    write_json(args.json, res)
    if docs:
        write_docs(docs, section, BENCHMARK)
        log("section written to %s" % docs)
    log("raw numbers in %s" % args.json)
    sys.stdout.write(section)
    return 0



if __name__ == "__main__":
    run_main(main)
