"""The suite's shared fixtures and helpers, in one home (flaskr's pattern): an app on a fresh
database per test (SQLite, or PostgreSQL when WENEVENTS_TEST_DATABASE_URL is set) configured
by ``app_config``, its client, users and signing in per role, CSRF and htmx helpers, the
audit log, mail (the outbox and a real SMTP server), a query counter, and a live server.

Domain fixtures live in their folder's conftest.py; the browser's in tests/browser/.
Each pytest-xdist worker builds its own schema template and has its own tmp folders;
databases, ports and Redis key prefixes are unique per test, so workers never collide.
"""

import atexit
import email
import email.policy
import html
import os
import re
import shutil
import socket
import tempfile
import threading
import uuid
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.pool import NullPool
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from wenevents import create_app
from wenevents.accounts import passwords
from wenevents.accounts.models import ORGANISER, LoginSession, Token, User
from wenevents.audit.models import AuditEntry
from wenevents.cli import close_when_sent
from wenevents.extensions import db

POSTGRES_URL = os.environ.get("WENEVENTS_TEST_DATABASE_URL")


def pytest_configure(config):
    """Compile the French and Spanish catalogues when their .po is newer (``make test`` does
    it too; this covers ``pytest`` run directly on a fresh clone)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).parent.parent.glob("wenevents/translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalogue = read_po(source)
            # Each xdist worker may get here: write aside, then swap it in whole.
            partial = mo.with_suffix(f".{os.getpid()}.part")
            with partial.open("wb") as target:
                write_mo(target, catalogue)
            partial.replace(mo)


def _server_url():
    return make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")


@contextmanager
def fresh_database(tmp_path, template=None):
    """Yield the URL of an empty database that is dropped afterwards; with ``template``,
    a copy of that database (a file on SQLite, a template database on PostgreSQL).

    On PostgreSQL, copying the template takes about 400 ms, most of a short test: each
    worker keeps the copies it made and, after a test, empties one (every table truncated,
    its ids restarted, the template's rows put back) for the next test, which gets a
    database the same as a new copy.
    """
    if not POSTGRES_URL:
        path = tmp_path / "test.sqlite"
        if template:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server = _server_url()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    free = _REUSABLE.setdefault(template, []) if template else []
    name = free.pop() if free else None
    if name is None:
        name = f"wenevents_test_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    url = server.set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        if template and _emptied(admin, url, template):
            free.append(name)
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# PostgreSQL: {template: databases copied from it, emptied, free for the next test}.
_REUSABLE = {}
# {template: (its tables, {table: its rows})}: what an emptied copy must hold again.
_TEMPLATE_CONTENT = {}
_TABLES = text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")


def _emptied(admin, url, template):
    """Empty a copy of ``template`` back to the template's state; False (drop it) when
    that cannot be done or the test changed its tables."""
    tables, rows = _TEMPLATE_CONTENT[template]
    name = url.database
    try:
        with admin.connect() as connection:
            # What the test left connected (a thread, a server) would hold locks.
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                if tuple(connection.execute(_TABLES).scalars()) != tables:
                    return False
                listed = ", ".join(f'"{table}"' for table in tables)
                connection.execute(text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
                for table, values in rows.items():
                    connection.execute(db.metadata.tables[table].insert(), values)
        finally:
            engine.dispose()
    except Exception:  # anything amiss: drop it and copy afresh
        return False
    return True


def _drop_reusable():
    if not _REUSABLE:
        return
    admin = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for names in _REUSABLE.values():
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


atexit.register(_drop_reusable)


class Client(FlaskClient):
    """Each request runs in its own app context, as in production; afterwards the test's
    database session forgets what it had loaded, so the test reads what the request wrote.

    The ``app`` fixture keeps a context pushed for the test's own database work; without
    this, requests would share that context's ``g`` and database session with the test
    and with each other (a CSRF token cached in ``g`` would outlive a sign-in, say).
    """

    def open(self, *args, **kwargs):
        # buffered: the whole body is read and the response closed, as a server does, so
        # work registered to run after the response (mail, say) has run on return.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


def _test_app(tmp_path, url, **overrides):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret-key",
            # Links in mail and exports are built from it (never from the request).
            "PUBLIC_URL": "http://localhost",
            # The front reads the public version for every request, so a query count does
            # not depend on how fast the test runs (test_pagecache tests the reuse).
            "PUBLIC_VERSION_SECONDS": 0,
            **overrides,
        }
    )
    app.test_client_class = Client
    return app


@cache
def schema_template():
    """A database with every table, built once per test run and copied for each test:
    a file on SQLite, a template database on PostgreSQL. Dropped when the run ends."""
    folder = Path(tempfile.mkdtemp(prefix="wenevents-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if POSTGRES_URL:
        name = f"wenevents_template_{uuid.uuid4().hex[:12]}"
        admin = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = _server_url().set(database=name).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        atexit.register(drop)
        template = name
    else:
        url = f"sqlite:///{folder / 'schema.sqlite'}"
        template = folder / "schema.sqlite"
    app = _test_app(folder, url)
    with app.app_context():
        db.create_all()
        if not POSTGRES_URL:
            # One file to copy: fold the write-ahead log into it.
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        else:
            tables = tuple(db.session.execute(_TABLES).scalars())
            rows = {}
            for table in db.metadata.sorted_tables:
                found = [dict(row._mapping) for row in db.session.execute(table.select())]
                if found:
                    rows[table.name] = found
            _TEMPLATE_CONTENT[template] = (tables, rows)
        db.session.remove()
        # A template database must have no connection open while it is copied.
        db.engine.dispose()
    return template


@contextmanager
def make_app(tmp_path, **overrides):
    """An app with its own instance folder and its own database with every table."""
    with fresh_database(tmp_path, template=schema_template()) as url:
        app = _test_app(tmp_path, url, **overrides)
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(autouse=True)
def _request_info_cleared():
    """The test client leaves a response it was not asked to close open, and with it the
    request's info in the observer's context variable (a server always closes it): a later
    test in the same process would see that request as its own. Cleared after each test."""
    yield
    from wenevents import observability

    observability._current.set(None)


@pytest.fixture
def app_config():
    """Configuration overrides for ``app``; override this fixture (or parametrize it)."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    with make_app(tmp_path, **app_config) as app, app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def flask_calls(app):
    """How many requests reached Flask's request handling (the page cache's front answers
    the others)."""
    calls = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: calls.append(1))
    return calls


