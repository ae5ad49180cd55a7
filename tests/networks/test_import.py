"""Importing focal points from CSV: a preview with every problem at its row, nothing written
until the organiser confirms, only the good rows imported, nothing ever deleted; and the
export, which an import reads back."""

import csv
import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import audit_entries, csrf_token, organiser_client
from tests.factories import make_focal_point, make_network
from wenevents.extensions import db
from wenevents.networks import importing
from wenevents.networks.models import ORGANISERS, PARTICIPANTS, PUBLIC, FocalPoint

HEADER = "name,title,agency,email,phone,country,networks\n"


# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


@pytest.fixture
def networks(app):
    return (
        make_network(slug="naweg", acronym="NAWEG"),
        make_network(slug="latf", acronym="LATF"),
        make_network(slug="old", acronym="OLD", is_archived=True),
    )


def upload(client, body, filename="focal-points.csv"):
    token = csrf_token(client.get("/manage/focal-points/import").text)
    data = body.encode() if isinstance(body, str) else body
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, encoded = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename)}
    )
    return client.post(
        "/manage/focal-points/import",
        data=encoded,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def plan_token(html):
    return re.search(r'name="plan" type="hidden" value="([^"]+)"', html)[1]


def confirm(client, html, token=None):
    return client.post(
        "/manage/focal-points/import/confirm",
        data={"csrf_token": csrf_token(html), "plan": token or plan_token(html)},
    )


def row_outcomes(html):
    """``{row number: what happens}`` as the preview shows it, tags removed."""
    rows = re.findall(r'<tr id="import-row-(\d+)" class="import-(\w+)">(.*?)</tr>', html, re.S)
    outcomes = {}
    for number, action, cells in rows:
        last = re.findall(r"<td>(.*?)</td>", cells, re.S)[-1]
        text = " ".join(re.sub(r"<[^>]+>", " ", last).split())
        outcomes[int(number)] = (action, text.replace("&#34;", '"').replace("&#39;", "'"))
    return outcomes


def stored():
    db.session.expire_all()
    return db.session.scalars(select(FocalPoint).order_by(FocalPoint.id)).all()


MIXED = (
    HEADER
    + "Ana Uno (fictional),Agent,Customs,ana@example.org,+1 555 0100,PA,NAWEG\n"
    + "Ben Dos (fictional),,,not-an-email,,,LATF\n"
    + "Cleo Tres (fictional),,,cleo@example.org,,,ZZWEN\n"
    + "Dan Cuatro (fictional),,,ANA@example.org,,,\n"
    + ",Nameless,,nameless@example.org,,,\n"
    + 'Eva Cinco (fictional),,,eva@example.org,call me,Atlantis,"NAWEG, OLD"\n'
    + 'Fay Seis (fictional),,,fay@example.org,,Kenya,"latf; naweg"\n'
)


def test_import_preview_shows_each_problem_at_its_row_and_writes_nothing(organiser, networks):
    response = upload(organiser, MIXED)

    assert response.status_code == 200
    assert row_outcomes(response.text) == {
        2: ("new", "Added"),
        3: ("error", "Not imported: “not-an-email” is not a valid email address."),
        4: ("error", "Not imported: Unknown network “ZZWEN”."),
        5: ("error", "Not imported: The same email address as row 2."),
        6: ("error", "Not imported: The name is missing."),
        7: ("error", "Not imported: “call me” is not a phone number. Unknown country "
                     "“Atlantis”: give its two-letter code, such as PA. The network OLD is "
                     "archived: it takes no new focal points."),
        8: ("new", "Added"),
    }  # fmt: skip
    assert "5 rows have problems and will not be imported" in response.text
    assert "Import the 2 good rows" in response.text
    assert stored() == []
    assert audit_entries("focal_point.import") == []


def test_import_confirm_adds_only_the_good_rows(organiser, networks):
    preview = upload(organiser, MIXED)

    response = confirm(organiser, preview.text)

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/focal-points/"
    people = stored()
    assert [(p.name, p.email, p.country_code, [n.acronym for n in p.networks]) for p in people] == [
        ("Ana Uno (fictional)", "ana@example.org", "PA", ["NAWEG"]),
        ("Fay Seis (fictional)", "fay@example.org", "KE", ["LATF", "NAWEG"]),
    ]
    # Not stated in the file: the defaults, phone numbers for organisers only.
    assert (people[0].name_visibility, people[0].phone_visibility) == (PARTICIPANTS, ORGANISERS)
    entry = audit_entries("focal_point.import")[0]
    assert (entry.summary, entry.details) == (
        "2 added, 0 updated", {"added": 2, "updated": 0}
    )  # fmt: skip
    assert (
        "Imported: 2 focal points added, 0 updated." in organiser.get("/manage/focal-points/").text
    )


def test_import_updates_a_known_address_and_never_removes_anything(organiser, networks):
    naweg, _latf, _old = networks
    make_focal_point(
        name="Ana Old (fictional)", email="ana@example.org", phone="+1 555 0199",
        title="Kept title", networks=[naweg],
    )  # fmt: skip
    make_focal_point(name="Not in the file", email="other@example.org")
    body = HEADER + "Ana New (fictional),,,ANA@example.org,,,LATF\n"

    preview = upload(organiser, body)
    confirm(organiser, preview.text)

    assert row_outcomes(preview.text) == {2: ("update", "Updates: name, networks")}
    people = stored()
    assert [(p.name, p.title, p.phone, [n.acronym for n in p.networks]) for p in people] == [
        ("Ana New (fictional)", "Kept title", "+1 555 0199", ["LATF", "NAWEG"]),
        ("Not in the file", "", "", []),
    ]


def test_import_of_rows_already_up_to_date_offers_nothing_to_confirm(organiser, networks):
    make_focal_point(name="Ana", email="ana@example.org", networks=[networks[0]])

    response = upload(organiser, HEADER + "Ana,,,ana@example.org,,,NAWEG\n")

    assert row_outcomes(response.text) == {2: ("same", "Already up to date")}
    assert 'name="plan"' not in response.text


def test_import_reads_semicolons_a_byte_order_mark_and_export_protection(organiser, networks):
    body = (
        "\ufeffName;Email;Phone;Networks;Email visibility;Name_visibility\n"
        "Ana;ana@example.org;'+1 555 0100;NAWEG,LATF;organisers;public\n"
    )

    preview = upload(organiser, body.encode("utf-8"))
    confirm(organiser, preview.text)

    person = stored()[0]
    assert (person.name, person.phone, person.email_visibility, person.name_visibility) == (
        "Ana", "+1 555 0100", ORGANISERS, PUBLIC
    )  # fmt: skip
    assert [n.acronym for n in person.networks] == ["LATF", "NAWEG"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("email_visibility", "public", "Email addresses and phone numbers are never public."),
        ("phone_visibility", "public", "Email addresses and phone numbers are never public."),
        ("title_visibility", "everyone",
         "“everyone” in title_visibility: use public, participants or organisers."),
    ],
)  # fmt: skip
def test_import_refuses_a_row_that_would_publish_contact_details(
    organiser, networks, column, value, message
):
    body = f"name,email,{column}\nAna,ana@example.org,{value}\n"

    response = upload(organiser, body)

    assert row_outcomes(response.text) == {2: ("error", f"Not imported: {message}")}
    assert 'name="plan"' not in response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "The file is empty."),
        ("name,title\nAna,Agent\n",
         "The first row must name the columns, with at least “name” and “email”. Missing: email."),
        ("name,email,email\nA,a@example.org,b@example.org\n", "The column “email” appears twice."),
        ("name,email\n\"Ana,ana@example.org\n",
         "Row 2 cannot be read: unexpected end of data"),
        ("name,email\nAna,ana@example.org\x00\n".encode("utf-16"),
         "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”."),
        (b"name,email\n" + b"x" * importing.MAX_BYTES,
         "The file is larger than 1 MB. Split it into smaller files."),
        ("name,email\n" + "a,a@example.org\n" * (importing.MAX_ROWS + 1),
         "The file has more than 2000 rows. Split it."),
    ],
    ids=["empty", "no-email", "twice", "quote", "utf-16", "too-large", "too-many-rows"],
)  # fmt: skip
def test_import_refuses_an_unreadable_file_as_a_whole(organiser, networks, body, message):
    response = upload(organiser, body)

    assert response.status_code == 422
    assert f'<p class="error" id="file-error">{message}</p>' in response.text.replace("&#34;", '"')
    assert stored() == []


