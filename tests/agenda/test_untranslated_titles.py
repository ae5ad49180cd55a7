"""The publish panel warns when a release would add titles, or give new ones, that have no
French or Spanish version: readers in those languages would see them in English."""

from datetime import time

import lxml.html
import pytest

from tests.conftest import HTMX, csrf_token, organiser_client
from tests.factories import make_item, make_meeting, make_session, publish_agenda
from wenevents.agenda import releases
from wenevents.extensions import db

# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client

EDITOR = "/manage/gm/agenda/"
BOTH = {"fr": {"title": "Titre"}, "es": {"title": "Título"}}


@pytest.fixture
def meeting(app):
    return make_meeting(acronym="gm")


def warning(html):
    """The lines of the panel's warning, or None when there is none."""
    page = lxml.html.fromstring(html)
    found = page.xpath('//div[@id="agenda-status"]//div[contains(@class, "untranslated-titles")]')
    if not found:
        return None
    return [" ".join(li.text_content().split()) for li in found[0].xpath(".//li")]


def test_publish_panel_warns_of_added_titles_without_translation(organiser, meeting):
    opening = make_session(meeting, title="Opening")
    make_item(opening, title="Overview", translations={"fr": {"title": "Aperçu"}})
    make_item(opening, title="Translated item", translations=BOTH)
    make_session(meeting, title="Closing", starts_at=time(11), ends_at=time(12), translations=BOTH)

    html = organiser.get(EDITOR).text

    assert warning(html) == [
        "Session 1 – Opening: no French or Spanish version",
        "“Overview”, session 1: no Spanish version",
    ]
    assert "2 titles this release adds or changes have no translation yet" in html
    page = lxml.html.fromstring(html)
    links = page.xpath('//div[contains(@class, "untranslated-titles")]//a/@href')
    assert links == ["/manage/gm/translations"]


def test_publish_panel_warns_of_a_new_title_without_translation(organiser, meeting):
    renamed = make_session(meeting, title="Opening")
    moved = make_session(meeting, title="Seizures", starts_at=time(11), ends_at=time(12))
    kept = make_item(renamed, title="Overview")
    publish_agenda(meeting)
    renamed.title = "Welcome"
    moved.room = "Room B"  # changed, not retitled: no warning of an old title
    kept.presenters = "Ana Ruiz"
    db.session.commit()

    assert warning(organiser.get(EDITOR).text) == [
        "Session 1 – Welcome: no French or Spanish version"
    ]


def test_publish_panel_does_not_warn_when_titles_are_translated(organiser, meeting):
    session = make_session(meeting, title="Opening", translations=BOTH)
    make_item(session, title="Overview", translations=BOTH)

    html = organiser.get(EDITOR).text

    assert "Publishing now makes release 1 with 2 changes:" in html
    assert warning(html) is None


def test_publish_panel_does_not_warn_of_a_closed_sessions_title(organiser, meeting):
    make_session(meeting, title="Closed door", is_public=False)

    assert warning(organiser.get(EDITOR).text) is None


def test_publish_panel_does_not_warn_once_published(organiser, meeting):
    make_session(meeting, title="Opening")
    publish_agenda(meeting)

    html = organiser.get(EDITOR).text

    assert "The draft is the same as release 1." in html
    assert warning(html) is None


def test_publish_panel_to_htmx_after_an_item_is_added_warns_of_it(organiser, meeting):
    session = make_session(meeting, title="Opening", translations=BOTH)
    publish_agenda(meeting)
    page = organiser.get(EDITOR).text

    response = organiser.post(
        f"/manage/gm/agenda/sessions/{session.id}/items",
        data={
            "csrf_token": csrf_token(page),
            f"add{session.id}-kind": "discussion",
            f"add{session.id}-title": "Open floor",
            f"add{session.id}-network": "",
            f"add{session.id}-presenters": "",
            f"add{session.id}-duration_minutes": "15",
        },
        headers={**HTMX, "X-CSRFToken": csrf_token(page), "HX-Target": f"session-{session.id}"},
    )

    assert response.status_code == 200
    assert warning(f"<div>{response.text}</div>") == [
        "“Open floor”, session 1: no French or Spanish version"
    ]


def test_untranslated_titles_names_the_languages_each_lacks(meeting):
    session = make_session(meeting, title="Opening", translations={"es": {"title": "Apertura"}})
    changes, _latest = releases.pending_changes(meeting)

    found = releases.untranslated_titles(changes, releases.draft_sessions(meeting))

    assert [(change["uid"], missing) for change, missing in found] == [(session.uid, ("fr",))]
