"""The server, chosen by measurement: each candidate serves the static ceiling and then
wenevents (public pages from the store, and rendered), measured with wrk in one run on
the same machine; every figure is also printed as a percentage of that server's ceiling.

wrk is the load generator (``apt install wrk``); without it this part is skipped with a
note. Latency is wrk's median with one connection (server time plus a local round trip);
requests per second come from 20 connections on 2 threads. The load generator shares the
cores with the server, as it does for the ceiling: compare within one run.
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from benchmarks import browser

HOST = "127.0.0.1"
WORKERS = 2
CONNECTIONS = 20
STARTUP_TIMEOUT = 30.0
# Goals of issue 15: a stored page at 1 ms or less, at half the ceiling or more; a render
# under 25 ms.
CACHED_GOAL_MS, CEILING_GOAL, RENDER_GOAL_MS = 1.0, 0.5, 25.0

SERVERS = {
    "gunicorn sync": lambda app, port: [
        sys.executable, "-m", "gunicorn", "--config", "python:wenevents.gunicorn_config",
        "--workers", str(WORKERS), "--bind", f"{HOST}:{port}", app,
    ],
    "gunicorn gthread": lambda app, port: [
        sys.executable, "-m", "gunicorn", "--config", "python:wenevents.gunicorn_config",
        "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", "4",
        "--bind", f"{HOST}:{port}", app,
    ],
    "granian": lambda app, port: [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", str(WORKERS),
        "--blocking-threads", "1", "--host", HOST, "--port", str(port), "--no-log",
        *(["--factory"] if app.endswith("()") else []), app.removesuffix("()"),
    ],
}  # fmt: skip


def available():
    """Why the comparison cannot run here, or None."""
    if not shutil.which("wrk"):
        return "wrk is not installed (apt install wrk): the server comparison is skipped."
    return None


def compare(env, pages, seconds, log_dir, free_port, cold=None):
    """Rows of (server, page, variant, p50 ms, req/s, % of ceiling) for every server.

    ``cold``: a dict to fill with the cold-browser figures of the schedule and of the same
    bytes from the ceiling, under the first server (benchmarks/browser.py)."""
    ceiling_file = Path(log_dir) / "ceiling.gz"
    measure_cold = cold is not None and not browser.available()
    rows = []
    for name in SERVERS:
        if name == "granian" and not _has_module("granian"):
            rows.append({"server": name, "missing": True})
            continue
        # The ceiling serves the schedule's bytes (all days), fetched from this server.
        ceiling_env = {**env, "BENCH_CEILING_FILE": str(ceiling_file)}
        with _serving(name, "wenevents:create_app()", env, log_dir, free_port) as port:
            body = _fetch(port, pages[0])
            ceiling_file.write_bytes(gzip.compress(body, mtime=0))
            stored = [(page, _measure(port, page, seconds)) for page in pages]
            if measure_cold and not cold:
                # Both served at once, their loads taken in turn: a slower minute of the
                # machine, or the browser's first start, falls on both alike.
                with _serving(
                    name, "benchmarks.ceiling:app", ceiling_env, log_dir, free_port
                ) as static_port:
                    cold["ours"], cold["static"] = browser.cold_loads(
                        f"http://{HOST}:{port}{pages[0]}", f"http://{HOST}:{static_port}/"
                    )
        with _serving(name, "benchmarks.ceiling:app", ceiling_env, log_dir, free_port) as port:
            ceiling = _measure(port, "/", seconds)
        uncached_env = {**env, "WENEVENTS_PUBLIC_CACHE": "false"}
        with _serving(name, "wenevents:create_app()", uncached_env, log_dir, free_port) as port:
            rendered = _measure(port, pages[0], seconds)
        rows.append({"server": name, "page": "static ceiling", "variant": "", **ceiling})
        for page, figures in stored:
            rows.append({"server": name, "page": page, "variant": "stored", **figures})
        rows.append({"server": name, "page": pages[0], "variant": "rendered", **rendered})
        for row in rows:
            if row.get("server") == name and "rate" in row:
                row["share"] = row["rate"] / ceiling["rate"]
    return rows


def print_rows(rows, scale):
    """The comparison's table, and whether each goal is met."""
    print()
    print(
        f"Servers at {scale}x: {WORKERS} workers each; p50 from wrk with 1 connection; "
        f"req/s from {CONNECTIONS} connections; % of the same server's static ceiling"
    )
    width = max([len(r.get("page", "")) for r in rows] + [20])
    header = f"{'server':<17} {'page':<{width}} {'variant':<9} {'p50 ms':>7} {'req/s':>8} {'%':>5}"
    print(header)
    print("-" * len(header))
    best = {}
    for row in rows:
        if row.get("missing"):
            print(f"{row['server']:<17} (not installed: pip install granian)")
            continue
        print(
            f"{row['server']:<17} {row['page']:<{width}} {row['variant']:<9} "
            f"{row['p50']:>7.2f} {row['rate']:>8.0f} {row['share'] * 100:>4.0f}%"
        )
        if row["variant"] == "stored":
            best.setdefault(row["server"], []).append(row)
    for server, stored in best.items():
        worst = min(stored, key=lambda r: r["share"])
        slowest = max(stored, key=lambda r: r["p50"])
        verdict = (
            "met"
            if worst["share"] >= CEILING_GOAL and slowest["p50"] <= CACHED_GOAL_MS
            else "NOT met"
        )
        print(
            f"Goal ({server}, {scale}x): stored pages p50 <= {CACHED_GOAL_MS:.0f} ms and >= "
            f"{CEILING_GOAL:.0%} of the ceiling: {verdict} (slowest {slowest['p50']:.2f} ms, "
            f"lowest {worst['share']:.0%})"
        )
    for row in rows:
        if row.get("variant") == "rendered":
            verdict = "met" if row["p50"] < RENDER_GOAL_MS else "NOT met"
            print(
                f"Goal ({row['server']}, {scale}x): {row['page']} rendered under "
                f"{RENDER_GOAL_MS:.0f} ms: {verdict} ({row['p50']:.1f} ms)"
            )


