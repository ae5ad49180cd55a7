"""Benchmark: serve the demo under gunicorn and print latency, throughput and SQL per page.

Run ``python -m wenevents.bench`` (``make bench``). For each scale it builds a throwaway
SQLite database, loads the demo (grown by ``demo.scale`` above 1x) and 5,000 registrations,
counts the SQL each page runs in-process, then serves it with gunicorn on 127.0.0.1 and
times real HTTP requests: the public pages, and an organiser's search of the registrations
(signed in). Only local traffic, bounded counts. The goals: the schedule's p50 under 10 ms
at 1x, and the registrations search's p95 under 50 ms with 5,000 registrations.

Then an upload: an organiser posts a file of ``--upload-mb`` MB (200 by default) to one
gunicorn worker, streamed from disk; the bench prints the throughput against copying the
same file on the same disk, synced as the upload is (each upload just after a copy of its
own), and how much the worker's peak memory (VmHWM) grew.
Goals: at least half the copy's speed, and under 32 MB of memory.
"""

import argparse
import http.client
import itertools
import math
import os
import re
import secrets
import shutil
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, insert, select

from benchmarks import browser, door, servers
from wenevents import create_app, demo
from wenevents.accounts.models import ORGANISER, User
from wenevents.accounts.services import start_session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.registration.models import Registration

HOST = "127.0.0.1"
ACRONYM = "gmwen4"
# The public pages, in each of the three languages (the French and Spanish rows must match
# the English ones: same queries, about the same time).
PAGES = [f"{prefix}/{ACRONYM}/{page}" for page in ("", "schedule") for prefix in ("", "/fr", "/es")]
# What the server comparison serves from the store (benchmarks/servers.py): the schedule of
# all days (also the static ceiling's bytes, and rendered), the meeting page, the exports.
STORED_PAGES = [
    f"/{ACRONYM}/schedule?day=all",
    f"/{ACRONYM}/",
    f"/{ACRONYM}/schedule.ics",
    f"/{ACRONYM}/schedule.json",
    f"/{ACRONYM}/schedule.xml",
    f"/{ACRONYM}/schedule.pdf",
]
# The organiser's registrations page, searched as one types (needs a signed-in organiser):
# {meeting: (registrations, p95 goal in ms)}. A large meeting's 2,000 (issue 15), and
# 5,000 in an earlier edition (the first goal).
SEARCHES = {ACRONYM: (2000, 20.0), "gmwen3": (5000, 50.0)}
SEARCH = "/manage/{}/registrations/?q=ana"
PAGE_WIDTH = max(len(page) for page in [*PAGES, SEARCH.format(ACRONYM)])
WORKERS = 2
WARMUP = 20
GOAL_MS = 10.0
# The demo has 8 sessions; n x means 8n sessions and 60n items (10x: scale()'s 80 and 600).
SESSIONS_PER_SCALE, ITEMS_PER_SCALE = 8, 60
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
UPLOAD_PATH = f"/{ACRONYM}/materials/upload/report"
# Each way of uploading sends the file three times, once in each language (three slots).
UPLOADS = ("en", "fr", "es")
UPLOAD_MEMORY_GOAL_MB = 32
UPLOAD_SPEED_GOAL = 0.5  # of the copy's speed


def main(argv=None):
    """Measure every page at every scale and print one table."""
    args = parse_args(argv)
    rows, compared = [], []
    for scale in args.scales:
        rows.extend(bench_scale(scale, args.requests, args.concurrency, args, compared))
    print_report(rows, args)
    for scale, server_rows, cold in compared:
        servers.print_rows(server_rows, scale)
        if cold:
            browser.print_figures(cold["ours"], cold["static"], scale)
    if args.servers and servers.available():
        print(servers.available())
    if args.upload_mb:
        print_upload(bench_upload(args.upload_mb))
    door.print_figures(door.measure(organiser_cookie))
    return 0


