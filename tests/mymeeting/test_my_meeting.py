"""*My meeting*: a person's registration, part in the agenda, follows, materials and
documents; following in place; the private calendar feed."""

import re
from datetime import time

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import PASSWORD, csrf_token, htmx_headers
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
from wenevents.extensions import db
from wenevents.mymeeting.models import CalendarFeed, Follow


@pytest.fixture
def meeting(app):
    sawen = make_network(acronym="SAWEN", slug="sawen", name="South Asia WEN")
    naweg = make_network(acronym="NAWEG", slug="naweg", name="North American WEG")
    meeting = make_meeting(acronym="gm", networks=[sawen, naweg])
    one = make_session(
        meeting, title="Opening", chair="Ana Ruiz", starts_at=time(9), ends_at=time(10)
    )
    make_item(one, network=sawen, title="SAWEN report", presenters="Li Wei", duration_minutes=20)
    two = make_session(meeting, title="Cooperation", starts_at=time(11), ends_at=time(12))
    make_item(two, network=naweg, title="NAWEG report", duration_minutes=20)
    make_session(
        meeting, title="Secret briefing", is_public=False, starts_at=time(14), ends_at=time(15)
    )
    publish_agenda(meeting)
    return meeting


def network(meeting, acronym):
    return next(n for n in meeting.networks if n.acronym == acronym)


def delegate_of(
    meeting, sign_in_as, email="ana@example.org", name="Ana Ruiz", network=None, status="approved"
):
    client = sign_in_as(email, DELEGATE, name=name)
    user = db.session.scalar(select(User).filter_by(email=email))
    given, family = name.split(" ", 1)
    make_registration(
        meeting,
        email=email,
        user=user,
        status=status,
        given_name=given,
        family_name=family,
        network=network,
        participation_role="network_delegate" if network else "observer",
    )
    return client, user


def test_my_meeting_signed_out_goes_to_sign_in(client, meeting):
    response = client.get("/gm/my-meeting")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_my_meeting_unknown_meeting_is_404(meeting, sign_in_as):
    client = sign_in_as("x@example.org", DELEGATE)

    assert client.get("/nope/my-meeting").status_code == 404


def test_my_meeting_shows_the_sessions_one_chairs_and_next_step(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as, status="submitted")

    html = client.get("/gm/my-meeting").text

    assert "Sessions I chair" in html
    assert re.search(r"Session 1 – .*Opening", html)
    assert "Next: your network’s focal point or the organisers decide on it" in html


def test_my_meeting_shows_presentations_by_name_and_by_network(meeting, sign_in_as):
    naweg = network(meeting, "NAWEG")
    client, _user = delegate_of(
        meeting, sign_in_as, email="li@example.org", name="Li Wei", network=naweg
    )

    html = client.get("/gm/my-meeting").text

    assert "Presentations I give" in html and "SAWEN report" in html
    assert "My network’s presentations" in html and "NAWEG report" in html


def test_my_meeting_without_registration_offers_to_register(meeting, sign_in_as):
    client = sign_in_as("x@example.org", DELEGATE)

    html = client.get("/gm/my-meeting").text

    assert "You have not registered for this meeting." in html
    assert "Nothing in the agenda names you or your network yet." in html


def test_my_meeting_closed_session_shows_number_and_time_only(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as)

    html = client.get("/gm/my-meeting").text

    assert "Secret briefing" not in html
    assert "Session 3 – Closed session" in html


