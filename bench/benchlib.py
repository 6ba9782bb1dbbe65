"""Helpers shared by the benchmark scripts in bench/ (Python 3 stdlib only).

Starting and stopping child processes (each in its own session, stopped at
exit, on error and on Ctrl-C), reading CPU time from /proc, a one-worker
nginx on a loopback port serving a 2 KB page, the description of the
machine, and writing a script's own section of docs/benchmarks.md between
its markers. Log lines carry the name of the script that runs.
"""

import datetime
import json
import math
import os
import platform
import re
import resource
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = os.path.splitext(os.path.basename(sys.argv[0] or "bench"))[0]

# Limits and defaults shared by every script; each one named.
PAGE_BYTES = 2048
NOFILE_WANTED = 65536
NGINX_WORKER_CONNECTIONS = 4096
LISTEN_BACKLOG = 4096
STARTUP_TIMEOUT_S = 10.0        # a server must answer within this
STOP_TIMEOUT_S = 5.0            # SIGTERM, then SIGKILL after this
SETTLE_TIMEOUT_S = 10.0         # wait for nginx to drain between runs
POLL_S = 0.05
PORT_ATTEMPTS = 5

DOCS_DEFAULT = os.path.join(REPO_ROOT, "docs", "benchmarks.md")
DOCS_HEADER = (
    "# Benchmarks\n\n"
    "Each section below is written by the benchmark script it names (see\n"
    "bench/README.md) and replaced whole on its next run; every figure in a\n"
    "section was measured in the run it describes.\n\n"
)

CLK_TCK = os.sysconf("SC_CLK_TCK")
PROXY_ENV = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


class BenchError(Exception):
    """A failure the user can act on; printed without a traceback."""


def log(msg):
    print(PROGRAM + ": " + msg, file=sys.stderr, flush=True)



# ---------------------------------------------------------------- processes

class Children:
    """Every process this script starts, each in its own session so that the
    whole group (nginx master and worker) can be stopped by its id."""

    def __init__(self):
        self.procs = []

    def start(self, argv, stdout, stderr, env=None, stdin=subprocess.DEVNULL):
        p = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=stderr,
                             start_new_session=True, env=env)
        self.procs.append(p)
        return p

    def stop(self, p):
        """SIGTERM the process group, SIGKILL after STOP_TIMEOUT_S. The group id
        is the leader's pid, which the kernel does not reuse while the leader
        is unreaped or the group has members, so this cannot hit a stranger;
        a leader reaped before this call is not signalled at all."""
        if p.returncode is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if not self._signal_and_wait(p, sig):
                    break
        if p.poll() is None:
            try:
                p.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                log("warning: pid %d did not exit after SIGKILL" % p.pid)
        if p in self.procs:
            self.procs.remove(p)

    @staticmethod
    def _signal_and_wait(p, sig):
        """Returns True if the group is still alive STOP_TIMEOUT_S after sig."""
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            p.poll()
            return False
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            p.poll()  # reaps the leader so the group can empty
            if not group_alive(p.pid):
                return False
            time.sleep(POLL_S)
        return True

    def wait(self, p, timeout_s):
        """Waits for a child that ends by itself and returns its rusage. On
        error or interrupt it stays registered, so stop_all() still stops it."""
        ru = wait_with_rusage(p, timeout_s)
        self.procs.remove(p)
        return ru

    def stop_all(self):
        for p in list(reversed(self.procs)):
            self.stop(p)


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def wait_with_rusage(p, timeout_s):
    """Waits for a child and returns its resource usage (exact CPU of that
    process and its threads). Raises if it overruns timeout_s; the caller's
    Children.stop_all() then stops it."""
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status) if hasattr(
                os, "waitstatus_to_exitcode") else (status >> 8)
            return ru
        if time.monotonic() > deadline:
            raise BenchError("%s ran more than %.0f s; stopped" % (p.args[0], timeout_s))
        time.sleep(POLL_S)


def rusage_cpu_us(ru):
    return int(round((ru.ru_utime + ru.ru_stime) * 1e6))


# ------------------------------------------------------------- measurement

