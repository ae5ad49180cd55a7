"""A question answered with a file (a nomination letter): checked by content and size,
stored safely, downloaded by organisers and the registrant only."""

import io
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, csrf_token, field_error
from tests.registration.conftest import form_data, registration_of
from tests.uploads import conftest as uploads
from tests.uploads.conftest import fill_disk
from wenevents.accounts.models import DELEGATE, ORGANISER
from wenevents.extensions import db

small_disk = uploads.small_disk

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


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
    from wenevents import storage

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


def test_withdrawn_registrant_registering_again_with_a_file_is_renewed_with_one_file(
    app, client, meeting, letter, register, register_and_confirm
):
    first = register_and_confirm("back@example.org", **{f"q{letter.id}": upload(PDF, "one.pdf")})
    page = first.get(f"/{meeting.acronym}/registration").text
    first.post(
        f"/{meeting.acronym}/registration/withdraw",
        data={"csrf_token": csrf_token(page), "confirmed": "yes"},
    )
    withdrawn = registration_of(meeting, "back@example.org")
    assert withdrawn.status == "withdrawn"

    second = PDF.replace(b"<<>>", b"<< /Again true >>")
    response = register(
        client, email="back@example.org", **{f"q{letter.id}": upload(second, "two.pdf")}
    )

    assert response.status_code == 200
    assert "Check your email" in response.text
    again = registration_of(meeting, "back@example.org")
    answer = again.answers[str(letter.id)]
    assert (again.id, again.status, answer["name"], answer["size"]) == (
        withdrawn.id, "unconfirmed", "two.pdf", len(second),
    )  # fmt: skip
    # The new file alone: the old one went with the answer it belonged to.
    assert stored_files(app) == [answer["file"]]
    assert (Path(app.config["UPLOAD_DIR"]) / "registrations" / answer["file"]).read_bytes() == (
        second
    )


NO_ROOM = (
    "There is no room left to store this file just now. Nothing was stored; "
    "please try again later, or tell the organisers."
)
OTHER_PDF = PDF.replace(b"<<>>", b"<< /Other true >>")


def test_repeat_registration_of_an_address_stores_no_new_file(
    app, client, meeting, letter, register
):
    register(client, email="ana@example.org", **{f"q{letter.id}": upload(PDF, "one.pdf")})
    [first] = stored_files(app)

    for _ in range(3):
        response = register(
            app.test_client(),
            email="ana@example.org",
            **{f"q{letter.id}": upload(OTHER_PDF, "again.pdf")},
        )
        assert response.status_code == 200

    assert stored_files(app) == [first]
    assert registration_of(meeting, "ana@example.org").answers[str(letter.id)]["file"] == first


def test_registration_on_a_full_disk_answers_507_and_stores_nothing(
    app, client, meeting, letter, register, small_disk
):
    app.config["UPLOAD_DIR"] = str(small_disk)
    (small_disk / "registrations").mkdir()
    fill_disk(small_disk)

    response = register(
        client,
        email="ana@example.org",
        given_name="Anabel",
        **{f"q{letter.id}": upload(PDF, "l.pdf")},
    )

    assert response.status_code == 507
    assert field_error(response.text, f"q{letter.id}") == NO_ROOM
    assert 'value="Anabel"' in response.text  # what was typed is kept
    assert registration_of(meeting, "ana@example.org") is None
    assert list((small_disk / "registrations").iterdir()) == []


@pytest.fixture
def ana(app, meeting, letter, register_and_confirm):
    """Ana, registered and confirmed with a nomination letter; her signed-in client."""
    return register_and_confirm("ana@example.org", **{f"q{letter.id}": upload(PDF, "one.pdf")})


def edit(client, meeting, **overrides):
    page = client.get(f"/{meeting.acronym}/registration/edit").text
    data = {"csrf_token": csrf_token(page), **form_data(meeting, email="ana@example.org")}
    data["version"] = re.search(r'name="version" type="hidden" value="(\d+)"', page)[1]
    return client.post(f"/{meeting.acronym}/registration/edit", data={**data, **overrides})


