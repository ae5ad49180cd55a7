"""A session's address stays its own: by ref, across renumbering and releases; the old
address by number redirects while it is unambiguous; renumbering is listed."""

import re
from datetime import time

import pytest
from icalendar import Calendar
from lxml import etree

from tests.conftest import csrf_token, organiser_client
from tests.factories import make_meeting, make_session, publish_agenda
from wenevents.agenda.models import REF_PATTERN, Session, new_ref
from wenevents.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def meeting(app):
    meeting = make_meeting(acronym="gm")
    make_session(meeting, title="Opening", starts_at=time(9), ends_at=time(10))
    make_session(meeting, title="Enforcement", starts_at=time(11), ends_at=time(12))
    publish_agenda(meeting)
    return meeting


# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


def ref_of(meeting, title):
    return db.session.scalar(db.select(Session.ref).filter_by(meeting_id=meeting.id, title=title))


def add_earlier_session(organiser):
    """An organiser adds a session before every other one, through the editor."""
    page = organiser.get("/manage/gm/agenda/").text
    response = organiser.post(
        "/manage/gm/agenda/sessions",
        data={
            "csrf_token": csrf_token(page),
            "new-title": "Early bird",
            "new-day": "2023-11-21",
            "new-starts_at": "07:00",
            "new-ends_at": "08:00",
            "new-room": "",
            "new-chair": "",
            "new-description": "",
            "new-objectives": "",
            "new-is_public": "y",
        },
    )
    assert response.status_code == 303


def republish(organiser):
    page = organiser.get("/manage/gm/agenda/").text
    response = organiser.post(
        "/manage/gm/agenda/publish", data={"csrf_token": csrf_token(page), "note": ""}
    )
    assert response.status_code == 303


def heading(html):
    return re.search(r"<h1>(.*?)</h1>", html, re.S)[1].strip()


def test_new_ref_is_short_and_never_a_number():
    refs = {new_ref() for _ in range(200)}

    assert len(refs) == 200
    assert all(re.fullmatch(REF_PATTERN, ref) for ref in refs)
    assert not any(ref.isdigit() for ref in refs)


def test_session_address_keeps_naming_it_after_an_earlier_session_is_published(organiser, meeting):
    ref = ref_of(meeting, "Enforcement")
    before = organiser.get(f"/gm/sessions/{ref}")
    assert heading(before.text) == "Session 2 – Enforcement"

    add_earlier_session(organiser)
    republish(organiser)
    after = organiser.get(f"/gm/sessions/{ref}")

    assert after.status_code == 200
    assert heading(after.text) == "Session 3 – Enforcement"


def test_session_calendar_keeps_naming_it_after_renumbering(organiser, meeting):
    ref = ref_of(meeting, "Enforcement")
    uid = Calendar.from_ical(organiser.get(f"/gm/sessions/{ref}.ics").data).walk("VEVENT")[0]["UID"]

    add_earlier_session(organiser)
    republish(organiser)
    response = organiser.get(f"/gm/sessions/{ref}.ics")
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]

    assert response.status_code == 200
    assert (str(event["UID"]), str(event["SUMMARY"])) == (str(uid), "Session 3 – Enforcement")
    assert str(event["URL"]) == f"http://localhost/gm/sessions/{ref}"
    assert response.headers["Content-Disposition"] == 'attachment; filename="gm-session-3.ics"'


def test_pages_and_exports_link_sessions_by_ref(client, meeting):
    opening, enforcement = ref_of(meeting, "Opening"), ref_of(meeting, "Enforcement")

    schedule = client.get("/gm/schedule").text
    overview = client.get("/gm/").text
    page = client.get(f"/gm/sessions/{enforcement}").text
    frab = client.get("/gm/schedule.json").text
    ics = client.get("/gm/schedule.ics").text

    for html in (schedule, overview):
        assert re.findall(r'href="/gm/sessions/([^"?]+)', html) == [opening, enforcement]
    assert f'href="/gm/sessions/{enforcement}.ics" download' in page
    assert f"http://localhost/gm/sessions/{enforcement}" in frab
    assert "/gm/sessions/1" not in frab + ics + schedule + overview + page