def test_import_row_with_nul_byte_is_a_row_problem(organiser, networks):
    response = upload(
        organiser, HEADER + "Ana\x00,,,ana@example.org,,,\nBen,,,ben@example.org,,,\n"
    )

    assert row_outcomes(response.text) == {
        2: ("error", "Not imported: This row contains characters that are not valid text."),
        3: ("new", "Added"),
    }


def test_import_without_a_file_says_so(organiser):
    token = csrf_token(organiser.get("/manage/focal-points/import").text)

    response = organiser.post("/manage/focal-points/import", data={"csrf_token": token})

    assert response.status_code == 422
    assert '<p class="error" id="file-error">Choose a CSV file.</p>' in response.text


def test_import_confirm_refuses_a_forged_or_foreign_preview(
    organiser, networks, new_auth, make_user
):
    preview = upload(organiser, HEADER + "Ana,,,ana@example.org,,,\n")
    token = plan_token(preview.text)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    make_user("org2@example.org")
    other = new_auth()
    other.login("org2@example.org")

    tampered = confirm(organiser, preview.text, forged)
    foreign = confirm(other.client, other.client.get("/manage/focal-points/import").text, token)

    for response in (tampered, foreign):
        assert response.status_code == 400
        assert "This preview has expired or is not valid. Upload the file again." in response.text
    assert stored() == []


