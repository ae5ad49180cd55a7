"""After a meeting's personal data is purged, nothing the site serves or keeps names the
person: no page, fragment or export an organiser can open (the widest view), no file in the
upload folder, no mail, no audit entry, and no backup of the site. The test plants a
registration with names found nowhere else, approves it (audited, mailed), purges, then
greps all of these for them."""

import subprocess
import tarfile
from datetime import datetime

from sqlalchemy import select

from tests.conftest import deliver
from tests.crawling import crawl, seed_urls
from tests.factories import make_registration
from tests.registration.test_retention import letter_question, stored_file
from wenevents import backup, demo
from wenevents.accounts.models import User
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.registration import retention, workflow

EMAIL = "q.zyxwquorth@example.org"
# What the person wrote, in the forms a page, file or dump may hold it.
TRACES = ["Zyxwquorth", "zyxwquorth", "Quillonia", "Bureau Qwfpgj", "ZYXW-LETTER-BYTES"]


def plant(app):
    """The person's registration for the demo's 4th meeting, approved by the organiser,
    with a file answer; the mails it caused delivered. The organiser's password."""
    passwords = {e: p for e, _role, p in demo.reset_demo_passwords()}
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    meeting.retention_months = 12
    question = letter_question(meeting)
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    with app.test_request_context():
        registration = make_registration(
            meeting,
            email=EMAIL,
            given_name="Quillonia",
            family_name="Zyxwquorth",
            organisation="Bureau Qwfpgj",
            network=meeting.networks[0],
            answers={str(question.id): stored_file(app, b"%PDF-1.4 ZYXW-LETTER-BYTES")},
        )
        workflow.endorse(registration, organiser)
        workflow.approve(registration, organiser)
        db.session.commit()
    deliver(app)
    return passwords["organiser@example.org"]


def organiser_client(app, password):
    from tests.conftest import csrf_token

    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": "organiser@example.org",
            "password": password,
        },
    )
    return client


def found_in(texts):
    return sorted({trace for text in texts for trace in TRACES if trace in text})


def archive_texts(path, folder):
    """What a backup holds, as text: every file, the database dump made readable (its
    table data is compressed) as the SQL pg_restore would run."""
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            data = archive.extractfile(member).read()
            if member.name.endswith(".pgdump"):
                dump = folder / "dump.pgdump"
                dump.write_bytes(data)
                command = ["pg_restore", "--file=-", str(dump)]
                data = subprocess.run(command, capture_output=True, check=True).stdout
            yield data.decode("utf-8", "replace")


def test_purge_leaves_no_trace_in_pages_exports_files_mail_audit_or_backups(app, demo, tmp_path):
    client = organiser_client(app, plant(app))
    before, _targets = crawl(client, seed_urls(app))
    # The crawl would see the person before the purge: it looks where they were.
    assert found_in(t for texts in before.values() for t in texts) == sorted(TRACES)
    backup.create_backup(tmp_path / "before-purge.tar.gz")
    assert found_in(archive_texts(tmp_path / "before-purge.tar.gz", tmp_path)) == sorted(TRACES)

    [removal] = retention.purge_due(now=datetime(2026, 12, 1))
    deliver(app)

    assert (removal.meeting, removal.registrations, removal.files) == ("gmwen4", 11, 1)
    pages, _targets = crawl(client, seed_urls(app))
    assert len(pages) > 200
    leaks = {url: found_in(texts) for url, texts in pages.items() if found_in(texts)}
    assert leaks == {}
    uploads = app.config["UPLOAD_DIR"]
    on_disk = [p.read_bytes().decode("latin-1") for p in _files(uploads)]
    assert found_in(on_disk) == []
    archive = tmp_path / "after-purge.tar.gz"
    backup.create_backup(archive)
    assert found_in(archive_texts(archive, tmp_path)) == []


def _files(folder):
    from pathlib import Path

    return [p for p in Path(folder).rglob("*") if p.is_file()]


def test_purge_leaves_the_audit_log_saying_what_was_done_not_to_whom(app, demo):
    from wenevents.audit.models import AuditEntry

    plant(app)
    retention.purge_due(now=datetime(2026, 12, 1))

    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(("registration.endorse", "registration.approve")))
        .order_by(AuditEntry.id)
    ).all()
    texts = [f"{e.summary} {e.actor_email} {e.details}" for e in entries]
    assert found_in(texts) == []
    assert [(e.action, e.summary, e.actor_email) for e in entries[-2:]] == [
        ("registration.endorse", "(personal data removed)", "organiser@example.org"),
        ("registration.approve", "(personal data removed)", "organiser@example.org"),
    ]
