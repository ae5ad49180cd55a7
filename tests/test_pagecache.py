"""Public pages rendered once per public version (wenevents/pagecache.py): what is stored,
for whom, and when every instance stops serving it."""

import gzip
from datetime import UTC, datetime

import brotli
import pytest
from sqlalchemy import select, update

from tests.conftest import make_app
from tests.factories import canonical, publish_agenda
from wenevents import pagecache
from wenevents.agenda import services as agenda_services
from wenevents.agenda.models import Session
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.meetings.models import Meeting

CACHED = [
    "/",
    "/editions",
    "/gmwen4/",
    "/fr/gmwen4/",
    "/gmwen4/schedule",
    "/gmwen4/schedule?day=all",
    "/es/gmwen4/schedule?network=asean-wen&tz=Asia/Tokyo",
    "/gmwen4/schedule/now",
    "/gmwen4/sessions/1",
    "/gmwen4/changelog",
    "/gmwen4/changelog.atom",
    "/networks/",
    "/networks/asean-wen",
    "/gmwen4/schedule.ics",
    "/gmwen4/sessions/1.ics",
    "/gmwen4/networks/asean-wen.ics",
    "/gmwen4/schedule.pdf",
    "/gmwen4/schedule.xml",
    "/gmwen4/schedule.json",
]


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """One moment for the whole test: live pages are keyed by their minute, and two
    requests must not fall on either side of one."""
    moment = datetime(2024, 3, 1, 9, 0, 30, tzinfo=UTC)
    monkeypatch.setattr(pagecache, "now", lambda: moment)
    monkeypatch.setattr(agenda_services, "now_utc", lambda: moment)


def test_pagecache_live_page_gets_a_new_entry_each_minute(client, demo, monkeypatch):
    client.get("/gmwen4/schedule")
    client.get("/gmwen4/")
    assert len(pagecache.store()) == 2
    later = datetime(2024, 3, 1, 9, 1, 0, tzinfo=UTC)
    monkeypatch.setattr(pagecache, "now", lambda: later)
    monkeypatch.setattr(agenda_services, "now_utc", lambda: later)
    client.get("/gmwen4/schedule")
    client.get("/gmwen4/")
    assert len(pagecache.store()) == 4


def fourth():
    return db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))


def version():
    return pagecache.current_version()


@pytest.mark.parametrize("path", CACHED)
def test_pagecache_second_request_runs_one_query_and_gives_the_same_bytes(
    client, demo, count_queries, path
):
    path = canonical(path)
    first = client.get(path)
    with count_queries() as queries:
        second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert len(queries) == 1
    assert "public_version" in queries[0]


@pytest.mark.parametrize("path", ["/gmwen4/schedule", "/gmwen4/schedule.ics"])
def test_pagecache_conditional_request_gets_304_without_rendering(
    client, demo, count_queries, path
):
    path = canonical(path)
    etag = client.get(path).headers["ETag"]
    with count_queries() as queries:
        response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert len(queries) == 1


