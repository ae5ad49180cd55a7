"""Releases: the public sees only the latest; each has a changelog; sequences rise."""

from datetime import time

import pytest
from lxml import etree

from tests.conftest import audit_entries, csrf_token, organiser_client
from tests.factories import make_item, make_meeting, make_network, make_session, publish_agenda
from tests.test_html_validity import check
from wenevents.agenda import releases
from wenevents.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def meeting(app):
    return make_meeting(acronym="gm", networks=[make_network(acronym="SAWEN", slug="sawen")])


# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


def publish(client, note=""):
    page = client.get("/manage/gm/agenda/").text
    return client.post(
        "/manage/gm/agenda/publish", data={"csrf_token": csrf_token(page), "note": note}
    )


def entries(release):
    return {e["uid"]: e for e in releases._index(release.snapshot).values()}


def test_draft_changes_stay_private_until_published(client, meeting):
    session = make_session(meeting, title="Released title")
    publish_agenda(meeting)
    session.title = "Half-done edit"
    db.session.commit()

    html = client.get("/gm/schedule").text

    assert "Released title" in html
    assert "Half-done edit" not in html


def test_schedule_before_first_release_lists_nothing(client, meeting):
    make_session(meeting, title="Not yet")

    response = client.get("/gm/schedule")

    assert response.status_code == 200
    assert "Not yet" not in response.text
    assert client.get("/gm/sessions/1").status_code == 404


def test_publish_numbers_releases_and_skips_when_nothing_changed(meeting):
    make_session(meeting)

    first = publish_agenda(meeting)
    again = publish_agenda(meeting)

    assert first.number == 1
    assert again is None


def test_publish_records_added_moved_changed_and_cancelled(meeting):
    network = meeting.networks[0]
    kept = make_session(meeting, title="Kept", starts_at=time(9), ends_at=time(10))
    gone = make_session(meeting, title="Gone", starts_at=time(11), ends_at=time(12))
    talk = make_item(kept, network=network, title="Talk", duration_minutes=20)
    publish_agenda(meeting)
    kept.title = "Kept, renamed"
    db.session.delete(gone)
    fresh = make_session(meeting, title="Fresh", starts_at=time(14), ends_at=time(15))
    talk.session = fresh
    db.session.commit()

    release = publish_agenda(meeting)

    summary = [(c["action"], c["what"], c["title"]) for c in release.changes]
    assert summary == [
        ("added", "session", "Fresh"),
        ("changed", "session", "Kept, renamed"),
        ("cancelled", "session", "Gone"),
        ("moved", "item", "Talk"),
    ]
    moved = release.changes[3]
    assert (moved["before"]["starts_at"], moved["after"]["starts_at"]) == ("09:00", "14:00")
    assert moved["network"] == "SAWEN"


def test_sequence_rises_only_for_what_changed(meeting):
    session = make_session(meeting, starts_at=time(9), ends_at=time(10))
    other = make_session(meeting, starts_at=time(11), ends_at=time(12))
    first = make_item(session, kind="discussion", title="First", duration_minutes=10)
    make_item(session, kind="discussion", title="Second", duration_minutes=10)
    make_item(other, kind="discussion", title="Elsewhere", duration_minutes=10)
    one = entries(publish_agenda(meeting))
    first.duration_minutes = 15  # shifts "Second" by five minutes too
    db.session.commit()

    two = entries(publish_agenda(meeting))

    sequences = {one[uid]["title"]: (one[uid]["sequence"], two[uid]["sequence"]) for uid in one}
    assert sequences["First"] == (0, 1)
    assert sequences["Second"] == (0, 1)
    assert sequences["Elsewhere"] == (0, 0)
    assert two[session.uid]["sequence"] == 1
    assert two[other.uid]["sequence"] == 0
    assert two[other.uid]["modified"] == one[other.uid]["modified"]


def test_closed_session_contents_never_enter_a_release(meeting):
    session = make_session(meeting, title="Secret", chair="Agent X", is_public=False)
    make_item(session, kind="discussion", title="Cases")

    release = publish_agenda(meeting)

    assert release.snapshot["sessions"][0]["title"] == ""
    assert release.snapshot["sessions"][0]["chair"] == ""
    assert release.snapshot["sessions"][0]["items"] == []


def test_renumbering_is_listed_apart_not_as_a_move(meeting):
    make_session(meeting, title="Later", starts_at=time(14), ends_at=time(15))
    publish_agenda(meeting)
    make_session(meeting, title="Earlier", starts_at=time(9), ends_at=time(10))
    from wenevents.agenda.editing import renumber

    renumber(meeting)
    db.session.commit()

    release = publish_agenda(meeting)
    assert [(c["action"], c["title"]) for c in release.changes] == [
        ("added", "Earlier"),
        ("renumbered", "Later"),
    ]


def test_organiser_publishes_with_a_note_and_it_is_audited(organiser, meeting):
    make_session(meeting, title="Opening")

    response = publish(organiser, note="First programme")

    assert response.status_code == 303
    release = releases.releases_of(meeting)[0]
    assert (release.number, release.note) == (1, "First programme")
    assert [e.summary for e in audit_entries("agenda.published")] == ["gm: release 1, 1 changes"]
    assert "Release 1 is published." in organiser.get("/manage/gm/agenda/").text


