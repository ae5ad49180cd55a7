"""``wenevents purge-personal-data``: remove the personal data of registrations past their
meeting's retention (registration/retention.py), keeping anonymous counts."""

import click
from flask.cli import with_appcontext

from wenevents.registration import retention


@click.command("purge-personal-data")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@with_appcontext
def purge_personal_data(dry_run):
    """Remove the registrations of every meeting past its retention date (names, contact
    and travel details, answers and their files, history, and mail no registration needs),
    keeping counts per network, country and status. Each meeting in its own transaction,
    audited; running it again changes nothing. The worker runs the same daily."""
    removals = retention.purge_due(dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    for removal in removals:
        click.echo(
            f"{verb} {removal.meeting} (due {removal.due.isoformat()}): "
            f"{removal.registrations} registrations, {removal.files} files, "
            f"{removal.mails} mails."
        )
    if not removals:
        click.echo("No personal data is due for removal.")
