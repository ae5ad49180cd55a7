"""``wenevents cleanup-uploads``: temporary files of interrupted uploads and stored files
no version names are removed once old enough; everything named stays."""

import os
import time
from pathlib import Path

from tests.uploads.conftest import PDF, stored_files, upload, versions_of
from wenevents.extensions import db


def age(path, hours):
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def leftovers(app):
    folder = Path(app.config["UPLOAD_DIR"]) / "materials"
    folder.mkdir(parents=True, exist_ok=True)
    old_temporary = folder / ".incoming-old"
    new_temporary = folder / ".incoming-new"
    orphan = folder / ("a" * 32 + ".pdf")
    young_orphan = folder / ("b" * 32 + ".pdf")
    stranger = folder / "notes.txt"
    for path in (old_temporary, new_temporary, orphan, young_orphan, stranger):
        path.write_bytes(b"%PDF-1.4 half")
    for path in (old_temporary, orphan, stranger):
        age(path, 2)
    return folder


def test_cleanup_removes_old_temporary_and_orphaned_files_only(app, client, auth, world, people):
    auth.login("org@example.org")
    upload(client, "gm", "report", [(PDF, "report.pdf")])
    [version] = versions_of(world.meeting, "report")
    folder = leftovers(app)
    age(folder / version.stored_name, 2)

    result = app.test_cli_runner().invoke(args=["cleanup-uploads"])

    assert result.exit_code == 0
    assert result.output.splitlines()[-2:] == [
        f"Removed 1 temporary and 1 orphaned files (26 bytes) in {folder}.",
        f"Nothing to clean: {folder.parent / 'registrations'} does not exist.",
    ]
    assert stored_files(app) == sorted(
        [".incoming-new", "b" * 32 + ".pdf", "notes.txt", version.stored_name]
    )


def test_cleanup_dry_run_changes_nothing(app, world):
    folder = leftovers(app)
    before = stored_files(app)

    result = app.test_cli_runner().invoke(args=["cleanup-uploads", "--dry-run"])

    assert result.output.splitlines() == [
        "Would remove .incoming-old",
        "Would remove " + "a" * 32 + ".pdf",
        f"Would remove 1 temporary and 1 orphaned files (26 bytes) in {folder}.",
        f"Nothing to clean: {folder.parent / 'registrations'} does not exist.",
    ]
    assert stored_files(app) == before


def test_cleanup_without_upload_folder_says_so(app):
    result = app.test_cli_runner().invoke(args=["cleanup-uploads"])

    folder = Path(app.config["UPLOAD_DIR"])
    assert result.output.splitlines() == [
        f"Nothing to clean: {folder / 'materials'} does not exist.",
        f"Nothing to clean: {folder / 'registrations'} does not exist.",
    ]


def test_cleanup_removes_old_registration_files_no_answer_names(app, world):
    from wenevents.registration.models import Registration

    folder = Path(app.config["UPLOAD_DIR"]) / "registrations"
    folder.mkdir(parents=True)
    named, orphan, young, temporary = (
        folder / ("c" * 32 + ".pdf"),
        folder / ("d" * 32 + ".png"),
        folder / ("e" * 32 + ".pdf"),
        folder / ".incoming-x",
    )
    for path in (named, orphan, young, temporary):
        path.write_bytes(b"%PDF-1.4 letter")
    for path in (named, orphan, temporary):
        age(path, 2)
    db.session.add(
        Registration(
            meeting_id=world.meeting.id,
            email="ana@example.org",
            given_name="Ana",
            family_name="Silva",
            organisation="Customs",
            country_code="PA",
            participation_role="observer",
            arrival_date=world.meeting.start_date,
            departure_date=world.meeting.end_date,
            answers={"1": {"file": named.name, "name": "letter.pdf", "size": 15}, "2": "text"},
        )
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["cleanup-uploads"])

    assert result.output.splitlines()[-3:] == [
        f"Removed {temporary.name}",
        f"Removed {orphan.name}",
        f"Removed 1 temporary and 1 orphaned files (30 bytes) in {folder}.",
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted([named.name, young.name])
