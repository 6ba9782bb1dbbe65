#!/usr/bin/env python3
"""A public status page of 50 monitors with 90 days of history.

Questions (issue: status pages): how long does the server take to render
a status page of 50 monitors with 90 days of history (target under 20 ms),
and how many does it serve a second to 100 concurrent connections?

Setup: a real `tocsin serve`; 50 API monitors of a local nginx page every
60 s in the administrator's workspace; bench/seed_history writes 90 days
of results, one every 10 min per monitor (648,000 results with their
rollups); a page at /status/bench shows all 50. wrk asks for the page on
one connection (each request alone: the server's time plus loopback),
then on 100, first with the page rendered for every request
(`status_page_cache: 0s`), then as served by default (kept 10 s). Badges
are measured on 100 connections.

Prints a Markdown section and replaces it in docs/benchmarks.md; raw
numbers go to build/bench/status_page_load.json. Loopback only; every
process it starts stops at exit. Run it with `make bench-status`.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import api_load
from benchlib import (BenchError, Children, Nginx, command_line, date_utc, display_path,
                      finish_section, fmt_int, log, loopback_only, machine_info, markers,
                      raise_nofile, run_main, write_docs, write_json, DOCS_DEFAULT, REPO_ROOT)

BENCHMARK = "status_page_load"
MARK_BEGIN, MARK_END = markers(BENCHMARK)
MONITORS = 50
DAYS = 90
INTERVAL_S = 600
SECONDS = 15
CONNECTIONS = 100
TARGET_MS = 20
JSON_DEFAULT = os.path.join(REPO_ROOT, "build", "bench", "status_page_load.json")


def api(server, method, path, token, body=None):
    req = urllib.request.Request(server.url(path), method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json",
                                          "Connection": "close"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def run(children, binary, seeder, tmp, nginx):
    server = api_load.Server(children, binary, os.path.join(tmp, "serve"))
    base_config = ("server:\n  listen: 127.0.0.1:%d\n  data_dir: %s\n  allow_private: true\n"
                   % (server.port, server.data_dir))
    # First every request renders the page (no page cache): the render time.
    server.write_config(base_config + "  status_page_cache: 0s\n")
    server.start()
    server.stop()
    made = subprocess.run([binary, "admin", "--data-dir", server.data_dir, "create-user",
                           "--email", api_load.ADMIN_EMAIL, "--name", "Bench", "--admin"],
                          input=api_load.ADMIN_PASSWORD + "\n", text=True, capture_output=True)
    if made.returncode != 0:
        raise BenchError("tocsin admin create-user failed:\n" + made.stdout + made.stderr)
    server.start()
    token = api_load.post_json(server.url("/api/v1/session"),
                               {"email": api_load.ADMIN_EMAIL, "password": api_load.ADMIN_PASSWORD,
                                "token": True})["token"]
    ids = []
    for i in range(MONITORS):
        m = api(server, "POST", "/api/v1/monitors", token,
                {"name": "Service %02d" % i, "url": nginx.page_url() + "?s=%d" % i,
                 "interval_s": 60})
        ids.append(m["id"])
    server.stop()
    log("writing %d days of history for %d monitors (bench/seed_history)" % (DAYS, MONITORS))
    seeded = subprocess.run([seeder, "--db", server.db_path(), "--days", str(DAYS),
                             "--interval", str(INTERVAL_S)],
                            text=True, capture_output=True, timeout=api_load.SEED_TIMEOUT_S)
    if seeded.returncode != 0:
        raise BenchError("seed_history failed:\n" + seeded.stdout + seeded.stderr)
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    server.start()
    api(server, "POST", "/api/v1/status-pages", token,
        {"slug": "bench", "title": "Bench status", "monitors": ids, "show_urls": False})
    time.sleep(65)  # every monitor runs once: the page shows live states
    server.alive()
    with urllib.request.urlopen(server.url("/status/bench"), timeout=30) as r:
        page = r.read().decode()
    res = {"seed": seed, "page_bytes": len(page),
           "page_monitors": page.count('<div class="monitor">'),
           "page_bars": page.count('<span class="d-')}
    lua = api_load.write_lua(tmp, "page1", "")
    res["page_alone"] = api_load.measure(children, tmp, server, "page, 1 connection",
                                         "/status/bench", 1, SECONDS, lua)
    lua = api_load.write_lua(tmp, "page100", "")
    res["page_100"] = api_load.measure(children, tmp, server, "page, 100 connections, no cache",
                                       "/status/bench", CONNECTIONS, SECONDS, lua)
    # Then as served by default: each page kept status_page_cache (10 s).
    server.stop()
    server.write_config(base_config)
    server.start()
    res["page_100_cached"] = api_load.measure(children, tmp, server, "page, 100 connections",
                                              "/status/bench", CONNECTIONS, SECONDS, lua)
    badges = ["/status/bench/badge/%d/uptime.svg?days=30" % i for i in ids]
    lua = api_load.write_lua(tmp, "badges", "", paths=badges)
    res["badges_100"] = api_load.measure(children, tmp, server, "badges, 100 connections",
                                         badges[0], CONNECTIONS, SECONDS, lua)
    server.stop()
    return res


def markdown(res):
    m = res["machine"]
    alone, many, badges = res["page_alone"], res["page_100"], res["badges_100"]
    cached = res["page_100_cached"]
    verdict = "PASS" if alone["p50_us"] / 1000 < TARGET_MS else "FAIL"
    lines = [
        MARK_BEGIN,
        "## Public status pages",
        "",
        "- Date: %s. Machine: %d cores (%s), %.1f GiB. Command: `%s`."
        % (res["date_utc"], m["nproc"], m["cpu_model"], m["mem_gib"], res["command"]),
        "- Setup: `tocsin serve` with %d API monitors of a local nginx page every 60 s, %d days "
        "of history (%s results, one every %d s per monitor, by `bench/seed_history`), a page "
        "of all %d at /status/bench (%s KB of HTML, %d monitors, %s daily bars); wrk, %d s a run."
        % (MONITORS, DAYS, fmt_int(res["seed"]["rows"]), INTERVAL_S, MONITORS,
           fmt_int(res["page_bytes"] // 1024), res["page_monitors"], fmt_int(res["page_bars"]),
           SECONDS),
        "",
        "| question | measured | target | verdict |",
        "| --- | --- | --- | --- |",
        "| render the page, one request at a time (p50 / p99) | %.1f ms / %.1f ms | < %d ms | %s |"
        % (alone["p50_us"] / 1000, alone["p99_us"] / 1000, TARGET_MS, verdict),
        "| the page under 100 connections, rendered for each (`status_page_cache: 0s`) | %s/s, p50 %.1f ms, p99 %.1f ms, %d not 2xx; server %.2f cores | | |"
        % (fmt_int(round(many["per_s"])), many["p50_us"] / 1000, many["p99_us"] / 1000,
           many["not_2xx"], many["server_cores"]),
        "| the page under 100 connections, as served (kept 10 s) | %s/s, p50 %.1f ms, p99 %.1f ms, %d not 2xx; server %.2f cores | | |"
        % (fmt_int(round(cached["per_s"])), cached["p50_us"] / 1000, cached["p99_us"] / 1000,
           cached["not_2xx"], cached["server_cores"]),
        "| uptime badges (30 days) under 100 connections | %s/s, p50 %.1f ms, p99 %.1f ms, %d not 2xx | | |"
        % (fmt_int(round(badges["per_s"])), badges["p50_us"] / 1000, badges["p99_us"] / 1000,
           badges["not_2xx"]),
        "| checks' start lag p99 meanwhile | %.3f s (page, each rendered), %.3f s (as served), %.3f s (badges) | | |"
        % (many["lag_p99_s"], cached["lag_p99_s"], badges["lag_p99_s"]),
        "",
    ]
    notes = ["One request at a time, the latency is the server's time plus loopback.",
             "A render reads each monitor's 90 days of day rollups (one query per monitor), its "
             "latest state from memory, its incidents and the page's posts; renders take turns "
             "on the store's one reader connection, which is why rendering for every visitor "
             "tops out near one core's worth. As served, a page is rendered once per 10 s and "
             "the rest is sending its bytes.",
             "The page is large: 90 bars of 50 monitors, each with its own title (the day's "
             "figure) for visitors without JavaScript."]
    return finish_section(lines, notes, res, MARK_END)


def main():
    binary = os.environ.get("TOCSIN_BIN") or api_load.TOCSIN_DEFAULT
    seeder = os.environ.get("TOCSIN_SEEDER") or api_load.SEEDER_DEFAULT
    for path in (binary, seeder):
        if not os.access(path, os.X_OK):
            raise BenchError("%s is not built: `make build`" % path)
    if not shutil.which("wrk"):
        raise BenchError("wrk not found; scripts/install-deps installs it")
    loopback_only()
    raise_nofile()
    res = {"benchmark": BENCHMARK, "date_utc": date_utc(), "machine": machine_info(),
           "command": command_line(("TOCSIN_BIN",), "bench-status", "bench/status_page_load.py"),
           "json_path": display_path(JSON_DEFAULT), "warnings": []}
    children = Children()
    tmp = tempfile.mkdtemp(prefix="tocsin-status-")
    os.chmod(tmp, 0o755)
    try:
        nginx = Nginx(children, tmp)
        nginx.start()
        res.update(run(children, binary, seeder, tmp, nginx))
    finally:
        children.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    write_json(JSON_DEFAULT, res)
    section = markdown(res)
    print(section)
    write_docs(DOCS_DEFAULT, section, BENCHMARK)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
