"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import fresh_database
from wenevents import create_app
from wenevents.extensions import db


def test_migrations_match_models(tmp_path):
    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            db.engine.dispose()
    assert differences == []


def test_migrations_downgrade_to_base_and_up_again(tmp_path):
    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            downgrade(revision="base")
            upgrade()
            with db.engine.connect() as connection:
                heads = MigrationContext.configure(connection).get_current_heads()
            db.engine.dispose()
    assert len(heads) == 1


def test_migrated_schema_takes_file_questions(tmp_path):
    from sqlalchemy import text

    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
        with app.app_context():
            upgrade()
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO meeting_series (slug, name, description) VALUES ('s', 'S', '')"
                ))  # fmt: skip
                connection.execute(text(
                    "INSERT INTO meetings (series_id, number, acronym, title, start_date,"
                    " end_date, timezone, venue, city, country_code, held_alongside, convener,"
                    " partners, funding, description, disclaimer, status, is_demo)"
                    " VALUES (1, 1, 'm1', 'M', '2023-11-21', '2023-11-22', 'UTC', '', '', '',"
                    " '', '', '', '', '', '', 'draft', false)"
                ))  # fmt: skip
                connection.execute(text(
                    "INSERT INTO registration_questions (meeting_id, position, kind, label,"
                    " help, required, choices) VALUES (1, 1, 'file', 'Letter', '', true, '[]')"
                ))  # fmt: skip
                kinds = connection.execute(text("SELECT kind FROM registration_questions"))
                assert kinds.scalars().all() == ["file"]
            db.engine.dispose()


def test_session_refs_migration_backfills_rows_and_released_snapshots(tmp_path):
    import json
    import re

    from sqlalchemy import text

    from wenevents.agenda.models import REF_PATTERN

    snapshot = {"sessions": [{"uid": "u-1", "number": 1, "items": []}]}
    with fresh_database(tmp_path) as url:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="7f0e1d2c3b4a")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO meeting_series (slug, name, description) VALUES ('s', 'S', '')"
                ))  # fmt: skip
                connection.execute(text(
                    "INSERT INTO meetings (series_id, number, acronym, title, start_date,"
                    " end_date, timezone, venue, city, country_code, held_alongside, convener,"
                    " partners, funding, description, disclaimer, status, is_demo)"
                    " VALUES (1, 1, 'm1', 'M', '2023-11-21', '2023-11-22', 'UTC', '', '', '',"
                    " '', '', '', '', '', '', 'published', false)"
                ))  # fmt: skip
                connection.execute(text(
                    "INSERT INTO sessions (uid, meeting_id, number, title, description,"
                    " objectives, day, starts_at, ends_at, room, chair, is_public, version)"
                    " VALUES ('u-1', 1, 1, 'T', '', '', '2023-11-21', '09:00:00', '10:00:00',"
                    " '', '', true, 1)"
                ))  # fmt: skip
                connection.execute(
                    text(
                        "INSERT INTO agenda_releases (meeting_id, number, created_at, note,"
                        " snapshot, changes) VALUES (1, 1, '2023-11-01', '', :s, '[]')"
                    ),
                    {"s": json.dumps(snapshot)},
                )
            upgrade()
            with db.engine.connect() as connection:
                ref = connection.execute(text("SELECT ref FROM sessions")).scalar_one()
                stored = connection.execute(text("SELECT snapshot FROM agenda_releases"))
                stored = stored.scalar_one()
            db.engine.dispose()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert re.fullmatch(REF_PATTERN, ref)
    assert stored["sessions"][0]["ref"] == ref