def parse_args(argv):
    """Read --requests, --concurrency and --scales."""
    parser = argparse.ArgumentParser(prog="python -m wenevents.bench", description=__doc__)
    parser.add_argument(
        "--requests", type=positive, default=300, help="requests per page and measure (300)"
    )
    parser.add_argument(
        "--concurrency", type=positive, default=4, help="client threads for req/s (4)"
    )
    parser.add_argument(
        "--scales", type=scales, default=[1, 10], help='comma-separated scales ("1,10")'
    )
    parser.add_argument(
        "--seconds",
        type=positive,
        default=5,
        help="seconds of wrk load per page and server in the server comparison (5)",
    )
    parser.add_argument(
        "--no-servers",
        dest="servers",
        action="store_false",
        help="skip the comparison of servers against the static ceiling",
    )
    parser.add_argument(
        "--upload-mb",
        type=int,
        default=200,
        help="size of the uploaded file in MB (200; 0 skips the upload)",
    )
    return parser.parse_args(argv)


def positive(value):
    """An argparse type: an integer of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive integer")
    return number


def scales(value):
    """An argparse type: "1,10" -> [1, 10]."""
    try:
        return [positive(part) for part in value.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a list like 1,10") from error


def bench_scale(scale, requests, concurrency, args, compared):
    """One scale: build its database, count queries, serve it and time the pages; then
    (unless ``--no-servers``) compare the servers on it, into ``compared``."""
    with tempfile.TemporaryDirectory(prefix="wenevents-bench-") as tmp:
        instance = Path(tmp) / "instance"
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        progress(f"{scale}x: building the database")
        queries, cookie = prepare_database(instance, url, scale)
        env = {
            **os.environ,
            "WENEVENTS_INSTANCE_PATH": str(instance),
            "WENEVENTS_DATABASE_URL": url,
        }
        rows = []
        pages = [(page, {}) for page in PAGES]
        pages += [(SEARCH.format(acronym), {"Cookie": cookie}) for acronym in SEARCHES]
        with serve(env, Path(tmp) / "gunicorn.log") as port:
            for page, headers in pages:
                progress(f"{scale}x: timing {page}")
                # Concurrent, so both workers compile templates and connect before timing.
                throughput(port, page, WARMUP, WORKERS * 2, headers)
                timings, size = sequential(port, page, requests, headers)
                rate = throughput(port, page, requests, concurrency, headers)
                rows.append(
                    {
                        "scale": scale,
                        "page": page,
                        "p50": percentile(timings, 50),
                        "p95": percentile(timings, 95),
                        "rate": rate,
                        "queries": queries[page],
                        "bytes": size,
                    }
                )
        if args.servers and not servers.available():
            progress(f"{scale}x: comparing servers against the static ceiling")
            server_env = {
                **env,
                "WENEVENTS_RATELIMIT_ENABLED": "false",
                "WENEVENTS_PUBLIC_URL": f"http://{HOST}",
            }
            cold = {}
            server_rows = servers.compare(
                server_env, STORED_PAGES, args.seconds, tmp, free_port, cold=cold
            )
            compared.append((scale, server_rows, cold))
        return rows


def prepare_database(instance, url, scale):
    """Migrate a new database, load the demo (scaled) and the registrations; return each
    page's SQL count and the Cookie header of a signed-in organiser."""
    # The front reads the public version for every request here: the count printed is what
    # a stored answer costs at most (served, it reuses a read for a quarter second).
    app = create_app(
        {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "PUBLIC_VERSION_SECONDS": 0}
    )
    with app.app_context():
        upgrade()
        demo.load()
        if scale > 1:
            demo.scale(ACRONYM, SESSIONS_PER_SCALE * scale, ITEMS_PER_SCALE * scale)
        for acronym, (count, _goal) in SEARCHES.items():
            add_registrations(acronym, count)
        session_cookie = organiser_cookie(app)
        engine = db.engine
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={session_cookie}"
    try:
        queries = {page: count_queries(app, engine, page) for page in PAGES}
        for acronym in SEARCHES:
            search = SEARCH.format(acronym)
            queries[search] = count_queries(app, engine, search, session_cookie)
        return queries, cookie
    finally:
        # gunicorn's workers will own the file from here; leave no pooled connection behind.
        engine.dispose()