@pytest.fixture
def demo(app):
    """The demo data of the seed page, loaded."""
    from wenevents import demo as demo_data

    demo_data.load()
    db.session.expire_all()


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries:`` collects the SQL statements run inside."""

    @contextmanager
    def counter():
        statements = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counter


# Users and signing in -------------------------------------------------------------------

PASSWORD = "correct horse battery staple 7"
OTHER_PASSWORD = "purple elephant juggles seven quiet lanterns"


def _hash(password):
    """``password`` hashed as the current app does (cheap under TESTING), once per run."""
    return _hash_with(password, passwords.method())


@cache
def _hash_with(password, method):
    return generate_password_hash(password, method=method)


@pytest.fixture
def make_user(app):
    """``make_user(email, role, password, networks=())``: a user straight in the database
    (no audit entry, so tests of the audit log count only what they did)."""

    def make(email, role=ORGANISER, password=PASSWORD, networks=(), name="", disabled=False):
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=_hash(password),
            networks=list(networks),
            is_disabled=disabled,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


class Auth:
    """Signs a client in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD, next=None, **kwargs):
        query = {"next": next} if next else None
        token = csrf_token(self.client.get("/login", query_string=query).text)
        return self.client.post(
            "/login",
            query_string=query,
            data={"csrf_token": token, "email": email, "password": password},
            **kwargs,
        )

    def logout(self):
        token = csrf_token(self.client.get("/account").text)
        return self.client.post("/logout", data={"csrf_token": token})

    def is_signed_in(self):
        return self.client.get("/account").status_code == 200


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def new_auth(app):
    """``new_auth()``: another browser (its own cookies), with its Auth helper."""

    def make():
        return Auth(app.test_client())

    return make


@pytest.fixture
def sign_in_as(make_user, new_auth):
    """``sign_in_as(email, role=ORGANISER, networks=(), name="")``: a new user of that role
    (organiser, focal point of ``networks``, delegate), signed in on a new client of their
    own, which is returned."""

    def sign_in(email, role=ORGANISER, networks=(), name=""):
        make_user(email, role, networks=networks, name=name)
        browser = new_auth()
        assert browser.login(email).status_code == 303
        return browser.client

    return sign_in


def _sign_in_organiser(make_user, auth):
    user = make_user("org@example.org", ORGANISER, name="Olga Organiser")
    auth.login("org@example.org")
    return user


@pytest.fixture
def organiser(make_user, auth):
    """The organiser org@example.org (Olga Organiser), signed in on ``client``."""
    return _sign_in_organiser(make_user, auth)


@pytest.fixture
def organiser_client(client, make_user, auth):
    """``client``, signed in as the organiser org@example.org (Olga Organiser)."""
    _sign_in_organiser(make_user, auth)
    return client


# Forms, CSRF and htmx ------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')
_CSRF_HEADER = re.compile(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'')

# The header htmx sends with each of its requests.
HTMX = {"HX-Request": "true"}


