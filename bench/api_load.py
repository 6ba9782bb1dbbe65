#!/usr/bin/env python3
"""The REST API under load, beside 10,000 running monitors, on one machine.

The question (issue: accounts and the REST API): with 10,000 monitors and a
month of history, how fast do `GET /api/v1/monitors` and a monitor's 30-day
summary answer under 100 concurrent keep-alive connections (wrk), p50 and
p99 (target p99 under 50 ms), with the checks' start lag still under 100 ms
at p99 meanwhile? And how many logins per second does Argon2id allow, and
does a login flood starve the checks?

Setup: a real `tocsin serve` whose config file holds 10,000 monitors of a
local nginx page, every 60 s; an administrator made with `tocsin admin
create-user` (the file's monitors are the administrator's). The server runs
once to register the monitors, stops, and bench/seed_history writes 30 days
of synthetic history for every monitor (the first 100 checked every 60 s,
the rest every 10 minutes) through the store's own batch writer, which also
builds the rollups; then the server starts again and every monitor runs
once before anything is measured.

Each measurement is one wrk run (one thread, keep-alive, a bearer token);
the start lag is the server's `tocsin_schedule_lag_seconds` histogram over
the same window. Prints a Markdown section and replaces it in
docs/benchmarks.md (between its markers); raw numbers go to
build/bench/api_load.json. Loopback only; every process it starts stops at
exit. Run it with `make bench-api`. Python 3 stdlib.
"""

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchlib import (BenchError, Children, Nginx, command_line, date_utc, display_path,
                      finish_section, fmt_int, free_port, http_get, log, loopback_only,
                      machine_info, markers, proc_cpu_ticks, raise_nofile, run_main,
                      seconds_env, tail, wait_for, write_docs, write_json, CLK_TCK, DOCS_DEFAULT,
                      REPO_ROOT)
from promtext import histogram_delta, histogram_quantile, metric_sum, parse_metrics

BENCHMARK = "api_load"
MARK_BEGIN, MARK_END = markers(BENCHMARK)

MONITORS = 10_000
DENSE = 100                  # monitors with a minute-by-minute month (the summaries' targets)
HISTORY_DAYS = 30
SPARSE_INTERVAL_S = 600
INTERVAL_S = 60
CONNECTIONS = 100
LOGIN_CONNECTIONS = 16       # 4 times the server's HTTP threads, every one hashing
BESIDE_CONNECTIONS = 4       # the list, read while logins flood
TARGET_P99_MS = 50.0
TARGET_LAG_P99_S = 0.100
START_TIMEOUT_S = 120.0
WARMUP_S = INTERVAL_S + 15   # every monitor has run once, so the list shows latest results
SEED_TIMEOUT_S = 3600
WRK_TIMEOUT = "5s"
RUN_GRACE_S = 30
LAG_HISTOGRAM = "tocsin_schedule_lag_seconds"
ADMIN_EMAIL = "admin@bench.test"
ADMIN_PASSWORD = "quartz lemur ribbon cascade 31"

TOCSIN_DEFAULT = os.path.join(REPO_ROOT, "build", "tocsin")
SEEDER_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "seed_history")
JSON_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "api_load.json")

# Every wrk run ends by printing one JSON line. `paths` (optional) rotates
# the request path per request; `body` makes it a POST.
WRK_LUA = r"""
local paths = %(paths)s
local i = 0
local threads = {}
local authorization = %(authorization)s
if authorization ~= "" then wrk.headers["Authorization"] = authorization end
%(post)s
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0 end
function request()
  if #paths == 0 then return wrk.format() end
  i = i %% #paths + 1
  return wrk.format(nil, paths[i])
end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("ok") or 0); bad = bad + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "ok": %%d, "not_2xx": %%d, ' ..
    '"socket_errors": %%d, "timeouts": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "bytes": %%d}\n',
    summary.requests, summary.duration, ok, bad, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.bytes))
end
"""


def lua_string(s):
    return json.dumps(s)  # a JSON string is a valid Lua string literal for ASCII


