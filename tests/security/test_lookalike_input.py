"""Look-alikes: the same mailbox written another way (NFD, punycode, full-width characters)
is the same person, with one registration and one account; a name or file name with bidi
overrides, zero-width characters or stacked marks cannot pose as something else in the
organisers' lists, exports and imports."""

import csv
import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token, field_error, send_invitation
from tests.registration import conftest as registration
from wenevents.accounts.models import DELEGATE, ORGANISER, User
from wenevents.accounts.services import normalise_email
from wenevents.extensions import db
from wenevents.networks.models import FocalPoint
from wenevents.registration.models import Registration

app_config = registration.app_config
settings_overrides = registration.settings_overrides
make_registration_meeting = registration.make_registration_meeting
meeting = registration.meeting
register = registration.register

# One mailbox, written four ways: NFC, NFD (e + U+0301), an IDNA domain in punycode and
# in Unicode, and full-width letters.
SAME_MAILBOX = [
    "andré@bücher.example",
    "Andre\u0301@BÜCHER.example",
    "andré@xn--bcher-kva.example",
    "ａｎｄｒé@ｂüｃｈｅｒ.example",
]


def test_one_form_for_every_way_of_writing_the_mailbox():
    assert {normalise_email(a) for a in SAME_MAILBOX} == {"andré@bücher.example"}


def test_same_mailbox_written_four_ways_registers_once(client, meeting, register):
    for address in SAME_MAILBOX:
        response = register(client, email=address)
        assert response.status_code == 200, address

    stored = db.session.scalars(select(Registration.email)).all()
    assert stored == ["andré@bücher.example"]


def test_same_mailbox_written_another_way_gets_no_second_account(client, make_user, auth):
    make_user("org@example.org", ORGANISER)
    make_user(SAME_MAILBOX[0], DELEGATE)
    auth.login("org@example.org")

    for address in SAME_MAILBOX[1:]:
        response = send_invitation(client, address, DELEGATE)
        assert "An account with this email address exists already." in response.text, address

    assert db.session.scalars(select(User.email).order_by(User.id)).all() == [
        "org@example.org",
        "andré@bücher.example",
    ]


def test_sign_in_with_the_mailbox_written_another_way(client, make_user, auth):
    make_user("andré@bücher.example", DELEGATE)

    for address in SAME_MAILBOX:
        auth.logout() if auth.is_signed_in() else None
        response = auth.login(address)
        assert response.status_code == 303, address


# Names ------------------------------------------------------------------------------------

SPOOF = "Ali\u202egnp.exe"  # reads "Aliexe.png"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (SPOOF, "Alignp.exe"),
        ("Ana\u200b Ruiz\u2066", "Ana Ruiz"),
        ("\ufeffLi\u200d Wei", "Li Wei"),  # a joiner between Latin letters joins nothing
        ("Jose\u0301", "José"),  # NFD becomes NFC
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian needs its non-joiner
        ("ශ්\u200dරී", "ශ්\u200dරී"),  # Sinhala (Sri) needs its joiner after the virama
    ],
)
def test_registration_names_are_stored_without_invisible_characters(
    client, meeting, register, typed, stored
):
    response = register(client, given_name=typed, email="ana@example.org")

    assert response.status_code == 200
    assert db.session.scalars(select(Registration.given_name)).one() == stored


def test_stacked_marks_in_a_name_get_a_message_at_the_field(client, meeting, register):
    response = register(client, family_name="Ruiz" + "\u0336\u0301\u0302\u0303\u0304\u0305")

    assert field_error(response.text, "family_name") == (
        "Too many accents or marks are stacked on one letter: use at most 4."
    )
    assert db.session.scalars(select(Registration)).all() == []


def test_a_name_of_invisible_characters_only_is_missing(client, meeting, register):
    response = register(client, given_name="\u200b\u202e\u2066")

    assert field_error(response.text, "given_name") == "This field is required."
    assert db.session.scalars(select(Registration)).all() == []


def test_organiser_list_and_export_show_no_override(client, make_user, auth, meeting, register):
    register(client, given_name=SPOOF, email="ana@example.org")
    make_user("org@example.org", ORGANISER)
    auth.login("org@example.org")

    listing = client.get(f"/manage/{meeting.acronym}/registrations/").text
    export = client.get(f"/manage/{meeting.acronym}/registrations/export.csv")

    assert "Alignp.exe" in listing
    assert "\u202e" not in listing
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert not any("\u202e" in cell for row in rows for cell in row)
    assert any("Alignp.exe" in cell for row in rows for cell in row)


# Imports and file names -------------------------------------------------------------------


def test_focal_point_csv_import_cleans_names(client, make_user, auth):
    from tests.factories import make_network

    make_network(acronym="NAWEG")
    make_user("org@example.org", ORGANISER)
    auth.login("org@example.org")
    body = f"name,email,networks\n{SPOOF},ANDRE\u0301@XN--BCHER-KVA.example,NAWEG\n"
    token = csrf_token(client.get("/manage/focal-points/import").text)
    boundary, encoded = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(body.encode()), "people.csv")}
    )
    preview = client.post(
        "/manage/focal-points/import",
        data=encoded,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    confirm_token = csrf_token(preview.text)
    plan = re.search(r'name="plan" type="hidden" value="([^"]+)"', preview.text)[1]

    client.post(
        "/manage/focal-points/import/confirm", data={"csrf_token": confirm_token, "plan": plan}
    )

    person = db.session.scalars(select(FocalPoint)).one()
    assert (person.name, person.email) == ("Alignp.exe", "andré@bücher.example")


def test_schedule_import_cleans_titles_and_names():
    from wenevents.agenda.schedule_file import _line, _person_names

    class Extras:
        person_details = 0

    assert _line(SPOOF + "\u200b", "Event 1") == "Alignp.exe"
    assert _person_names({"persons": [{"name": "Ana\u202e Ruiz"}]}, "Event 1", Extras()) == [
        "Ana Ruiz"
    ]


def test_uploaded_file_names_lose_their_override():
    from wenevents.uploads.filetypes import PDF, clean_name

    assert clean_name("Ali\u202egnp.exe.pdf", PDF) == "Alignp.exe.pdf"
    assert clean_name("report\u200b\u2066.pdf", PDF) == "report.pdf"


def test_registration_answer_file_name_loses_its_override(tmp_path):
    from wenevents.storage import store

    pdf = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    stored = store(pdf, "letter\u202efdp.exe", tmp_path, 1_000_000)

    assert stored.original_name == "letterfdp.exe"