def add_registrations(acronym, count):
    """``count`` confirmed registrations, spread over names, networks, countries, statuses.

    About one in six has "ana" in a name, address or organisation, like a real search.
    """
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == acronym))
    given = ["Ana", "Bo", "Chen", "Diego", "Fatima", "Mariana", "Ioana", "Kwame", "Lena", "Omar"]
    family = ["Silva", "Li", "Okafor", "Garcia", "Haddad", "Novak", "Tanaka", "Mensah", "Roy"]
    organisations = ["Customs Service", "Wildlife Authority", "Ghana Police", "Forest Agency"]
    countries = ["PA", "BR", "CN", "KE", "FR", "TH", "ZA", "US", "IN", "GH", "NG", "PE"]
    networks = [n.id for n in meeting.networks] + [None]
    statuses = ["submitted", "endorsed", "approved", "waitlisted", "rejected", "withdrawn"]
    cycle = itertools.count()
    rows = []
    for n in range(count):
        i = next(cycle)
        first, last = given[i % len(given)], family[(i // len(given)) % len(family)]
        rows.append(
            {
                "meeting_id": meeting.id,
                "email": f"{first}.{last}.{n}@example.org".lower(),
                "given_name": first,
                "family_name": last,
                "organisation": organisations[i % len(organisations)],
                "country_code": countries[i % len(countries)],
                "network_id": networks[i % len(networks)],
                "participation_role": "network_delegate" if i % 3 else "observer",
                "arrival_date": meeting.start_date,
                "departure_date": meeting.end_date,
                "status": statuses[i % len(statuses)],
            }
        )
    db.session.execute(insert(Registration), rows)
    db.session.commit()


def organiser_cookie(app):
    """A signed-in organiser's session cookie value (a sign-in session made directly)."""
    user = User(email="bench-organiser@example.org", role=ORGANISER, name="Bench Organiser")
    db.session.add(user)
    with app.test_request_context():
        token = start_session(user)  # with the audit entry a sign-in writes
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.dumps({"_user_id": token, "_fresh": True})


def count_queries(app, engine, page, session_cookie=None):
    """SQL statements one GET of ``page`` runs, through the test client."""
    client = app.test_client()
    if session_cookie:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], session_cookie)
    # Outside any app context, so each request gets a fresh session as it would in production.
    check(client.get(page).status_code, page)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        check(client.get(page).status_code, page)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


@contextmanager
def serve(env, log_path, workers=WORKERS, with_process=False):
    """``with serve(env, log) as port:`` runs gunicorn on a free local port, then stops it
    (``with_process``: yields ``(port, process)``).

    With the project's gunicorn settings, as documented; the bench times pages, not rate
    limits, so they are off: the workers then have no counts to share (gunicorn_config
    refuses several workers counting limits each in its own memory).
    """
    port = free_port()
    env = {
        **env,
        "WENEVENTS_RATELIMIT_ENABLED": "false",
        "WENEVENTS_PUBLIC_URL": f"http://{HOST}:{port}",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:wenevents.gunicorn_config",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "wenevents:create_app()",
    ]
    # The bench's point is timing a real server process.
    with servers.running(command, env, log_path, port, ready_path=PAGES[0]) as process:
        yield (port, process) if with_process else port


def free_port():
    """A port nothing listens on now (gunicorn binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def sequential(port, path, count, headers=None):
    """Time ``count`` GETs one after another on one connection: (seconds each, body size)."""
    # gunicorn's sync workers close every connection; http.client then reconnects by itself,
    # so the timings include a local TCP connect.
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    timings, size = [], 0
    try:
        for _ in range(count):
            start = time.perf_counter()
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            timings.append(time.perf_counter() - start)
            check(response.status, path)
            size = len(body)
    finally:
        connection.close()
    return timings, size


def throughput(port, path, count, concurrency, headers=None):
    """Requests per second with ``concurrency`` threads sharing about ``count`` GETs."""
    each = math.ceil(count / concurrency)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(sequential, port, path, each, headers) for _ in range(concurrency)]
        for future in futures:
            future.result()  # re-raises a worker's error
    return each * concurrency / (time.perf_counter() - start)


def check(status, path):
    """Stop the bench on any status but 200: an error page would time the wrong thing."""
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")


def percentile(samples, p):
    """The nearest-rank ``p``th percentile of ``samples`` (seconds), in milliseconds."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


