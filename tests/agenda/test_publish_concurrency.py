"""Two organisers publish at the same moment, through a real threaded server, on SQLite
and on PostgreSQL (WENEVENTS_TEST_DATABASE_URL): one release is made, the second
publisher waits for the meeting's lock and is told whose release it was — no 500, no
empty release, no number given twice."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_meeting, make_session, publish_agenda
from tests.registration.test_concurrency import Browser, live_server, server_log
from wenevents.accounts.models import ORGANISER, User
from wenevents.agenda import releases
from wenevents.agenda.models import Release
from wenevents.extensions import db

__all__ = ["live_server", "server_log"]  # fixtures used by name

EDITOR = "/manage/gm/agenda/"


@pytest.fixture
def meeting(app):
    """Release 1 is out; the draft has one more session since."""
    meeting = make_meeting(acronym="gm")
    make_session(meeting, title="Opening")
    publish_agenda(meeting)
    make_session(meeting, title="Closing", starts_at=clock(16), ends_at=clock(17))
    return meeting


def _organiser(address, make_user, email, name):
    make_user(email, ORGANISER, name=name)
    browser = Browser(address)
    _status, _headers, page = browser.request("GET", "/login")
    status, _headers, _text = browser.request(
        "POST",
        "/login",
        {"csrf_token": browser.csrf_token(page), "email": email, "password": PASSWORD},
    )
    assert status == 303
    return browser


def _numbers(meeting):
    db.session.expire_all()
    return db.session.scalars(
        select(Release.number).where(Release.meeting_id == meeting.id).order_by(Release.number)
    ).all()


def test_two_organisers_publishing_at_once_make_one_release(
    app, meeting, make_user, live_server, server_log, monkeypatch
):
    ana = _organiser(live_server, make_user, "ana@example.org", "Ana Ruiz")
    ben = _organiser(live_server, make_user, "ben@example.org", "Ben Okafor")
    pages = {b: b.request("GET", EDITOR)[2] for b in (ana, ben)}
    # Whoever gets the lock first takes its time: the other arrives while it is held.
    snapshot = releases._draft_snapshot

    def slow_snapshot(sessions):
        time.sleep(0.5)
        return snapshot(sessions)

    monkeypatch.setattr(releases, "_draft_snapshot", slow_snapshot)
    start = threading.Barrier(2)

    def publish(browser):
        form = {
            "csrf_token": browser.csrf_token(pages[browser]),
            "seen": "1",
            "note": "",
        }
        start.wait()
        status, headers, _text = browser.request("POST", "/manage/gm/agenda/publish", form)
        return status, headers["Location"], browser.request("GET", EDITOR)[2]

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(publish, (ana, ben)))

    assert [status for status, _location, _page in answers] == [303, 303]
    assert [location for _status, location, _page in answers] == [EDITOR, EDITOR]
    assert _numbers(meeting) == [1, 2]
    flashes = sorted(
        "published" if "Release 2 is published." in page else "told"
        for _status, _location, page in answers
        if "Release 2 is published." in page
        or "Release 2, with 1 change, was published a moment ago by " in page
    )
    assert flashes == ["published", "told"]
    winner = "Ana Ruiz" if "Release 2 is published." in answers[0][2] else "Ben Okafor"
    loser_page = answers[1][2] if winner == "Ana Ruiz" else answers[0][2]
    assert f"was published a moment ago by {winner}, while you had this page open" in loser_page
    assert [r.levelname for r in server_log.records if r.levelname == "ERROR"] == []


def test_publishing_from_a_page_older_than_the_latest_release_publishes_nothing(
    client, meeting, make_user, auth
):
    make_user("ana@example.org", ORGANISER, name="Ana Ruiz")
    make_user("ben@example.org", ORGANISER, name="Ben Okafor")
    auth.login("ben@example.org")
    stale = client.get(EDITOR).text
    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    releases.publish(meeting, by=ana)
    db.session.commit()

    response = client.post(
        "/manage/gm/agenda/publish",
        data={"csrf_token": csrf_token(stale), "seen": "1", "note": "Mine"},
    )

    assert response.status_code == 303
    assert _numbers(meeting) == [1, 2]
    assert db.session.scalar(select(Release.note).where(Release.number == 2)) == ""
    page = client.get(EDITOR).text
    assert (
        "Release 2, with 1 change, was published a moment ago by Ana Ruiz, while you had this "
        "page open: yours was not published."
    ) in page
