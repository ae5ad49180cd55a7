"""Public pages rendered once per public version (wenevents/pagecache.py): what is stored,
for whom, and when every instance stops serving it."""

import gzip
import itertools
import re
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
    "/gmwen4/schedule/text",
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


def test_pagecache_version_kept_by_a_sign_in(app, demo, make_user, auth, flask_calls):
    # A sign-in notes its time on the user's row; no public page shows it.
    user = make_user("org@example.org")
    anonymous = app.test_client()
    anonymous.get("/gmwen4/")
    start = version()

    assert auth.login("org@example.org").status_code == 303
    assert user.last_login_at is not None
    assert version() == start
    anonymous.get("/gmwen4/")
    assert len(flask_calls) == 1 + 2  # the page once, the sign-in's GET and POST
    user.name = "Another Name"
    db.session.commit()
    assert version() == start + 1


def test_pagecache_version_kept_by_a_check_in_and_a_badge_printing(app, demo, organiser):
    from datetime import date

    from wenevents.registration import badges, checkin
    from wenevents.registration.models import Registration

    meeting = fourth()
    meeting.start_date = meeting.end_date = date.today()
    person = db.session.scalar(select(Registration).filter_by(status="approved"))
    db.session.commit()
    start = version()

    badges.mark_printed(meeting, [person], badges.ALL, organiser)
    db.session.commit()
    checkin.check_in(person, organiser)
    db.session.commit()

    assert person.checked_in_at is not None
    assert version() == start
    db.session.execute(update(Registration).filter_by(id=person.id).values(given_name="New"))
    db.session.commit()
    assert version() == start + 1


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


class StoppedClock:
    """A monotonic clock that moves only when told."""

    def __init__(self):
        self.moment = 1000.0

    def __call__(self):
        return self.moment


def test_version_watch_reads_once_within_its_seconds_and_again_after():
    clock, reads = StoppedClock(), []
    watch = pagecache.VersionWatch(0.25, clock=clock)
    numbers = iter([7, 8])
    read = lambda: reads.append(1) or next(numbers)  # noqa: E731
    assert [watch.version(read), watch.version(read)] == [7, 7]
    clock.moment += 0.24
    assert watch.version(read) == 7
    clock.moment += 0.01
    assert watch.version(read) == 8
    assert len(reads) == 2


def test_version_watch_reads_again_after_a_public_commit_in_this_process(app, demo):
    watch = pagecache.VersionWatch(60, clock=StoppedClock())
    before = watch.version(version)
    meeting = fourth()
    meeting.title = "Renamed"
    db.session.commit()
    assert watch.version(version) == before + 1


def test_version_watch_keeps_its_read_after_a_private_commit(app, demo):
    watch, reads = pagecache.VersionWatch(60, clock=StoppedClock()), []
    read = lambda: reads.append(1) or version()  # noqa: E731
    watch.version(read)
    audit.record("test.private", detail="nothing public")
    db.session.commit()
    watch.version(read)
    assert len(reads) == 1


@pytest.mark.parametrize("app_config", [{"PUBLIC_VERSION_SECONDS": 60}])
def test_front_answers_a_stored_page_without_a_query_when_the_version_was_just_read(
    client, demo, count_queries
):
    client.get("/gmwen4/schedule")
    client.get("/gmwen4/schedule")
    with count_queries() as queries:
        response = client.get("/gmwen4/schedule")
    assert response.status_code == 200
    assert queries == []


def test_front_serves_another_instances_publication_once_its_seconds_pass(
    app, demo, tmp_path, monkeypatch
):
    clock = StoppedClock()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with make_app(tmp_path / "reader", DATABASE_URL=url, PUBLIC_VERSION_SECONDS=0.25) as reader:
        reader.extensions["pagecache.front"].watch.clock = clock
        client = reader.test_client()
        client.get("/gmwen4/schedule?day=all")
        assert "Moved on" not in client.get("/gmwen4/schedule?day=all").text
        seen = pagecache._own_commits.value
        meeting = fourth()
        session = db.session.scalar(select(Session).filter_by(meeting=meeting, number=1))
        session.title = "Moved on"
        db.session.commit()
        publish_agenda(meeting)
        # Another server's commits are not counted here: as if these had been made there.
        monkeypatch.setattr(pagecache._own_commits, "value", seen)
        assert "Moved on" not in client.get("/gmwen4/schedule?day=all").text
        clock.moment += 0.25
        assert "Moved on" in client.get("/gmwen4/schedule?day=all").text
        with reader.app_context():
            db.session.remove()
            db.engine.dispose()


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