def csrf_token(page):
    """The CSRF token of the first form of a page."""
    match = _CSRF.search(page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def htmx_csrf_token(page):
    """The token htmx sends as X-CSRFToken (hx-headers on <body>, signed-in pages)."""
    match = _CSRF_HEADER.search(page)
    assert match, "no hx-headers CSRF token in the page"
    return match.group(1)


def htmx_headers(client, page, target=None):
    """The headers of an htmx request from ``page`` (fetched with ``client``): HX-Request,
    the X-CSRFToken of its hx-headers and, if given, HX-Target."""
    headers = {**HTMX, "X-CSRFToken": htmx_csrf_token(client.get(page).text)}
    return {**headers, "HX-Target": target} if target else headers


def without_csrf(page):
    """The page with its CSRF token values blanked, for comparing two answers."""
    page = _CSRF.sub('name="csrf_token" value=""', page)
    return _CSRF_HEADER.sub("hx-headers=''", page)


def field_error(page, field_id):
    """The error message shown at the field with this id (unescaped), or None."""
    pattern = rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>'
    match = re.search(pattern, page, re.S)
    return html.unescape(match.group(1)) if match else None


def post_form(client, page, data, path=None, **kwargs):
    """GET ``page``, then POST ``data`` with the page's CSRF token to ``path`` (or ``page``)."""
    token = csrf_token(client.get(page).text)
    return client.post(path or page, data={"csrf_token": token, **data}, **kwargs)


# The audit log -------------------------------------------------------------------------


def counts():
    """How many users, sign-ins, emailed tokens and audit entries exist."""
    return {
        model.__name__: db.session.query(model).count()
        for model in (User, LoginSession, Token, AuditEntry)
    }


def audit_entries(action=None):
    query = db.session.query(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.filter(AuditEntry.action == action)
    return query.all()


# Mail ----------------------------------------------------------------------------------

_LINK = re.compile(r"http://localhost/(?:invitations|reset-password)/[A-Za-z0-9_-]+")
_PATH = re.compile(r"https?://[^/\s]+(/\S*)")


def deliver(app):
    """What the worker would do now: hand every message that is due to the mail server (or
    to instance/outbox/); how many were tried."""
    from wenevents.mail.delivery import deliver_due

    with app.app_context():
        return deliver_due()


def outbox(app):
    """The messages delivered to instance/outbox/ (no MAIL_SERVER), oldest first; what is
    queued is delivered first, as the worker would."""
    deliver(app)
    folder = Path(app.instance_path) / "outbox"
    # Names start with the time to the second only: order by modification time first.
    files = sorted(folder.glob("*.eml"), key=lambda f: (f.stat().st_mtime_ns, f.name))
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def link_in(message):
    """The single-use link in a message's body, with its host."""
    match = _LINK.search(message.get_content())
    assert match, "no link in the message"
    return match.group(0)


def path_of(link):
    """The path (and query) of an absolute link, whatever its host."""
    match = _PATH.match(link)
    assert match, link
    return match.group(1)


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd calls this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


class _SmtpServer:
    """The server a test reads: ``messages`` first delivers what the app has queued, as
    the worker would, then lists what arrived: (recipients, message)."""

    def __init__(self, controller, handler, request):
        self.port = controller.port
        self._handler, self._request = handler, request

    @property
    def messages(self):
        deliver(self._request.getfixturevalue("app"))
        return self._handler.messages


@pytest.fixture
def smtp_server(request):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the test's app (MAIL_SERVER)."""
    from aiosmtpd.controller import Controller

    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield _SmtpServer(controller, handler, request)
    finally:
        controller.stop()


# Invitations ---------------------------------------------------------------------------


def send_invitation(client, email, role, network_ids=(), headers=None):
    """POST the invitation form of /manage/users as the signed-in organiser."""
    data = {"email": email, "role": role, "networks": [str(i) for i in network_ids]}
    return post_form(client, "/manage/users", data, "/manage/users/invite", headers=headers)


def accept_invitation(client, link, name, password=PASSWORD, confirm=None):
    """Open the emailed link, then submit the acceptance form; the POST's response."""
    client.get(path_of(link))
    data = {"name": name, "password": password, "confirm": password if confirm is None else confirm}
    return post_form(client, "/invitations/accept", data)


# Servers -------------------------------------------------------------------------------


def free_port():
    """A port nothing listens on now, for a server that binds it a moment later (the kernel
    picks it from the ephemeral range, so two pytest-xdist workers are unlikely to get the
    same one in that moment; servers the suite runs in-process bind port 0 themselves)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """The demo served by a real HTTP server in a thread, for the browser tests."""
    from wenevents import demo as demo_data

    tmp_path = tmp_path_factory.mktemp("live")
    # The port first: the app's PUBLIC_URL is its own address, so mailed links work.
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with make_app(tmp_path, PUBLIC_URL=url) as app:
        with app.app_context():
            demo_data.load()
        server = make_server(
            "127.0.0.1",
            listener.getsockname()[1],
            close_when_sent(app),
            threaded=True,
            fd=listener.fileno(),
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        app.config["LIVE_URL"] = url
        try:
            yield app
        finally:
            server.shutdown()
            thread.join()
            server.server_close()
            listener.close()


@pytest.fixture
def live_url(live_app):
    return live_app.config["LIVE_URL"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": ["--disable-gpu", "--disable-quic"],
    }
