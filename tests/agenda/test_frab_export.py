"""schedule.xml and schedule.json: valid against the c3voc schemas, stable, never the draft."""

import json
import re
from datetime import date, time

import pytest
from jsonschema import Draft6Validator, FormatChecker
from lxml import etree
from sqlalchemy import select

from tests.factories import (
    make_item,
    make_meeting,
    make_network,
    make_session,
    publish_agenda,
    session_ref,
)
from tests.schemas import schemas_dir
from wenevents import demo as demo_data
from wenevents.agenda import frab
from wenevents.agenda.models import BREAK, AgendaItem, Session
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT, Meeting

XML, JSON = "/gmwen4/schedule.xml", "/gmwen4/schedule.json"


@pytest.fixture(scope="module")
def xsd():
    return etree.XMLSchema(file=str(schemas_dir() / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((schemas_dir() / "schedule.schema.json").read_text())
    # Draft6Validator.FORMAT_CHECKER knows no "uuid" and, without the extras, no
    # "date-time" or "uri": the schema's formats would pass unchecked. This one has them all.
    checker = FormatChecker()
    assert {"uuid", "date-time", "date", "uri"} <= set(checker.checkers)
    return Draft6Validator(schema, format_checker=checker)


def json_of(client, path=JSON):
    response = client.get(path)
    assert response.status_code == 200
    return json.loads(response.data)


def events_of(document):
    """Every event of a schedule.json, in order."""
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def names(event):
    return [person["name"] for person in event["persons"]]


def xml_events(client, path=XML):
    return etree.fromstring(client.get(path).data).findall("day/room/event")


def test_schedule_xml_is_valid_against_the_xsd(client, demo, xsd):
    document = etree.fromstring(client.get(XML).data)

    assert xsd.validate(document), xsd.error_log
    assert len(document.findall("day/room/event")) == 32


def test_schedule_json_is_valid_against_the_schema_with_formats(client, demo, json_validator):
    document = json_of(client)

    assert [error.message for error in json_validator.iter_errors(document)] == []
    assert len(events_of(document)) == 32


def test_json_format_checks_catch_bad_uuid_and_date_time(client, demo, json_validator):
    document = json_of(client)
    event = events_of(document)[0]
    event["guid"], event["date"] = "not-a-uuid", "2023-11-21 09:00"

    messages = sorted(error.message for error in json_validator.iter_errors(document))

    assert messages == ["'2023-11-21 09:00' is not a 'date-time'", "'not-a-uuid' is not a 'uuid'"]


def test_export_names_acronym_time_zone_and_days(client, demo):
    conference = json_of(client)["schedule"]["conference"]
    xml = etree.fromstring(client.get(XML).data)

    assert (conference["acronym"], conference["time_zone_name"]) == ("gmwen4", "America/Panama")
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2023-11-21",
        "2023-11-22",
        2,
    )
    assert conference["timeslot_duration"] == "00:05"
    assert [(d["index"], d["date"], d["day_start"], d["day_end"]) for d in conference["days"]] == [
        (1, "2023-11-21", "2023-11-21T09:00:00-05:00", "2023-11-21T17:30:00-05:00"),
        (2, "2023-11-22", "2023-11-22T09:00:00-05:00", "2023-11-22T17:30:00-05:00"),
    ]
    assert xml.findtext("conference/acronym") == "gmwen4"
    assert xml.findtext("conference/time_zone_name") == "America/Panama"
    assert xml.find("day").attrib["start"] == "2023-11-21T09:00:00-05:00"


def test_event_carries_time_track_network_slug_and_url(client, demo):
    event = events_of(json_of(client))[1]

    assert event["id"] == int(event["guid"].replace("-", "")[:8], 16) & 0x7FFFFFFF
    assert {k: event[k] for k in ("date", "start", "duration", "room", "title", "subtitle")} == {
        "date": "2023-11-21T09:15:00-05:00",
        "start": "09:15",
        "duration": "00:15",
        "room": "Plenary hall",
        "title": "Activities since the 3rd Global Meeting",
        "subtitle": "ASEAN-WEN",
    }
    assert event["type"] == "Presentation"
    assert event["track"] == (
        "Session 1: Outcomes from the 3rd Global meeting of WENs and activities undertaken in "
        "this regard"
    )
    assert event["slug"] == f"gmwen4-{event['id']}-activities-since-the-3rd-global-meeting"
    assert (event["url"], event["language"], event["links"]) == (
        f"http://localhost/gmwen4/sessions/{session_ref('gmwen4', 1)}",
        "en",
        [],
    )


def test_chairs_are_persons_after_the_presenters(client):
    meeting = make_meeting()
    session = make_session(meeting, chair="Ana Ruiz; Li Wei")
    make_item(session, presenters="Tom Ek, Ana Ruiz", duration_minutes=20)
    make_item(session, kind=BREAK, title="Coffee", presenters="", duration_minutes=10)
    publish_agenda(meeting)

    talk, coffee = events_of(json_of(client, f"/{meeting.acronym}/schedule.json"))
    xml_talk = xml_events(client, f"/{meeting.acronym}/schedule.xml")[0]

    assert names(talk) == ["Tom Ek", "Ana Ruiz", "Ana Ruiz", "Li Wei"]
    assert talk["persons"][0] == {"name": "Tom Ek", "public_name": "Tom Ek"}
    assert names(coffee) == []
    assert [p.text for p in xml_talk.findall("persons/person")] == [
        "Tom Ek",
        "Ana Ruiz",
        "Ana Ruiz",
        "Li Wei",
    ]
    meta = json_of(client, f"/{meeting.acronym}/schedule.json")["schedule"]["conference"]["meta"]
    assert meta["wenevents"]["sessions"][0]["chairs"] == ["Ana Ruiz", "Li Wei"]


def test_closed_session_is_a_placeholder_without_contents(client, demo):
    document = json_of(client)
    xml = client.get(XML).data.decode()
    closed = [e for e in events_of(document) if e["track"] == "Session 4: Closed session"]

    assert len(closed) == 1
    assert {k: closed[0][k] for k in ("title", "type", "start", "duration", "abstract")} == {
        "title": "Closed session",
        "type": "Closed session",
        "start": "16:00",
        "duration": "01:30",
        "abstract": "",
    }
    assert closed[0]["persons"] == []
    text = json.dumps(document, ensure_ascii=False)
    for secret in ("Exchange on ongoing cases", "Operational planning", "for network repr"):
        assert secret not in text
        assert secret not in xml
    meta = document["schedule"]["conference"]["meta"]["wenevents"]["sessions"][3]
    assert meta == {
        "guid": closed[0]["guid"],
        "number": 4,
        "track": "Session 4: Closed session",
        "day": "2023-11-21",
        "start": "16:00",
        "end": "17:30",
        "room": "Plenary hall",
        "public": False,
    }


def test_session_without_items_is_one_event_in_the_default_room(client):
    meeting = make_meeting()
    session = make_session(
        meeting, title="Reception", description="Drinks.", chair="CITES Secretariat"
    )
    publish_agenda(meeting)

    (event,) = events_of(json_of(client, f"/{meeting.acronym}/schedule.json"))

    assert (event["guid"], event["title"], event["type"], event["room"]) == (
        session.uid,
        "Reception",
        "Session",
        "Plenary",
    )
    assert (event["duration"], event["abstract"], names(event)) == (
        "01:30",
        "Drinks.",
        ["CITES Secretariat"],
    )


def test_guids_and_ids_stay_the_same_across_releases(client, demo):
    before = {e["guid"]: e["id"] for e in events_of(json_of(client))}
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Coffee break"))
    item.title = "Tea break"
    db.session.commit()
    meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    assert publish_agenda(meeting).number == 2

    document = json_of(client)
    after = {e["guid"]: e["id"] for e in events_of(document)}

    assert after == before
    assert document["schedule"]["version"] == "2"
    assert [e["title"] for e in events_of(document) if e["guid"] == item.uid] == ["Tea break"]


def test_moved_item_shows_in_its_new_session_after_publishing(client, demo):
    meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    first, second = meeting.sessions[0], meeting.sessions[1]
    item = first.items[1]
    uid = item.uid
    item.session = second
    item.position = 99
    db.session.commit()

    unchanged = {e["guid"]: e for e in events_of(json_of(client))}
    publish_agenda(meeting)
    moved = {e["guid"]: e for e in events_of(json_of(client))}

    assert unchanged[uid]["track"].startswith("Session 1: ")
    assert moved[uid]["track"].startswith("Session 2: ")
    assert (moved[uid]["date"], moved[uid]["url"]) == (
        "2023-11-21T12:15:00-05:00",
        f"http://localhost/gmwen4/sessions/{session_ref('gmwen4', 2)}",
    )


def test_export_types_and_etag(client, demo):
    xml, document = client.get(XML), client.get(JSON)

    assert xml.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert document.headers["Content-Type"] == "application/json"
    assert xml.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    for response, path in ((xml, XML), (document, JSON)):
        assert response.headers["Cache-Control"] == "no-cache"
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert (again.status_code, again.data) == (304, b"")
        assert client.get(path).headers["ETag"] == response.headers["ETag"]


def test_export_is_404_before_release_or_publication(client):
    unreleased = make_meeting()
    hidden = make_meeting(status=DRAFT)
    make_session(hidden)
    publish_agenda(hidden)

    for acronym in (unreleased.acronym, hidden.acronym, "nosuchmeeting"):
        assert client.get(f"/{acronym}/schedule.xml").status_code == 404
        assert client.get(f"/{acronym}/schedule.json").status_code == 404


def test_draft_edits_stay_out_of_the_export(client, demo):
    session = db.session.scalar(select(Session).where(Session.number == 1))
    make_item(session, title="Not yet announced")

    assert b"Not yet announced" not in client.get(JSON).data
    assert b"Not yet announced" not in client.get(XML).data


@pytest.mark.parametrize("path", [XML, JSON])
def test_export_query_count_same_at_1x_and_10x(client, demo, count_queries, path):
    with count_queries() as at_1x:
        assert client.get(path).status_code == 200
    demo_data.scale("gmwen4", sessions=80, items=600)
    db.session.expire_all()
    with count_queries() as at_10x:
        response = client.get(path)

    assert response.status_code == 200
    # The public version (pagecache), then the release: each time a new render, as the
    # scaling committed in between.
    assert len(at_10x) == len(at_1x) == 2
    # JSON names it twice: its event, and the English original in conference.meta.
    assert response.data.count(b"Presentation 500") == (2 if path == JSON else 1)


def test_scaled_export_stays_valid(client, demo, xsd, json_validator):
    demo_data.scale("gmwen4", sessions=80, items=600)

    document = json_of(client)

    assert xsd.validate(etree.fromstring(client.get(XML).data)), xsd.error_log
    assert list(json_validator.iter_errors(document)) == []
    assert len({e["id"] for e in events_of(document)}) == len(events_of(document))


def test_hostile_text_is_escaped_in_xml(client, xsd):
    meeting = make_meeting()
    session = make_session(meeting, title="</track><script>")
    make_item(session, title="A & B <c>", network=make_network(acronym="X&Y"))
    publish_agenda(meeting)

    body = client.get(f"/{meeting.acronym}/schedule.xml").data
    (event,) = etree.fromstring(body).findall("day/room/event")

    assert xsd.validate(etree.fromstring(body))
    assert (event.findtext("title"), event.findtext("subtitle")) == ("A & B <c>", "X&Y")
    assert b"<script>" not in body


def test_slug_fits_both_schemas_for_any_acronym_and_title():
    pattern_xsd = re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}")
    pattern_json = re.compile(r"^[a-z0-9_-]+[a-z0-9]$")

    slugs = [
        frab._slug("gmwen4", 12, "ASEAN-WEN: update (2023)!", "presentation"),
        frab._slug("ab-c", 7, "野生生物", "break"),
        frab._slug("ab", 3, "Café", "session"),
    ]

    assert slugs == ["gmwen4-12-asean-wen-update-2023", "ab_c-7-break", "ab__-3-cafe"]
    assert all(pattern_xsd.fullmatch(s) and pattern_json.match(s) for s in slugs)