def _has_module(name):
    try:
        __import__(name)
    except ImportError:
        return False
    return True


@contextmanager
def running(command, env, log_path, port, ready_path="/"):
    """Run ``command`` (a server on ``port``) until the block ends; yield its process once
    ``ready_path`` answers. The one server lifecycle of the bench (bench.serve too)."""
    with open(log_path, "ab") as log:
        # A fixed command of the bench's own, no shell.
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _answers(port, ready_path):
                if process.poll() is not None or time.monotonic() > deadline:
                    log_text = Path(log_path).read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"the server did not answer on port {port}:\n{log_text}")
                time.sleep(0.1)
            try:
                yield process
            except RuntimeError as error:  # wrk saw errors: what the server said of them
                log.flush()
                unusual = [
                    line
                    for line in Path(log_path).read_text(errors="replace").splitlines()
                    if not re.search(r" (200|304) [\d.]+ ms", line)
                ]
                raise RuntimeError(
                    f"{error}\nthe server's log:\n" + "\n".join(unusual[-20:])
                ) from error
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def _serving(server, app, env, log_dir, free_port):
    port = free_port()
    with running(SERVERS[server](app, port), env, Path(log_dir) / "server.log", port):
        yield port


def _answers(port, path):
    try:
        _fetch(port, path)
    except OSError:  # not listening yet, or not 200 (urllib's HTTPError)
        return False
    return True


def _fetch(port, path):
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=10) as response:
        return response.read()


def _measure(port, path, seconds):
    """wrk's median latency (1 connection) and requests per second (20 connections)."""
    url = f"http://{HOST}:{port}{path}"
    headers = ["-H", "Accept-Encoding: gzip"]
    _wrk(["-t1", "-c4", "-d1s", *headers, url])  # every worker warm
    latency = _wrk(["-t1", "-c1", f"-d{seconds}s", "--latency", *headers, url])
    load = _wrk(["-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", *headers, url])
    return {"p50": _median_ms(latency), "rate": _rate(load)}


def _wrk(args):
    result = subprocess.run(["wrk", *args], capture_output=True, text=True, check=True)  # noqa: S603, S607
    if "Non-2xx" in result.stdout or "Socket errors" in result.stdout:
        raise RuntimeError(f"wrk saw errors:\n{result.stdout}")
    return result.stdout


def _median_ms(output):
    value, unit = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\b", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _rate(output):
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])


# nginx in front of one instance, as deploy/nginx.conf has it for uploads: the body of an
# upload is stored by nginx in ``body_dir`` and named to the app (UPLOAD_BODY_DIR), every
# other request passed on. Its temporary folders are its own, so it runs as anyone; started
# as root, its workers run as root too (not as nobody), for the app to read the bodies: they
# are the worker's alone (0600), as in deployment.
NGINX_CONFIG = """\
{user}
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {body_dir};
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen {host}:{port};
        proxy_set_header Host $http_host;
        proxy_set_header X-Wenevents-Body-File "";
        proxy_set_header X-Wenevents-Body-Key "";
        location ~ ^/([a-z][a-z]/)?[^/]+/materials/upload/[^/]+$ {{
            client_max_body_size 501m;
            client_body_buffer_size 1m;
            {hand_over}
            proxy_pass http://{host}:{upstream};
        }}
        location / {{
            proxy_pass http://{host}:{upstream};
        }}
    }}
}}
"""


# How the upload location hands a body over: as a file (UPLOAD_BODY_DIR), or buffered and
# sent on (nginx's default, deploy/nginx.conf's other variant).
AS_FILE = """client_body_in_file_only clean;
            proxy_pass_request_body off;
            proxy_set_header Host $http_host;
            proxy_set_header Content-Length "";
            proxy_set_header X-Wenevents-Body-File $request_body_file;
            proxy_set_header X-Wenevents-Body-Key "{key}";"""
BUFFERED = "proxy_request_buffering on;"


def nginx():
    """nginx's program, or None (``apt install nginx``): Debian's is in /usr/sbin, which
    a user's PATH may leave out."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


@contextmanager
def nginx_front(upstream, body_dir, key, work, port, ready_path="/", as_file=True):
    """``with nginx_front(app_port, body_dir, key, work, port):`` nginx on ``port`` in front
    of the app on ``upstream`` (its UPLOAD_BODY_DIR and UPLOAD_BODY_KEY), until the block
    ends (its files in ``work``). ``as_file=False``: uploads buffered and sent on."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    config = work / "nginx.conf"
    config.write_text(
        NGINX_CONFIG.format(
            user="user root;" if os.geteuid() == 0 else "",
            work=work,
            body_dir=body_dir,
            hand_over=AS_FILE.format(key=key) if as_file else BUFFERED,
            host=HOST,
            port=port,
            upstream=upstream,
        )
    )
    command = [nginx(), "-c", str(config), "-p", str(work), "-e", str(work / "error.log")]
    with running(command, os.environ, work / "nginx.log", port, ready_path) as process:
        yield process


if __name__ == "__main__":  # pragma: no cover
    print("Run it through the bench: python -m benchmarks.bench", file=sys.stderr)
    os._exit(2)
