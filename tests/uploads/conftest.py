"""Helpers for the materials suite: a meeting with two presenting networks, people of each
kind, sample files of every kind (good and bad), and uploading through the real pages.

The app, client, users and sign-in fixtures are tests/conftest.py's.
"""

import errno
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import (
    make_item,
    make_meeting,
    make_network,
    make_session,
    publish_agenda,
)
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER
from wenevents.extensions import db
from wenevents.uploads.models import Document, DocumentVersion


@pytest.fixture
def app_config():
    # Small archive limits: a zip bomb of a few kilobytes shows the same check at work.
    return {"UPLOAD_ZIP_MAX_ENTRIES": 50, "UPLOAD_ZIP_MAX_UNPACKED": 1024 * 1024}


# -- Sample files ---------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF2 = b"%PDF-1.4\n% the second version\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)

OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
    "pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
}


def _member(name, compress_type=zipfile.ZIP_DEFLATED):
    """An archive member with a fixed date: the same bytes at every call, so test ids made
    of them are the same in every pytest-xdist worker."""
    member = zipfile.ZipInfo(name, date_time=(2023, 11, 21, 9, 0, 0))
    member.compress_type = compress_type
    member.external_attr = 0o600 << 16  # as writestr gives a member named by a string
    return member


def ooxml(kind="pptx", extra=(), macros=False):
    """A minimal OOXML package whose main part is of ``kind``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        types = (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Override PartName="/main.xml" ContentType="'
            f'{OOXML_TYPES[kind]}"/></Types>'
        )
        archive.writestr(_member("[Content_Types].xml"), types)
        archive.writestr(_member("main.xml"), "<main/>")
        if macros:
            archive.writestr(_member("word/vbaProject.bin"), b"\x00" * 64)
        for name, data in extra:
            archive.writestr(_member(name), data)
    return buffer.getvalue()


def opendocument(mimetype="application/vnd.oasis.opendocument.presentation", extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_member("mimetype", zipfile.ZIP_STORED), mimetype)
        archive.writestr(_member("content.xml", zipfile.ZIP_STORED), "<office:document-content/>")
        for name, data in extra:
            archive.writestr(_member(name, zipfile.ZIP_STORED), data)
    return buffer.getvalue()


def zip_bomb():
    """An OOXML file that unpacks to 2 MB (twice the test limit) from a few kilobytes."""
    return ooxml("docx", extra=[("word/huge.xml", b"\x00" * (2 * 1024 * 1024))])


def many_entries():
    return ooxml("docx", extra=[(f"part{n}.xml", b"x") for n in range(60)])


# -- A meeting ---------------------------------------------------------------------------


class World:
    """A published meeting: NAWEG presents item A in session 1, LATF item B; released."""

    def __init__(self, meeting, naweg, latf, item_a, item_b, session):
        self.meeting, self.naweg, self.latf = meeting, naweg, latf
        self.item_a, self.item_b, self.session = item_a, item_b, session

    @property
    def acronym(self):
        return self.meeting.acronym


@pytest.fixture
def world(app):
    naweg = make_network(acronym="NAWEG", slug="naweg", name="North America WEG")
    latf = make_network(acronym="LATF", slug="latf", name="Lusaka Agreement Task Force")
    meeting = make_meeting(
        acronym="gm",
        title="Global meeting",
        networks=[naweg, latf],
        disclaimer="Presenters alone answer for their presentations.",
    )
    session = make_session(meeting, title="Cooperation")
    item_a = make_item(session, title="Work of NAWEG", network=naweg, duration_minutes=20)
    item_b = make_item(session, title="Work of LATF", network=latf, duration_minutes=20)
    publish_agenda(meeting)
    return World(meeting, naweg, latf, item_a, item_b, session)


@pytest.fixture
def people(world, make_user):
    """An organiser, a focal point of each network, and a delegate with no registration."""
    return {
        "organiser": make_user("org@example.org", ORGANISER, name="Olga Organiser"),
        "naweg": make_user(
            "fp@naweg.example.org", FOCAL_POINT, networks=[world.naweg], name="Nina Focal"
        ),
        "latf": make_user(
            "fp@latf.example.org", FOCAL_POINT, networks=[world.latf], name="Lars Focal"
        ),
        "delegate": make_user("delegate@example.org", DELEGATE, name="Dee Delegate"),
    }


@pytest.fixture
def organiser(client, auth, people):
    """Here ``client``, signed in as the world's organiser (people["organiser"])."""
    auth.login("org@example.org")
    return client


# -- Uploading through the pages -------------------------------------------------------------


def upload(client, acronym, ref, files, language="auto", htmx=False, token=None):
    """POST ``files`` (``[(bytes, name)]``) to a target as the upload page's form does."""
    if token is None:
        token = csrf_token(client.get(f"/{acronym}/materials/upload").text)
    headers = {"HX-Request": "true", "HX-Target": f"target-{ref}"} if htmx else {}
    body, content_type = browser_form(
        [("csrf_token", token), ("language", language)],
        [("files", content, name) for content, name in files],
    )
    return client.post(
        f"/{acronym}/materials/upload/{ref}",
        data=body,
        headers=headers,
        content_type=content_type,
    )


BOUNDARY = "----WebKitFormBoundarywenevents0test"


def browser_form(fields, files):
    """A multipart/form-data body as a browser writes it (the HTML standard's encoding):
    ``(body, content type)``. Werkzeug's test client leaves out an empty file's blank line,
    which the upload parser refuses (test_empty_part_without_its_blank_line_is_400)."""

    def escaped(text):
        return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")

    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    parts += [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{escaped(filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
        for name, content, filename in files
    ]
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={BOUNDARY}"


def stored_files(app):
    """Names in the materials folder, temporary files included."""
    folder = Path(app.config["UPLOAD_DIR"]) / "materials"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def versions_of(meeting, kind="slides"):
    db.session.expire_all()
    query = (
        select(DocumentVersion)
        .join(DocumentVersion.document)
        .where(Document.meeting_id == meeting.id, Document.kind == kind)
        .order_by(DocumentVersion.id)
    )
    return db.session.scalars(query).all()


def slot(meeting, kind="slides", language="en", **where):
    db.session.expire_all()
    query = select(Document).where(
        Document.meeting_id == meeting.id, Document.kind == kind, Document.language == language
    )
    for key, value in where.items():
        query = query.where(getattr(Document, key) == value)
    return db.session.scalars(query).first()


def outcome_messages(page):
    """The messages of each file, as the block shows them."""
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r'<li class="message [^"]+">(.*?)</li>', page, re.S)
    ]


def registration(user, world, network, status):
    """``user``'s registration for the world's meeting, for ``network``, in ``status``."""
    from wenevents.registration.models import Registration

    row = Registration(
        meeting_id=world.meeting.id,
        user_id=user.id,
        email=user.email,
        given_name="Dee",
        family_name="Delegate",
        organisation="Customs (fictional)",
        country_code="US",
        network_id=network.id,
        participation_role="network_delegate",
        arrival_date=world.meeting.start_date,
        departure_date=world.meeting.end_date,
        status=status,
    )
    db.session.add(row)
    db.session.commit()
    return row


def temporary_files(app):
    return [name for name in stored_files(app) if name.startswith(".incoming-")]


def datetime_in_past():
    from datetime import datetime

    return datetime(2020, 1, 1)


# -- A small disk ---------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system as the upload folder (tmpfs; the suite runs as root)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_disk(folder):
    """Fill the file system of ``folder`` to the last byte with ``folder/filler``."""
    chunk = b"\0" * 4096
    with open(Path(folder) / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
