#!/usr/bin/env python3
"""The console in headless Chromium, with 10,000 monitors and a year of history.

Questions (issue: the console): how big is the console's first load,
gzipped (target under 150 KB); how long from opening the monitors page to
a usable list of 10,000 monitors (target under 1 s); how long to draw a
one-year chart of one monitor (target under 300 ms)?

Setup: a real `tocsin serve` whose config file holds 10,000 monitors of a
local nginx page, every 60 s, all the administrator's; bench/seed_history
writes a year of results, one a minute, for the first monitor (525,600
results, with their rollups); every monitor runs once before the browser
opens the console. bench/console_timing.mjs drives Debian's Chromium
(playwright-core) and times each view five times.

Prints a Markdown section and replaces it in docs/benchmarks.md; raw
numbers go to build/bench/console_load.json. Loopback only; every process
it starts stops at exit. Run it with `make bench-console`.
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import api_load
from benchlib import (BenchError, Children, Nginx, command_line, date_utc, display_path,
                      finish_section, fmt_int, log, loopback_only, machine_info, markers,
                      raise_nofile, run_main, write_docs, write_json, DOCS_DEFAULT, REPO_ROOT)

BENCHMARK = "console_load"
MARK_BEGIN, MARK_END = markers(BENCHMARK)
YEAR_DAYS = 365
REPEAT = 5
WARMUP_S = 65
TARGET_BUNDLE_KB = 150
TARGET_LIST_MS = 1000
TARGET_CHART_MS = 300
TIMING_TIMEOUT_S = 600

BUILD = os.path.join(REPO_ROOT, "build")
JSON_DEFAULT = os.path.join(BUILD, "bench", "console_load.json")
TIMING = os.path.join(REPO_ROOT, "bench", "console_timing.mjs")


def bundle_sizes(dist):
    """Bytes of the first load (the page, its scripts and styles), raw and
    gzipped at level 9 as the server sends them."""
    raw = packed = 0
    files = []
    for root, _, names in os.walk(dist):
        for name in names:
            if not name.endswith((".html", ".js", ".css")):
                continue
            with open(os.path.join(root, name), "rb") as f:
                data = f.read()
            raw += len(data)
            packed += len(gzip.compress(data, compresslevel=9, mtime=0))
            files.append(name)
    if not files:
        raise BenchError("%s holds no console build: `make build`" % dist)
    return {"files": sorted(files), "raw_bytes": raw, "gzip_bytes": packed}


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2] if s else None


def run(children, binary, seeder, tmp, nginx):
    server = api_load.Server(children, binary, os.path.join(tmp, "serve"))
    server.write_config(api_load.config("127.0.0.1:%d" % server.port, server.data_dir,
                                        nginx.page_url()))
    log("registering %s monitors" % fmt_int(api_load.MONITORS))
    server.start()
    server.stop()
    made = subprocess.run([binary, "admin", "--data-dir", server.data_dir, "create-user",
                           "--email", api_load.ADMIN_EMAIL, "--name", "Bench", "--admin"],
                          input=api_load.ADMIN_PASSWORD + "\n", text=True, capture_output=True)
    if made.returncode != 0:
        raise BenchError("tocsin admin create-user failed:\n" + made.stdout + made.stderr)
    seeded = subprocess.run([seeder, "--db", server.db_path(), "--days", str(YEAR_DAYS),
                             "--interval", "60", "--dense", "1", "--monitors", "1"],
                            text=True, capture_output=True, timeout=api_load.SEED_TIMEOUT_S)
    if seeded.returncode != 0:
        raise BenchError("seed_history failed:\n" + seeded.stdout + seeded.stderr)
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    log("a year for the first monitor: %s results in %.1f s" % (fmt_int(seed["rows"]),
                                                                 seed["write_seconds"]))
    server.start()
    log("warm-up %d s: every monitor runs once" % WARMUP_S)
    time.sleep(WARMUP_S)
    server.alive()
    first_id = api_load.dense_ids(server)[0]
    p = subprocess.run(["node", TIMING, REPO_ROOT, server.url(""), api_load.ADMIN_EMAIL,
                        api_load.ADMIN_PASSWORD, str(first_id), str(api_load.MONITORS),
                        str(REPEAT)], text=True, capture_output=True, timeout=TIMING_TIMEOUT_S)
    if p.returncode != 0:
        raise BenchError("console_timing.mjs failed:\n" + p.stdout[-2000:] + p.stderr[-3000:])
    timing = json.loads(p.stdout.strip().splitlines()[-1])
    server.stop()
    return {"seed": seed, "timing": timing}


def markdown(res):
    b, t = res["bundle"], res["timing"]
    list_ms, figures_ms, chart_ms = (median(t["list_ms"]), median(t["list_figures_ms"]),
                                     median(t["chart_year_ms"]))
    kb = b["gzip_bytes"] / 1024
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    lines = [MARK_BEGIN, "## The console in the browser", "",
             "- Date: %s. Machine: %d cores (%s), %s GiB. Command: `%s`."
             % (res["date_utc"], res["machine"]["nproc"], res["machine"]["cpu_model"],
                res["machine"]["mem_gib"], res["command"]),
             "- Setup: `tocsin serve` running %s monitors of a local nginx page every 60 s "
             "(the administrator's), a year of results one a minute for one of them (%s "
             "results, written by `bench/seed_history`); Debian's Chromium, headless, driven "
             "by playwright-core (`bench/console_timing.mjs`) on the same 2 cores, %d runs "
             "each, medians." % (fmt_int(api_load.MONITORS), fmt_int(res["seed"]["rows"]),
                                 REPEAT),
             "",
             "| question | measured | target | verdict |",
             "| --- | --- | --- | --- |",
             "| first load, gzipped (page, script, styles) | %.1f KB (%.1f KB raw) | < %d KB | %s |"
             % (kb, b["raw_bytes"] / 1024, TARGET_BUNDLE_KB, verdict(kb < TARGET_BUNDLE_KB)),
             "| open /monitors to a usable list of %s monitors | %d ms (runs: %s) | < %d ms | %s |"
             % (fmt_int(api_load.MONITORS), list_ms, ", ".join(map(str, t["list_ms"])),
                TARGET_LIST_MS, verdict(list_ms < TARGET_LIST_MS)),
             "| ... and the figures of the rows in view drawn | %d ms | | |" % figures_ms,
             "| a one-year chart of one monitor, from the click | %d ms (runs: %s) | < %d ms | %s |"
             % (chart_ms, ", ".join(map(str, t["chart_year_ms"])), TARGET_CHART_MS,
                verdict(chart_ms < TARGET_CHART_MS)),
             ""]
    notes = [
        "Usable: the page loaded, the whole list fetched (10 pages of 1,000), the count shown "
        "and the first rows drawn; the list draws only the rows in view (%d elements for "
        "%s monitors) and asks for the figures of those alone." % (
            t["rows_rendered"], fmt_int(api_load.MONITORS)),
        "The year chart reads day rollups (`/series`: 365 points), the year's summary, an "
        "uptime strip and the last hour of raw results; timed from the click on \"1 year\" "
        "to the chart drawn (two animation frames after its data).",
    ]
    return finish_section(lines, notes, res, MARK_END)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", help="write the section here (default docs/benchmarks.md)")
    parser.add_argument("--json", default=JSON_DEFAULT)
    parser.add_argument("--small", action="store_true",
                        help="a quick trial: 1%% of the monitors, docs left alone")
    args = parser.parse_args()
    global WARMUP_S
    if args.small:
        api_load.MONITORS = api_load.MONITORS // 100
        WARMUP_S = 5
    binary = os.environ.get("TOCSIN_BIN") or api_load.TOCSIN_DEFAULT
    seeder = os.environ.get("TOCSIN_SEEDER") or api_load.SEEDER_DEFAULT
    for path in (binary, seeder):
        if not os.access(path, os.X_OK):
            raise BenchError("%s is not built: `make build`" % path)
    for tool in ("/usr/sbin/nginx", "/usr/bin/chromium"):
        if not os.path.exists(tool):
            raise BenchError("%s not found; scripts/install-deps installs it" % tool)
    loopback_only()
    raise_nofile()
    res = {"benchmark": BENCHMARK, "date_utc": date_utc(), "machine": machine_info(),
           "command": command_line(("TOCSIN_BIN",), "bench-console", "bench/console_load.py"),
           "json_path": display_path(args.json), "warnings": [],
           "bundle": bundle_sizes(os.path.join(os.path.dirname(binary), "console"))}
    children = Children()
    tmp = tempfile.mkdtemp(prefix="tocsin-console-")
    os.chmod(tmp, 0o755)
    try:
        nginx = Nginx(children, tmp)
        nginx.start()
        res.update(run(children, binary, seeder, tmp, nginx))
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
