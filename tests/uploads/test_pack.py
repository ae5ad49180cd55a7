"""The delegate pack: one ZIP per meeting and language, built once per release and set of
files, holding the schedule and the public files in that language or in the original."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import publish_agenda
from tests.uploads.conftest import PDF, upload
from wenevents.extensions import db
from wenevents.uploads.models import PARTICIPANTS, Document
from wenevents.uploads.pack import pack_of
from wenevents.uploads.views import filesize


@pytest.fixture
def files(organiser, world):
    """NAWEG's sheet in English and French, LATF's in English, NAWEG's slides in English."""
    for ref, language, name in [
        (f"sheet-{world.naweg.id}", "en", "naweg-en.pdf"),
        (f"sheet-{world.naweg.id}", "fr", "naweg-fr.pdf"),
        (f"sheet-{world.latf.id}", "en", "latf.pdf"),
        (f"slides-{world.item_a.id}", "en", "slides.pdf"),
    ]:
        content = PDF.replace(b"%%EOF", f"% {name}\n%%EOF".encode())
        assert upload(organiser, "gm", ref, [(content, name)], language=language).status_code == 303


def names_in(client, language):
    answer = client.get(f"/gm/pack/{language}.zip")
    assert answer.status_code == 200
    return zipfile.ZipFile(io.BytesIO(answer.data)).namelist()


def test_pack_holds_the_schedule_and_the_files_in_its_language(client, files):
    assert names_in(client, "fr") == [
        "gm – Programme.pdf",
        "gm – Programme.ics",
        "Fiches d'information/LATF (en).pdf",
        "Fiches d'information/NAWEG (fr).pdf",
        "Séance 1/NAWEG – Work of NAWEG (en).pdf",
    ]
    assert names_in(client, "en")[3] == "Information sheets/NAWEG (en).pdf"


def test_pack_files_are_the_stored_bytes(client, files, world):
    archive = zipfile.ZipFile(io.BytesIO(client.get("/gm/pack/fr.zip").data))
    sheet = db.session.scalar(
        select(Document).filter_by(meeting=world.meeting, network=world.naweg, language="fr")
    )

    inside = archive.read("Fiches d'information/NAWEG (fr).pdf")

    assert hashlib.sha256(inside).hexdigest() == sheet.current.sha256
    assert archive.read("gm – Programme.pdf").startswith(b"%PDF-")
    assert b"BEGIN:VCALENDAR" in archive.read("gm – Programme.ics")


def test_pack_leaves_out_files_not_public(client, files, world):
    sheet = db.session.scalar(
        select(Document).filter_by(meeting=world.meeting, network=world.latf, language="en")
    )
    sheet.access = PARTICIPANTS
    db.session.commit()

    assert "Information sheets/LATF (en).pdf" not in names_in(client, "en")


def test_pack_is_built_once_then_again_for_a_new_release(app, client, files, world):
    first = pack_of("gm", "en")
    built = first.path.stat().st_mtime_ns
    assert pack_of("gm", "en").path == first.path
    assert first.path.stat().st_mtime_ns == built

    world.session.title = "Cooperation, renamed"
    db.session.commit()
    publish_agenda(world.meeting)
    second = pack_of("gm", "en")

    assert second.path != first.path
    assert not first.path.exists()
    assert sorted(p.name for p in Path(app.config["UPLOAD_DIR"], "packs").iterdir()) == [
        second.path.name
    ]


def test_pack_download_resumes_to_the_same_sha256(client, files):
    whole = client.get("/gm/pack/en.zip")
    first = client.get("/gm/pack/en.zip", headers={"Range": "bytes=0-4999"})
    rest = client.get(
        "/gm/pack/en.zip", headers={"Range": "bytes=5000-", "If-Range": whole.headers["ETag"]}
    )

    assert (first.status_code, rest.status_code) == (206, 206)
    resumed = hashlib.sha256(first.data + rest.data).hexdigest()
    assert resumed == hashlib.sha256(whole.data).hexdigest()
    assert whole.headers["Content-Disposition"] == "attachment; filename=gm-en.zip"


def test_pack_page_says_each_language_s_size(client, files):
    page = client.get("/gm/pack")

    assert page.status_code == 200
    for language in ("en", "fr", "es"):
        size = pack_of("gm", language).size
        assert f'href="/gm/pack/{language}.zip"' in page.text
        assert f"(ZIP, {filesize(size)}, 5 files)" in page.text


@pytest.mark.parametrize("path", ["/gm/pack/de.zip", "/nope/pack/en.zip", "/nope/pack"])
def test_pack_unknown_is_a_404(client, world, path):
    assert client.get(path).status_code == 404


def test_pack_before_the_first_release_is_a_404(client, make_user):
    from tests.factories import make_meeting

    make_meeting(acronym="early")

    assert client.get("/early/pack").status_code == 404
    assert client.get("/early/pack/en.zip").status_code == 404


def test_pack_with_the_disk_full_is_a_507_and_leaves_nothing(app, client, files, monkeypatch):
    import errno

    from wenevents.uploads import pack

    def full(path, *_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pack, "_build", full)
    answer = client.get("/gm/pack/en.zip")

    assert answer.status_code == 507
    assert "There is no room left to store this file just now." in answer.text
    folder = Path(app.config["UPLOAD_DIR"], "packs")
    assert not folder.exists() or list(folder.iterdir()) == []


def test_pack_built_meanwhile_by_another_worker_is_kept(app, client, files, world, monkeypatch):
    from wenevents.uploads import pack

    first = pack_of("gm", "en")
    # Another worker's pack, finished after this build began: it may be being sent.
    meanwhile = first.path.with_name("gm-en-" + "f" * 16 + ".zip")
    world.session.title = "Cooperation, renamed"
    db.session.commit()
    publish_agenda(world.meeting)
    real_build = pack._build

    def build_while_another_finishes(path, *args):
        meanwhile.write_bytes(b"another worker's pack")
        real_build(path, *args)

    monkeypatch.setattr(pack, "_build", build_while_another_finishes)
    second = pack_of("gm", "en")

    assert second.path.exists()
    assert meanwhile.exists()
    assert not first.path.exists()
