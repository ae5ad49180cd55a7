"""Command line: ``wenevents init-db``, ``load-demo``, ``health``, ``run`` (and
Flask-Migrate's ``db``)."""

import sys
from pathlib import Path

import click
from flask.cli import (
    FlaskGroup,
    pass_script_info,
    routes_command,
    shell_command,
    with_appcontext,
)
from flask_migrate import upgrade
from werkzeug.serving import WSGIRequestHandler, run_simple

from wenevents.extensions import db
from wenevents.registration.commands import purge_personal_data
from wenevents.uploads.commands import cleanup_uploads


def init_app(app):
    app.cli.add_command(init_db)
    app.cli.add_command(load_demo)
    app.cli.add_command(demo_passwords)
    app.cli.add_command(create_user)
    app.cli.add_command(health)
    app.cli.add_command(import_schedule)
    app.cli.add_command(cleanup_uploads)
    app.cli.add_command(purge_personal_data)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(run)


def main():
    """The ``wenevents`` console script: Flask's CLI bound to this app, with our ``run``."""
    from wenevents import create_app

    group = FlaskGroup(create_app=create_app, add_default_commands=False)
    group.add_command(shell_command)
    group.add_command(routes_command)
    group(prog_name="wenevents")


class QuietRequestHandler(WSGIRequestHandler):
    """The development server without ``Server: Werkzeug/… Python/…`` (on every answer,
    its own error pages too): versions tell a visitor which known holes to try."""

    def version_string(self):
        return "wenevents"


def close_when_sent(app):
    """``app``, its answer closed as soon as the last byte is handed to the server.

    Werkzeug's development server reads what is left of the request before it closes the
    answer, and a browser that has already reset the connection makes that read raise:
    the close, and the work waiting on it (mail sent after the response), never ran. One
    message in four was lost that way in the browser tests, and in the development server's
    outbox.
    """

    def wrapped(environ, start_response):
        answer = app(environ, start_response)
        try:
            yield from answer
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()

    return wrapped


@click.command("run")
@click.option("--host", "-h", default="127.0.0.1", show_default=True)
@click.option("--port", "-p", default=5000, show_default=True)
@click.option("--debug", is_flag=True, help="Debugger and reloader (never in production).")
@pass_script_info
def run(info, host, port, debug):
    """The development server (``make dev``); ``make run`` and production run gunicorn
    (see the README)."""
    # No app context around the server: each request pushes its own.
    app = info.load_app()
    app.debug = debug
    run_simple(
        host,
        port,
        close_when_sent(app),
        use_reloader=debug,
        use_debugger=debug,
        threaded=True,
        request_handler=QuietRequestHandler,
    )


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
    if added:
        _print_demo_accounts(demo.reset_demo_passwords())


@click.command("demo-passwords")
@with_appcontext
def demo_passwords():
    """Give the demo accounts new random passwords and print them (demo databases only)."""
    from wenevents import demo

    accounts = demo.reset_demo_passwords()
    if not accounts:
        click.echo("No demo accounts here: they exist only where the demo data is loaded.")
        sys.exit(1)
    _print_demo_accounts(accounts)


def _print_demo_accounts(accounts):
    click.echo("\nDemo accounts (passwords shown this once; `wenevents demo-passwords` makes new):")
    for email, role, password in accounts:
        click.echo(f"  {role:<12} {email:<32} {password}")
    click.echo("")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["organiser", "focal_point", "delegate"]),
    default="organiser",
    show_default=True,
)
@click.option("--name", default="", help="The person's name.")
@click.option("--network", "networks", multiple=True, help="Network slug (focal points).")
@click.password_option(
    envvar="WENEVENTS_NEW_USER_PASSWORD",
    help="Prompted (hidden) if not set; or read from WENEVENTS_NEW_USER_PASSWORD.",
)
@with_appcontext
def create_user(email, role, name, networks, password):
    """Create an account, such as the first organiser. There is no default account."""
    from wenevents.accounts import services
    from wenevents.networks.services import network_by_slug

    found = [network_by_slug(slug) for slug in networks]
    if None in found:
        missing = [slug for slug, n in zip(networks, found, strict=True) if n is None]
        raise click.BadParameter(f"unknown network: {', '.join(missing)}", param_hint="--network")
    if role == "focal_point" and not found:
        raise click.BadParameter("a focal point needs at least one --network")
    try:
        user = services.create_user(email, role, password, name=name, networks=found)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({role}).")


@click.command("health")
@with_appcontext
def health():
    """Check the database answers at the current schema (and Redis, when rate limits are
    counted there); exit 1 if not. ``/readyz`` checks the same."""
    from wenevents.health import problems

    found = problems()
    for problem in found:
        click.echo(problem, err=True)
    if found:
        sys.exit(1)
    click.echo("ok: database answers, schema current")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup(file, force):
    """Write the database and the upload folder into one archive, FILE (.tar, .tar.gz),
    while the site serves."""
    from wenevents import backup as backups

    try:
        manifest = backups.create_backup(file, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {file}: {backups.summary(manifest)}.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore(file):
    """Fill this empty instance (database and upload folder) from a backup archive, FILE."""
    from wenevents import backup as backups

    try:
        lines = backups.restore_backup(file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    for line in lines:
        click.echo(line)


@click.command("import-schedule")
@click.argument("acronym")
@click.argument("file", type=click.File("rb"))
@click.option("--yes", is_flag=True, help="Import without asking.")
@with_appcontext
def import_schedule(acronym, file, yes):
    """Import a frab or pretalx schedule.json into a meeting's draft agenda.

    Prints what would be created and what cannot be imported, then asks before writing.
    """
    from wenevents.agenda import importing
    from wenevents.meetings.models import Meeting

    meeting = db.session.scalar(db.select(Meeting).filter_by(acronym=acronym))
    if meeting is None:
        raise click.BadParameter(f"no meeting {acronym!r}", param_hint="ACRONYM")
    try:
        plan = importing.preview(meeting, file.read(importing.MAX_BYTES + 1))
    except importing.ImportProblem as problem:
        raise click.ClickException(str(problem)) from problem
    for line in importing.describe(plan, meeting):
        click.echo(line)
    if not plan["sessions"]:
        raise click.ClickException("Nothing in this file can be imported into this meeting.")
    if not yes:
        click.confirm("Import into the draft agenda?", abort=True)
    try:
        sessions, items = importing.apply(meeting, plan)
    except importing.ImportProblem as problem:
        db.session.rollback()
        raise click.ClickException(str(problem)) from problem
    db.session.commit()
    sessions, items = importing.count_sessions(sessions), importing.count_items(items)
    click.echo(f"Imported {sessions} with {items} into the draft of {acronym}.")