def test_pagecache_live_pages_expire_a_minute_after_they_are_stored(app):
    with app.test_request_context():
        assert pagecache._expiry(120.5, live=True) == 180.5
        assert pagecache._expiry(179.99, live=True) == 239.99
        assert pagecache._expiry(120.5, live=False) == 120.5 + 3600


# The front: repeated anonymous requests answered before Flask ---------------------------


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


def test_front_replays_a_live_page_rendered_as_the_wall_clock_turned_a_minute(
    client, demo, flask_calls, monkeypatch
):
    # The render starts at 59.99 s and the next request comes at 0.3 s past: still the
    # page's minute (the live clock stands still), so the stored answer must still hold.
    moments = itertools.chain([1_700_000_039.99], itertools.repeat(1_700_000_040.3))

    class SteppingClock:
        @staticmethod
        def time():
            return next(moments)

    monkeypatch.setattr(pagecache, "time", SteppingClock)
    client.get("/gmwen4/")
    again = client.get("/gmwen4/")
    assert again.status_code == 200
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


def test_front_replays_exports_once_their_limit_counted_the_render(client, demo, flask_calls):
    answers = [client.get("/gmwen4/schedule.ics") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    # The render carries its count; the stored answer Flask then gives carries none, and is
    # the one the front keeps (a count would be stale in a replay).
    assert ["X-RateLimit-Limit" in a.headers for a in answers] == [True, False, False]
    assert len(flask_calls) == 2


def test_front_serves_a_publication_at_once(client, demo, flask_calls):
    client.get("/gmwen4/schedule?day=all")
    session = db.session.scalar(select(Session).filter_by(meeting=fourth(), number=1))
    session.title = "Released after the front recorded"
    db.session.commit()
    publish_agenda(fourth())
    assert "Released after the front recorded" in client.get("/gmwen4/schedule?day=all").text
    assert len(flask_calls) == 2


# Static files at their hashed address -----------------------------------------------------


def static_urls(client):
    """The static files' addresses as the schedule page gives them (with ``?v=``)."""
    html = client.get("/gmwen4/schedule").text
    return [u.replace("&amp;", "&") for u in re.findall(r'(?:href|src)="(/static/[^"]+)"', html)]


def test_front_replays_static_files_at_their_hashed_address(app, demo, flask_calls):
    client = app.test_client()
    urls = static_urls(client)
    assert len(urls) == 4
    calls = len(flask_calls)
    first = {url: client.get(url, headers={"Accept-Encoding": "br"}) for url in urls}
    again = {url: client.get(url, headers={"Accept-Encoding": "br"}) for url in urls}

    assert len(flask_calls) == calls + 4
    for url in urls:
        assert again[url].status_code == 200
        assert again[url].data == first[url].data
        assert again[url].headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert again[url].headers["X-Content-Type-Options"] == "nosniff"


def test_front_replays_a_static_file_per_encoding(app, demo, flask_calls):
    client = app.test_client()
    css = next(u for u in static_urls(client) if ".css" in u)
    calls = len(flask_calls)
    answers = {
        encoding: [client.get(css, headers={"Accept-Encoding": encoding}) for _ in range(2)]
        for encoding in ("br", "gzip", "identity")
    }

    assert len(flask_calls) == calls + 3
    plain = answers["identity"][1].data
    assert plain.startswith(b"/*") or b"{" in plain
    assert brotli.decompress(answers["br"][1].data) == plain
    assert gzip.decompress(answers["gzip"][1].data) == plain


def test_front_replays_static_files_to_signed_in_people_without_their_cookies(
    app, demo, organiser_client, flask_calls
):
    css = next(u for u in static_urls(app.test_client()) if ".css" in u)
    calls = len(flask_calls)
    mine = organiser_client.get(css)
    theirs = app.test_client().get(css)

    assert len(flask_calls) == calls + 1
    assert theirs.data == mine.data
    assert "Set-Cookie" not in theirs.headers


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v=../../x"])
def test_front_leaves_static_files_without_their_current_hash_to_flask(
    client, demo, flask_calls, query
):
    answers = [client.get(f"/static/css/site.css{query}") for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert len(flask_calls) == 2


def test_front_keeps_static_files_across_a_publication(client, demo, flask_calls):
    css = next(u for u in static_urls(client) if ".css" in u)
    client.get(css)
    publish_agenda(fourth())
    calls = len(flask_calls)

    assert client.get(css).status_code == 200
    assert len(flask_calls) == calls
