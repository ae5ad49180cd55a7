"""Calendar files of the released schedule, read back with icalendar."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.factories import (
    make_item,
    make_meeting,
    make_network,
    make_session,
    publish_agenda,
    session_ref,
)
from wenevents.agenda import ics
from wenevents.extensions import db

PANAMA = ZoneInfo("America/Panama")


def calendar_at(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.data)


def events(calendar):
    return calendar.walk("VEVENT")


def by_summary(calendar):
    return {str(event["SUMMARY"]): event for event in events(calendar)}


def test_schedule_ics_has_one_event_per_session_closed_included(client, demo):
    calendar = calendar_at(client, "/gmwen4/schedule.ics")

    summaries = [str(event["SUMMARY"]) for event in events(calendar)]
    assert len(summaries) == 8
    assert summaries[3] == "Session 4 – Closed session"
    assert summaries[6] == "Session 7 – Closed session"
    assert summaries[0] == (
        "Session 1 – Outcomes from the 3rd Global meeting of WENs and activities undertaken in "
        "this regard"
    )


def test_schedule_ics_response_is_a_named_calendar_download(client, demo):
    response = client.get("/gmwen4/schedule.ics")

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="gmwen4-schedule.ics"'
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_schedule_ics_answers_304_while_unchanged(client, demo):
    etag = client.get("/gmwen4/schedule.ics").headers["ETag"]

    again = client.get("/gmwen4/schedule.ics", headers={"If-None-Match": etag})

    assert again.status_code == 304


def test_closed_session_event_hides_its_contents(client, demo):
    response = client.get("/gmwen4/schedule.ics")
    closed = by_summary(Calendar.from_ical(response.data))["Session 4 – Closed session"]

    assert "DESCRIPTION" not in closed
    assert "URL" not in closed
    assert closed.decoded("DTSTART") == datetime(2023, 11, 21, 16, 0, tzinfo=PANAMA)
    assert b"Exchange on ongoing cases" not in response.data
    assert b"Operational planning" not in response.data
    assert b"Closed session for network representatives" not in response.data


def test_session_event_lists_items_chair_and_disclaimer_in_description(client, demo):
    calendar = calendar_at(client, "/gmwen4/schedule.ics")
    session = events(calendar)[0]

    description = str(session["DESCRIPTION"])
    assert description.startswith(
        "Chair: CITES Secretariat\n\n09:00–09:15 Welcome and opening remarks\n"
        "09:15–09:30 Activities since the 3rd Global Meeting (ASEAN-WEN)\n"
    )
    assert description.endswith("sole responsibility of the respective presenters.")
    assert str(session["URL"]) == f"http://localhost/gmwen4/sessions/{session_ref('gmwen4', 1)}"
    assert str(session["LOCATION"]) == "Plenary hall, Panama Convention Center, Panama City"


def test_schedule_ics_times_carry_tzid_and_a_vtimezone(client, demo):
    response = client.get("/gmwen4/schedule.ics")
    calendar = Calendar.from_ical(response.data)
    first = events(calendar)[0]

    assert b"DTSTART;TZID=America/Panama:20231121T090000\r\n" in response.data
    assert b"DTEND;TZID=America/Panama:20231121T103000\r\n" in response.data
    assert first["DTSTART"].params["TZID"] == "America/Panama"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Panama"]
    assert calendar.get_missing_tzids() == set()


def test_vtimezone_follows_daylight_saving_change_during_meeting(client):
    # Europe's clocks went back on 27 October 2019, between the two days.
    meeting = make_meeting(
        timezone="Europe/Zurich", start_date=date(2019, 10, 26), end_date=date(2019, 10, 28)
    )
    make_session(meeting, day=date(2019, 10, 26), starts_at=time(9, 0), ends_at=time(10, 0))
    make_session(meeting, day=date(2019, 10, 28), starts_at=time(9, 0), ends_at=time(10, 0))
    publish_agenda(meeting)

    calendar = calendar_at(client, f"/{meeting.acronym}/schedule.ics")
    starts = [event.decoded("DTSTART") for event in events(calendar)]

    assert [start.utcoffset().total_seconds() / 3600 for start in starts] == [2.0, 1.0]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Zurich"]
    assert calendar.get_missing_tzids() == set()


def test_event_stamps_come_from_release_and_entry(client):
    meeting = make_meeting()
    session = make_session(meeting)
    release = publish_agenda(meeting)

    event = events(calendar_at(client, f"/{meeting.acronym}/schedule.ics"))[0]

    assert str(event["UID"]) == f"{session.uid}@wenevents"
    assert event.decoded("DTSTAMP") == release.created_at.replace(tzinfo=UTC)
    assert event.decoded("LAST-MODIFIED") == release.created_at.replace(tzinfo=UTC)
    assert event["SEQUENCE"] == 0


def test_uid_stays_and_sequence_rises_when_an_item_changes(client):
    meeting = make_meeting()
    network = make_network(acronym="TESTWEN", slug="testwen")
    session = make_session(meeting)
    item = make_item(session, network=network, duration_minutes=20)
    publish_agenda(meeting)
    before = events(calendar_at(client, f"/{meeting.acronym}/schedule.ics"))[0]
    item_before = events(calendar_at(client, f"/{meeting.acronym}/networks/testwen.ics"))[0]

    item.title = "A presentation, retitled"
    db.session.commit()
    publish_agenda(meeting)
    after = events(calendar_at(client, f"/{meeting.acronym}/schedule.ics"))[0]
    item_after = events(calendar_at(client, f"/{meeting.acronym}/networks/testwen.ics"))[0]

    assert str(after["UID"]) == str(before["UID"]) == f"{session.uid}@wenevents"
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert str(item_after["UID"]) == str(item_before["UID"]) == f"{item.uid}@wenevents"
    assert (item_before["SEQUENCE"], item_after["SEQUENCE"]) == (0, 1)
    assert str(item_after["SUMMARY"]) == "TESTWEN: A presentation, retitled"


def test_unchanged_session_keeps_sequence_when_another_changes(client):
    meeting = make_meeting()
    first = make_session(meeting, title="First")
    make_session(meeting, title="Second", starts_at=time(11, 0), ends_at=time(12, 0))
    publish_agenda(meeting)
    first.title = "First, renamed"
    db.session.commit()
    publish_agenda(meeting)

    sequences = {
        str(e["SUMMARY"]): e["SEQUENCE"]
        for e in events(calendar_at(client, f"/{meeting.acronym}/schedule.ics"))
    }

    assert sequences == {"Session 1 – First, renamed": 1, "Session 2 – Second": 0}


def test_session_ics_is_the_same_event_as_in_the_schedule(client, demo):
    schedule = events(calendar_at(client, "/gmwen4/schedule.ics"))
    response = client.get(f"/gmwen4/sessions/{session_ref('gmwen4', 2)}.ics")
    session = events(Calendar.from_ical(response.data))

    assert len(session) == 1
    assert str(session[0]["UID"]) == str(schedule[1]["UID"])
    assert session[0].decoded("DTSTART") == datetime(2023, 11, 21, 11, 0, tzinfo=PANAMA)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="gmwen4-session-2.ics"'
    )


def test_network_ics_has_only_that_networks_presentations_at_their_times(client, demo):
    response = client.get("/gmwen4/networks/asean-wen.ics")
    found = events(Calendar.from_ical(response.data))

    assert [str(e["SUMMARY"]) for e in found] == [
        "ASEAN-WEN: Activities since the 3rd Global Meeting",
        "ASEAN-WEN: Operational support: needs and offers",
    ]
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in found] == [
        (
            datetime(2023, 11, 21, 9, 15, tzinfo=PANAMA),
            datetime(2023, 11, 21, 9, 30, tzinfo=PANAMA),
        ),
        (
            datetime(2023, 11, 22, 11, 40, tzinfo=PANAMA),
            datetime(2023, 11, 22, 12, 0, tzinfo=PANAMA),
        ),
    ]
    assert str(found[0]["URL"]) == f"http://localhost/gmwen4/sessions/{session_ref('gmwen4', 1)}"
    assert b"SAWEN" not in response.data
    assert b"Welcome and opening remarks" not in response.data


def test_network_ics_of_known_network_without_presentations_is_empty(client, demo):
    network = make_network(slug="newwen", acronym="NEWWEN")

    calendar = calendar_at(client, f"/gmwen4/networks/{network.slug}.ics")

    assert events(calendar) == []
    assert str(calendar["X-WR-CALNAME"]).endswith(": NEWWEN")


@pytest.mark.parametrize(
    "path",
    [
        "/gmwen4/networks/no-such-network.ics",
        "/gmwen4/sessions/99.ics",
        "/nosuchmeeting/schedule.ics",
        "/gmwen1/schedule.ics",  # published meeting, agenda never released
        "/gmwen1/sessions/1.ics",
        "/gmwen1/networks/naweg.ics",
    ],
)
def test_calendar_of_unknown_or_unreleased_thing_gets_404(client, demo, path):
    assert client.get(path).status_code == 404


def test_meeting_calendar_for_the_approval_mail_still_works(app, demo):
    from wenevents.agenda.ics import meeting_calendar
    from wenevents.meetings.models import Meeting

    meeting = db.session.scalar(db.select(Meeting).filter_by(acronym="gmwen4"))
    with app.test_request_context():
        calendar = Calendar.from_ical(meeting_calendar(meeting))

    event = events(calendar)[0]
    assert str(event["UID"]) == "meeting-gmwen4@wenevents"
    assert event.decoded("DTSTART") == date(2023, 11, 21)


def test_vtimezone_is_built_once_per_zone_and_dates(app, client, demo):
    app.config["PUBLIC_CACHE"] = False  # each request builds its calendar
    ics._vtimezone.cache_clear()
    bodies = [client.get(path).data for path in ("/gmwen4/schedule.ics",) * 2]
    bodies.append(client.get("/gmwen4/sessions/1.ics", follow_redirects=True).data)

    info = ics._vtimezone.cache_info()
    # A session's file defines the zone over the meeting's days too: the same entry.
    assert (info.misses, info.hits, info.currsize) == (1, 2, 1)
    for body in bodies:
        zones = Calendar.from_ical(body).walk("VTIMEZONE")
        assert [str(zone["TZID"]) for zone in zones] == ["America/Panama"]