def test_publish_twice_without_changes_says_so(organiser, meeting):
    make_session(meeting)
    publish(organiser)

    publish(organiser)

    assert len(releases.releases_of(meeting)) == 1
    page = organiser.get("/manage/gm/agenda/").text
    assert "The draft is the same as release 1." in page


def test_publish_needs_an_organiser(client, meeting, make_user, auth):
    make_session(meeting)
    page = client.get("/login").text

    response = client.post("/manage/gm/agenda/publish", data={"csrf_token": csrf_token(page)})

    assert response.status_code == 302
    assert releases.releases_of(meeting) == []


def test_editor_lists_the_changes_publishing_would_make(organiser, meeting):
    session = make_session(meeting, title="Opening")
    publish_agenda(meeting)
    session.title = "Opening and welcome"
    db.session.commit()

    page = organiser.get("/manage/gm/agenda/").text

    assert "Publishing now makes release 2 with 1 change:" in page
    assert "Session 1 – Opening and welcome" in page


def test_changelog_page_lists_releases_newest_first(client, meeting):
    session = make_session(meeting, title="Opening", starts_at=time(9), ends_at=time(10))
    publish_agenda(meeting)
    session.starts_at, session.ends_at = time(10), time(11)
    db.session.commit()
    publish_agenda(meeting)

    html = client.get("/gm/changelog").text

    assert html.index("Release 2") < html.index("Release 1")
    assert (
        "Moved</span> Session 1 – Opening: "
        "from Tue 21 Nov 2023, 09:00–10:00 to Tue 21 Nov 2023, 10:00–11:00" in html
    )
    assert "The first release of the agenda, with 1 session." in html


def test_changelog_feed_is_atom_with_an_entry_per_release(client, meeting):
    session = make_session(meeting, title="<b>Opening</b>")
    publish_agenda(meeting)
    session.title = "Opening & welcome"
    db.session.commit()
    publish_agenda(meeting)

    response = client.get("/gm/changelog.atom")
    feed = etree.fromstring(response.data)

    assert response.mimetype == "application/atom+xml"
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["Release 2", "Release 1"]
    content = feed.find(f"{ATOM}entry/{ATOM}content").text
    assert "Opening &amp; welcome" in content
    assert "<b>" not in response.text


def test_changelog_of_unknown_or_draft_meeting_is_404(client, meeting):
    draft = make_meeting(acronym="hidden", status="draft")
    make_session(draft)
    publish_agenda(draft)

    assert client.get("/hidden/changelog").status_code == 404
    assert client.get("/hidden/changelog.atom").status_code == 404
    assert client.get("/nope/changelog").status_code == 404


def test_editor_and_changelog_pass_nu_html_checker(organiser, meeting, tmp_path):
    session = make_session(meeting, title="Opening", chair="Ana Ruiz", room="Hall")
    make_item(session, network=meeting.networks[0], title="Talk", duration_minutes=200)
    make_session(meeting, title="Overlap", starts_at=time(9, 30), ends_at=time(10), room="Hall")
    publish_agenda(meeting)
    session.title = "Opening, renamed"
    db.session.commit()
    publish_agenda(meeting)
    pages = {
        path: organiser.get(path).data
        for path in (
            "/manage/gm/agenda/",
            f"/manage/gm/agenda/sessions/{session.id}",
            f"/manage/gm/agenda/sessions/{session.id}/delete",
            f"/manage/gm/agenda/items/{session.items[0].id}",
            "/gm/changelog",
        )
    }

    assert check(pages, tmp_path) == []


def test_release_is_decoded_once_per_process(app, client, meeting, count_queries):
    make_session(meeting, title="Opening")
    publish_agenda(meeting)
    app.extensions.pop("wenevents.released_sessions", None)

    with count_queries() as queries:
        first = releases.sessions_of(releases.latest_release("gm"))
    db.session.expire_all()
    again = releases.sessions_of(releases.latest_release("gm"))

    # One query: the snapshot comes as text with the release, not loaded a second time.
    assert len(queries) == 1
    assert again is first
    assert [session.title for session in first] == ["Opening"]


def test_new_release_is_decoded_afresh(client, meeting):
    session = make_session(meeting, title="Opening")
    publish_agenda(meeting)
    before = releases.sessions_of(releases.latest_release("gm"))
    session.title = "Opening and welcome"
    db.session.commit()
    publish_agenda(meeting)
    db.session.expire_all()

    after = releases.sessions_of(releases.latest_release("gm"))

    assert [s.title for s in before] == ["Opening"]
    assert [s.title for s in after] == ["Opening and welcome"]
    assert "Opening and welcome" in client.get("/gm/schedule?day=all").text


def test_decoded_releases_are_bounded(app, meeting, monkeypatch):
    monkeypatch.setattr(releases, "DECODED_RELEASES", 2)
    session = make_session(meeting, title="Version 0")
    kept = []
    for number in range(1, 4):
        session.title = f"Version {number}"
        db.session.commit()
        publish_agenda(meeting)
        db.session.expire_all()
        kept.append(releases.sessions_of(releases.latest_release("gm")))

    decoded = app.extensions["wenevents.released_sessions"]
    # The two newest stay; the oldest went first.
    assert [key[2] for key in decoded] == [2, 3]
    assert list(decoded.values()) == kept[1:]
