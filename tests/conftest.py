"""Fixtures: an app on a fresh database per test (SQLite, or PostgreSQL when
WENEVENTS_TEST_DATABASE_URL is set), a client, a query counter, and a live server."""

import os
import threading
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text
from werkzeug.serving import make_server

from wenevents import create_app
from wenevents.extensions import db

POSTGRES_URL = os.environ.get("WENEVENTS_TEST_DATABASE_URL")


@contextmanager
def fresh_database(tmp_path):
    """Yield the URL of an empty database that is dropped afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"wenevents_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The ``app`` fixture keeps a context pushed for the test's own database work; without
    this, requests would share that context's ``g`` and database session with the test
    and with each other (a CSRF token cached in ``g`` would outlive a sign-in, say).
    """

    def open(self, *args, **kwargs):
        # buffered: the whole body is read and the response closed, as a server does, so
        # work registered to run after the response (mail, say) has run on return.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@contextmanager
def make_app(tmp_path, **overrides):
    """An app with its own instance folder and an empty database with every table."""
    with fresh_database(tmp_path) as url:
        app = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "DATABASE_URL": url,
                "SECRET_KEY": "test-secret-key",
                **overrides,
            }
        )
        app.test_client_class = IsolatedClient
        with app.app_context():
            db.create_all()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    with make_app(tmp_path) as app, app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """The demo served by a real HTTP server in a thread, for the browser tests."""
    from wenevents import demo as demo_data

    tmp_path = tmp_path_factory.mktemp("live")
    with make_app(tmp_path) as app:
        with app.app_context():
            demo_data.load()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
        try:
            yield app
        finally:
            server.shutdown()
            thread.join()


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
