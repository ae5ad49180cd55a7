"""Several gunicorn workers and rate limits: counts kept in each process's memory let an
attacker's guesses through several times over (the review saw 33 of 40 wrong passwords
for one account through). gunicorn_config refuses that combination at start-up; with
Redis, the workers share one count. gunicorn runs for real here, as documented."""

import http.client
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask_migrate import upgrade

from tests.accounts.conftest import REDIS_URL
from tests.conftest import PASSWORD, _hash, free_port, fresh_database
from wenevents import create_app
from wenevents.accounts.models import ORGANISER, User
from wenevents.extensions import db
from wenevents.gunicorn_config import limits_problem

HOST = "127.0.0.1"
LIMIT = 9
REFUSAL = "refusing to start 2 workers with rate limits kept in each process's memory"


def _gunicorn(env, log, workers=2, port=None):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:wenevents.gunicorn_config",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port or free_port()}",
        # Each answer's worker (%(p)s: its pid) in the access log.
        "--access-logfile",
        "-",
        "--access-logformat",
        "%(p)s %(s)s",
        "wenevents:create_app()",
    ]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def test_two_workers_with_memory_storage_refuse_to_start(tmp_path):
    env = {
        **os.environ,
        "WENEVENTS_INSTANCE_PATH": str(tmp_path / "instance"),
        "WENEVENTS_RATELIMIT_STORAGE_URL": "memory://",
    }
    with open(tmp_path / "gunicorn.log", "wb") as log:
        process = _gunicorn(env, log)
        try:
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:  # it started: stop it, the test has failed
                _stop(process)

    output = (tmp_path / "gunicorn.log").read_text()
    assert code != 0
    assert REFUSAL in output
    assert "WENEVENTS_RATELIMIT_STORAGE_URL=redis://" in output
    assert "Booting worker" not in output


def test_limits_problem_allows_one_worker_shared_storage_or_no_limits():
    memory = {"RATELIMIT_STORAGE_URI": "memory://"}

    assert limits_problem(1, memory) is None
    assert limits_problem(4, {"RATELIMIT_STORAGE_URI": REDIS_URL}) is None
    assert limits_problem(4, {**memory, "RATELIMIT_ENABLED": False}) is None
    assert "refusing to start 4 workers" in limits_problem(4, memory)


def _request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        connection.close()


def test_two_workers_on_redis_let_through_exactly_the_limit(tmp_path, redis_prefix):
    with fresh_database(tmp_path) as url:
        instance = tmp_path / "instance"
        app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            db.session.add(
                User(email="org@example.org", role=ORGANISER, password_hash=_hash(PASSWORD))
            )
            db.session.commit()
            db.engine.dispose()
        port = free_port()
        env = {
            **os.environ,
            "WENEVENTS_INSTANCE_PATH": str(instance),
            "WENEVENTS_DATABASE_URL": url,
            "WENEVENTS_SECRET_KEY": "gunicorn-test-key",
            "WENEVENTS_PUBLIC_URL": f"http://{HOST}:{port}",
            "WENEVENTS_RATELIMIT_STORAGE_URL": REDIS_URL,
            "WENEVENTS_RATELIMIT_KEY_PREFIX": redis_prefix,
            "WENEVENTS_LOGIN_LIMIT_PER_ACCOUNT": f"{LIMIT} per 15 minutes",
            "WENEVENTS_LOGIN_LIMIT_PER_IP": "1000 per minute",
        }
        log_path = tmp_path / "gunicorn.log"
        with open(log_path, "wb") as log:
            process = _gunicorn(env, log, port=port)
            try:
                statuses, extra = _guesses(port, process, log_path)
            finally:
                _stop(process)

    assert statuses == [200] * LIMIT + [429] * (40 - LIMIT)
    assert all(status == 429 for status in extra), extra
    assert len(_workers_that_answered(log_path)) == 2


def _workers_that_answered(log_path):
    return set(re.findall(r"^<(\d+)> (?:200|429)$", Path(log_path).read_text(), re.M))


def _wait_for_workers(port, process, log_path, workers=2):
    deadline = time.monotonic() + 60
    while Path(log_path).read_text().count("Booting worker") < workers:
        assert process.poll() is None, Path(log_path).read_text()
        assert time.monotonic() < deadline, "gunicorn did not start its workers"
        time.sleep(0.2)
    while True:
        try:
            return _request(port, "GET", "/login")
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.2)


def _guesses(port, process, log_path):
    """Forty wrong passwords one after another (the count is checked before a guess and
    deducted after it, so guesses in flight together may each pass the check); then, if
    one worker answered none of them (the first worker to accept may take them all),
    more guesses four at a time until it has: each must be refused, by either worker."""
    status, headers, page = _wait_for_workers(port, process, log_path)
    assert status == 200, page
    cookie = dict(headers)["Set-Cookie"].split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def guess(n):
        body = f"csrf_token={token}&email=org%40example.org&password=wrong+guess+{n}"
        return _request(
            port,
            "POST",
            "/login",
            body=body,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )[0]

    statuses = [guess(n) for n in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        extra = []
        while len(_workers_that_answered(log_path)) < 2 and len(extra) < 200:
            extra += list(pool.map(guess, range(40 + len(extra), 44 + len(extra))))
    return statuses, extra


def _stop(process):
    """Stop gunicorn; a machine too busy for a graceful stop gets it killed, since what
    the test measured is already in hand."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