def config(listen, data_dir, page_url):
    parts = ["# Written by bench/api_load.py\n",
             "server:\n  listen: %s\n  data_dir: %s\n  allow_private: true\n" % (listen, data_dir),
             "  per_host_concurrency: 10000\n",
             "monitors:\n"]
    for i in range(MONITORS):
        parts.append("  - {name: m%d, url: '%s?m=%d', interval: %ds}\n"
                     % (i, page_url, i, INTERVAL_S))
    return "".join(parts)


class Server:
    def __init__(self, children, binary, workdir):
        self.children, self.binary, self.dir = children, binary, workdir
        self.data_dir = os.path.join(workdir, "data")
        self.log_path = os.path.join(workdir, "serve.log")
        self.config_path = os.path.join(workdir, "tocsin.yaml")
        self.port = free_port()
        self.proc = None

    def write_config(self, yaml):
        os.makedirs(self.dir, exist_ok=True)
        with open(self.config_path, "w") as f:
            f.write(yaml)

    def start(self):
        err = open(self.log_path, "ab")
        self.proc = self.children.start([self.binary, "serve", "--config", self.config_path],
                                        stdout=err, stderr=err)
        err.close()
        try:
            wait_for(lambda: http_get(self.url("/healthz"))[0] == 200, "tocsin serve",
                     timeout_s=START_TIMEOUT_S, proc=self.proc)
        except BenchError as e:
            raise BenchError("%s; its log ends:\n%s" % (e, tail(self.log_path)))

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def db_path(self):
        return os.path.join(self.data_dir, "tocsin.db")

    def scrape(self):
        status, body = http_get(self.url("/metrics"), timeout=30)
        if status != 200:
            raise BenchError("GET /metrics answered %d" % status)
        return parse_metrics(body.decode("utf-8", "replace"))

    def cpu_ticks(self):
        return proc_cpu_ticks(self.proc.pid)

    def stop(self):
        if self.proc is not None:
            self.children.stop(self.proc)
            self.proc = None

    def alive(self):
        if self.proc.poll() is not None:
            raise BenchError("tocsin serve exited; its log ends:\n" + tail(self.log_path))


def post_json(url, body, timeout=30):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Connection": "close"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def prepare(children, binary, seeder, tmp, nginx):
    """A server with the monitors registered, an administrator, a month of
    history; returns (server, seed figures)."""
    server = Server(children, binary, os.path.join(tmp, "serve"))
    server.write_config(config("127.0.0.1:%d" % server.port, server.data_dir, nginx.page_url()))
    log("registering %s monitors" % fmt_int(MONITORS))
    server.start()
    server.stop()
    made = subprocess.run([binary, "admin", "--data-dir", server.data_dir, "create-user",
                           "--email", ADMIN_EMAIL, "--name", "Bench", "--admin"],
                          input=ADMIN_PASSWORD + "\n", text=True, capture_output=True)
    if made.returncode != 0:
        raise BenchError("tocsin admin create-user failed:\n" + made.stdout + made.stderr)
    log("writing %d days of history (bench/seed_history)" % HISTORY_DAYS)
    seeded = subprocess.run([seeder, "--db", server.db_path(), "--days", str(HISTORY_DAYS),
                             "--interval", str(SPARSE_INTERVAL_S), "--dense", str(DENSE)],
                            text=True, capture_output=True, timeout=SEED_TIMEOUT_S)
    if seeded.returncode != 0:
        raise BenchError("seed_history failed:\n" + seeded.stdout + seeded.stderr)
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    seed["db_bytes"] = sum(os.path.getsize(os.path.join(server.data_dir, n))
                           for n in os.listdir(server.data_dir))
    log("history: %s results in %.0f s, %.1f GiB on disk"
        % (fmt_int(seed["rows"]), seed["write_seconds"], seed["db_bytes"] / 2**30))
    server.start()
    log("warm-up %d s: every monitor runs once" % WARMUP_S)
    time.sleep(WARMUP_S)
    server.alive()
    return server, seed


def dense_ids(server):
    db = sqlite3.connect("file:%s?mode=ro" % server.db_path(), uri=True, timeout=30)
    try:
        return [r[0] for r in db.execute("SELECT id FROM monitors ORDER BY id LIMIT ?", (DENSE,))]
    finally:
        db.close()


