"""Release notices: each person a published change concerns gets one mail, with only
their changes and a calendar file of them; nobody else is mailed."""

import email
import email.policy
from datetime import time

import pytest
from icalendar import Calendar
from sqlalchemy import delete, select

from tests.conftest import audit_entries, csrf_token
from tests.factories import (
    make_item,
    make_meeting,
    make_network,
    make_registration,
    make_session,
    publish_agenda,
)
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, User
from wenevents.agenda import releases
from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db
from wenevents.mail.models import OutgoingMail
from wenevents.meetings.models import Meeting
from wenevents.mymeeting.models import Follow
from wenevents.networks.models import Network


def notices():
    """``{recipient: message}`` of the release notices queued."""
    mails = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.template == "release_notice")
    ).all()
    found = {}
    for mail in mails:
        assert mail.recipient not in found, f"{mail.recipient} mailed twice"
        found[mail.recipient] = email.message_from_bytes(mail.content, policy=email.policy.default)
    return found


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_of(message):
    part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_payload(decode=True))


def follow(user, meeting, kind, key):
    db.session.add(Follow(user_id=user.id, meeting_id=meeting.id, kind=kind, key=key))
    db.session.commit()


def approved(meeting, user, network=None, **kwargs):
    return make_registration(
        meeting,
        email=user.email,
        user=user,
        status="approved",
        network=network,
        participation_role="network_delegate" if network else "observer",
        **kwargs,
    )


@pytest.fixture
def fourth(demo, make_user):
    """The demo meeting with the people of the issue's walk: a NAWEG delegate who follows
    session 2, NAWEG's focal point account, and registered chairs of sessions 2 and 3."""
    meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
    naweg = db.session.scalar(select(Network).filter_by(slug="naweg"))
    make_user("focal.point@example.org", FOCAL_POINT, networks=[naweg], name="Nora Focal")
    delegate = make_user("naweg.delegate@example.org", DELEGATE, name="Dan Delegate")
    approved(meeting, delegate, naweg, given_name="Dan", family_name="Delegate", language="es")
    for number, chair in ((2, "Carla Chair"), (3, "Brice Ndong (fictional)")):
        session = db.session.scalar(select(Session).filter_by(meeting_id=meeting.id, number=number))
        session.chair = chair
    chair = make_user("carla@example.org", DELEGATE, name="Carla Chair")
    approved(meeting, chair, given_name="Carla", family_name="Chair")
    db.session.commit()
    releases.publish(meeting)
    # That release told the new chairs: only what the test publishes counts below.
    db.session.execute(delete(OutgoingMail))
    db.session.commit()
    two = db.session.scalar(select(Session).filter_by(meeting_id=meeting.id, number=2))
    follow(delegate, meeting, "session", two.uid)
    return meeting


def _item(meeting, number, acronym):
    return db.session.scalar(
        select(AgendaItem)
        .join(AgendaItem.session)
        .join(AgendaItem.network)
        .where(Session.meeting_id == meeting.id, Session.number == number)
        .where(Network.acronym == acronym)
    )


def test_notices_three_changes_reach_only_those_concerned_each_once(fourth):
    # NAWEG's presentation swaps places with ROAVIS's in session 2 (both move by 15
    # minutes); HA-WEN's, in session 1, gets a new title: 3 changed items of 40.
    naweg, roavis = _item(fourth, 2, "NAWEG"), _item(fourth, 2, "ROAVIS")
    naweg.position, roavis.position = roavis.position, naweg.position
    _item(fourth, 1, "HA-WEN").title = "HA-WEN: a new title"
    db.session.commit()
    release = releases.publish(fourth)
    db.session.commit()

    assert len([c for c in release.changes if c["what"] == "item"]) == 3
    mails = notices()
    assert sorted(mails) == [
        "carla@example.org",  # chairs session 2, whose running order changed
        "focal.point@example.org",  # NAWEG moved
        "naweg.delegate@example.org",  # follows session 2: NAWEG and ROAVIS moved
        "roavis.focal1@example.org",  # ROAVIS moved
    ]
    # Session 3's chair (registered, approved), HA-WEN's side and the other demo
    # delegates get nothing.
    assert "comifac.delegate1@example.org" not in mails