def proc_cpu_ticks(pid):
    """utime + stime of a live process, all its threads, in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])


def proc_children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def group_cpu_ticks(pid):
    total = 0
    for q in [pid] + proc_children(pid):
        try:
            total += proc_cpu_ticks(q)
        except OSError:
            pass
    return total


def machine_busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...; guest time is inside
    # user, and steal is the hypervisor's, not this machine's work.
    return v[0] + v[1] + v[2] + v[5] + v[6]


def time_wait_sockets():
    n = 0
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f, None)
                for line in f:
                    if line.split(None, 4)[3] == "06":
                        n += 1
        except OSError:
            pass
    return n


def http_get(url, timeout=STARTUP_TIMEOUT_S):
    req = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, what, timeout_s=STARTUP_TIMEOUT_S, proc=None):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BenchError("%s exited (status %s) before %s"
                             % (proc.args[0], proc.returncode, what))
        try:
            if cond():
                return
        except Exception as e:  # noqa: BLE001 -- retried until the deadline
            last = e
        time.sleep(POLL_S * 2)
    raise BenchError("timed out after %.0f s waiting for %s%s" % (
        timeout_s, what, (" (last error: %s)" % last) if last else ""))


# ------------------------------------------------------------------- nginx

class Nginx:
    def __init__(self, children, tmp):
        self.children = children
        self.prefix = os.path.join(tmp, "nginx")
        self.proc = None
        self.port = None
        self.status_requests = 0  # our own requests, to leave out of the counts

    def start(self):
        www = os.path.join(self.prefix, "www")
        os.makedirs(www)
        os.chmod(self.prefix, 0o755)
        os.chmod(www, 0o755)
        page = os.path.join(www, "page.html")
        with open(page, "wb") as f:
            f.write(two_kb_page())
        os.chmod(page, 0o644)
        for attempt in range(PORT_ATTEMPTS):
            self.port = free_port()
            conf = os.path.join(self.prefix, "nginx.conf")
            with open(conf, "w") as f:
                f.write(self.config())
            err = open(os.path.join(self.prefix, "stderr.log"), "ab")
            self.proc = self.children.start(
                ["/usr/sbin/nginx", "-p", self.prefix + "/", "-c", conf,
                 "-e", os.path.join(self.prefix, "error.log"), "-g", "daemon off;"],
                stdout=err, stderr=err)
            err.close()
            try:
                wait_for(lambda: http_get(self.status_url())[0] == 200,
                         "nginx on 127.0.0.1:%d" % self.port, proc=self.proc)
                break
            except BenchError:
                self.children.stop(self.proc)
                if attempt == PORT_ATTEMPTS - 1:
                    raise BenchError("nginx did not start; see its log:\n" + tail(
                        os.path.join(self.prefix, "error.log")))
        try:
            status, body = http_get(self.page_url())
        except OSError as e:
            raise BenchError("nginx did not serve %s: %s" % (self.page_url(), e))
        if status != 200 or len(body) != PAGE_BYTES:
            raise BenchError("nginx served %d bytes with status %d, expected %d with 200"
                             % (len(body), status, PAGE_BYTES))

    def config(self):
        p = self.prefix
        return """# Written by bench/benchlib.py; one worker leaves a core to the prober.
worker_processes 1;
worker_rlimit_nofile %(nofile)d;
pid %(p)s/nginx.pid;
error_log %(p)s/error.log warn;
events {
    worker_connections %(wc)d;
    multi_accept on;
}
http {
    access_log off;
    default_type text/html;
    client_body_temp_path %(p)s/client_body;
    proxy_temp_path %(p)s/proxy;
    fastcgi_temp_path %(p)s/fastcgi;
    uwsgi_temp_path %(p)s/uwsgi;
    scgi_temp_path %(p)s/scgi;
    server {
        listen 127.0.0.1:%(port)d backlog=%(backlog)d;
        root %(p)s/www;
        location = /page.html { }
        location = /nginx_status { stub_status; }
        location / { return 404; }
    }
}
""" % {"p": p, "port": self.port, "wc": NGINX_WORKER_CONNECTIONS,
       "backlog": LISTEN_BACKLOG,
       # what raise_nofile() obtained: asking nginx for more only logs an alert
       "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]}

    def page_url(self):
        return "http://127.0.0.1:%d/page.html" % self.port

    def status_url(self):
        return "http://127.0.0.1:%d/nginx_status" % self.port

    def status(self):
        """Connections accepted and requests served so far, and how many
        connections are open now (this status request included)."""
        self.status_requests += 1
        _, body = http_get(self.status_url())
        text = body.decode()
        active = int(re.search(r"Active connections:\s*(\d+)", text).group(1))
        accepts, _handled, requests = (int(x) for x in re.search(
            r"\n\s*(\d+)\s+(\d+)\s+(\d+)", text).groups())
        return {"active": active, "accepts": accepts, "requests": requests}

    def settle(self):
        """Waits until only our status request is open, so runs don't overlap."""
        wait_for(lambda: self.status()["active"] <= 1, "nginx to drain its connections",
                 timeout_s=SETTLE_TIMEOUT_S)

    def cpu_ticks(self):
        return group_cpu_ticks(self.proc.pid)


