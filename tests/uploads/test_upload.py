"""Uploading materials: who may upload where, versions, identical files, languages, late
files, and the answers with and without htmx."""

import hashlib
import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import audit_entries, field_error
from tests.uploads import conftest as uploads
from tests.uploads.conftest import (
    PDF,
    PDF2,
    outcome_messages,
    registration,
    slot,
    stored_files,
    temporary_files,
    upload,
    versions_of,
)
from wenevents.extensions import db
from wenevents.uploads import streaming
from wenevents.uploads.models import Document, DocumentVersion


def counts():
    return db.session.query(Document).count(), db.session.query(DocumentVersion).count()


def test_focal_point_uploads_slides_for_own_network(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")

    response = upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "NAWEG slides.pdf")])

    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/gm/materials/upload#target-slides-{world.item_a.id}-outcome"
    )
    [version] = versions_of(world.meeting)
    assert (version.number, version.original_name, version.size) == (1, "NAWEG slides.pdf", 48)
    assert version.mimetype == "application/pdf"
    assert version.uploaded_by.email == "fp@naweg.example.org"
    assert version.is_late is False
    assert stored_files(app) == [version.stored_name]
    assert [e.action for e in audit_entries("materials.uploaded")] == ["materials.uploaded"]


@pytest.mark.parametrize(
    ("status", "allowed"), [("endorsed", True), ("approved", True), ("submitted", False)]
)
def test_delegate_uploads_slides_once_registration_is_vouched_for(
    app, client, auth, world, people, status, allowed
):
    registration(people["delegate"], world, world.naweg, status)
    auth.login("delegate@example.org")

    response = upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "slides.pdf")])

    assert response.status_code == (303 if allowed else 403)
    assert len(versions_of(world.meeting)) == (1 if allowed else 0)


def test_delegate_of_one_network_uploading_to_another_gets_403_and_nothing_stored(
    app, client, auth, world, people
):
    registration(people["delegate"], world, world.naweg, "approved")
    auth.login("delegate@example.org")
    token = uploads.csrf_token(client.get("/gm/materials/upload").text)

    response = upload(client, "gm", f"slides-{world.item_b.id}", [(PDF, "x.pdf")], token=token)

    assert response.status_code == 403
    assert counts() == (0, 0)
    assert stored_files(app) == []
    [denied] = audit_entries("access.denied")
    assert denied.summary == f"upload materials slides-{world.item_b.id} of gm"


@pytest.mark.parametrize(
    ("who", "ref", "status"),
    [
        ("fp@naweg.example.org", "sheet-{naweg}", 303),
        ("fp@naweg.example.org", "sheet-{latf}", 403),
        ("fp@naweg.example.org", "report", 403),
        ("fp@latf.example.org", "slides-{item_a}", 403),
        ("delegate@example.org", "slides-{item_a}", 403),
        ("org@example.org", "report", 303),
        ("org@example.org", "sheet-{latf}", 303),
        ("org@example.org", "slides-{item_b}", 303),
    ],
)
def test_upload_permission_by_role_and_network(app, client, auth, world, people, who, ref, status):
    ids = {"naweg": world.naweg.id, "latf": world.latf.id}
    ids |= {"item_a": world.item_a.id, "item_b": world.item_b.id}
    auth.login(who)

    response = upload(client, "gm", ref.format(**ids), [(PDF, "file.pdf")])

    assert response.status_code == status
    assert counts()[1] == (1 if status == 303 else 0)
    assert temporary_files(app) == []


def test_signed_out_upload_goes_to_sign_in_and_stores_nothing(app, client, world):
    token = uploads.csrf_token(client.get("/login").text)

    response = upload(client, "gm", "report", [(PDF, "r.pdf")], token=token)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert counts() == (0, 0)
    assert stored_files(app) == []


@pytest.mark.parametrize("ref", ["slides-999999", "sheet-999999", "minutes", "slides-x", "../x"])
def test_unknown_target_is_404(app, client, auth, world, people, ref):
    auth.login("org@example.org")
    assert upload(client, "gm", ref, [(PDF, "r.pdf")]).status_code == 404
    assert counts() == (0, 0)


def test_item_of_another_meeting_is_404(app, client, auth, world, people):
    from tests.factories import make_item, make_meeting, make_session

    other = make_item(make_session(make_meeting(acronym="other")), network=world.naweg)
    auth.login("fp@naweg.example.org")

    assert upload(client, "gm", f"slides-{other.id}", [(PDF, "r.pdf")]).status_code == 404
    assert counts() == (0, 0)