def test_number_address_redirects_to_the_session_while_unambiguous(client, meeting):
    ref = ref_of(meeting, "Enforcement")

    page = client.get("/gm/sessions/2?tz=Europe/Paris")
    ics = client.get("/gm/sessions/2.ics")

    assert (page.status_code, page.location) == (302, f"/gm/sessions/{ref}?tz=Europe/Paris")
    assert (ics.status_code, ics.location) == (302, f"/gm/sessions/{ref}.ics")


def test_number_address_that_named_two_sessions_is_404_listing_both(organiser, meeting):
    add_earlier_session(organiser)
    republish(organiser)
    opening, early = ref_of(meeting, "Opening"), ref_of(meeting, "Early bird")

    response = organiser.get("/gm/sessions/1")
    ics = organiser.get("/gm/sessions/1.ics")

    assert (response.status_code, ics.status_code) == (404, 404)
    assert "the number 1 alone no longer says which session is meant" in response.text
    assert "This number has named these sessions, which are still on the agenda:" in response.text
    assert re.findall(r'<li><a href="/gm/sessions/(\w+)">([^<]*)</a>', response.text) == [
        (early, "Session 1 – Early bird"),
        (opening, "Session 2 – Opening"),
    ]
    # A number that named one session all along still redirects; one never used is a 404.
    enforcement = ref_of(meeting, "Enforcement")
    assert organiser.get("/gm/sessions/3").location == f"/gm/sessions/{enforcement}"
    unused = organiser.get("/gm/sessions/4")
    assert unused.status_code == 404
    assert "There is no session 4 on the agenda of this meeting." in unused.text


def test_number_address_before_release_or_of_unknown_meeting_is_404(client, app):
    make_meeting(acronym="fresh")

    assert client.get("/fresh/sessions/1").status_code == 404
    assert client.get("/nope/sessions/1").status_code == 404
    assert client.get("/gm/sessions/99999999999").status_code == 404


def test_preview_and_changelog_list_the_renumbering(organiser, meeting):
    add_earlier_session(organiser)

    preview = organiser.get("/manage/gm/agenda/").text
    republish(organiser)
    changelog = organiser.get("/gm/changelog").text
    feed = etree.fromstring(organiser.get("/gm/changelog.atom").data)
    content = feed.find(f"{ATOM}entry/{ATOM}content").text

    for html in (preview, changelog):
        text = re.sub(r"<[^>]+>", "", html)
        assert (
            "2 sessions have new numbers; links, calendar subscriptions and downloads of them "
            "keep naming them:" in text
        )
        assert "Renumbered Session 1 is now Session 2 – Opening" in text
        assert "Renumbered Session 2 is now Session 3 – Enforcement" in text
    assert "Session 2 is now Session 3 – Enforcement" in content


def test_one_renumbered_session_is_worded_in_the_singular(organiser, meeting):
    make_session(meeting, title="Between", starts_at=time(10), ends_at=time(11), number=3)
    from wenevents.agenda.editing import renumber

    renumber(meeting)
    db.session.commit()

    preview = re.sub(r"<[^>]+>", "", organiser.get("/manage/gm/agenda/").text)

    assert (
        "1 session has a new number; links, calendar subscriptions and downloads of it keep "
        "naming it:" in preview
    )
    assert "Session 2 is now Session 3 – Enforcement" in preview


def test_number_redirect_query_count_does_not_grow_with_releases(client, meeting, count_queries):
    with count_queries() as first:
        client.get("/gm/sessions/2")
    for hour in (13, 14, 15):
        make_session(meeting, title=f"At {hour}", starts_at=time(hour), ends_at=time(hour, 30))
        publish_agenda(meeting)
    with count_queries() as later:
        response = client.get("/gm/sessions/2")

    assert response.status_code == 302
    assert len(later) == len(first) == 1


def test_number_page_and_past_edition_pages_pass_the_html_checker(organiser, meeting, tmp_path):
    from tests.test_html_validity import check

    add_earlier_session(organiser)
    republish(organiser)
    past = make_meeting(acronym="past")
    pages = {
        "/gm/sessions/1": organiser.get("/gm/sessions/1").data,
        "/past/": organiser.get("/past/").data,
        "/past/schedule": organiser.get("/past/schedule").data,
        "/manage/gm/agenda/": organiser.get("/manage/gm/agenda/").data,
    }

    assert past.is_past
    assert check(pages, tmp_path) == []
