"""Helpers for the accounts suite: an app configurable per test, users, signing in with the
real CSRF token, invitations, a real SMTP server, and reading what was mailed."""

import email
import email.policy
import html
import re
import socket
from functools import cache
from pathlib import Path

import pytest
from flask import has_app_context

from tests.conftest import IsolatedClient, make_app
from wenevents.accounts import passwords
from wenevents.accounts.models import ORGANISER, LoginSession, Token, User
from wenevents.audit.models import AuditEntry
from wenevents.extensions import db

PASSWORD = "correct horse battery staple 7"
OTHER_PASSWORD = "purple elephant juggles seven quiet lanterns"

_CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')
_CSRF_HEADER = re.compile(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'')
_LINK = re.compile(r"http://localhost/(?:invitations|reset-password)/[A-Za-z0-9_-]+")


class Client(IsolatedClient):
    """A request in its own app context (see tests/conftest.py); afterwards the test's
    database session forgets what it had loaded, so the test reads what the request wrote."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def app_config():
    """Configuration overrides for ``app``; override this fixture (or parametrize it)."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    with make_app(tmp_path, **app_config) as app, app.app_context():
        app.test_client_class = Client
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@cache
def _hash(password):
    # scrypt is slow by design; one hash per password is enough for a test run.
    return passwords.hash_password(password)


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


# Mail --------------------------------------------------------------------------------


def outbox(app):
    """The messages written to instance/outbox/ (no MAIL_SERVER), oldest first."""
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
    return link.removeprefix("http://localhost")


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd calls this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``.messages``: (recipients, message)."""
    from aiosmtpd.controller import Controller

    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    controller.messages = handler.messages
    try:
        yield controller
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
