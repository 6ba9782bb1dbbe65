#!/usr/bin/env python3
"""The weekly summaries of 1,000 users with 10 URLs each, on 30 days of history.

Question (issue: weekly summary): how much CPU does building every user's
weekly summary take (target under 10 s for 1,000 users of 10 URLs on 30
days of history)?

Setup: bench/weekly_summaries (C++) makes a fresh SQLite store, 1,000
confirmed users with 10 URLs each and 30 days of synthetic results, one
an hour per URL (7.2 million results; the hour and day rollups a summary
reads are as full as at one a minute), then runs one pass of the weekly
job at the users' slot (Monday 08:00): every summary built and queued in
the outbox, ranks among all 10,000 URLs included. CPU is the process's
own over the pass; a second pass (all queued) shows the steady cost.

Prints a Markdown section and replaces it in docs/benchmarks.md; raw
numbers go to build/bench/weekly_summaries.json. Run it with
`make bench-weekly`.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from benchlib import (BenchError, command_line, date_utc, display_path, finish_section,
                      machine_info, markers, run_main, write_docs, write_json, DOCS_DEFAULT,
                      REPO_ROOT)

BENCHMARK = "weekly_summaries"
MARK_BEGIN, MARK_END = markers(BENCHMARK)
USERS = 1000
URLS = 10
DAYS = 30
INTERVAL_S = 3600
TARGET_CPU_S = 10
BUILD = os.path.join(REPO_ROOT, "build")
PROGRAM = os.path.join(BUILD, "bench", "weekly_summaries")
JSON_DEFAULT = os.path.join(BUILD, "bench", "weekly_summaries.json")


def markdown(res):
    r = res["run"]
    m = res["machine"]
    verdict = "PASS" if r["pass_cpu_seconds"] < TARGET_CPU_S else "FAIL"
    lines = [
        MARK_BEGIN,
        "## Weekly summaries",
        "",
        "- Date: %s. Machine: %d cores (%s), %.1f GiB. Command: `%s`."
        % (res["date_utc"], m["nproc"], m["cpu_model"], m["mem_gib"], res["command"]),
        "- Setup: a fresh SQLite store, %d confirmed users with %d URLs each, %d days of "
        "synthetic results one every %d s per URL (%s results, seeded in %.0f s), then one "
        "pass of the weekly job at the users' Monday 08:00."
        % (r["users"], r["urls_per_user"], r["days"], r["interval_s"],
           format(r["rows"], ","), r["seed_seconds"]),
        "",
        "| question | measured | target | verdict |",
        "| --- | --- | --- | --- |",
        "| CPU to build and queue every summary (%d users, %d URLs) | %.2f s (%.1f ms a user; "
        "wall %.2f s) | < %d s | %s |"
        % (r["users"], r["users"] * r["urls_per_user"], r["pass_cpu_seconds"],
           1000 * r["pass_cpu_seconds"] / r["users"], r["pass_wall_seconds"], TARGET_CPU_S,
           verdict),
        "| summaries queued by that pass / by a second pass | %d / %d | %d / 0 | %s |"
        % (r["queued"], r["queued_again"], r["users"],
           "PASS" if r["queued"] == r["users"] and r["queued_again"] == 0 else "FAIL"),
        "| CPU of the second pass (every summary already queued) | %.3f s | | |"
        % r["second_pass_cpu_seconds"],
        "",
    ]
    notes = [
        "Per URL a summary reads the week, the week before and the four weeks before from "
        "hour and day rollups, its incidents, and its rank among all URLs (the server's "
        "figures built once per week window and shared by every user whose week it is).",
        "Users in many time zones have several week windows: each costs one more pass over "
        "the server's URLs for the ranks.",
    ]
    return finish_section(lines, notes, res, MARK_END)


def main():
    if not os.access(PROGRAM, os.X_OK):
        raise BenchError("%s is not built: `make build`" % PROGRAM)
    res = {"benchmark": BENCHMARK, "date_utc": date_utc(), "machine": machine_info(),
           "command": command_line((), "bench-weekly", "bench/weekly_summaries.py"),
           "json_path": display_path(JSON_DEFAULT), "warnings": []}
    tmp = tempfile.mkdtemp(prefix="tocsin-weekly-")
    try:
        out = subprocess.run([PROGRAM, "--dir", tmp, "--users", str(USERS), "--urls", str(URLS),
                              "--days", str(DAYS), "--interval", str(INTERVAL_S)],
                             capture_output=True, text=True, timeout=3600)
        if out.returncode not in (0, 3):
            raise BenchError("weekly_summaries failed: " + out.stderr[-2000:])
        res["run"] = json.loads(out.stdout.strip().splitlines()[-1])
        if out.returncode == 3:
            res["warnings"].append("not every summary was queued exactly once")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_json(JSON_DEFAULT, res)
    section = markdown(res)
    print(section)
    write_docs(DOCS_DEFAULT, section, BENCHMARK)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
