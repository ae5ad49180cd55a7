"""Two instances behind one address, as README's Deployment runs them (deploy/): two gunicorn
instances (``-c python:wenevents.gunicorn_config``, two sync workers each) on one PostgreSQL
database, rate limits in Redis, one shared upload folder, and one mail worker (``wenevents
worker``) handing mail to an SMTP server. Whatever one instance does, the other sees at once:
a publication, a sign-out, a rate limit's count, a seat, a file; a queued mail goes out once.

Only the proxy in front is left out: each request goes to the instance the test names. Needs
PostgreSQL (WENEVENTS_TEST_DATABASE_URL) and Redis at 127.0.0.1:6379, as .ci/run starts them;
skipped otherwise.
"""

import email
import email.policy
import hashlib
import http.client
import itertools
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import select

from tests.conftest import PASSWORD, POSTGRES_URL, _hash, free_port, fresh_database
from tests.factories import make_meeting, make_session, publish_agenda
from wenevents import create_app
from wenevents.accounts.models import DELEGATE, ORGANISER, User
from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.mail.models import SENT, MailAttempt, OutgoingMail
from wenevents.registration.models import (
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    Registration,
    RegistrationEvent,
    RegistrationSettings,
)
from wenevents.uploads.models import Document

HOST = "127.0.0.1"
# Database 15 is the tests' (tests/accounts/conftest.py); each run has a key prefix of its own.
REDIS_URL = "redis://127.0.0.1:6379/15"
SECRET_KEY = "two-instances-test-key"
ACCOUNT_LIMIT = 4  # wrong passwords per account: low, so the test reaches it quickly
TIMEOUT = 60  # seconds a single request may take before the test gives up on it


# The cluster ------------------------------------------------------------------------------


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Browser:
    """One person's browser: its cookies and a new connection per request. A browser sends
    a host's cookies to each of its ports, so one Browser talks to both instances as it
    would to whichever one a load balancer picks."""

    def __init__(self, cookies=None):
        self.cookies = dict(cookies or {})

    def request(self, port, method, path, form=None, body=None, headers=None):
        headers = {"Connection": "close", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:  # cleared (signing out)
                    self.cookies.pop(name, None)
        return answer

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, form):
        return self.request(port, "POST", path, form=form)

    def token(self, port, path):
        """The CSRF token of the first form of the page."""
        page = self.get(port, path)
        assert page.status == 200, (path, page.status)
        match = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', page.text)
        assert match, f"no CSRF token in {path}"
        return match.group(1)

    def sign_in(self, port, email, password=PASSWORD):
        form = {"csrf_token": self.token(port, "/login"), "email": email, "password": password}
        return self.post(port, "/login", form)


class SmtpServer:
    """What the worker handed over: (recipients, message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd calls this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for recipients, message in self.messages if recipients == [address]]


@dataclass
class Cluster:
    a: int  # instance A's port
    b: int  # instance B's port
    app: object  # the same database in this process, to set up and read what was stored
    smtp: SmtpServer
    upload_dir: Path
    redis_prefix: str
    logs: list

    @contextmanager
    def database(self):
        """An app context on the instances' database; what it loaded is forgotten after."""
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    def tracebacks(self):
        return [
            f"{path.name}: {line}"
            for path in self.logs
            for line in path.read_text(errors="replace").splitlines()
            if line.startswith("Traceback")
        ]


def _skip_unless_services():
    if not POSTGRES_URL:
        pytest.skip("several instances need PostgreSQL: set WENEVENTS_TEST_DATABASE_URL")
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as store:
            store.ping()
    except redis.RedisError:
        pytest.skip("several instances need Redis, which does not answer at 127.0.0.1:6379")


def _start(stack, command, env, log_path):
    """Start ``command`` in a process group of its own; SIGTERM when ``stack`` closes."""
    log = stack.enter_context(open(log_path, "wb"))  # noqa: SIM115 (the stack closes it)
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    stack.callback(_terminate, process)
    return process


def _terminate(process):
    if process.poll() is None:
        process.terminate()


