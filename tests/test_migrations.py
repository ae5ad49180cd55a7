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