def test_notices_carry_only_ones_own_changes_with_old_and_new_times(fourth):
    naweg, roavis = _item(fourth, 2, "NAWEG"), _item(fourth, 2, "ROAVIS")
    naweg.position, roavis.position = roavis.position, naweg.position
    db.session.commit()
    releases.publish(fourth)
    db.session.commit()

    focal = body(notices()["focal.point@example.org"]).replace("\r\n", "\n")
    assert "NAWEG" in focal
    assert "ROAVIS" not in focal
    assert "  was: Tue 21 Nov 2023, 11:00–11:15, Plenary hall\n" in focal
    assert "  now: Tue 21 Nov 2023, 11:15–11:30, Plenary hall\n" in focal
    follower = notices()["naweg.delegate@example.org"]
    assert follower["Subject"].endswith("el programa ha cambiado")  # in their language
    assert "NAWEG" in body(follower) and "ROAVIS" in body(follower)


def test_notices_attach_the_changed_events_with_risen_sequence(fourth):
    naweg = _item(fourth, 2, "NAWEG")
    roavis = _item(fourth, 2, "ROAVIS")
    naweg.position, roavis.position = roavis.position, naweg.position
    db.session.commit()
    releases.publish(fourth)
    db.session.commit()

    calendar = calendar_of(notices()["focal.point@example.org"])
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{naweg.uid}@wenevents"]
    assert events[0]["sequence"] == 1
    assert events[0].decoded("dtstart").time() == time(11, 15)


def test_notices_cancelled_presentation_is_cancelled_in_the_calendar(fourth):
    naweg = _item(fourth, 8, "NAWEG")
    uid = naweg.uid
    db.session.delete(naweg)
    db.session.commit()
    releases.publish(fourth)
    db.session.commit()

    message = notices()["focal.point@example.org"]
    assert "Cancelled:" in body(message)
    (event,) = calendar_of(message).walk("VEVENT")
    assert str(event["uid"]) == f"{uid}@wenevents"
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1


def test_notices_held_send_nothing_and_are_audited(fourth):
    _item(fourth, 2, "NAWEG").title = "Typo fixed"
    db.session.commit()
    releases.publish(fourth, notify=False)
    db.session.commit()

    assert notices() == {}
    assert [e.summary for e in audit_entries("agenda.notices_held")] == [
        "gmwen4: release 3, 3 people not mailed"
    ]


def test_notices_opted_out_person_is_not_mailed(fourth):
    db.session.scalar(
        select(User).filter_by(email="focal.point@example.org")
    ).change_notices = False
    _item(fourth, 2, "NAWEG").title = "Renamed"
    db.session.commit()
    releases.publish(fourth)
    db.session.commit()

    assert sorted(notices()) == ["carla@example.org", "naweg.delegate@example.org"]


def test_notices_first_release_mails_nobody(app, make_user):
    network = make_network(acronym="SAWEN", slug="sawen")
    meeting = make_meeting(acronym="gm", networks=[network])
    make_user("fp@example.org", FOCAL_POINT, networks=[network])
    make_item(make_session(meeting), network=network, title="Talk")

    publish_agenda(meeting)

    assert notices() == {}


def test_notices_follower_without_approved_registration_is_not_mailed(fourth, make_user):
    meeting = fourth
    waiting = make_user("waiting@example.org", DELEGATE)
    make_registration(meeting, email=waiting.email, user=waiting, status="submitted")
    two = db.session.scalar(select(Session).filter_by(meeting_id=meeting.id, number=2))
    follow(waiting, meeting, "session", two.uid)
    _item(fourth, 2, "SudWEN").title = "Renamed"
    db.session.commit()
    releases.publish(meeting)
    db.session.commit()

    assert "waiting@example.org" not in notices()
    assert "naweg.delegate@example.org" in notices()


def test_notices_network_follower_told_of_its_presentations(fourth, make_user):
    meeting = fourth
    watcher = make_user("watcher@example.org", DELEGATE, name="Wen Watcher")
    approved(meeting, watcher, given_name="Wen", family_name="Watcher")
    sawen = db.session.scalar(select(Network).filter_by(slug="sawen"))
    follow(watcher, meeting, "network", str(sawen.id))
    _item(fourth, 8, "SAWEN").title = "SAWEN, renamed"
    db.session.commit()
    releases.publish(meeting)
    db.session.commit()

    assert "watcher@example.org" in notices()
    assert "SAWEN, renamed" in body(notices()["watcher@example.org"])