def _wait_for_end(processes):
    """After SIGTERM (gunicorn stops its workers, the mail worker its loop); a process group
    still there after 20 s is killed whole, workers and all."""
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def _wait_until_ready(port, processes, logs):
    """Until the instance's /readyz says its database and Redis answer."""
    deadline = time.monotonic() + 60
    while True:
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, log.read_text(errors="replace")
        try:
            if Browser().get(port, "/readyz").status == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the instance did not become ready"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    _skip_unless_services()
    tmp = tmp_path_factory.mktemp("two-instances")
    upload_dir = tmp / "uploads"  # the shared volume
    upload_dir.mkdir()
    prefix = f"wenevents-test-{uuid.uuid4().hex}"
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(tmp))
        # TESTING here only: this process's password hashes are cheap ones (tests/conftest).
        app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp / "here"), "DATABASE_URL": url})
        # Closed last-in first-out: the processes stop before these, the database is
        # dropped after them.
        stack.callback(_dispose, app)
        stack.callback(_forget_keys, prefix)
        with app.app_context():
            upgrade()  # as `wenevents init-db` does: /readyz wants the current schema
            db.session.remove()

        smtp = SmtpServer()
        controller = Controller(smtp, hostname=HOST, port=free_port())
        controller.start()
        stack.callback(controller.stop)

        a, b = free_port(), free_port()
        # What every process of a deployment shares (deploy/*.service); only the instance
        # folder (and the metrics folder) is each one's own.
        shared = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WENEVENTS_")},
            "WENEVENTS_DATABASE_URL": url,
            "WENEVENTS_SECRET_KEY": SECRET_KEY,
            # The site's one address; the port is not part of the host check, so B serves too.
            "WENEVENTS_PUBLIC_URL": f"http://{HOST}:{a}",
            "WENEVENTS_UPLOAD_DIR": str(upload_dir),
            "WENEVENTS_RATELIMIT_STORAGE_URL": REDIS_URL,
            "WENEVENTS_RATELIMIT_KEY_PREFIX": prefix,
            "WENEVENTS_LOGIN_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT} per 15 minutes",
            # Every request of the test comes from 127.0.0.1: only the per-account limit.
            "WENEVENTS_LOGIN_LIMIT_PER_IP": "10000 per minute",
            "WENEVENTS_MAIL_SERVER": HOST,
            "WENEVENTS_MAIL_PORT": str(controller.port),
            "WENEVENTS_MAIL_POLL_SECONDS": "0.2",
        }
        logs, processes = [], []
        # Runs after every _terminate (last in, first out): all stop at once.
        stack.callback(_wait_for_end, processes)
        for name, port in (("a", a), ("b", b)):
            (tmp / name / "metrics").mkdir(parents=True)
            env = {
                **shared,
                "WENEVENTS_INSTANCE_PATH": str(tmp / name / "instance"),
                "PROMETHEUS_MULTIPROC_DIR": str(tmp / name / "metrics"),
            }
            command = [
                *(sys.executable, "-m", "gunicorn", "-c", "python:wenevents.gunicorn_config"),
                *("--workers", "2", "--bind", f"{HOST}:{port}", "wenevents:create_app()"),
            ]
            logs.append(tmp / f"gunicorn-{name}.log")
            processes.append(_start(stack, command, env, logs[-1]))
        worker_env = {**shared, "WENEVENTS_INSTANCE_PATH": str(tmp / "worker" / "instance")}
        command = [sys.executable, "-c", "from wenevents.cli import main; main()", "worker"]
        logs.append(tmp / "worker.log")
        processes.append(_start(stack, command, worker_env, logs[-1]))
        for port in (a, b):
            _wait_until_ready(port, processes, logs)

        yield Cluster(a, b, app, smtp, upload_dir, prefix, logs)


def _dispose(app):
    with app.app_context():
        db.engine.dispose()


def _forget_keys(prefix):
    with redis.Redis.from_url(REDIS_URL) as store:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


def _user(email, role=ORGANISER):
    db.session.add(User(email=email, role=role, password_hash=_hash(PASSWORD)))
    db.session.commit()


# a) A publication -----------------------------------------------------------------------