def progress(message):
    """Progress on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def print_report(rows, args):
    """The table, what it measured, and how the schedule compares with the goal."""
    each = math.ceil(args.requests / args.concurrency)
    print(
        f"gunicorn, {WORKERS} sync workers, {HOST}; p50/p95 over {args.requests} sequential "
        f"requests; req/s from {args.concurrency} client threads x {each} requests; "
        "queries counted in-process for one GET"
    )
    header = f"{'scale':>5}  {'page':<{PAGE_WIDTH}} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} "
    header += f"{'queries':>7} {'bytes':>8}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['scale']:>4}x  {row['page']:<{PAGE_WIDTH}} {row['p50']:>7.1f} "
            f"{row['p95']:>7.1f} {row['rate']:>7.0f} {row['queries']:>7d} {row['bytes']:>8d}"
        )
    for row in rows:
        if row["scale"] == 1 and row["page"] == f"/{ACRONYM}/schedule":
            verdict = "met" if row["p50"] < GOAL_MS else "NOT met"
            print(
                f"Goal: {row['page']} p50 under {GOAL_MS:.0f} ms at 1x: {verdict} "
                f"({row['p50']:.1f} ms)"
            )
        for acronym, (count, goal) in SEARCHES.items():
            if row["page"] != SEARCH.format(acronym):
                continue
            verdict = "met" if row["p95"] < goal else "NOT met"
            print(
                f"Goal: the registrations search p95 under {goal:.0f} ms with "
                f"{count:,} registrations at {row['scale']}x: {verdict} "
                f"({row['p95']:.1f} ms, {row['queries']} queries)"
            )


# -- Upload ------------------------------------------------------------------------------


def bench_upload(size_mb):
    """Post a ``size_mb`` MB file to one gunicorn worker; compare with copying it."""
    with tempfile.TemporaryDirectory(prefix="wenevents-bench-upload-") as tmp:
        instance = Path(tmp) / "instance"
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        progress(f"upload: building the database and a {size_mb} MB file")
        app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            demo.load()
            session_cookie = organiser_cookie(app)
            upload_dir = Path(app.config["UPLOAD_DIR"])
            db.engine.dispose()
        cookie = f"{app.config['SESSION_COOKIE_NAME']}={session_cookie}"
        source = upload_dir / "bench-source.pdf"
        write_random_file(source, size_mb)
        copy = upload_dir / "bench-copy.pdf"
        env = {
            **os.environ,
            "WENEVENTS_INSTANCE_PATH": str(instance),
            "WENEVENTS_DATABASE_URL": url,
            # The default limit is 100 MB a file: let this one in.
            "WENEVENTS_UPLOAD_MAX_BYTES": str(source.stat().st_size + 1024 * 1024),
        }
        size = source.stat().st_size
        result = {"mb": size_mb}
        with serve(env, Path(tmp) / "gunicorn.log", workers=1, with_process=True) as served:
            port, process = served
            cookie, token = upload_token(port, cookie)
            progress(f"upload: posting {size_mb} MB to gunicorn")
            way = timed_upload(port, process, cookie, token, source, "report", copy)
            result.update(_figures(size, *way, ""))
        if servers.nginx():
            # nginx in front, as deployed: buffering the body and sending it on, or (same
            # host) handing it over as its file, on the same disk.
            body_dir = instance / "nginx-body"
            body_dir.mkdir()
            key = secrets.token_hex(32)
            env.update(WENEVENTS_UPLOAD_BODY_DIR=str(body_dir), WENEVENTS_UPLOAD_BODY_KEY=key)
            for as_file, kind, name in ((False, "agenda", "buffered"), (True, "other", "file")):
                with serve(env, Path(tmp) / "gunicorn.log", workers=1, with_process=True) as (
                    port,
                    process,
                ):
                    front = free_port()
                    work = Path(tmp) / f"nginx-{name}"
                    with servers.nginx_front(port, body_dir, key, work, front, as_file=as_file):
                        progress(f"upload: posting {size_mb} MB to nginx ({name}), gunicorn")
                        way = timed_upload(front, process, cookie, token, source, kind, copy)
                result.update(_figures(size, *way, f"_{name}"))
        return result


def _figures(size, upload_seconds, copy_seconds, memory, suffix):
    """One way's speeds (bytes a second) and memory, keyed as print_upload reads them."""
    return {
        f"upload{suffix}": size / upload_seconds,
        f"copy{suffix}": size / copy_seconds,
        f"memory{suffix}": memory,
    }


