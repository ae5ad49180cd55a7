"""The text-only schedule: every day of the release on one light page, for a slow or
costly connection."""

import re

from sqlalchemy import select

from tests.factories import make_meeting, publish_agenda
from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting

TEXT = "/gmwen4/schedule/text"


def fourth():
    return db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))


def test_schedule_text_is_light_and_whole(client, demo):
    answer = client.get(TEXT, headers={"Accept-Encoding": "identity"})
    sessions = fourth().sessions

    assert answer.status_code == 200
    assert len(answer.data) < 15 * 1024
    for tag in ("<img", "<script", "<style", "stylesheet", "style=", '<link rel="icon'):
        assert tag not in answer.text
    assert len(re.findall(r"<h2>", answer.text)) == len(fourth().days)
    assert len(re.findall(r"<h3>", answer.text)) == len(sessions)
    for session in sessions:
        if session.is_public:
            assert session.title in answer.text


def test_schedule_text_shows_the_release_not_the_draft(client, demo):
    session = db.session.scalar(select(Session).filter_by(meeting=fourth(), number=1))
    session.title = "Retitled in the draft"
    db.session.commit()

    assert "Retitled in the draft" not in client.get(TEXT).text
    publish_agenda(fourth())
    assert "Retitled in the draft" in client.get(TEXT).text


def test_schedule_text_closed_session_shows_no_contents(client, demo):
    session = db.session.scalar(select(Session).filter_by(meeting=fourth(), number=2))
    session.is_public = False
    db.session.commit()
    publish_agenda(fourth())

    text = client.get(TEXT).text

    closed = re.search(
        r"<h3>[^<]*Session 2 – Closed session[^<]*</h3>\n(.*?)(?=<h[23]>)", text, re.S
    )
    assert closed is not None
    assert closed.group(1) == ""  # no chair, no items
    assert session.title not in text


def test_schedule_text_in_french(client, demo):
    text = client.get("/fr" + TEXT).text

    assert '<html lang="fr">' in text
    assert "Le programme complet" in text
    assert 'href="/fr/gmwen4/schedule"' in text


def test_schedule_text_before_a_release_is_a_404(client, app):
    make_meeting(acronym="unreleased")

    assert client.get("/unreleased/schedule/text").status_code == 404
    assert client.get("/nope/schedule/text").status_code == 404


def test_schedule_links_to_the_text_schedule(client, demo):
    assert f'href="{TEXT}"' in client.get("/gmwen4/schedule").text


def test_schedule_text_shows_planted_markup_as_text(client, demo):
    planted = '<b hx-get="/x" hx-trigger="load">x</b>"><svg onload=alert(1)>'
    session = db.session.scalar(select(Session).filter_by(meeting=fourth(), number=1))
    session.title = planted
    session.room = planted
    db.session.commit()
    publish_agenda(fourth())

    text = client.get(TEXT).text

    assert planted not in text
    assert "<svg" not in text and "hx-get" not in text.replace("hx-get=&#34;", "")
    assert "&lt;b hx-get=&#34;/x&#34;" in text