def test_follow_without_javascript_redirects_back_and_lists_it(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as, name="Bo Berg")
    page = client.get("/gm/my-meeting").text
    uid = releases.sessions_of(releases.latest_release("gm"))[1].uid

    response = client.post(
        "/gm/my-meeting/follow",
        data={"csrf_token": csrf_token(page), "kind": "session", "key": uid, "on": "yes"},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/gm/my-meeting#following")
    html = client.get("/gm/my-meeting").text
    assert "What I follow" in html
    assert f'id="follow-session-{uid}" class="follow-button" aria-pressed="true"' in html
    assert [(f.kind, f.key) for f in db.session.scalars(select(Follow))] == [("session", uid)]


def test_follow_with_htmx_answers_the_section_and_twice_is_once(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as, name="Bo Berg")
    page = client.get("/gm/my-meeting").text
    naweg = network(meeting, "NAWEG")
    data = {"csrf_token": csrf_token(page), "kind": "network", "key": str(naweg.id), "on": "yes"}

    for _ in range(2):
        response = client.post(
            "/gm/my-meeting/follow",
            data=data,
            headers=htmx_headers(client, "/gm/my-meeting", "following"),
        )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="following"')
    assert "You follow it now." in response.text
    assert db.session.query(Follow).count() == 1


def test_unfollow_removes_it(meeting, sign_in_as):
    client, user = delegate_of(meeting, sign_in_as, name="Bo Berg")
    naweg = network(meeting, "NAWEG")
    db.session.add(
        Follow(user_id=user.id, meeting_id=meeting.id, kind="network", key=str(naweg.id))
    )
    db.session.commit()
    page = client.get("/gm/my-meeting").text
    assert "NAWEG report" in page  # a followed network's presentations are listed

    client.post(
        "/gm/my-meeting/follow",
        data={"csrf_token": csrf_token(page), "kind": "network", "key": str(naweg.id), "on": "no"},
    )

    assert db.session.query(Follow).count() == 0


@pytest.mark.parametrize(
    ("kind", "key", "on", "status"),
    [
        ("session", "not-a-session", "yes", 404),
        ("network", "999", "yes", 404),
        ("network", "abc", "yes", 404),
        ("meeting", "1", "yes", 400),
        ("session", "x" * 37, "yes", 400),
        ("session", "", "yes", 400),
        ("network", "1", "maybe", 400),
    ],
)
def test_follow_bad_input_is_refused_and_changes_nothing(
    meeting, sign_in_as, kind, key, on, status
):
    client, _user = delegate_of(meeting, sign_in_as)
    page = client.get("/gm/my-meeting").text

    response = client.post(
        "/gm/my-meeting/follow",
        data={"csrf_token": csrf_token(page), "kind": kind, "key": key, "on": on},
    )

    assert response.status_code == status
    assert db.session.query(Follow).count() == 0


def test_follow_without_csrf_token_is_refused(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as)
    uid = releases.sessions_of(releases.latest_release("gm"))[0].uid

    response = client.post(
        "/gm/my-meeting/follow", data={"kind": "session", "key": uid, "on": "yes"}
    )

    assert response.status_code == 400
    assert db.session.query(Follow).count() == 0


def _new_feed(client):
    page = client.get("/gm/my-meeting").text
    html = client.post("/gm/my-meeting/feed", data={"csrf_token": csrf_token(page)}).text
    return re.search(r'id="feed-url" readonly value="http://localhost(/feeds/[^"]+)"', html).group(
        1
    )


def test_feed_carries_exactly_ones_part_and_updates_with_releases(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as)  # chairs session 1
    path = _new_feed(client)
    anonymous = client.application.test_client()

    response = anonymous.get(path)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Session 1 – Opening"]
    session = meeting.sessions[0]
    session.starts_at = time(8)
    db.session.commit()
    releases.publish(meeting)
    db.session.commit()
    (event,) = Calendar.from_ical(anonymous.get(path).data).walk("VEVENT")
    assert event.decoded("dtstart").time() == time(8)
    assert event["sequence"] == 1


def test_feed_new_address_ends_the_old_and_keeps_only_a_hash(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as)
    old = _new_feed(client)
    new = _new_feed(client)

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    (feed,) = db.session.scalars(select(CalendarFeed)).all()
    token = new.removeprefix("/feeds/").removesuffix(".ics")
    assert token not in feed.token_hash and len(feed.token_hash) == 64


def test_feed_stopped_address_is_404(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as)
    path = _new_feed(client)
    page = client.get("/gm/my-meeting").text

    response = client.post("/gm/my-meeting/feed/end", data={"csrf_token": csrf_token(page)})

    assert response.status_code == 303
    assert client.get(path).status_code == 404
    assert db.session.query(CalendarFeed).count() == 0


@pytest.mark.parametrize("token", ["nothing", "a" * 101, "%00", "..%2F..%2Fetc"])
def test_feed_unknown_token_is_404(client, meeting, token):
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_feed_of_disabled_account_is_404(meeting, sign_in_as):
    client, user = delegate_of(meeting, sign_in_as)
    path = _new_feed(client)
    user.is_disabled = True
    db.session.commit()

    assert client.application.test_client().get(path).status_code == 404


def test_feed_never_carries_closed_contents_or_other_people(meeting, sign_in_as):
    client, user = delegate_of(meeting, sign_in_as, name="Bo Berg")
    closed = releases.sessions_of(releases.latest_release("gm"))[2]
    db.session.add(Follow(user_id=user.id, meeting_id=meeting.id, kind="session", key=closed.uid))
    db.session.commit()
    path = _new_feed(client)

    text = client.get(path).text

    assert "Secret" not in text
    assert "Session 3 – Closed session" in text
    assert "@example.org" not in text


def test_my_meeting_focal_point_sees_materials_to_send(meeting, sign_in_as):
    naweg = network(meeting, "NAWEG")
    client = sign_in_as("fp@example.org", FOCAL_POINT, networks=[naweg], name="Fay Point")

    html = client.get("/gm/my-meeting").text

    assert "Materials to send" in html
    assert "NAWEG:" in html and "slides: 0 of 1" in html
    assert "NAWEG report" in html  # their network's presentation


def test_my_meeting_query_count_does_not_grow_with_the_agenda(meeting, sign_in_as, count_queries):
    client, _user = delegate_of(meeting, sign_in_as, network=network(meeting, "NAWEG"))
    client.get("/gm/my-meeting")
    with count_queries() as before:
        client.get("/gm/my-meeting")
    for n in range(10):
        session = make_session(meeting, title=f"More {n}", starts_at=time(16), ends_at=time(17))
        make_item(
            session, network=network(meeting, "NAWEG"), title=f"Talk {n}", duration_minutes=10
        )
    publish_agenda(meeting)
    client.get("/gm/my-meeting")
    with count_queries() as after:
        client.get("/gm/my-meeting")

    assert len(after) == len(before)


def test_feed_token_is_never_logged(meeting, sign_in_as, caplog):
    client, _user = delegate_of(meeting, sign_in_as)
    path = _new_feed(client)
    token = path.removeprefix("/feeds/").removesuffix(".ics")

    with caplog.at_level("INFO", logger="wenevents.access"):
        client.get(path)

    assert "/feeds/<token>.ics" in caplog.text
    assert token not in caplog.text


def test_my_data_lists_follows_and_feeds_without_the_address(meeting, sign_in_as):
    client, user = delegate_of(meeting, sign_in_as)
    naweg = network(meeting, "NAWEG")
    db.session.add(
        Follow(user_id=user.id, meeting_id=meeting.id, kind="network", key=str(naweg.id))
    )
    uid = releases.sessions_of(releases.latest_release("gm"))[1].uid
    db.session.add(Follow(user_id=user.id, meeting_id=meeting.id, kind="session", key=uid))
    db.session.commit()
    path = _new_feed(client)
    feed_hash = db.session.scalar(select(CalendarFeed.token_hash))

    data = client.get("/account/my-data.json").json

    assert [(f["meeting"], f["kind"], f["what"]) for f in data["follows"]] == [
        ("gm", "network", naweg.id),
        ("gm", "session", 2),
    ]
    assert [(f["meeting"], f["last_read_at"]) for f in data["calendar_feeds"]] == [("gm", None)]
    text = client.get("/account/my-data.json").text
    assert path.removeprefix("/feeds/").removesuffix(".ics") not in text
    assert feed_hash not in text


def test_closing_the_account_removes_follows_and_feeds(meeting, sign_in_as):
    client = sign_in_as("leaving@example.org", DELEGATE, name="Lee Ving")
    user = db.session.scalar(select(User).filter_by(email="leaving@example.org"))
    db.session.add(Follow(user_id=user.id, meeting_id=meeting.id, kind="network", key="1"))
    db.session.commit()
    path = _new_feed(client)
    page = client.get("/account/close").text

    response = client.post(
        "/account/close", data={"csrf_token": csrf_token(page), "password": PASSWORD}
    )

    assert response.status_code == 303
    assert db.session.query(Follow).count() == 0
    assert db.session.query(CalendarFeed).count() == 0
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix"), [("POST", ".ics"), ("GET", ".ics/"), ("PROPFIND", ".ics"), ("GET", "")]
)
def test_feed_token_is_hidden_from_the_log_whatever_the_route(client, caplog, method, suffix):
    with caplog.at_level("INFO", logger="wenevents.access"):
        client.open(f"/feeds/SECRETTOKEN123{suffix}", method=method)

    assert "SECRETTOKEN123" not in caplog.text
    assert "/feeds/<token>" in caplog.text


def test_my_meeting_says_which_name_it_looked_for(meeting, sign_in_as):
    client, _user = delegate_of(meeting, sign_in_as, name="Bo Berg")

    html = client.get("/gm/my-meeting").text

    assert "found by your name as the agenda lists it: Bo Berg." in html