def timed_upload(port, process, cookie, token, source, kind, copy):
    """Three uploads of ``source`` to the meeting document ``kind`` (in English, French and
    Spanish: three slots, so none is the same file again), each just after a synced copy:
    the median seconds of the uploads and of the copies, and how much the one worker's peak
    memory grew (MB)."""
    worker = worker_pid(process.pid)
    before = peak_memory(worker)
    path = f"/{ACRONYM}/materials/upload/{kind}"
    uploads, copied = [], []
    for language in UPLOADS:
        copied.append(timed_copy(source, copy))
        uploads.append(post_file(port, cookie, token, source, path, language))
    memory = (peak_memory(worker) - before) / 1024
    return statistics.median(uploads), statistics.median(copied), memory


def write_random_file(path, size_mb):
    """A file of random bytes (nothing compresses or dedupes it) that reads as a PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n")
        for _ in range(size_mb):
            out.write(os.urandom(1024 * 1024))
        out.flush()
        os.fsync(out.fileno())


def timed_copy(source, target):
    """Seconds to copy ``source`` to ``target`` on the same disk and sync it (then removed).

    Each upload is compared with a copy made just before it: this machine's disk and memory
    change speed within a minute (the same synced copy of 200 MB took 110 ms, then 550),
    and a copy timed once at the start compared the uploads with a moment they never saw.
    """
    start = time.perf_counter()
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    seconds = time.perf_counter() - start
    target.unlink()
    return seconds


def worker_pid(master):
    """The one worker gunicorn forked (Linux: /proc)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise RuntimeError("gunicorn started no worker")


def peak_memory(pid):
    """The process's peak resident memory so far, in kB (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))


def upload_token(port, cookie):
    """Open the upload page as the organiser: the session cookie with a CSRF token in it,
    and the token (the worker warms up on the way)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", f"/{ACRONYM}/materials/upload", headers={"Cookie": cookie})
        response = connection.getresponse()
        page = response.read().decode()
        check(response.status, "the upload page")
        fresh = response.getheader("Set-Cookie")
    finally:
        connection.close()
    if fresh:
        cookie = fresh.split(";", 1)[0]
    return cookie, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def post_file(port, cookie, token, source, path=UPLOAD_PATH, language="en"):
    """POST ``source`` as a multipart form to ``path``, streamed from disk; the seconds it
    took."""
    boundary = "wenevents-bench-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\n{language}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="bench.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        with open(source, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                yield chunk
        yield tail

    headers = {
        "Cookie": cookie,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + source.stat().st_size + len(tail)),
    }
    connection = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        start = time.perf_counter()
        connection.request("POST", path, body=body(), headers=headers)
        response = connection.getresponse()
        response.read()
        seconds = time.perf_counter() - start
    finally:
        connection.close()
    if response.status != 303:
        raise RuntimeError(f"POST {path} answered {response.status}")
    return seconds


def print_upload(result):
    """The upload's figures, and the goals judged on the fastest way (with nginx, where it
    is installed, the deployment guide's ways too)."""
    mb = 1024 * 1024
    print(
        f"\nUpload of {result['mb']} MB to one gunicorn worker (multipart, streamed to the "
        "upload folder, SHA-256, fsync):"
    )
    ways = [("gunicorn alone", "")]
    if "upload_file" in result:
        ways += [("nginx buffering", "_buffered"), ("nginx, as a file", "_file")]
    else:
        print("  (nginx is not installed: apt install nginx; its row is skipped)")
    for label, key in ways:
        speed, copy = result["upload" + key], result["copy" + key]
        print(
            f"  upload, {label:<16} {speed / mb:6.0f} MB/s, {speed / copy:.0%} of a synced copy "
            f"just before each ({copy / mb:.0f} MB/s); worker peak memory "
            f"+{result['memory' + key]:.1f} MB"
        )
    label, key = max(ways, key=lambda way: result["upload" + way[1]] / result["copy" + way[1]])
    ratio_synced = result["upload" + key] / result["copy" + key]
    memory = "met" if result["memory" + key] < UPLOAD_MEMORY_GOAL_MB else "NOT met"
    speed = "met" if ratio_synced >= UPLOAD_SPEED_GOAL else "NOT met"
    print(
        f"Goal ({label}): peak memory up by less than {UPLOAD_MEMORY_GOAL_MB} MB: {memory} "
        f"({result['memory' + key]:.1f} MB)"
    )
    print(
        f"Goal ({label}): upload at least {UPLOAD_SPEED_GOAL:.0%} of the speed of a synced "
        f"copy: {speed} ({ratio_synced:.0%})"
    )


if __name__ == "__main__":
    sys.exit(main())