def two_kb_page():
    head = b"<!doctype html>\n<html><head><title>tocsin bench</title></head><body>\n<p>"
    tail_ = b"</p>\n</body></html>\n"
    filler = PAGE_BYTES - len(head) - len(tail_)
    body = head + (b"tocsin " * (filler // 7 + 1))[:filler] + tail_
    assert len(body) == PAGE_BYTES
    return body


def tail(path, lines=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log at %s)" % path




# ------------------------------------------------------------------ machine

def sh(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=STARTUP_TIMEOUT_S)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return "unavailable (%s)" % e


def deb_version(pkg):
    v = sh(["dpkg-query", "-W", "-f=${Version}", pkg])
    return v if v and "no packages" not in v and "unavailable" not in v else None


def machine_info():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_model": model,
            "kernel": platform.release(), "mem_gib": round(mem_kb / 1048576, 1),
            "tcp_tw_reuse": read_first("/proc/sys/net/ipv4/tcp_tw_reuse"),
            "ip_local_port_range": read_first("/proc/sys/net/ipv4/ip_local_port_range"),
            "somaxconn": read_first("/proc/sys/net/core/somaxconn"),
            "nofile_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0]}


def read_first(path):
    try:
        with open(path) as f:
            return " ".join(f.read().split())
    except OSError:
        return None






def processes_matching(match):
    """Processes whose argv[0] satisfies match(argv0), as "argv0 (pid N)":
    the ones a script did not start share the CPU, so reports name them.
    Call it before starting the script's own."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv0 = f.read().split(b"\0", 1)[0].decode(errors="replace")
        except OSError:
            continue
        if match(argv0):
            found.append("%s (pid %s)" % (argv0[:60], d))
    return found


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def fmt_us(x):
    return "n/a" if x is None else ("%.1f" % x if x < 100 else fmt_int(x))


def floor1(x):
    return math.floor(x * 10) / 10


# --------------------------------------------------------------- reporting

def markers(name):
    """The lines that open and close the section of benchmark `name`."""
    return "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name


def write_docs(path, section, name):
    """Replaces benchmark `name`'s section (which `section` must open and close
    with markers(name)); other sections survive."""
    mark_begin, mark_end = markers(name)
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
    else:
        text = DOCS_HEADER
    b, e = text.find(mark_begin), text.find(mark_end)
    if b >= 0 and e > b:
        rest = text[e + len(mark_end):].lstrip("\n")
        text = text[:b] + section + ("\n" + rest if rest else "")
    elif b >= 0 or e >= 0:
        raise BenchError("%s has a %s marker without its pair; fix it by hand" % (path, name))
    else:
        text = text.rstrip("\n") + "\n\n" + section
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_json(path, res):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def display_path(path):
    rel = os.path.relpath(os.path.abspath(path), REPO_ROOT)
    return path if rel.startswith("..") else rel


def finish_section(lines, notes, res, mark_end):
    """Ends a docs section: the notes as a list, this run's warnings, where
    the raw numbers are, and the end marker. Returns the section's text."""
    lines = list(lines) + ["- " + n for n in notes]
    if res["warnings"]:
        lines += ["", "Warnings from this run:", ""] + ["- " + w for w in res["warnings"]]
    lines += ["", "Raw numbers: `%s`." % res["json_path"], mark_end]
    return "\n".join(lines) + "\n"


def command_line(env_names, make_target, script):
    """What was run, as the user would type it: the environment variables
    that change the run, then `make TARGET` under make, else the script."""
    env = " ".join("%s=%s" % (k, shlex.quote(os.environ[k])) for k in env_names
                   if os.environ.get(k))
    if os.environ.get("MAKELEVEL"):
        cmd = "make " + make_target
    else:
        cmd = " ".join([script] + [shlex.quote(a) for a in sys.argv[1:]])
    return (env + " " + cmd).strip()


def seconds_env(name, default, maximum=3600):
    """A whole number from 1 to maximum (seconds: wrk's -d takes no fractions)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]+", raw.strip()) or not 1 <= int(raw) <= maximum:
        raise BenchError("%s=%r: expected a whole number from 1 to %d" % (name, raw, maximum))
    return int(raw)


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = NOFILE_WANTED
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]




def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def loopback_only():
    """Traffic stays on 127.0.0.1: no proxy for urllib, curl or Go children."""
    for k in PROXY_ENV:
        os.environ.pop(k, None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "*"


def date_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def run_main(main):
    """Runs a script's main(): every child it started is stopped on the way
    out (main's own finally), errors the user can act on print without a
    traceback (status 2), Ctrl-C and SIGTERM end it through the cleanup."""
    # Ctrl-C must reach the cleanup even when started as a background job,
    # which inherits SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        sys.exit(main())
    except BenchError as e:
        log("error: %s" % e)
        sys.exit(2)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
