import sqlite3

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
    assert (journal, foreign_keys, busy) == ("wal", 1, 5000)
    assert sqlite3.sqlite_version_info >= (3, 7)


def test_database_uri_uses_psycopg3_for_postgresql():
    assert database_uri("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_uri("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_uri("sqlite:///x") == "sqlite:///x"