def test_release_published_on_a_is_served_by_b_within_a_second(cluster):
    with cluster.database():
        _user("publisher@example.org")
        meeting = make_meeting()
        session = make_session(meeting, title="Opening plenary")
        publish_agenda(meeting)
        acronym, session_id = meeting.acronym, session.id
    organiser = Browser()
    assert organiser.sign_in(cluster.a, "publisher@example.org").status == 303
    schedule = f"/{acronym}/schedule?day=all"

    # The draft changes (the public does not see it yet); B renders and keeps the page of
    # release 1, in its workers and in its front (pagecache.Front).
    with cluster.database():
        db.session.get(Session, session_id).title = "Closing plenary"
        db.session.commit()
    before = [Browser().get(cluster.b, schedule) for _ in range(6)]
    assert [page.status for page in before] == [200] * 6
    assert all("Opening plenary" in page.text for page in before)
    assert not any("Closing plenary" in page.text for page in before)

    editor = organiser.get(cluster.a, f"/manage/{acronym}/agenda/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', editor).group(1)
    seen = re.search(r'name="seen" value="(\d+)"', editor).group(1)
    published = organiser.post(
        cluster.a,
        f"/manage/{acronym}/agenda/publish",
        {"csrf_token": token, "seen": seen, "note": "Moved"},
    )
    assert published.status == 303

    # B's workers read the public version again at most PUBLIC_VERSION_SECONDS (0.25)
    # after their last read: from a second after A's answer, every page of B is the new.
    time.sleep(1)
    after = [Browser().get(cluster.b, schedule) for _ in range(6)]
    assert [page.status for page in after] == [200] * 6
    assert all("Closing plenary" in page.text for page in after)
    assert not any("Opening plenary" in page.text for page in after)


# b) Signing out -------------------------------------------------------------------------


def test_sign_out_on_a_ends_the_session_on_b(cluster):
    with cluster.database():
        _user("traveller@example.org", DELEGATE)
    browser = Browser()
    assert browser.sign_in(cluster.a, "traveller@example.org").status == 303
    assert browser.get(cluster.b, "/account").status == 200  # one session, both instances
    copied = dict(browser.cookies)

    token = browser.token(cluster.a, "/account")
    assert browser.post(cluster.a, "/logout", {"csrf_token": token}).status == 303

    # The cookie as it was before signing out, sent to B: the session ended on the server.
    refused = Browser(copied).get(cluster.b, "/account")
    assert refused.status == 302
    assert refused.headers["Location"].startswith("/login")


# c) Rate limits -------------------------------------------------------------------------


def test_wrong_passwords_split_over_a_and_b_add_up_to_one_limit(cluster):
    with cluster.database():
        _user("guarded@example.org")
    browser = Browser()
    token = browser.token(cluster.a, "/login")

    def guess(port, n, password=None):
        form = {"csrf_token": token, "email": "guarded@example.org"}
        return browser.post(port, "/login", {**form, "password": password or f"wrong {n}"})

    ports = [cluster.a, cluster.b] * (ACCOUNT_LIMIT // 2)
    failures = [guess(port, n) for n, port in enumerate(ports)]
    assert [page.status for page in failures] == [200] * ACCOUNT_LIMIT
    assert all("the password is wrong" in page.text for page in failures)
    # Both instances refuse the next guess, and even the right password, for a while.
    assert guess(cluster.a, 99).status == 429
    assert guess(cluster.b, 100).status == 429
    refused = guess(cluster.b, 101, password=PASSWORD)
    assert refused.status == 429
    assert "Retry-After" in refused.headers

    with redis.Redis.from_url(REDIS_URL) as store:
        keys = list(store.scan_iter(f"*{cluster.redis_prefix}*login-account*"))
        assert [int(store.get(key)) for key in keys] == [ACCOUNT_LIMIT]


# e) Files ----------------------------------------------------------------------------------


def test_file_uploaded_through_a_downloads_through_b_with_the_same_bytes(cluster):
    with cluster.database():
        _user("uploader@example.org")
        acronym = make_meeting().acronym
    # A PDF by its first bytes, with a megabyte of random ones: any change would show.
    content = b"%PDF-1.4\n" + secrets.token_bytes(1024 * 1024) + b"\n%%EOF\n"
    organiser = Browser()
    assert organiser.sign_in(cluster.a, "uploader@example.org").status == 303
    token = organiser.token(cluster.a, f"/{acronym}/materials/upload")
    boundary = "TwoInstancesBoundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\nen\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="r.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    uploaded = organiser.request(
        cluster.a,
        "POST",
        f"/{acronym}/materials/upload/report",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert uploaded.status == 303

    with cluster.database():
        [document_id] = db.session.scalars(
            select(Document.id).where(Document.meeting.has(acronym=acronym))
        ).all()
    # Stored once, in the folder both instances share.
    [stored] = (cluster.upload_dir / "materials").iterdir()
    assert stored.read_bytes() == content
    downloaded = Browser().get(cluster.b, f"/{acronym}/materials/{document_id}")
    assert downloaded.status == 200
    assert hashlib.sha256(downloaded.body).hexdigest() == hashlib.sha256(content).hexdigest()
    assert downloaded.body == content


# f) Mail --------------------------------------------------------------------------------


def test_mail_queued_by_a_is_delivered_once_by_the_worker(cluster):
    with cluster.database():
        _user("forgetful@example.org", DELEGATE)
    browser = Browser()
    token = browser.token(cluster.a, "/forgot-password")
    form = {"csrf_token": token, "email": "forgetful@example.org"}
    assert browser.post(cluster.a, "/forgot-password", form).status == 200

    deadline = time.monotonic() + 20
    while not cluster.smtp.to("forgetful@example.org"):
        assert time.monotonic() < deadline, "the worker delivered nothing"
        time.sleep(0.1)
    time.sleep(1.5)  # several more rounds of the worker (every 0.2 s): nothing more comes
    [message] = cluster.smtp.to("forgetful@example.org")
    with cluster.database():
        [mail] = db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.recipient == "forgetful@example.org")
        ).all()
        assert (mail.status, mail.attempts, mail.message_id) == (SENT, 1, message["Message-ID"])
        assert [
            t.outcome for t in db.session.scalars(select(MailAttempt).filter_by(mail=mail))
        ] == [SENT]

    # The link names the site's address, and the token works on the other instance.
    link = re.search(r"http://\S+/reset-password/[A-Za-z0-9_-]+", message.get_content())
    assert link and link.group(0).startswith(f"http://{HOST}:{cluster.a}/reset-password/")
    followed = browser.get(cluster.b, link.group(0).split(str(cluster.a), 1)[1])
    assert (followed.status, followed.headers["Location"]) == (303, "/reset-password")
    assert 'name="password"' in browser.get(cluster.b, "/reset-password").text


# d) The seat race (last: it queues 200 mails the worker then delivers) --------------------

CAPACITY = 10
PEOPLE = 200
WORKERS = 50  # threads; each round of 50 sends its POSTs at the same moment


def test_two_hundred_confirmations_split_over_a_and_b_seat_exactly_ten(cluster):
    tokens = [f"t{n:03d}-{secrets.token_urlsafe(24)}" for n in range(PEOPLE)]
    with cluster.database():
        meeting = make_meeting()
        meeting.registration_settings = RegistrationSettings(
            capacity=CAPACITY, endorsement_required=True, auto_promote=True, travel_days=3
        )
        # Each person's account exists, with a password: confirming then only confirms
        # (no password chosen, so no full-strength hash per request in the instances).
        hashed = _hash(PASSWORD)
        for n, token in enumerate(tokens):
            address = f"racer{n:03d}@example.org"
            db.session.add(User(email=address, role=DELEGATE, password_hash=hashed))
            registration = Registration(
                meeting=meeting,
                email=address,
                given_name=f"Racer{n:03d}",
                family_name="Example",
                organisation="Customs Service",
                country_code="PA",
                participation_role="observer",
                arrival_date=meeting.start_date - timedelta(days=1),
                departure_date=meeting.end_date,
                status=UNCONFIRMED,
                confirm_token_hash=hashlib.sha256(token.encode()).hexdigest(),
            )
            registration.events.append(RegistrationEvent(from_status="", to_status=UNCONFIRMED))
            db.session.add(registration)
        db.session.commit()
        meeting_id, acronym = meeting.id, meeting.acronym
    barrier = threading.Barrier(WORKERS, timeout=TIMEOUT)

    def confirm(n):
        port = (cluster.a, cluster.b)[n % 2]  # half the people on each instance
        browser = Browser()
        followed = browser.get(port, f"/registrations/confirm/{tokens[n]}")
        assert followed.status == 303, followed.status
        token = browser.token(port, "/registrations/confirm")
        barrier.wait()  # every thread's POST leaves at the same moment
        answer = browser.post(port, "/registrations/confirm", {"csrf_token": token})
        return port, answer.status, answer.headers.get("Location")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(confirm, range(PEOPLE)))
    print(f"\n{PEOPLE} confirmations over two instances in {time.monotonic() - started:.1f} s")

    # Confirmed, and sent to sign in with their password, on whichever instance they used.
    signing_in = (303, f"/login?next=/{acronym}/registration")
    assert [(status, location) for _port, status, location in results] == [signing_in] * PEOPLE
    assert sorted({port for port, *_ in results}) == sorted([cluster.a, cluster.b])
    with cluster.database():
        people = db.session.scalars(
            select(Registration).where(Registration.meeting_id == meeting_id)
        ).all()
        by_status = {}
        for registration in people:
            by_status.setdefault(registration.status, []).append(registration)
        assert {status: len(found) for status, found in by_status.items()} == {
            SUBMITTED: CAPACITY,
            WAITLISTED: PEOPLE - CAPACITY,
        }
        # One lock for both instances: everyone seated confirmed before anyone waiting,
        # and the waiting list's order is strict.
        seated, waiting = by_status[SUBMITTED], by_status[WAITLISTED]
        assert max(r.confirmed_at for r in seated) < min(r.confirmed_at for r in waiting)
        times = sorted(r.waitlisted_at for r in waiting)
        assert all(earlier < later for earlier, later in itertools.pairwise(times))
    assert cluster.tracebacks() == []
