import sqlite3

import pytest
from sqlalchemy import text

from wenevents import create_app
from wenevents.config import database_uri
from wenevents.extensions import db


def test_secret_key_generated_once_into_instance(tmp_path):
    instance = tmp_path / "instance"

    first = create_app({"INSTANCE_PATH": str(instance)})
    second = create_app({"INSTANCE_PATH": str(instance)})

    key_file = instance / "secret_key"
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_config_layers_apply_in_order(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("UPLOAD_DIR = '/from/file'\nDATABASE_URL = 'sqlite:///f'\n")
    monkeypatch.setenv("WENEVENTS_DATABASE_URL", "sqlite:///from-env")

    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "from-test"})

    assert app.config["UPLOAD_DIR"] == "/from/file"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-env"
    assert app.config["SECRET_KEY"] == "from-test"


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("WENEVENTS_DATABASE_URL", raising=False)
    instance = tmp_path / "instance"

    app = create_app({"INSTANCE_PATH": str(instance)})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'wenevents.sqlite'}"
    assert app.config["UPLOAD_DIR"] == str(instance / "uploads")
    assert app.debug is False


def test_sqlite_connection_has_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    )
    with app.app_context(), db.engine.connect() as connection:
        journal = connection.execute(text("PRAGMA journal_mode")).scalar()
        foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
        busy = connection.execute(text("PRAGMA busy_timeout")).scalar()
    assert (journal, foreign_keys, busy) == ("wal", 1, 20000)
    assert sqlite3.sqlite_version_info >= (3, 7)


def test_database_uri_uses_psycopg3_for_postgresql():
    assert database_uri("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_uri("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_uri("sqlite:///x") == "sqlite:///x"


def test_without_public_url_the_site_serves_loopback_only(tmp_path, monkeypatch):
    monkeypatch.delenv("WENEVENTS_PUBLIC_URL", raising=False)

    app = create_app({"INSTANCE_PATH": str(tmp_path)})

    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert app.config["SESSION_COOKIE_NAME"] == "session"


def test_public_url_gives_trusted_hosts_scheme_and_host_cookie(tmp_path, monkeypatch):
    monkeypatch.setenv("WENEVENTS_PUBLIC_URL", "https://Wen.Example.org/")
    monkeypatch.setenv("WENEVENTS_EXTRA_HOSTS", "old.example.org, www.example.org")

    config = create_app({"INSTANCE_PATH": str(tmp_path)}).config

    assert config["PUBLIC_URL"] == "https://Wen.Example.org"
    assert config["TRUSTED_HOSTS"] == ["wen.example.org", "old.example.org", "www.example.org"]
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert (config["SESSION_COOKIE_NAME"], config["SESSION_COOKIE_SECURE"]) == (
        "__Host-session",
        True,
    )
    assert (config["SESSION_COOKIE_PATH"], config["SESSION_COOKIE_DOMAIN"]) == ("/", None)


@pytest.mark.parametrize(
    "url",
    ["", "wen.example.org", "ftp://wen.example.org", "https://", "https://user@wen.example.org",
     "https://wen.example.org/?x=1", "https://wen.example.org/#top", "javascript:alert(1)"],
)  # fmt: skip
def test_a_public_url_that_is_no_site_address_stops_the_start(tmp_path, url):
    with pytest.raises(ValueError, match="PUBLIC_URL must be the site's address"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": url})


def test_public_url_with_a_path_prefix_builds_links_under_it(tmp_path):
    from wenevents.urls import public_url

    app = create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": "https://un.example.org/wen/"})
    with app.app_context():  # no request: as a command-line tool sending mail
        assert public_url("accounts.login", next="/a b") == (
            "https://un.example.org/wen/login?next=/a+b"
        )
        assert public_url("meetings.meeting", acronym="gmwen4", _anchor="dates") == (
            "https://un.example.org/wen/gmwen4/#dates"
        )


def test_rate_limits_enabled_after_an_app_that_disabled_them(tmp_path):
    from tests.conftest import make_app
    from wenevents.extensions import limiter

    with make_app(tmp_path / "off", RATELIMIT_ENABLED=False):
        assert limiter.enabled is False
    with make_app(tmp_path / "on"):
        assert limiter.enabled is True


def test_gunicorn_worker_freezes_what_the_loaded_app_holds(app):
    import gc
    from types import SimpleNamespace

    from wenevents import gunicorn_config

    def collected(obj):
        return any(o is obj for o in gc.get_objects())

    assert collected(app)
    try:
        gunicorn_config.post_worker_init(SimpleNamespace())
        assert not collected(app)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert collected(app)