def test_edit_replacing_a_file_removes_the_old_one(app, meeting, letter, ana):
    [old] = stored_files(app)

    response = edit(ana, meeting, **{f"q{letter.id}": upload(OTHER_PDF, "two.pdf")})

    assert response.status_code == 303
    answer = registration_of(meeting, "ana@example.org").answers[str(letter.id)]
    assert answer["name"] == "two.pdf"
    assert stored_files(app) == [answer["file"]] != [old]


def test_edit_without_a_new_file_keeps_the_old_one(app, meeting, letter, ana):
    [old] = stored_files(app)

    response = edit(ana, meeting, organisation="Another agency")

    assert response.status_code == 303
    registration = registration_of(meeting, "ana@example.org")
    assert (registration.organisation, registration.answers[str(letter.id)]["file"]) == (
        "Another agency", old,
    )  # fmt: skip
    assert stored_files(app) == [old]


def test_edit_refused_as_stale_leaves_no_new_file(app, meeting, letter, ana):
    [old] = stored_files(app)
    page = ana.get(f"/{meeting.acronym}/registration/edit").text
    registration = registration_of(meeting, "ana@example.org")
    registration.organisation = "Changed meanwhile"
    db.session.commit()

    data = {"csrf_token": csrf_token(page), **form_data(meeting, email="ana@example.org")}
    data["version"] = "1"
    response = ana.post(
        f"/{meeting.acronym}/registration/edit",
        data={**data, f"q{letter.id}": upload(OTHER_PDF, "two.pdf")},
    )

    assert response.status_code == 303
    assert registration_of(meeting, "ana@example.org").answers[str(letter.id)]["file"] == old
    assert stored_files(app) == [old]


def test_edit_on_a_full_disk_answers_507_and_changes_nothing(app, meeting, letter, ana, small_disk):
    old_folder = Path(app.config["UPLOAD_DIR"]) / "registrations"
    [old] = stored_files(app)
    (small_disk / "registrations").mkdir()
    (small_disk / "registrations" / old).write_bytes((old_folder / old).read_bytes())
    app.config["UPLOAD_DIR"] = str(small_disk)
    fill_disk(small_disk)

    response = edit(
        ana, meeting, organisation="New agency", **{f"q{letter.id}": upload(OTHER_PDF, "two.pdf")}
    )

    assert response.status_code == 507
    assert field_error(response.text, f"q{letter.id}") == NO_ROOM
    registration = registration_of(meeting, "ana@example.org")
    assert (registration.organisation, registration.answers[str(letter.id)]["file"]) == (
        "Customs Service", old,
    )  # fmt: skip
    assert stored_files(app) == [old]


def test_withdrawn_registrant_registering_again_on_a_full_disk_changes_nothing(
    app, client, meeting, letter, register, ana, small_disk
):
    page = ana.get(f"/{meeting.acronym}/registration").text
    ana.post(
        f"/{meeting.acronym}/registration/withdraw",
        data={"csrf_token": csrf_token(page), "confirmed": "yes"},
    )
    old_folder = Path(app.config["UPLOAD_DIR"]) / "registrations"
    [old] = stored_files(app)
    (small_disk / "registrations").mkdir()
    (small_disk / "registrations" / old).write_bytes((old_folder / old).read_bytes())
    app.config["UPLOAD_DIR"] = str(small_disk)
    fill_disk(small_disk)

    response = register(
        client, email="ana@example.org", **{f"q{letter.id}": upload(OTHER_PDF, "two.pdf")}
    )

    assert response.status_code == 507
    registration = registration_of(meeting, "ana@example.org")
    assert (registration.status, registration.answers[str(letter.id)]["file"]) == ("withdrawn", old)
    assert stored_files(app) == [old]