def write_lua(tmp, name, authorization, paths=(), post=None):
    post_lua = ""
    if post is not None:
        post_lua = ('wrk.method = "POST"\nwrk.body = %s\n'
                    'wrk.headers["Content-Type"] = "application/json"\n' % lua_string(post))
    path = os.path.join(tmp, name + ".lua")
    with open(path, "w") as f:
        f.write(WRK_LUA % {"paths": "{" + ", ".join(lua_string(p) for p in paths) + "}",
                           "authorization": lua_string(authorization), "post": post_lua})
    return path


def start_wrk(children, tmp, name, url, conns, seconds, lua):
    out_path = os.path.join(tmp, name + ".out")
    out = open(out_path, "wb")
    p = children.start(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--timeout",
                        WRK_TIMEOUT, "-s", lua, url], stdout=out, stderr=subprocess.STDOUT)
    out.close()
    return p, out_path


def finish_wrk(children, p, out_path, seconds, conns):
    children.wait(p, seconds + RUN_GRACE_S)
    with open(out_path, errors="replace") as f:
        text = f.read()
    m = re.search(r"^WRK_RESULT (\{.*\})$", text, re.M)
    if p.returncode != 0 or not m:
        raise BenchError("wrk failed (status %s):\n%s" % (p.returncode, text[-2000:]))
    r = json.loads(m.group(1))
    r["per_s"] = r["requests"] / (r["duration_us"] / 1e6)
    r["connections"] = conns
    return r