def test_colliding_ids_take_the_next_free_number():
    numbers = frab._Numbers()

    first = numbers("0000002a-0000-4000-8000-000000000001")
    second = numbers("0000002a-ffff-4fff-bfff-ffffffffffff")

    assert (first, second) == (42, 43)


def test_times_follow_daylight_saving(client):
    meeting = make_meeting(
        timezone="Europe/Zurich", start_date=date(2019, 8, 22), end_date=date(2019, 8, 22)
    )
    make_session(meeting, starts_at=time(14, 0), ends_at=time(15, 0))
    publish_agenda(meeting)

    (event,) = events_of(json_of(client, f"/{meeting.acronym}/schedule.json"))

    assert event["date"] == "2019-08-22T14:00:00+02:00"


def test_session_outside_the_meeting_dates_gets_a_day_of_its_own(client, xsd):
    meeting = make_meeting(start_date=date(2023, 11, 21), end_date=date(2023, 11, 21))
    make_session(meeting, title="Field visit", day=date(2023, 11, 23))
    publish_agenda(meeting)

    conference = json_of(client, f"/{meeting.acronym}/schedule.json")["schedule"]["conference"]
    xml = etree.fromstring(client.get(f"/{meeting.acronym}/schedule.xml").data)

    assert [(d["index"], d["date"]) for d in conference["days"]] == [
        (1, "2023-11-21"),
        (2, "2023-11-23"),
    ]
    assert conference["daysCount"] == 2
    assert [e["title"] for e in conference["days"][1]["rooms"]["Plenary"]] == ["Field visit"]
    assert xsd.validate(xml), xsd.error_log
