"""Bulk downloads: a ZIP of what the person may see, streamed as it is built."""

import io
import zipfile
from datetime import datetime

import pytest

from tests.factories import session_ref
from tests.uploads.conftest import PDF, PDF2, ooxml, slot, upload
from wenevents.extensions import db


@pytest.fixture
def materials(app, world, people, new_auth):
    organiser = new_auth()
    organiser.login("org@example.org")
    upload(organiser.client, "gm", "report", [(PDF, "Report.pdf")])
    upload(organiser.client, "gm", f"sheet-{world.naweg.id}", [(PDF2, "sheet_fr.pdf")])
    upload(organiser.client, "gm", f"slides-{world.item_a.id}", [(ooxml("pptx"), "talk.pptx")])
    upload(organiser.client, "gm", f"slides-{world.item_b.id}", [(PDF, "latf_es.pdf")])
    return organiser


def names(response):
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.testzip() is None
        return sorted(archive.namelist())


def test_whole_meeting_zip_holds_every_visible_file(client, world, materials):
    response = client.get("/gm/materials.zip")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="gm-materials.zip"'
    assert names(response) == [
        "Information sheets/NAWEG (fr).pdf",
        "Meeting documents/Report of the meeting (en).pdf",
        "Session 1/LATF – Work of LATF (es).pdf",
        "Session 1/NAWEG – Work of NAWEG (en).pptx",
    ]


def test_zip_entries_are_the_stored_bytes(client, world, materials):
    response = client.get("/gm/materials.zip")

    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.read("Meeting documents/Report of the meeting (en).pdf") == PDF
        assert archive.read("Information sheets/NAWEG (fr).pdf") == PDF2


def test_session_zip_and_network_zip(client, world, materials):
    session = client.get(f"/gm/materials/sessions/{session_ref('gm', 1)}.zip")
    network = client.get("/gm/materials/networks/naweg.zip")

    assert names(session) == [
        "Session 1/LATF – Work of LATF (es).pdf",
        "Session 1/NAWEG – Work of NAWEG (en).pptx",
    ]
    assert names(network) == [
        "Information sheets/NAWEG (fr).pdf",
        "Session 1/NAWEG – Work of NAWEG (en).pptx",
    ]


def test_zip_leaves_out_what_the_person_may_not_see(client, world, materials):
    report = slot(world.meeting, "report")
    report.access = "organisers"
    db.session.commit()

    assert "Meeting documents/Report of the meeting (en).pdf" not in names(
        client.get("/gm/materials.zip")
    )
    assert "Meeting documents/Report of the meeting (en).pdf" in names(
        materials.client.get("/gm/materials.zip")
    )


def test_empty_zip_and_unknown_scope_are_404(client, world, materials):
    assert client.get("/gm/materials/sessions/9.zip").status_code == 404
    assert client.get("/gm/materials/networks/nope.zip").status_code == 404


def test_zip_is_built_while_sent(app, world, materials):
    from wenevents.uploads import zips

    files = [("a.pdf", materials_path(app, world), 48, datetime(2023, 11, 21))]
    pieces = zips.stream(files)

    first = next(pieces)

    assert first.startswith(b"PK\x03\x04")
    assert len(first) < 200
    rest = b"".join(pieces)
    with zipfile.ZipFile(io.BytesIO(first + rest)) as archive:
        assert archive.read("a.pdf") == PDF


def materials_path(app, world):
    from wenevents.uploads.targets import file_path

    return file_path(slot(world.meeting, "report").current)


def test_session_zip_keeps_naming_its_session_after_an_earlier_one_is_published(
    client, world, materials
):
    from datetime import time

    from tests.factories import make_session, publish_agenda
    from wenevents.agenda.editing import renumber

    ref = world.session.ref
    assert client.get("/gm/materials/sessions/1.zip").location == (
        f"/gm/materials/sessions/{ref}.zip"
    )
    make_session(world.meeting, title="Earlier", starts_at=time(7), ends_at=time(8), number=2)
    renumber(world.meeting)
    db.session.commit()
    publish_agenda(world.meeting)

    response = client.get(f"/gm/materials/sessions/{ref}.zip")

    assert response.headers["Content-Disposition"] == 'attachment; filename="gm-session-2.zip"'
    assert names(response) == [
        "Session 2/LATF – Work of LATF (es).pdf",
        "Session 2/NAWEG – Work of NAWEG (en).pptx",
    ]
    # Number 1 named "Cooperation", now it names "Earlier": no redirect, a page that says so.
    assert client.get("/gm/materials/sessions/1.zip").status_code == 404
    assert client.get("/gm/materials/sessions/abcdefgh.zip").status_code == 404


def test_zip_names_slides_as_released_not_as_in_the_draft(client, world, materials):
    world.item_a.title = "Retitled in the draft only"
    db.session.commit()

    assert names(client.get("/gm/materials.zip"))[3] == "Session 1/NAWEG – Work of NAWEG (en).pptx"