def test_new_version_keeps_previous_and_stable_url_serves_latest(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    upload(client, "gm", ref, [(PDF, "v1.pdf")])
    upload(client, "gm", ref, [(PDF2, "v2.pdf")])
    document = slot(world.meeting)

    latest = client.get(f"/gm/materials/{document.id}/v2.pdf")
    first = client.get(f"/gm/materials/{document.id}/versions/1/v1.pdf")
    page = client.get(f"/gm/materials/{document.id}/versions").text

    assert [v.number for v in document.versions] == [1, 2]
    assert latest.data == PDF2
    assert first.data == PDF
    assert len(stored_files(app)) == 2
    assert "v1.pdf" in page and "v2.pdf" in page and "Nina Focal" in page
    assert "48 bytes" in page


def test_identical_upload_is_recognised_and_adds_no_version(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    upload(client, "gm", ref, [(PDF, "v1.pdf")])

    response = upload(client, "gm", ref, [(PDF, "same again.pdf")], htmx=True)

    assert response.status_code == 200
    assert outcome_messages(response.text) == [
        "same again.pdf: Identical to the current version (1): nothing changed."
    ]
    assert [v.number for v in versions_of(world.meeting)] == [1]
    assert len(stored_files(app)) == 1


def test_upload_of_an_earlier_version_makes_it_current_without_a_second_copy(
    app, client, auth, world, people
):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    upload(client, "gm", ref, [(PDF, "v1.pdf")])
    upload(client, "gm", ref, [(PDF2, "v2.pdf")])

    response = upload(client, "gm", ref, [(PDF, "v1 again.pdf")], htmx=True)

    versions = versions_of(world.meeting)
    assert outcome_messages(response.text) == [
        "v1 again.pdf: The same file as version 1: it is the current version again (3)."
    ]
    assert [(v.number, v.restored_from) for v in versions] == [(1, None), (2, None), (3, 1)]
    assert versions[2].stored_name == versions[0].stored_name
    assert len(stored_files(app)) == 2


@pytest.mark.parametrize(
    ("name", "chosen", "language"),
    [
        ("slides_FR.pdf", "auto", "fr"),
        ("Informe (es).pdf", "auto", "es"),
        ("slides-english.pdf", "auto", "en"),
        ("slides.pdf", "auto", "en"),
        ("slides_fr.pdf", "es", "es"),
    ],
)
def test_language_comes_from_choice_or_file_name(
    app, client, auth, world, people, name, chosen, language
):
    auth.login("fp@naweg.example.org")

    upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, name)], language=chosen)

    [version] = versions_of(world.meeting)
    assert version.document.language == language


def test_several_files_at_once_without_javascript(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")

    response = upload(
        client,
        "gm",
        f"slides-{world.item_a.id}",
        [(PDF, "talk_en.pdf"), (PDF2, "talk_fr.pdf"), (PDF2 + b" ", "talk_es.pdf")],
    )

    assert response.status_code == 303
    languages = sorted(v.document.language for v in versions_of(world.meeting))
    assert languages == ["en", "es", "fr"]


def outcome_block(page):
    """The outcome shown in a target's block: ``(target id, [messages])``, or None."""
    match = re.search(
        r'<div class="outcome" id="(target-[\w-]+)-outcome" role="status" tabindex="-1">'
        r"(.*?)</div>",
        page,
        re.S,
    )
    if match is None:
        return None
    sections = re.findall(
        r'<section class="upload-target" id="(target-[\w-]+)"', page[: match.start()]
    )
    assert sections[-1] == match.group(1)
    return match.group(1), outcome_messages(match.group(2))


def test_upload_without_javascript_shows_outcome_in_its_target_once(
    app, client, auth, world, people
):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"

    response = upload(client, "gm", ref, [(PDF, "talk_en.pdf"), (PDF2, "talk_fr.pdf")])
    page = client.get(response.headers["Location"]).text

    assert outcome_block(page) == (
        f"target-{ref}",
        ["talk_en.pdf: Stored as version 1.", "talk_fr.pdf: Stored as version 1."],
    )
    assert "<title>2 files sent · Upload materials · Global meeting · wenevents</title>" in page
    flash = re.search(r'<div id="flash".*?</div>', page, re.S).group(0)
    assert "Stored as version" not in flash
    # Shown once: a reload shows the page without it.
    assert outcome_block(client.get("/gm/materials/upload").text) is None


def test_upload_outcome_is_shown_only_on_its_meetings_page(app, client, auth, world, people):
    from tests.factories import make_meeting

    make_meeting(acronym="other", title="Other meeting", networks=[world.naweg])
    auth.login("fp@naweg.example.org")
    upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "talk.pdf")])

    assert outcome_block(client.get("/other/materials/upload").text) is None
    assert outcome_block(client.get("/gm/materials/upload").text) is None


