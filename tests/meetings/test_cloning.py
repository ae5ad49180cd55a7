"""A new edition cloned from a previous one: what carries over, what moves with the dates,
what is left behind, and that bad input makes nothing."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, audit_entries, csrf_token, field_error, organiser_client
from tests.factories import (
    make_document,
    make_item,
    make_meeting,
    make_network,
    make_series,
    make_session,
)
from wenevents.agenda import releases
from wenevents.agenda.models import BREAK, AgendaItem, Release, Session
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT, Meeting
from wenevents.registration.models import Question, RegistrationSettings
from wenevents.uploads.models import Document, DocumentVersion

# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


@pytest.fixture
def source(app):
    """Edition 4 (two days, Tuesday and Wednesday) with everything a clone may copy."""
    naweg, latf = make_network(acronym="NAWEG"), make_network(acronym="LATF")
    old = make_network(acronym="OLD")
    meeting = make_meeting(
        series=make_series(slug="gmwen"),
        number=4,
        acronym="gmwen4",
        title="4th Global Meeting of Wildlife Enforcement Networks",
        start_date=date(2023, 11, 21),
        end_date=date(2023, 11, 22),
        timezone="America/Panama",
        convener="CITES Secretariat",
        partners="ICCWC",
        funding="USA",
        disclaimer="Presenters are responsible.",
        description="Convened on 21 to 22 November 2023.",
        materials_deadline=datetime(2023, 11, 14, 12, 0),
        materials_languages="en,fr",
        networks=[naweg, latf, old],
    )
    first = make_session(
        meeting, title="Opening", chair="Ana Ruiz", room="Hall A", objectives="Welcome"
    )
    make_item(first, network=naweg, title="NAWEG talk", presenters="Sam Lee", duration_minutes=20)
    make_item(first, kind=BREAK, title="Coffee", duration_minutes=15)
    make_item(first, network=old, title="OLD talk")
    second = make_session(
        meeting, title="Closed", day=date(2023, 11, 22), starts_at=time(14, 0),
        ends_at=time(15, 0), is_public=False,
    )  # fmt: skip
    make_item(second, network=latf, title="LATF talk")
    releases.publish(meeting)
    report = make_document(meeting, kind="report", title="Report", url="https://x.example/r")
    db.session.add(
        DocumentVersion(document=report, number=1, stored_name="s", original_name="r.pdf",
                        mimetype="application/pdf", size=1, sha256="0" * 64)
    )  # fmt: skip
    make_document(meeting, kind="information_sheet", title="Sheet", network=naweg, language="fr",
                  access="participants", position=3)  # fmt: skip
    make_document(meeting, kind="information_sheet", title="Old sheet", network=old)
    meeting.registration_settings = RegistrationSettings(
        opens_at=datetime(2023, 9, 1, 12, 0),
        closes_at=datetime(2023, 11, 1, 12, 0),
        capacity=120,
        network_quota=4,
        endorsement_required=False,
        auto_promote=False,
        travel_days=2,
        participants_list="participants",
        seat_version=57,
    )
    db.session.add(
        Question(meeting_id=meeting.id, position=1, kind="single_choice", label="Lunch?",
                 required=True, choices=["Yes", "No"])
    )  # fmt: skip
    old.is_archived = True
    db.session.commit()
    return meeting


def clone_data(source, **overrides):
    values = {
        "number": "5",
        "acronym": "gmwen5",
        "title": "5th Global Meeting of Wildlife Enforcement Networks",
        "start_date": "2026-11-24",
        "end_date": "2026-11-26",
        "timezone": "Asia/Samarkand",
        "venue": "Silk Road Centre",
        "city": "Samarkand",
        "country_code": "UZ",
        "held_alongside": "CITES CoP20",
        "copy_networks": "y",
        "copy_sessions": "y",
        "copy_documents": "y",
        "copy_registration": "y",
        **overrides,
    }
    return {f"c{source.id}-{k}": v for k, v in values.items() if v is not None}


def clone(client, source, headers=None, **overrides):
    token = csrf_token(client.get("/manage/meetings/").text)
    data = {"csrf_token": token, **clone_data(source, **overrides)}
    return client.post("/manage/meetings/gmwen4/clone", data=data, headers=headers)


def new_edition():
    return db.session.scalar(select(Meeting).filter_by(acronym="gmwen5"))


def test_clone_form_suggests_the_next_edition(organiser, source):
    html = organiser.get("/manage/meetings/gmwen4/clone", headers=HTMX).text

    assert html.lstrip().startswith('<li id="meeting-gmwen4" class="manage-card editing">')
    assert f'id="c{source.id}-number" ' in html and 'value="5"' in html
    assert 'value="gmwen5"' in html
    assert 'value="5th Global Meeting of Wildlife Enforcement Networks"' in html
    assert 'value="America/Panama"' in html
    assert "2 networks (1 archived left out)" in html
    assert "2 sessions, 4 items" in html
    assert "3 document slots" in html


def test_clone_makes_a_draft_with_the_new_facts_and_the_series_ones(organiser, source):
    response = clone(organiser, source)

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/meetings/#meeting-gmwen5"
    meeting = new_edition()
    assert (meeting.status, meeting.is_demo, meeting.series_id) == (DRAFT, False, source.series_id)
    assert (meeting.number, meeting.title, meeting.timezone) == (
        5, "5th Global Meeting of Wildlife Enforcement Networks", "Asia/Samarkand"
    )  # fmt: skip
    assert (meeting.city, meeting.country_code, meeting.held_alongside) == (
        "Samarkand", "UZ", "CITES CoP20"
    )  # fmt: skip
    assert (meeting.convener, meeting.partners, meeting.disclaimer) == (
        "CITES Secretariat", "ICCWC", "Presenters are responsible."
    )  # fmt: skip
    # What belonged to the old edition alone stays with it.
    assert (meeting.funding, meeting.description) == ("", "")
    assert organiser.get("/gmwen5/").status_code == 404


def test_clone_invites_the_networks_but_not_archived_ones(organiser, source):
    clone(organiser, source)

    assert [n.acronym for n in new_edition().networks] == ["LATF", "NAWEG"]


def test_clone_copies_sessions_moved_to_the_new_days_without_people(organiser, source):
    clone(organiser, source)

    sessions = db.session.scalars(
        select(Session).where(Session.meeting_id == new_edition().id).order_by(Session.number)
    ).all()
    assert [
        (s.number, s.title, s.day, s.starts_at, s.ends_at, s.room, s.chair, s.is_public)
        for s in sessions
    ] == [
        (1, "Opening", date(2026, 11, 24), time(9, 0), time(10, 30), "Hall A", "", True),
        (2, "Closed", date(2026, 11, 25), time(14, 0), time(15, 0), "", "", False),
    ]
    assert sessions[0].objectives == "Welcome"
    assert [
        (i.kind, i.title, i.network.acronym if i.network else None, i.presenters,
         i.duration_minutes, i.position)
        for s in sessions for i in s.items
    ] == [
        ("presentation", "NAWEG talk", "NAWEG", "", 20, 0),
        ("break", "Coffee", None, "", 15, 1),
        ("presentation", "LATF talk", "LATF", "", None, 0),
    ]  # fmt: skip
    old_uids = {s.uid for s in source.sessions} | {i.uid for s in source.sessions for i in s.items}
    assert not old_uids & ({s.uid for s in sessions} | {i.uid for s in sessions for i in s.items})


def test_clone_keeps_each_sessions_ref(organiser, source):
    old = {s.title: s.ref for s in source.sessions}

    clone(organiser, source)

    sessions = db.session.scalars(select(Session).where(Session.meeting_id == new_edition().id))
    assert {s.title: s.ref for s in sessions} == old


def test_clone_has_no_agenda_release(organiser, source):
    clone(organiser, source)

    releases_of_new = db.session.scalars(
        select(Release).where(Release.meeting_id == new_edition().id)
    ).all()
    assert releases_of_new == []


def test_clone_puts_sessions_past_a_shorter_meeting_on_its_last_day(organiser, source):
    response = clone(organiser, source, end_date="2026-11-24")

    days = db.session.scalars(
        select(Session.day).where(Session.meeting_id == new_edition().id).order_by(Session.number)
    ).all()
    assert days == [date(2026, 11, 24), date(2026, 11, 24)]
    assert response.status_code == 303


def test_clone_copies_document_slots_without_files_or_links(organiser, source):
    clone(organiser, source)

    documents = db.session.scalars(
        select(Document).where(Document.meeting_id == new_edition().id).order_by(Document.id)
    ).all()
    assert [
        (d.kind, d.title, d.language, d.network.acronym if d.network else None, d.access,
         d.position, d.url, d.versions)
        for d in documents
    ] == [
        ("report", "Report", "en", None, "public", 0, "", []),
        ("information_sheet", "Sheet", "fr", "NAWEG", "participants", 3, "", []),
    ]  # fmt: skip


def test_clone_moves_the_registration_window_and_the_upload_deadline(organiser, source):
    clone(organiser, source)

    meeting = new_edition()
    settings = db.session.get(RegistrationSettings, meeting.id)
    # 21 Nov 2023 → 24 Nov 2026 is 1099 days: every moment moves by as much.
    assert (settings.opens_at, settings.closes_at) == (
        datetime(2026, 9, 4, 12, 0), datetime(2026, 11, 4, 12, 0)
    )  # fmt: skip
    assert meeting.materials_deadline == datetime(2026, 11, 17, 12, 0)
    assert meeting.materials_languages == "en,fr"
    assert (
        settings.capacity, settings.network_quota, settings.endorsement_required,
        settings.auto_promote, settings.travel_days, settings.participants_list,
        settings.seat_version,
    ) == (120, 4, False, False, 2, "participants", 0)  # fmt: skip
    questions = db.session.scalars(select(Question).where(Question.meeting_id == meeting.id)).all()
    assert [(q.kind, q.label, q.required, q.choices) for q in questions] == [
        ("single_choice", "Lunch?", True, ["Yes", "No"])
    ]


def test_clone_with_boxes_unticked_copies_only_the_facts(organiser, source):
    clone(organiser, source, copy_networks=None, copy_sessions=None, copy_documents=None,
          copy_registration=None)  # fmt: skip

    meeting = new_edition()
    assert (meeting.networks, meeting.sessions, meeting.documents) == ([], [], [])
    assert db.session.get(RegistrationSettings, meeting.id) is None
    assert meeting.materials_deadline is None
    # A setting of the meeting, not content: it comes along whatever the boxes say.
    assert meeting.materials_languages == "en,fr"


def test_clone_leaves_the_source_untouched(organiser, source):
    before = (
        db.session.scalar(select(db.func.count(Session.id))),
        db.session.scalar(select(db.func.count(AgendaItem.id))),
        [(s.title, s.day, s.chair) for s in source.sessions],
    )
    clone(organiser, source)
    db.session.expire_all()

    source_sessions = db.session.scalars(
        select(Session).where(Session.meeting_id == source.id).order_by(Session.number)
    ).all()
    assert [(s.title, s.day, s.chair) for s in source_sessions] == before[2]
    assert db.session.scalar(select(db.func.count(Session.id))) == before[0] + 2


def test_clone_with_htmx_reloads_the_list_and_says_what_it_copied(organiser, source):
    response = clone(organiser, source, headers=HTMX)
    page = organiser.get("/manage/meetings/")

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/manage/meetings/#meeting-gmwen5"
    assert (
        "gmwen5 created as a draft from gmwen4, with 2 networks, 2 sessions, 3 items, "
        "2 document slots, the registration settings, 1 question. 2 items or slots of "
        "archived networks were left out."
    ) in page.text
    entry = audit_entries("meeting.clone")[0]
    assert (entry.summary, entry.details) == (
        "gmwen4 → gmwen5",
        {"source": "gmwen4", "networks": 2, "sessions": 2, "items": 3, "documents": 2,
         "questions": 1, "registration": True},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"acronym": "gmwen4"}, "acronym", "Another meeting has this acronym."),
        ({"acronym": "login"}, "acronym",
         "“login” is one of the site's own addresses. Choose another."),
        ({"number": "4"}, "number", "gmwen4 is already edition 4 of this series."),
        ({"start_date": ""}, "start_date", "Give the first day."),
        ({"end_date": "2026-11-01"}, "end_date", "The last day cannot come before the first."),
        ({"timezone": "Asia/Nowhere"}, "timezone",
         "Unknown time zone. Give an IANA name such as America/Panama or Europe/Zurich."),
    ],
)  # fmt: skip
def test_clone_with_bad_input_makes_nothing(organiser, source, overrides, field, message):
    count = db.session.scalar(select(db.func.count(Meeting.id)))

    response = clone(organiser, source, headers=HTMX, **overrides)

    assert response.status_code == 422
    assert response.text.lstrip().startswith('<li id="meeting-gmwen4"')
    assert field_error(response.text, f"c{source.id}-{field}") == message
    assert db.session.scalar(select(db.func.count(Meeting.id))) == count


def test_clone_with_htmx_from_the_list_reloads_it(organiser, source):
    headers = {**HTMX, "HX-Current-URL": "http://localhost/manage/meetings/"}

    response = clone(organiser, source, headers=headers)

    assert response.status_code == 204
    assert response.headers["HX-Refresh"] == "true"
    assert "HX-Redirect" not in response.headers


def test_clone_of_unknown_meeting_gets_404(organiser):
    assert organiser.get("/manage/meetings/nope9/clone").status_code == 404
