"""Command line: ``wenevents init-db``, ``load-demo``, ``health`` (and Flask-Migrate's ``db``)."""

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import text

from wenevents.extensions import db


def init_app(app):
    app.cli.add_command(init_db)
    app.cli.add_command(load_demo)
    app.cli.add_command(health)


def main():
    """The ``wenevents`` console script: Flask's CLI bound to this app."""
    from wenevents import create_app

    FlaskGroup(create_app=create_app)(prog_name="wenevents")


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database or upgrade it to the newest schema."""
    upgrade()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("load-demo")
@with_appcontext
def load_demo():
    """Load the 4th Global Meeting and its series as demo data (safe to run again)."""
    from wenevents import demo

    added = demo.load()
    click.echo("Demo data loaded." if added else "Demo data already present: nothing changed.")


@click.command("health")
@with_appcontext
def health():
    """Check the database answers and its schema is current; exit 1 if not."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_heads()
    except Exception as error:  # any driver error means "unhealthy", reported not raised
        click.echo(f"database: unreachable ({error.__class__.__name__})", err=True)
        sys.exit(1)
    migrations = current_app.extensions["migrate"].directory
    script = ScriptDirectory(migrations)
    heads = set(script.get_heads())
    if set(current) != heads:
        click.echo(f"database: schema {sorted(current)} is not at {sorted(heads)}", err=True)
        sys.exit(1)
    click.echo("ok: database answers, schema current")