def test_refused_file_without_javascript_is_announced_at_the_top(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"

    response = upload(client, "gm", ref, [(PDF, "talk.pdf"), (b"<svg/>", "bad.pdf")])

    assert response.status_code == 200
    top = re.search(r'<p class="message message-error" role="alert">(.*?)</p>', response.text)
    assert top.group(1) == (
        f'Not every file was stored. <a href="#target-{ref}-outcome">See the messages</a>'
    )
    assert outcome_block(response.text) == (
        f"target-{ref}",
        [
            "talk.pdf: Stored as version 1.",
            "bad.pdf: This file is HTML, SVG or XML, which can carry scripts: send a PDF instead.",
        ],
    )


def test_upload_after_deadline_is_accepted_and_marked_late(app, client, auth, world, people):
    world.meeting.materials_deadline = datetime(2020, 1, 1)
    db.session.commit()
    auth.login("fp@naweg.example.org")

    response = upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "late.pdf")], htmx=True)

    [version] = versions_of(world.meeting)
    assert version.is_late is True
    assert outcome_messages(response.text) == [
        "late.pdf: Stored as version 1. It arrived after the deadline and is marked late."
    ]


def test_upload_before_deadline_is_not_late(app, client, auth, world, people):
    world.meeting.materials_deadline = datetime.now() + timedelta(days=30)
    db.session.commit()
    auth.login("fp@naweg.example.org")

    upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "early.pdf")])

    assert [v.is_late for v in versions_of(world.meeting)] == [False]


def test_no_file_chosen_gets_message_at_the_field(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"

    response = upload(client, "gm", ref, [(b"", "")])

    assert response.status_code == 422
    assert field_error(response.text, f"files-{ref}") == "Choose at least one file."
    assert counts() == (0, 0)
    assert stored_files(app) == []


def test_htmx_upload_answers_with_the_target_block(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"

    response = upload(client, "gm", ref, [(PDF, "talk.pdf")], htmx=True)

    assert response.status_code == 200
    assert response.text.startswith(f'<section class="upload-target" id="target-{ref}"')
    assert outcome_messages(response.text) == ["talk.pdf: Stored as version 1."]


def test_upload_page_lists_only_the_targets_of_the_person(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")

    page = client.get("/gm/materials/upload").text

    assert f'id="target-sheet-{world.naweg.id}"' in page
    assert f'id="target-slides-{world.item_a.id}"' in page
    assert f'id="target-sheet-{world.latf.id}"' not in page
    assert f'id="target-slides-{world.item_b.id}"' not in page
    assert 'id="target-report"' not in page


@pytest.fixture
def post_bodies(app):
    """The sizes of the reads of each POST body (werkzeug's test client spools a large one
    into a file it leaves open: closed here after the answer)."""
    reads = []

    class Recorded:
        def __init__(self, stream):
            self.stream = stream

        def read(self, size=-1):
            data = self.stream.read(size)
            reads.append(len(data))
            return data

        def readline(self, size=-1):
            return self.stream.readline(size)

    wsgi_app = app.wsgi_app

    def recording(environ, start_response):
        if environ["REQUEST_METHOD"] != "POST":
            return wsgi_app(environ, start_response)
        body = environ["wsgi.input"]
        environ["wsgi.input"] = Recorded(body)
        try:
            return list(wsgi_app(environ, start_response))
        finally:
            body.close()

    app.wsgi_app = recording
    return reads


def uploaded_whole(client, auth, world, content):
    """``content`` uploaded by a focal point as slides; its version, checked whole."""
    auth.login("fp@naweg.example.org")
    response = upload(client, "gm", f"slides-{world.item_a.id}", [(content, "Large.pdf")])
    assert response.status_code == 303
    [version] = versions_of(world.meeting)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    return version


def test_large_upload_is_read_in_pieces_of_read_bytes_and_stored_whole(
    app, client, auth, world, people, post_bodies
):
    # gunicorn hands a large body over a megabyte at a time; smaller reads made it copy
    # what was left of each megabyte again and again (uploads/streaming.py).
    content = PDF + bytes(range(256)) * 8000  # 2 MB and a little
    version = uploaded_whole(client, auth, world, content)
    assert version.size == len(content)
    assert streaming.READ_BYTES == 1024 * 1024
    assert max(post_bodies) == streaming.READ_BYTES
    assert len(post_bodies) == -(-(sum(post_bodies)) // streaming.READ_BYTES) + 1  # and the end


@pytest.mark.parametrize("app_config", [{"MAX_FORM_MEMORY_SIZE": 100_000}])
def test_large_upload_goes_through_with_a_small_form_memory_limit(
    app, client, auth, world, people, post_bodies
):
    # The limit is on a form field's text, not on the parser's reads.
    content = PDF + bytes(range(256)) * 8000  # 2 MB and a little
    uploaded_whole(client, auth, world, content)
    assert max(post_bodies) == streaming.READ_BYTES