def measure(children, tmp, server, name, path, conns, seconds, lua, beside=None):
    """One wrk run (and optionally a second beside it, on the same window);
    returns its figures with the server's start lag and CPU meanwhile."""
    before, ticks0, t0 = server.scrape(), server.cpu_ticks(), time.monotonic()
    p, out = start_wrk(children, tmp, name, server.url(path), conns, seconds, lua)
    side = None
    if beside is not None:
        b_name, b_path, b_conns, b_lua = beside
        side = start_wrk(children, tmp, b_name, server.url(b_path), b_conns, seconds, b_lua)
    r = finish_wrk(children, p, out, seconds, conns)
    if side is not None:
        r["beside"] = finish_wrk(children, side[0], side[1], seconds, beside[2])
    wall = time.monotonic() - t0
    after, ticks1 = server.scrape(), server.cpu_ticks()
    server.alive()
    lag = histogram_delta(before, after, LAG_HISTOGRAM)
    r["lag_p50_s"] = histogram_quantile(lag, 0.5)["value"]
    r["lag_p99_s"] = histogram_quantile(lag, 0.99)["value"]
    r["checks"] = ((metric_sum(after, "tocsin_checks_total") or 0)
                   - (metric_sum(before, "tocsin_checks_total") or 0))
    r["server_cores"] = (ticks1 - ticks0) / CLK_TCK / wall
    log("%s: %.0f/s, p50 %.1f ms, p99 %.1f ms, %d not 2xx, lag p99 %s s, server %.2f cores"
        % (name, r["per_s"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["not_2xx"],
           r["lag_p99_s"], r["server_cores"]))
    return r


def run(children, binary, seeder, tmp, nginx, seconds):
    server, seed = prepare(children, binary, seeder, tmp, nginx)
    token = post_json(server.url("/api/v1/session"),
                      {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "token": True,
                       "read_only": True})["token"]
    bearer = "Bearer " + token
    ids = dense_ids(server)
    res = {"seed": seed, "dense_ids": [ids[0], ids[-1]],
           # the server's rule (app/server.cc): cores - 1, at least 1, at most 2
           "password_slots": max(1, min(os.cpu_count() - 1, 2))}
    first_page = json.loads(http_get_auth(server.url("/api/v1/monitors"), bearer))
    res["list_page_monitors"] = len(first_page)
    res["list_page_with_latest"] = sum(1 for m in first_page if "latest" in m)

    lua = write_lua(tmp, "list", bearer)
    res["list"] = measure(children, tmp, server, "list", "/api/v1/monitors", CONNECTIONS,
                          seconds, lua)
    lua = write_lua(tmp, "list1000", bearer)
    res["list1000"] = measure(children, tmp, server, "list1000", "/api/v1/monitors?limit=1000",
                              CONNECTIONS, seconds, lua)
    paths = ["/api/v1/monitors/%d/summary" % i for i in ids]
    lua = write_lua(tmp, "summary", bearer, paths=paths)
    res["summary"] = measure(children, tmp, server, "summary", paths[0], CONNECTIONS, seconds,
                             lua)
    sample = json.loads(http_get_auth(server.url(paths[0]), bearer))
    res["summary_sample"] = sample
    login = json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    lua = write_lua(tmp, "login", "", post=login)
    beside_lua = write_lua(tmp, "beside", bearer)
    res["login"] = measure(children, tmp, server, "login", "/api/v1/session", LOGIN_CONNECTIONS,
                           seconds, lua,
                           beside=("beside", "/api/v1/monitors", BESIDE_CONNECTIONS, beside_lua))
    server.stop()
    return res


def http_get_auth(url, authorization):
    req = urllib.request.Request(url, headers={"Authorization": authorization,
                                               "Connection": "close"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def ms(us):
    return "%.1f ms" % (us / 1e3)


def fmt_lag(s):
    return "n/a" if s is None else "%.0f ms" % (s * 1e3)


def markdown(res):
    seed = res["seed"]
    lines = [MARK_BEGIN, "## The REST API under load", "",
             "- Date: %s. Machine: %d cores (%s), %s GiB. Command: `%s`."
             % (res["date_utc"], res["machine"]["nproc"], res["machine"]["cpu_model"],
                res["machine"]["mem_gib"], res["command"]),
             "- Setup: `tocsin serve` running %s monitors of a local nginx page every %d s; "
             "the store holds %d days of history for each (%s results: the first %d monitors "
             "checked every 60 s, the rest every %d min; %.1f GiB with rollups), written by "
             "`bench/seed_history` before the server started. Requests carry a read-only "
             "bearer token; wrk (one thread, keep-alive) runs on the same 2 cores for %d s "
             "per row."
             % (fmt_int(MONITORS), INTERVAL_S, HISTORY_DAYS, fmt_int(seed["rows"]), DENSE,
                SPARSE_INTERVAL_S // 60, seed["db_bytes"] / 2**30, res["seconds"]),
             "",
             "| request | connections | answers/s | p50 | p99 | target | verdict | start lag "
             "p99 meanwhile (target < 100 ms) | server CPU |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]

    def row(label, r, target_ms):
        ok = r["p99_us"] / 1e3 < target_ms if target_ms else None
        lag_ok = r["lag_p99_s"] is not None and r["lag_p99_s"] < TARGET_LAG_P99_S
        errors = r["not_2xx"] + r["socket_errors"] + r["timeouts"]
        return ("| %s | %d | %s%s | %s | %s | %s | %s | %s (%s checks) %s | %.2f cores |"
                % (label, r["connections"],
                   fmt_int(round(r["per_s"])), (" (%d errors)" % errors) if errors else "",
                   ms(r["p50_us"]), ms(r["p99_us"]),
                   ("p99 < %.0f ms" % target_ms) if target_ms else "report",
                   "" if ok is None else ("PASS" if ok and not errors else "FAIL"),
                   fmt_lag(r["lag_p99_s"]), fmt_int(r["checks"]), "PASS" if lag_ok else "FAIL",
                   r["server_cores"]))

    lines.append(row("`GET /api/v1/monitors` (first page, %d monitors)"
                     % res["list_page_monitors"], res["list"], TARGET_P99_MS))
    lines.append(row("`GET /api/v1/monitors?limit=1000` (the largest page)", res["list1000"],
                     None))
    lines.append(row("`GET /api/v1/monitors/{id}/summary` (30 days, %d monitors in turn)"
                     % DENSE, res["summary"], TARGET_P99_MS))
    login = res["login"]
    secs = login["duration_us"] / 1e6
    lines.append("| `POST /api/v1/session` (log in), flooding | %d | %.1f logins, %s busy answers "
                 "(503) | %s | %s | report | | %s (%s checks) %s | %.2f cores |"
                 % (login["connections"], login["ok"] / secs,
                    fmt_int(round(login["not_2xx"] / secs)), ms(login["p50_us"]),
                    ms(login["p99_us"]), fmt_lag(login["lag_p99_s"]), fmt_int(login["checks"]),
                    "PASS" if login["lag_p99_s"] is not None
                    and login["lag_p99_s"] < TARGET_LAG_P99_S else "FAIL",
                    login["server_cores"]))
    beside = dict(login["beside"], lag_p99_s=login["lag_p99_s"], checks=login["checks"],
                  server_cores=login["server_cores"])
    lines.append(row("`GET /api/v1/monitors` beside the login flood", beside, TARGET_P99_MS))
    lines.append("")
    s = res["summary_sample"]
    notes = [
        "Logins per second: %.1f. Argon2id (libsodium's interactive limits: 64 MiB, 2 passes) "
        "is slow on purpose, so the server runs at most %s at once (one core's worth kept "
        "free) and answers 503 with `Retry-After: 1` past that instead of queueing; wrk does "
        "not wait, so most of the flood's answers are those. The rows beside it show that "
        "neither the checks nor the rest of the API starve."
        % (res["login"]["ok"] / (res["login"]["duration_us"] / 1e6), res["password_slots"]),
        "A sample 30-day summary (the first monitor): %s results, %s failures, p50 %s µs, "
        "p95 %s µs, p99 %s µs." % (fmt_int(s["count"]), fmt_int(s["failures"]),
                                   fmt_int(s["p50_us"]), fmt_int(s["p95_us"]),
                                   fmt_int(s["p99_us"])),
        "The monitor list is paged (100 by default, at most 1,000, a `Link` header names the "
        "next page): the first page listed %d monitors, %d with a latest result."
        % (res["list_page_monitors"], res["list_page_with_latest"]),
        "wrk is a closed loop: each connection sends its next request when the answer "
        "arrives, so the server runs flat out (the CPU column) and most of each latency is "
        "time queued behind the other connections. The server's CPU per answer: list page "
        "%.2f ms, page of 1,000 %.2f ms, 30-day summary %.2f ms."
        % tuple(res[k]["server_cores"] / res[k]["per_s"] * 1e3
                for k in ("list", "list1000", "summary")),
        "Start lag is `tocsin_schedule_lag_seconds` over each row's window (bucket "
        "resolution); server CPU is `tocsin serve`'s user+system time over the window.",
    ]
    return finish_section(lines, notes, res, MARK_END)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", help="write the section here (default docs/benchmarks.md)")
    parser.add_argument("--json", default=JSON_DEFAULT)
    parser.add_argument("--small", action="store_true",
                        help="a quick trial: 1%% of the monitors, 2 days, docs left alone")
    args = parser.parse_args()
    if args.small:
        global MONITORS, DENSE, HISTORY_DAYS, WARMUP_S
        MONITORS, DENSE, HISTORY_DAYS, WARMUP_S = MONITORS // 100, 10, 2, 5
    seconds = seconds_env("TOCSIN_API_BENCH_S", 5 if args.small else 30)
    binary = os.environ.get("TOCSIN_BIN") or TOCSIN_DEFAULT
    seeder = os.environ.get("TOCSIN_SEEDER") or SEEDER_DEFAULT
    for path in (binary, seeder):
        if not os.access(path, os.X_OK):
            raise BenchError("%s is not built: `make build`" % path)
    for tool in ("/usr/sbin/nginx", "/usr/bin/wrk"):
        if not os.path.exists(tool):
            raise BenchError("%s not found; scripts/install-deps installs it" % tool)
    loopback_only()
    raise_nofile()
    res = {"benchmark": BENCHMARK, "date_utc": date_utc(), "machine": machine_info(),
           "command": command_line(("TOCSIN_BIN", "TOCSIN_API_BENCH_S"), "bench-api",
                                   "bench/api_load.py"),
           "json_path": display_path(args.json), "warnings": [], "seconds": seconds}
    children = Children()
    tmp = tempfile.mkdtemp(prefix="tocsin-api-")
    os.chmod(tmp, 0o755)
    try:
        nginx = Nginx(children, tmp)
        nginx.start()
        res.update(run(children, binary, seeder, tmp, nginx, seconds))
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
