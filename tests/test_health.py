"""/healthz says the process answers; /readyz that the database (at the current schema)
and, when rate limits are counted there, Redis answer. ``wenevents health`` checks the
same."""

import pytest
from flask_migrate import upgrade

from tests.conftest import fresh_database
from wenevents import create_app
from wenevents.extensions import db

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def migrated(tmp_path):
    """An app on a database built by the migrations, as in production."""

    def make(**config):
        app = create_app(
            {
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "DATABASE_URL": url,
                "PUBLIC_URL": "http://localhost",
                **config,
            }
        )
        apps.append(app)
        return app

    apps = []
    with fresh_database(tmp_path) as url:
        with make().app_context():
            upgrade()
        yield make
        for app in apps:
            with app.app_context():
                db.engine.dispose()


def unreachable_database_app(tmp_path, name):
    """An app whose SQLite file cannot be opened (its folder does not exist)."""
    url = f"sqlite:///{tmp_path}/missing-dir/{name}.sqlite"
    return create_app(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url, "PUBLIC_URL": "http://localhost"}
    )


def test_healthz_answers_without_asking_the_database(tmp_path):
    app = unreachable_database_app(tmp_path, "none")

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_at_the_current_schema(migrated):
    response = migrated().test_client().get("/readyz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_without_migrations_says_the_schema_is_behind(client):
    # The test databases are made with create_all: no migration is recorded.
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    [problem] = response.json["problems"]
    assert problem.startswith("database: schema [] is not at ['")


def test_readyz_names_an_unreachable_database_and_nothing_of_it(tmp_path):
    app = unreachable_database_app(tmp_path, "secret-name")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "problems": ["database: unreachable (OperationalError)"],
    }
    assert b"secret-name" not in response.data


def test_readyz_with_rate_limits_in_redis_that_answers_is_ok(migrated):
    app = migrated(RATELIMIT_STORAGE_URL=REDIS_URL)

    assert app.test_client().get("/readyz").json == {"status": "ok"}


def test_readyz_with_rate_limits_in_redis_that_does_not_answer_is_unavailable(migrated):
    app = migrated(RATELIMIT_STORAGE_URL="redis://127.0.0.1:1")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["problems"] == ["rate limits: their storage does not answer"]


def test_health_command_reports_what_readyz_does(migrated):
    app = migrated(RATELIMIT_STORAGE_URL="redis://127.0.0.1:1")

    result = app.test_cli_runner().invoke(args=["health"])

    assert result.exit_code == 1
    assert result.output == "rate limits: their storage does not answer\n"


def test_readyz_is_never_stored_for_the_public(client):
    for _ in range(3):
        response = client.get("/readyz", headers={"Accept-Encoding": "br"})
        assert response.status_code == 503
        assert "ETag" not in response.headers