def test_pagecache_codings_hold_the_same_page(client, demo):
    plain = client.get("/gmwen4/schedule?day=all", headers={"Accept-Encoding": "identity"})
    packed = client.get("/gmwen4/schedule?day=all", headers={"Accept-Encoding": "gzip"})
    best = client.get("/gmwen4/schedule?day=all", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert best.headers["Content-Encoding"] == "br"
    assert gzip.decompress(packed.data) == plain.data
    assert brotli.decompress(best.data) == plain.data
    assert len(best.data) < len(plain.data) / 3
    etags = {r.headers["ETag"] for r in (plain, packed, best)}
    assert len(etags) == 3
    assert all("Accept-Encoding" in r.vary for r in (plain, packed, best))


def test_pagecache_language_and_fragment_are_separate_entries(client, demo):
    english = client.get("/gmwen4/schedule").data.decode()
    french = client.get("/fr/gmwen4/schedule").data.decode()
    fragment = client.get(
        "/gmwen4/schedule", headers={"HX-Request": "true", "HX-Target": "schedule"}
    ).data.decode()
    page_again = client.get("/gmwen4/schedule").data.decode()
    assert '<html lang="en' in english
    assert '<html lang="fr' in french
    assert "<html" not in fragment
    assert 0 < len(fragment) < len(english)
    assert page_again == english
    # The language a browser asks for decides the negotiated address's entry too.
    spanish = client.get("/gmwen4/schedule", headers={"Accept-Language": "es"}).data.decode()
    assert '<html lang="es' in spanish


def test_pagecache_publish_shows_the_new_release_at_once(client, demo):
    before = client.get("/gmwen4/schedule?day=all").data.decode()
    assert "A session named in the new release" not in before
    session = db.session.scalar(select(Session).filter_by(meeting=fourth(), number=1))
    session.title = "A session named in the new release"
    db.session.commit()
    # The draft is not public: a version bump re-renders, but the page is the same.
    assert "A session named in the new release" not in client.get("/gmwen4/schedule?day=all").text
    publish_agenda(fourth())
    assert "A session named in the new release" in client.get("/gmwen4/schedule?day=all").text


def test_pagecache_unpublished_meeting_is_gone_at_once(client, demo):
    assert client.get("/gmwen4/").status_code == 200
    db.session.execute(update(Meeting).filter_by(acronym="gmwen4").values(status="draft"))
    db.session.commit()
    assert client.get("/gmwen4/").status_code == 404


def test_pagecache_version_counts_public_writes_only(app, demo):
    start = version()
    audit.record("test.nothing_public", "A private note")
    db.session.commit()
    assert version() == start
    fourth().title = "Renamed"
    db.session.rollback()
    assert version() == start
    fourth().venue = "Elsewhere"
    db.session.commit()
    assert version() == start + 1
    db.session.execute(update(Meeting).filter_by(acronym="gmwen4").values(venue="Again"))
    db.session.commit()
    assert version() == start + 2


def test_pagecache_signed_in_pages_are_not_stored_and_not_served_to_others(
    app, demo, organiser_client
):
    client = app.test_client()
    mine = organiser_client.get("/gmwen4/schedule")
    assert "Sign out" in mine.text
    assert mine.cache_control.no_store
    assert len(pagecache.store()) == 0
    theirs = client.get("/gmwen4/schedule")
    assert "Sign out" not in theirs.text
    assert "organiser@" not in theirs.text
    # Stored now; the organiser still gets their own page, not the stored one.
    assert len(pagecache.store()) == 1
    again = organiser_client.get("/gmwen4/schedule")
    assert "Sign out" in again.text
    assert again.cache_control.no_store


def test_pagecache_flashed_message_is_not_taken_from_the_store(app, demo, client):
    client.get("/gmwen4/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "A message for this visitor only")]
    assert "A message for this visitor only" in client.get("/gmwen4/").text
    assert "A message for this visitor only" not in client.get("/gmwen4/").text


def test_pagecache_unknown_query_argument_is_rendered_and_not_stored(app, demo, client):
    client.get("/gmwen4/schedule")
    for n in range(5):
        assert client.get(f"/gmwen4/schedule?utm_source={n}").status_code == 200
    assert len(pagecache.store()) == 1


def test_pagecache_disabled_renders_every_time(demo, client, app, count_queries):
    app.config["PUBLIC_CACHE"] = False
    client.get("/gmwen4/schedule")
    with count_queries() as queries:
        client.get("/gmwen4/schedule")
    assert len(queries) == 2
    assert len(pagecache.store()) == 0


def test_pagecache_two_instances_see_a_publication_at_once(app, demo, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    instances = []
    for name in ("one", "two"):
        other = make_app(tmp_path / name, DATABASE_URL=url)
        instances.append((other.__enter__(), other))
    try:
        first, second = (instance.test_client() for instance, _context in instances)
        for client in (first, second):
            assert "Moved on" not in client.get("/gmwen4/schedule?day=all").text
        writer, _context = instances[0]
        with writer.app_context():
            meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
            session = db.session.scalar(select(Session).filter_by(meeting=meeting, number=1))
            session.title = "Moved on"
            db.session.commit()
            publish_agenda(meeting)
            db.session.remove()
        for client in (first, second):
            assert "Moved on" in client.get("/gmwen4/schedule?day=all").text
    finally:
        for _instance, context in instances:
            context.__exit__(None, None, None)


def test_pagecache_store_drops_the_least_recently_used_first():
    store = pagecache.Store(max_bytes=8 * 300)
    entry = pagecache.Entry({"identity": b"x" * 100}, "e", (), expires=100.0)
    store.put("old", 1, entry)
    store.put("a", 2, entry)
    assert store.get("old", 1, now=0) is None  # a newer version drops older entries
    assert store.get("a", 1, now=0) is None  # an older reader gets nothing
    store.put("b", 1, entry)
    assert len(store) == 1
    store = pagecache.Store(max_bytes=8 * 300)
    for key in "abcdefghijklmnopqrstuvwxyz":
        store.put(key, 1, entry)
    assert len(store) == 24
    assert store.bytes == 2400
    assert store.get("a", 1, now=0) is None
    assert store.get("b", 1, now=0) is None
    assert store.get("c", 1, now=0) is entry
    store.put("zz", 1, entry)
    assert store.get("c", 1, now=0) is entry
    assert store.get("d", 1, now=0) is None
    # Expired, and a new version: gone.
    assert store.get("c", 1, now=100.0) is None
    assert store.get("e", 2, now=0) is None
    assert len(store) == 0


def test_pagecache_live_pages_expire_when_the_next_minute_begins(app):
    with app.test_request_context():
        assert pagecache._expiry(120.5, live=True) == 180
        assert pagecache._expiry(179.99, live=True) == 180
        assert pagecache._expiry(120.5, live=False) == 120.5 + 3600


# The front: repeated anonymous requests answered before Flask ---------------------------


@pytest.fixture
def flask_calls(app):
    """How many requests reached Flask's request handling."""
    calls = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: calls.append(1))
    return calls


def test_front_answers_a_repeated_request_without_flask(client, demo, flask_calls):
    first = client.get("/gmwen4/schedule", headers={"Accept-Encoding": "br"})
    again = client.get("/gmwen4/schedule", headers={"Accept-Encoding": "br"})
    assert len(flask_calls) == 1
    assert again.data == first.data
    # Every header replayed but the request id, which is each request's own.
    replayed = [header for header in again.headers if header[0] != "X-Request-ID"]
    assert replayed == [header for header in first.headers if header[0] != "X-Request-ID"]
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    # Another coding is another request: Flask answers it once, from the store.
    client.get("/gmwen4/schedule", headers={"Accept-Encoding": "gzip"})
    client.get("/gmwen4/schedule", headers={"Accept-Encoding": "gzip"})
    assert len(flask_calls) == 2


def test_front_replays_304_for_the_etag_it_sent(client, demo, flask_calls):
    etag = client.get("/gmwen4/").headers["ETag"]
    client.get("/gmwen4/")
    response = client.get("/gmwen4/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert len(flask_calls) == 1


def test_front_leaves_cookies_and_other_methods_to_flask(app, demo, flask_calls):
    client = app.test_client()
    client.get("/gmwen4/")
    client.get("/gmwen4/")
    assert len(flask_calls) == 1
    client.set_cookie("session", "anything")
    client.get("/gmwen4/")
    client.delete_cookie("session")
    client.head("/gmwen4/")
    assert len(flask_calls) == 3
    client.set_cookie("language", "fr")
    french = client.get("/gmwen4/").text
    assert client.get("/gmwen4/").text == french
    assert '<html lang="fr' in french
    assert len(flask_calls) == 4


def test_front_never_replays_a_host_flask_refused(client, demo, flask_calls):
    evil = {"Host": "evil.example"}
    assert client.get("/gmwen4/", headers=evil).status_code == 400
    assert client.get("/gmwen4/").status_code == 200
    assert client.get("/gmwen4/", headers=evil).status_code == 400
    assert len(flask_calls) == 3


def test_front_leaves_rate_limited_exports_to_flask(client, demo, flask_calls):
    for _ in range(3):
        response = client.get("/gmwen4/schedule.ics")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" in response.headers
    assert len(flask_calls) == 3


def test_front_serves_a_publication_at_once(client, demo, flask_calls):
    client.get("/gmwen4/schedule?day=all")
    session = db.session.scalar(select(Session).filter_by(meeting=fourth(), number=1))
    session.title = "Released after the front recorded"
    db.session.commit()
    publish_agenda(fourth())
    assert "Released after the front recorded" in client.get("/gmwen4/schedule?day=all").text
    assert len(flask_calls) == 2
