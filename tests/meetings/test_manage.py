"""Organisers manage meetings: create, edit in place, publish and unpublish, delete only when
nothing has been given to the meeting; acronyms that could clash with the site's own
addresses are refused; bad input changes nothing."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, audit_entries, csrf_token, field_error, organiser_client
from tests.factories import (
    make_document,
    make_meeting,
    make_network,
    make_registration,
    make_series,
    make_session,
)
from wenevents.accounts.models import DELEGATE, FOCAL_POINT
from wenevents.agenda import releases
from wenevents.extensions import db
from wenevents.meetings import services
from wenevents.meetings.models import DRAFT, PUBLISHED, Meeting, MeetingSeries
from wenevents.registration.models import Question, RegistrationSettings
from wenevents.uploads.models import Document, DocumentVersion


@pytest.fixture
def series(app):
    return make_series(slug="gmwen", name="Global Meeting")


# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


def token(client):
    return csrf_token(client.get("/manage/meetings/new").text)


def meeting_data(series, **overrides):
    return {
        "series_id": str(series.id),
        "number": "5",
        "acronym": "gmwen5",
        "title": "5th Global Meeting",
        "start_date": "2026-11-24",
        "end_date": "2026-11-25",
        "timezone": "Asia/Tashkent",
        "venue": "",
        "city": "Samarkand",
        "country_code": "UZ",
        "held_alongside": "CITES CoP20",
        "convener": "CITES Secretariat",
        "partners": "",
        "funding": "",
        "description": "",
        "disclaimer": "",
        **overrides,
    }


def create(client, series, **overrides):
    data = {"csrf_token": token(client), **meeting_data(series, **overrides)}
    return client.post("/manage/meetings/new", data=data)


def meeting_count():
    return db.session.scalar(select(db.func.count(Meeting.id)))


# -- Who may -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/manage/meetings/", "/manage/meetings/new", "/manage/meetings/m1/edit",
     "/manage/meetings/m1/clone", "/manage/meetings/m1/delete"],
)  # fmt: skip
def test_manage_meetings_asks_anonymous_visitors_to_sign_in(client, path):
    make_meeting(acronym="m1")

    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [DELEGATE, FOCAL_POINT])
def test_manage_meetings_refuses_other_roles_with_audit(client, make_user, auth, role):
    make_meeting(acronym="m1")
    make_user("someone@example.org", role=role)
    auth.login("someone@example.org")
    token = csrf_token(client.get("/account").text)

    listing = client.get("/manage/meetings/")
    publish = client.post("/manage/meetings/m1/status", data={"csrf_token": token, "status": DRAFT})

    assert (listing.status_code, publish.status_code) == (403, 403)
    assert db.session.scalar(select(Meeting.status).filter_by(acronym="m1")) == PUBLISHED
    assert len(audit_entries("access.denied")) == 2


# -- The list ------------------------------------------------------------------------------


def test_manage_meetings_lists_drafts_and_published_by_series(organiser, series):
    make_meeting(series=series, number=1, acronym="gm1", title="First")
    make_meeting(series=series, number=2, acronym="gm2", title="Second", status=DRAFT)

    html = organiser.get("/manage/meetings/").text

    assert html.index('id="meeting-gm2"') < html.index('id="meeting-gm1"')
    assert '<strong class="badge badge-draft">Draft</strong>' in html
    assert '<strong class="badge badge-published">Published</strong>' in html


# -- Create ----------------------------------------------------------------------------------


def test_create_meeting_makes_a_draft_and_audits(organiser, series):
    network = make_network(acronym="NAWEG")

    response = create(organiser, series, networks=[str(network.id)])

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/meetings/#meeting-gmwen5"
    meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen5"))
    assert (meeting.status, meeting.number, meeting.timezone) == (DRAFT, 5, "Asia/Tashkent")
    assert (meeting.start_date, meeting.end_date) == (date(2026, 11, 24), date(2026, 11, 25))
    assert [n.acronym for n in meeting.networks] == ["NAWEG"]
    assert [e.summary for e in audit_entries("meeting.create")] == ["gmwen5"]
    assert organiser.get("/gmwen5/").status_code == 404


def test_create_meeting_lowercases_the_acronym(organiser, series):
    create(organiser, series, acronym="  GMWEN5 ")

    assert db.session.scalar(select(Meeting.acronym)) == "gmwen5"


ACRONYM_RULE = (
    "Use at least 4 lowercase letters or digits (no spaces), such as gmwen5; a hyphen only "
    "before a year and a word, as in gmwen-2026-geneva."
)


@pytest.mark.parametrize(
    ("acronym", "message"),
    [
        ("gm5", ACRONYM_RULE),
        ("gm-5a", ACRONYM_RULE),
        ("gmwen_5", ACRONYM_RULE),
        ("gmwen 5", ACRONYM_RULE),
        ("gmwen-2023", ACRONYM_RULE),
        ("-gmwen5", ACRONYM_RULE),
        ("gmwen5/../x", ACRONYM_RULE),
        ("a" * 41, "Field cannot be longer than 40 characters."),
        ("", "This field is required."),
    ],
)
def test_create_meeting_refuses_unsafe_acronym(organiser, series, acronym, message):
    response = create(organiser, series, acronym=acronym)

    assert response.status_code == 422
    assert field_error(response.text, "acronym") == message
    assert meeting_count() == 0


@pytest.mark.parametrize("acronym", ["gmwen-2026-geneva", "cop20wen", "2026"])
def test_create_meeting_accepts_frab_compatible_acronym(organiser, series, acronym):
    assert create(organiser, series, acronym=acronym).status_code == 303
    assert db.session.scalar(select(Meeting.acronym)) == acronym


def test_reserved_words_come_from_the_url_map(app):
    words = services.reserved_words()

    # Top-level routes of every blueprint, mine and others', whatever is added later.
    assert {"login", "account", "editions", "networks", "manage", "registrations",
            "static", "series", "directory", "invitations", "logout"} <= words  # fmt: skip
    assert not any("<" in word for word in words)


def test_reserved_words_follow_a_route_added_later(app):
    app.add_url_rule("/press-room/<int:n>", "press", lambda n: "")

    assert "press-room" in services.reserved_words()


SITE_ROUTES = [
    "login", "account", "editions", "manage", "static", "series", "directory",
    "registrations", "networks",
]  # fmt: skip


@pytest.mark.parametrize("acronym", SITE_ROUTES)
def test_create_meeting_refuses_acronym_of_a_site_route(organiser, series, acronym):
    response = create(organiser, series, acronym=acronym)

    assert response.status_code == 422
    assert field_error(response.text, "acronym") == (
        f"“{acronym}” is one of the site's own addresses. Choose another."
    )
    assert meeting_count() == 0


def test_create_meeting_refuses_taken_acronym_and_number(organiser, series):
    make_meeting(series=series, number=5, acronym="gmwen5")

    response = create(organiser, series)

    assert field_error(response.text, "acronym") == "Another meeting has this acronym."
    assert field_error(response.text, "number") == ("gmwen5 is already edition 5 of this series.")
    assert meeting_count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone",
         "Unknown time zone. Give an IANA name such as America/Panama or Europe/Zurich."),
        ({"timezone": "../../etc/passwd"}, "timezone",
         "Unknown time zone. Give an IANA name such as America/Panama or Europe/Zurich."),
        ({"end_date": "2026-11-23"}, "end_date", "The last day cannot come before the first."),
        ({"start_date": "24/11/2026"}, "start_date", "Not a valid date value."),
        ({"start_date": "0001-01-01", "end_date": "0001-01-02"}, "start_date",
         "Give a year from 1990 to 2200."),
        ({"number": "0"}, "number", "Number must be between 1 and 999."),
        ({"number": "five"}, "number", "Not a valid integer value."),
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 301}, "title", "Field cannot be longer than 300 characters."),
        ({"city": "a" + "\u0336" * 6}, "city",
         "Too many accents or marks are stacked on one letter: use at most 4."),
        ({"country_code": "XX"}, "country_code", "Choose a country from the list."),
        ({"series_id": "999"}, "series_id", "Not a valid choice."),
    ],
)  # fmt: skip
def test_create_meeting_refuses_bad_input_at_the_field(
    organiser, series, overrides, field, message
):
    response = create(organiser, series, **overrides)

    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert meeting_count() == 0


NOT_OFFERED = "Choose networks from the list: archived ones take part in no new meeting."


@pytest.mark.parametrize(
    ("value", "message"),
    [("archived", NOT_OFFERED), ("999", NOT_OFFERED),
     ("x", "Invalid choice(s): one or more data inputs could not be coerced.")],
)  # fmt: skip
def test_create_meeting_refuses_archived_or_unknown_network(organiser, series, value, message):
    archived = make_network(acronym="OLD", is_archived=True)
    value = str(archived.id) if value == "archived" else value

    response = create(organiser, series, networks=[value])

    assert response.status_code == 422
    assert field_error(response.text, "networks") == message
    assert meeting_count() == 0
    assert meeting_count() == 0


# -- Edit in place -----------------------------------------------------------------------


def edit_data(meeting, **overrides):
    prefix = f"m{meeting.id}-"
    values = meeting_data(meeting.series, number=str(meeting.number), acronym=meeting.acronym)
    values.update(overrides)
    return {prefix + k: v for k, v in values.items()}


def test_edit_meeting_in_place_returns_its_card(organiser, series):
    meeting = make_meeting(series=series, number=4, acronym="gmw4", status=DRAFT)
    form = organiser.get("/manage/meetings/gmw4/edit", headers=HTMX)
    data = {"csrf_token": token(organiser), **edit_data(meeting, title="Renamed")}

    response = organiser.post("/manage/meetings/gmw4/edit", data=data, headers=HTMX)

    assert form.text.lstrip().startswith('<li id="meeting-gmw4" class="manage-card editing">')
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<li id="meeting-gmw4" class="manage-card is-draft">')
    assert "Renamed" in response.text
    assert db.session.scalar(select(Meeting.title).filter_by(acronym="gmw4")) == "Renamed"
    entry = audit_entries("meeting.update")[-1]
    assert entry.details["fields"] == [
        "city", "convener", "country_code", "end_date", "held_alongside", "start_date",
        "timezone", "title",
    ]  # fmt: skip


def test_edit_meeting_without_js_redirects_to_the_list(organiser, series):
    meeting = make_meeting(series=series, number=4, acronym="gmw4")
    data = {"csrf_token": token(organiser), **edit_data(meeting, title="Renamed")}

    response = organiser.post("/manage/meetings/gmw4/edit", data=data)

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/meetings/"


def test_edit_meeting_with_errors_changes_nothing(organiser, series):
    meeting = make_meeting(series=series, number=4, acronym="gmw4", title="Kept")
    data = {
        "csrf_token": token(organiser),
        **edit_data(meeting, title="New", timezone="Nowhere/Land"),
    }

    response = organiser.post("/manage/meetings/gmw4/edit", data=data, headers=HTMX)

    assert response.status_code == 422
    assert field_error(response.text, f"m{meeting.id}-timezone").startswith("Unknown time zone.")
    assert db.session.scalar(select(Meeting.title).filter_by(acronym="gmw4")) == "Kept"


def test_edit_published_meeting_keeps_its_acronym(organiser, series):
    meeting = make_meeting(series=series, number=4, acronym="gmw4")
    data = {"csrf_token": token(organiser), **edit_data(meeting, acronym="gmw4b")}

    response = organiser.post("/manage/meetings/gmw4/edit", data=data, headers=HTMX)

    assert response.status_code == 422
    assert field_error(response.text, f"m{meeting.id}-acronym") == (
        "A published meeting keeps its acronym: its links are out in the world. Unpublish it first."
    )
    assert db.session.scalar(select(Meeting.acronym)) == "gmw4"


def test_edit_draft_meeting_may_change_its_acronym(organiser, series):
    meeting = make_meeting(series=series, number=4, acronym="gmw4", status=DRAFT)
    data = {"csrf_token": token(organiser), **edit_data(meeting, acronym="gmw4b")}

    response = organiser.post("/manage/meetings/gmw4/edit", data=data, headers=HTMX)

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/manage/meetings/"
    assert db.session.scalar(select(Meeting.acronym)) == "gmw4b"


def test_edit_meeting_keeps_an_archived_network_it_has(organiser, series):
    old = make_network(acronym="OLD")
    meeting = make_meeting(series=series, number=4, acronym="gmw4", networks=[old])
    old.is_archived = True
    db.session.commit()
    data = {"csrf_token": token(organiser), **edit_data(meeting, networks=[str(old.id)])}

    response = organiser.post("/manage/meetings/gmw4/edit", data=data, headers=HTMX)

    assert response.status_code == 200
    assert [n.acronym for n in db.session.scalar(select(Meeting)).networks] == ["OLD"]


def test_card_puts_the_card_back_and_sends_plain_requests_to_the_list(organiser, series):
    make_meeting(series=series, acronym="gmw4")

    fragment = organiser.get("/manage/meetings/gmw4/card", headers=HTMX)
    page = organiser.get("/manage/meetings/gmw4/card")

    assert fragment.text.lstrip().startswith('<li id="meeting-gmw4" class="manage-card">')
    assert (page.status_code, page.headers["Location"]) == (303, "/manage/meetings/#meeting-gmw4")


# -- Publish -------------------------------------------------------------------------------


def test_publish_and_unpublish_show_and_hide_the_meeting(organiser, client, series):
    make_meeting(series=series, acronym="gmw4", status=DRAFT)
    token = csrf_token(organiser.get("/manage/meetings/").text)

    published = organiser.post(
        "/manage/meetings/gmw4/status",
        data={"csrf_token": token, "status": PUBLISHED},
        headers=HTMX,
    )
    public_while_published = organiser.get("/gmw4/").status_code
    unpublished = organiser.post(
        "/manage/meetings/gmw4/status", data={"csrf_token": token, "status": DRAFT}
    )

    assert published.status_code == 200
    assert "Unpublish" in published.text
    assert public_while_published == 200
    assert unpublished.status_code == 303
    assert client.get("/gmw4/").status_code == 404
    assert [e.action for e in audit_entries()[-2:]] == ["meeting.publish", "meeting.unpublish"]


def test_publish_with_unknown_status_is_refused(organiser, series):
    make_meeting(series=series, acronym="gmw4", status=DRAFT)
    token = csrf_token(organiser.get("/manage/meetings/").text)

    response = organiser.post(
        "/manage/meetings/gmw4/status", data={"csrf_token": token, "status": "archived"}
    )

    assert response.status_code == 400
    assert db.session.scalar(select(Meeting.status)) == DRAFT


def test_unknown_meeting_gets_404(organiser):
    assert organiser.get("/manage/meetings/nope9/edit").status_code == 404


# -- Delete ----------------------------------------------------------------------------------


def delete(client, acronym, headers=None):
    token = csrf_token(client.get("/manage/meetings/").text)
    return client.post(f"/manage/meetings/{acronym}/delete", data={"csrf_token": token},
                       headers=headers)  # fmt: skip


def test_delete_empty_draft_removes_it_and_its_skeleton(organiser, series):
    meeting = make_meeting(series=series, acronym="gmw5", status=DRAFT)
    make_session(meeting)
    make_document(meeting)
    db.session.add(RegistrationSettings(meeting=meeting))
    db.session.add(Question(meeting_id=meeting.id, kind="short_text", label="Q"))
    db.session.commit()

    response = delete(organiser, "gmw5", headers=HTMX)

    assert response.status_code == 200
    assert "gmw5 deleted." in response.text
    assert meeting_count() == 0
    assert db.session.scalar(select(db.func.count(Document.id))) == 0
    assert db.session.scalar(select(db.func.count(Question.id))) == 0
    assert [e.summary for e in audit_entries("meeting.delete")] == ["gmw5"]


def test_delete_without_js_asks_first_then_redirects(organiser, series):
    make_meeting(series=series, acronym="gmw5", status=DRAFT)

    question = organiser.get("/manage/meetings/gmw5/delete")
    response = delete(organiser, "gmw5")

    assert "This cannot be undone." in question.text
    assert (response.status_code, response.headers["Location"]) == (303, "/manage/meetings/")


def test_delete_refuses_meeting_given_to_with_every_reason(organiser, series, make_user):
    meeting = make_meeting(series=series, acronym="gmw4")
    make_session(meeting)
    releases.publish(meeting)
    document = make_document(meeting)
    db.session.add(
        DocumentVersion(document=document, number=1, stored_name="x", original_name="r.pdf",
                        mimetype="application/pdf", size=1, sha256="0" * 64)
    )  # fmt: skip
    db.session.commit()
    make_registration(meeting)

    response = delete(organiser, "gmw4", headers=HTMX)

    assert response.status_code == 409
    assert re.findall(r"<li>(.*?)</li>", response.text) == [
        "It is published. Unpublish it first.",
        "Its agenda has been released 1 time.",
        "It has 1 registration.",
        "It has 1 uploaded file.",
    ]
    assert meeting_count() == 1


def test_create_series_then_its_meeting(organiser):
    token = csrf_token(organiser.get("/manage/meetings/").text)

    response = organiser.post(
        "/manage/meetings/series",
        data={"csrf_token": token, "series-name": "Regional WEN meetings",
              "series-slug": "regional", "series-description": ""},
        headers=HTMX,
    )  # fmt: skip

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/manage/meetings/"
    assert db.session.scalar(select(MeetingSeries.slug)) == "regional"
    new_meeting = organiser.get("/manage/meetings/new?series=1").text
    assert '<option selected value="1">Regional WEN meetings</option>' in new_meeting


@pytest.mark.parametrize(
    ("slug", "message"),
    [("Regional WEN", "Use 2 to 40 lowercase letters, digits and hyphens."),
     ("gmwen", "Another series has this web address name.")],
)  # fmt: skip
def test_create_series_refuses_bad_or_taken_slug(organiser, series, slug, message):
    token = csrf_token(organiser.get("/manage/meetings/").text)

    response = organiser.post(
        "/manage/meetings/series",
        data={"csrf_token": token, "series-name": "X", "series-slug": slug},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert field_error(response.text, "series-slug") == message
    assert db.session.scalar(select(db.func.count(MeetingSeries.id))) == 1


def test_manage_meetings_query_count_same_with_ten_times_the_meetings(
    organiser, series, count_queries
):
    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert organiser.get("/manage/meetings/").status_code == 200
        return len(statements)

    for n in range(1, 4):
        make_meeting(series=series, number=n, acronym=f"gmw{n:03d}")
    at_1x = queries()
    for n in range(4, 31):
        make_meeting(series=make_series() if n % 5 == 0 else series, number=n,
                     acronym=f"gmw{n:03d}")  # fmt: skip
    at_10x = queries()

    assert at_10x == at_1x