def test_import_confirm_refuses_when_things_changed_since_the_preview(organiser, networks):
    preview = upload(organiser, HEADER + "Ana,,,ana@example.org,,,NAWEG\n")
    make_focal_point(name="Arrived meanwhile", email="ana@example.org")

    response = confirm(organiser, preview.text)
    again = confirm(organiser, preview.text)

    assert response.status_code == again.status_code == 409
    assert "Focal points or networks have changed since this preview." in response.text
    assert [p.name for p in stored()] == ["Arrived meanwhile"]


def test_import_confirm_refuses_when_a_network_was_archived_meanwhile(organiser, networks):
    preview = upload(organiser, HEADER + "Ana,,,ana@example.org,,,NAWEG\n")
    networks[0].is_archived = True
    db.session.commit()

    assert confirm(organiser, preview.text).status_code == 409
    assert stored() == []


def test_import_confirm_twice_imports_once(organiser, networks):
    preview = upload(organiser, HEADER + "Ana,,,ana@example.org,,,\n")

    first, second = confirm(organiser, preview.text), confirm(organiser, preview.text)

    assert (first.status_code, second.status_code) == (303, 409)
    assert len(stored()) == 1


def test_import_pages_refuse_participants(client, make_user, auth):
    make_user("d@example.org", role="delegate")
    auth.login("d@example.org")

    assert client.get("/manage/focal-points/import").status_code == 403


# -- Export ------------------------------------------------------------------------------------


def test_export_writes_every_field_with_formula_safe_cells_and_is_audited(organiser, networks):
    naweg, latf, _old = networks
    make_focal_point(
        name="=HYPERLINK(\"http://evil\")", email="ana@example.org", phone="+1 555 0100",
        country_code="PA", networks=[naweg, latf], name_visibility=PUBLIC,
    )  # fmt: skip

    response = organiser.get("/manage/focal-points/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store, private"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == [
        ["name", "title", "agency", "email", "phone", "country", "networks", "name_visibility",
         "title_visibility", "agency_visibility", "country_visibility", "email_visibility",
         "phone_visibility"],
        ["'=HYPERLINK(\"http://evil\")", "", "", "ana@example.org", "'+1 555 0100", "PA",
         "LATF, NAWEG", "public", "participants", "participants", "participants",
         "participants", "organisers"],
    ]  # fmt: skip
    assert audit_entries("focal_point.export")[0].details == {"filters": {}, "rows": 1}


def test_export_keeps_the_filter(organiser, networks):
    make_focal_point(name="Ana", networks=[networks[0]])
    make_focal_point(name="Ben", networks=[networks[1]])

    response = organiser.get(f"/manage/focal-points/export.csv?network={networks[1].id}")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Ben"]


def test_export_then_import_changes_nothing(organiser, networks):
    make_focal_point(name="Ana", email="ana@example.org", phone="+1 555 0100",
                     networks=[networks[0]], title_visibility=PUBLIC)  # fmt: skip
    exported = organiser.get("/manage/focal-points/export.csv").data

    preview = upload(organiser, exported)

    assert row_outcomes(preview.text) == {2: ("same", "Already up to date")}
