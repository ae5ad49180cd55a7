from sqlalchemy import func, inspect, select
from werkzeug.security import check_password_hash

from wenevents.accounts.models import User
from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.networks.models import Network
from wenevents.uploads.models import Document


def test_load_demo_loads_seed_meeting_and_series(runner):
    result = runner.invoke(args=["load-demo"])

    assert result.output.startswith("Demo data loaded.\n")
    acronyms = db.session.scalars(select(Meeting.acronym).order_by(Meeting.number)).all()
    assert acronyms == ["gmwen1", "gmwen2", "gmwen3", "gmwen4"]
    assert db.session.scalar(select(func.count()).select_from(Network)) == 14
    sessions = db.session.execute(
        select(Session.number, Session.is_public).join(Meeting).filter_by(acronym="gmwen4")
    ).all()
    assert sorted(sessions) == [(n, n not in (4, 7)) for n in range(1, 9)]
    kinds = db.session.scalars(
        select(Document.kind).where(Document.network_id.is_(None), Document.kind != "slides")
    )
    assert sorted(kinds) == ["agenda", "press_release", "report"]


def test_load_demo_prints_one_account_per_role_once(runner):
    first = runner.invoke(args=["load-demo"])
    second = runner.invoke(args=["load-demo"])

    lines = [line.split() for line in first.output.splitlines() if "@example.org" in line]
    assert [(role, email) for role, email, _password in lines] == [
        ("organiser", "organiser@example.org"),
        ("focal_point", "focal.point@example.org"),
        ("delegate", "delegate@example.org"),
    ]
    assert all(len(password) == 16 for *_, password in lines)
    assert "@example.org" not in second.output
    user = db.session.scalar(select(User).filter_by(email="organiser@example.org"))
    assert check_password_hash(user.password_hash, lines[0][2])


def test_demo_passwords_refused_without_demo(runner):
    result = runner.invoke(args=["demo-passwords"])
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_load_demo_twice_changes_nothing(runner):
    runner.invoke(args=["load-demo"])
    counts = [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Meeting, Network, Session, Document)
    ]

    result = runner.invoke(args=["load-demo"])

    assert result.output == "Demo data already present: nothing changed.\n"
    assert [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Meeting, Network, Session, Document)
    ] == counts


def test_health_fails_when_schema_not_migrated(runner):
    # The fixture made the tables with create_all, not migrations: no alembic version.
    result = runner.invoke(args=["health"])
    assert result.exit_code == 1
    assert "is not at" in result.output


def test_init_db_creates_schema_then_health_passes(tmp_path):
    from tests.conftest import fresh_database
    from wenevents import create_app

    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
        runner = app.test_cli_runner()

        init = runner.invoke(args=["init-db"])
        health = runner.invoke(args=["health"])

        assert init.exit_code == 0, init.output
        assert health.output == "ok: database answers, schema current\n"
        with app.app_context():
            assert "meetings" in inspect(db.engine).get_table_names()
            db.engine.dispose()


def test_health_fails_when_database_unreachable(tmp_path):
    from wenevents import create_app

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/none.sqlite",
        }
    )
    result = app.test_cli_runner().invoke(args=["health"])
    assert result.exit_code == 1
    assert "database: unreachable" in result.output
