"""``wenevents cleanup-uploads``: remove what an interrupted upload may leave behind."""

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from wenevents import storage
from wenevents.extensions import db
from wenevents.registration import questions as registration
from wenevents.uploads.models import DocumentVersion
from wenevents.uploads.streaming import materials_folder
from wenevents.web import megabytes


def _named_materials():
    return set(db.session.scalars(select(DocumentVersion.stored_name).distinct()))


# Every folder files are uploaded to, with the names its rows hold.
FOLDERS = (
    (materials_folder, _named_materials),
    (registration.files_folder, registration.stored_answer_files),
)


@click.command("cleanup-uploads")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@click.option(
    "--older-than",
    "minutes",
    default=60,
    show_default=True,
    type=click.IntRange(min=1),
    help="Leave files younger than this many minutes (an upload may still be finishing).",
)
@with_appcontext
def cleanup_uploads(dry_run, minutes):
    """Remove temporary files of uploads that never finished, and stored files that no
    row names (a crash between the rename and the database commit), in every upload
    folder: materials and registration answers."""
    for folder_of, named in FOLDERS:
        _clean(folder_of(), named, dry_run, minutes)


def _clean(folder, named, dry_run, minutes):
    if not folder.is_dir():
        click.echo(f"Nothing to clean: {folder} does not exist.")
        return
    named = named()
    # Taken after the query: a file renamed into place since is younger than the cut-off.
    cutoff = time.time() - minutes * 60
    temporary, orphans, size = [], [], 0
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        if path.name.startswith(storage.TEMP_PREFIX):
            temporary.append(path)
        elif storage.path_of(path.name, folder) and path.name not in named:
            orphans.append(path)
        else:
            continue
        size += path.stat().st_size
    verb = "Would remove" if dry_run else "Removed"
    for path in temporary + orphans:
        click.echo(f"{verb} {path.name}")
        if not dry_run:
            path.unlink(missing_ok=True)
    click.echo(
        f"{verb} {len(temporary)} temporary and {len(orphans)} orphaned files "
        f"({megabytes(size)}) in {folder}."
    )