def test_notices_closed_session_contents_never_told(app, make_user):
    network = make_network(acronym="SAWEN", slug="sawen")
    meeting = make_meeting(acronym="gm", networks=[network])
    session = make_session(
        meeting, title="Secret operation briefing", is_public=False, starts_at=time(9)
    )
    publish_agenda(meeting)
    watcher = make_user("watcher@example.org", DELEGATE)
    approved(meeting, watcher)
    follow(watcher, meeting, "session", session.uid)
    session.starts_at, session.ends_at = time(10), time(11)
    session.title = "Secret operation briefing, room changed"
    db.session.commit()
    releases.publish(meeting)
    db.session.commit()

    message = notices()["watcher@example.org"]
    text = message.as_string()
    assert "Secret" not in text
    assert "09:00" in body(message) and "10:00" in body(message)


def test_notices_whole_day_moved_tells_everyone_registered(app, make_user):
    meeting = make_meeting(acronym="gm")
    first = make_session(meeting, title="Opening", starts_at=time(9), ends_at=time(10))
    publish_agenda(meeting)
    people = [make_user(f"p{n}@example.org", DELEGATE) for n in range(3)]
    for person in people:
        approved(meeting, person)
    make_registration(meeting, email="pending@example.org", status="submitted")
    first.day = meeting.end_date
    db.session.commit()
    releases.publish(meeting)
    db.session.commit()

    assert sorted(notices()) == ["p0@example.org", "p1@example.org", "p2@example.org"]


def test_publish_panel_counts_who_will_be_told(fourth, client, make_user, auth):
    make_user("org@example.org", "organiser")
    auth.login("org@example.org")
    naweg, roavis = _item(fourth, 2, "NAWEG"), _item(fourth, 2, "ROAVIS")
    naweg.position, roavis.position = roavis.position, naweg.position
    db.session.commit()

    page = client.get("/manage/gmwen4/agenda/").text

    assert "4 people are concerned: 2 focal points, 1 chair, 1 follower." in page


def test_publish_unticked_box_holds_notices(fourth, client, make_user, auth):
    make_user("org@example.org", "organiser")
    auth.login("org@example.org")
    _item(fourth, 2, "NAWEG").title = "Typo fixed"
    db.session.commit()
    page = client.get("/manage/gmwen4/agenda/").text
    token = csrf_token(page)

    client.post(
        "/manage/gmwen4/agenda/publish",
        data={"csrf_token": token, "seen": "2", "notices_asked": "1"},
    )

    assert notices() == {}
    assert len(audit_entries("agenda.notices_held")) == 1


def test_publish_ticked_box_sends_notices(fourth, client, make_user, auth):
    make_user("org@example.org", "organiser")
    auth.login("org@example.org")
    _item(fourth, 2, "NAWEG").title = "Typo fixed"
    db.session.commit()
    token = csrf_token(client.get("/manage/gmwen4/agenda/").text)

    client.post(
        "/manage/gmwen4/agenda/publish", data={"csrf_token": token, "seen": "2", "notify": "y"}
    )

    assert sorted(notices()) == [
        "carla@example.org",
        "focal.point@example.org",
        "naweg.delegate@example.org",
    ]


def test_notices_closing_a_session_says_it_left_the_public_agenda_not_cancelled(fourth):
    two = db.session.scalar(select(Session).filter_by(meeting_id=fourth.id, number=2))
    two.is_public = False
    db.session.commit()
    releases.publish(fourth)
    db.session.commit()

    message = notices()["focal.point@example.org"]
    text = body(message).replace("\r\n", "\n")
    assert "- No longer in the public agenda: “Communication within the network" in text
    assert "It has not been cancelled" in text
    assert "Cancelled:" not in text
    assert calendar_of(message).walk("VEVENT") == []


def test_publish_without_the_box_shown_sends_the_notices(fourth, client, make_user, auth):
    # The page said nobody was concerned (no box); someone is by the time it is sent.
    make_user("org@example.org", "organiser")
    auth.login("org@example.org")
    _item(fourth, 2, "NAWEG").title = "Typo fixed"
    db.session.commit()
    token = csrf_token(client.get("/manage/gmwen4/agenda/").text)

    client.post("/manage/gmwen4/agenda/publish", data={"csrf_token": token, "seen": "2"})

    assert "focal.point@example.org" in notices()
    assert audit_entries("agenda.notices_held") == []
