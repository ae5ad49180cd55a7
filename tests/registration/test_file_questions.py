"""A question answered with a file (a nomination letter): checked by content and size,
stored safely, downloaded by organisers and the registrant only."""

import io
from pathlib import Path

import pytest

from tests.accounts.conftest import PASSWORD, field_error
from tests.registration.conftest import registration_of
from wenevents.accounts.models import DELEGATE, ORGANISER
from wenevents.extensions import db
from wenevents.registration.models import Question

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def letter(meeting):
    question = Question(
        meeting_id=meeting.id, position=1, kind="file", label="Nomination letter", required=True
    )
    db.session.add(question)
    db.session.commit()
    return question


def upload(content, name):
    return (io.BytesIO(content), name)


def stored_files(app):
    folder = Path(app.config["UPLOAD_DIR"]) / "registrations"
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_file_answer_is_stored_and_served_to_organisers_only(
    app, client, meeting, letter, register, make_user, auth
):
    response = register(
        client, email="ana@example.org", **{f"q{letter.id}": upload(PDF, "Carta de nominación.pdf")}
    )

    assert response.status_code == 200
    answer = registration_of(meeting, "ana@example.org").answers[str(letter.id)]
    assert (answer["name"], answer["type"], answer["size"]) == (
        "Carta de nominación.pdf", "application/pdf", len(PDF),
    )  # fmt: skip
    assert stored_files(app) == [answer["file"]]
    registration = registration_of(meeting, "ana@example.org")
    url = f"/manage/{meeting.acronym}/registrations/{registration.id}/files/{letter.id}"

    make_user("delegate@example.org", DELEGATE)
    auth.login("delegate@example.org", PASSWORD)
    assert client.get(url).status_code == 403
    auth.logout()
    make_user("org@example.org", ORGANISER)
    auth.login("org@example.org", PASSWORD)
    download = client.get(url)

    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="Carta de nominacion.pdf"; '
        "filename*=UTF-8''Carta%20de%20nominaci%C3%B3n.pdf"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in download.headers["Cache-Control"]


@pytest.fixture
def app_config():
    """A 2 KB limit: the test client spools a large body into a file it never closes."""
    return {"REGISTRATION_LIMIT": "10000 per hour", "REGISTRATION_FILE_MAX_BYTES": 2048}


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "letter.pdf", "Send a PDF, PNG or JPEG file."),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "letter.svg",
            "Send a PDF, PNG or JPEG file.",
        ),
        (b"PK\x03\x04docm", "letter.docm", "Send a PDF, PNG or JPEG file."),
        (PDF + b"x" * 2048, "big.pdf", "The file is larger than 2 KB."),
    ],
)
def test_file_answer_refused_by_content_or_size(
    app, client, meeting, letter, register, content, name, message
):
    response = register(client, email="ana@example.org", **{f"q{letter.id}": upload(content, name)})

    assert response.status_code == 200
    assert field_error(response.text, f"q{letter.id}") == message
    assert registration_of(meeting, "ana@example.org") is None
    assert stored_files(app) == []


def test_required_file_missing_gets_message(app, client, meeting, letter, register):
    response = register(client, email="ana@example.org")

    assert field_error(response.text, f"q{letter.id}") == "Attach the file."
    assert registration_of(meeting, "ana@example.org") is None


def test_stored_file_name_cannot_reach_other_paths(app):
    from wenevents.uploads import storage

    folder = Path(app.config["UPLOAD_DIR"])
    assert storage.path_of("../../etc/passwd", folder) is None
    assert storage.path_of("0" * 32 + ".pdf", folder) is None  # well-formed, but not there


def test_file_limit_is_named_in_megabytes_from_one_megabyte(app):
    from types import SimpleNamespace

    from werkzeug.datastructures import FileStorage
    from wtforms.validators import ValidationError

    from wenevents.registration.forms import _is_document

    app.config["REGISTRATION_FILE_MAX_BYTES"] = 2**20
    big = FileStorage(io.BytesIO(PDF + b"x" * 2**20), filename="big.pdf")

    with pytest.raises(ValidationError, match=r"^The file is larger than 1 MB\.$"):
        _is_document(None, SimpleNamespace(data=big))
