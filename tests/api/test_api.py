"""/api/v1/: public data only, the agenda as released (never the draft), ETags, CORS,
pages, JSON errors, and a query count that does not grow with the data."""

import pytest
from sqlalchemy import select

from tests.factories import publish_agenda
from wenevents import demo as demo_data
from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT, Meeting
from wenevents.networks.models import FocalPoint, Network
from wenevents.uploads.models import PARTICIPANTS, Document

API = "/api/v1"


def fourth():
    return db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))


def draft_session(number):
    return db.session.scalar(select(Session).filter_by(meeting=fourth(), number=number))


def get(client, path, **kwargs):
    response = client.get(API + path, **kwargs)
    assert response.headers["Content-Type"] == "application/json"
    return response


def test_api_index_names_its_collections(client, demo):
    response = get(client, "/")

    assert response.status_code == 200
    assert response.json == {
        "version": "1",
        "openapi": "/api/v1/openapi.json",
        "series": "/api/v1/series",
        "meetings": "/api/v1/meetings",
        "networks": "/api/v1/networks",
    }


def test_api_meetings_are_the_published_ones_latest_first(client, demo):
    db.session.scalar(select(Meeting).filter_by(acronym="gmwen2")).status = DRAFT
    db.session.commit()

    listed = get(client, "/meetings").json

    assert [m["acronym"] for m in listed["items"]] == ["gmwen4", "gmwen3", "gmwen1"]
    assert listed["pagination"] == {"page": 1, "per_page": 50, "total": 3, "pages": 1}
    assert get(client, "/meetings/gmwen2").status_code == 404
    assert get(client, "/meetings/gmwen4").json["networks"][:2] == ["asean-wen", "comifac"]


def test_api_sessions_are_the_release_not_the_draft(client, demo):
    before = get(client, "/meetings/gmwen4/sessions").json
    first = before["items"][0]
    draft_session(1).title = "Renamed in the draft only"
    db.session.commit()

    unpublished = get(client, "/meetings/gmwen4/sessions").json
    one = get(client, f"/meetings/gmwen4/sessions/{first['ref']}").json
    assert unpublished == before
    assert one["title"] == first["title"] != "Renamed in the draft only"

    publish_agenda(fourth())
    published = get(client, "/meetings/gmwen4/sessions").json
    assert published["release"] == before["release"] + 1
    assert published["items"][0]["title"] == "Renamed in the draft only"
    assert published["items"][0]["sequence"] == first["sequence"] + 1


def test_api_closed_session_shows_its_number_time_and_room_only(client, demo):
    session = draft_session(2)
    session.is_public = False
    db.session.commit()
    publish_agenda(fourth())

    listed = get(client, "/meetings/gmwen4/sessions").json["items"]
    closed = next(s for s in listed if s["number"] == 2)

    assert closed["is_public"] is False
    assert (closed["title"], closed["description"], closed["objectives"]) == ("", "", "")
    assert (closed["chairs"], closed["items"], closed["translations"]) == ([], [], {})
    assert closed["starts_at"] == session.starts_at.strftime("%H:%M:%S")


def test_api_sessions_before_a_release_are_a_404(client, demo):
    db.session.add(
        Meeting(
            series=fourth().series,
            number=9,
            acronym="gmwen9",
            title="Ninth",
            start_date=fourth().start_date,
            end_date=fourth().end_date,
            timezone="UTC",
            status="published",
        )
    )
    db.session.commit()

    assert get(client, "/meetings/gmwen9").json["release"] is None
    answer = get(client, "/meetings/gmwen9/sessions")
    assert (answer.status_code, answer.json) == (
        404,
        {"status": 404, "error": "No such agenda, or it is not public."},
    )


def test_api_answer_revalidates_with_its_etag(client, demo):
    first = get(client, "/meetings/gmwen4/sessions")
    etag = first.headers["ETag"]

    again = client.get(API + "/meetings/gmwen4/sessions", headers={"If-None-Match": etag})
    assert (again.status_code, again.data) == (304, b"")
    assert first.headers["Cache-Control"] == "public, no-cache"

    draft_session(1).room = "Another room"
    db.session.commit()
    publish_agenda(fourth())
    changed = client.get(API + "/meetings/gmwen4/sessions", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_api_may_be_read_from_any_origin(client, demo):
    answer = get(client, "/networks", headers={"Origin": "https://example.net"})
    preflight = client.options(
        API + "/networks",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Expose-Headers"] == "ETag, Link"
    assert "Access-Control-Allow-Credentials" not in answer.headers
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == "If-None-Match"


def test_api_pages_link_to_their_neighbours(client, demo):
    count = db.session.query(Network).count()
    answer = get(client, "/networks?page=2&per_page=5")

    assert answer.json["pagination"] == {
        "page": 2,
        "per_page": 5,
        "total": count,
        "pages": (count + 4) // 5,
    }
    assert len(answer.json["items"]) == 5
    assert answer.headers["Link"] == (
        '</api/v1/networks?page=1&per_page=5>; rel="prev", '
        '</api/v1/networks?page=3&per_page=5>; rel="next"'
    )
    # Stored with the page cache: a second reader gets the same header.
    assert get(client, "/networks?page=2&per_page=5").headers["Link"] == answer.headers["Link"]
    assert get(client, f"/networks?page={count}&per_page=5").json["items"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "page must be a whole number from 1 to 10000."),
        ("page=x", "page must be a whole number from 1 to 10000."),
        ("page=10001", "page must be a whole number from 1 to 10000."),
        ("page=%D9%A1", "page must be a whole number from 1 to 10000."),
        ("page=-1", "page must be a whole number from 1 to 10000."),
        ("per_page=101", "per_page must be a whole number from 1 to 100."),
        ("per_page=" + "9" * 40, "per_page must be a whole number from 1 to 100."),
    ],
)
def test_api_paging_refuses_what_it_does_not_describe(client, demo, query, message):
    answer = get(client, f"/meetings?{query}")

    assert (answer.status_code, answer.json) == (400, {"status": 400, "error": message})


@pytest.mark.parametrize(
    "path", ["/meetings/nope", "/series/nope", "/networks/nope", "/nothing", "/meetings/gmwen4/x"]
)
def test_api_unknown_address_is_a_json_404(client, demo, path):
    answer = get(client, path)

    assert answer.status_code == 404
    assert answer.json["status"] == 404
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_api_method_not_allowed_is_json_with_allow(client, demo):
    answer = client.post(API + "/meetings")

    assert answer.status_code == 405
    assert answer.json["status"] == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_api_documents_are_the_public_ones(client, demo):
    listed = get(client, "/meetings/gmwen4/documents").json["items"]
    report = next(d for d in listed if d["kind"] == "report")
    document = db.session.scalar(
        select(Document).filter_by(meeting=fourth(), kind="report", language="en")
    )

    assert report["versions"][0] == {
        "language": "en",
        "url": f"/gmwen4/materials/{document.id}",
        "mimetype": document.current.mimetype,
        "size": document.current.size,
        "sha256": document.current.sha256,
    }
    document.access = PARTICIPANTS
    db.session.commit()
    after = get(client, "/meetings/gmwen4/documents").json["items"]
    assert [d for d in after if d["kind"] == "report"] == []


def test_api_never_shows_personal_data(client, demo, make_user):
    make_user("organiser.hidden@example.org", name="Hidden Organiser")
    focal_point = db.session.scalar(select(FocalPoint).limit(1))
    paths = ["/", "/series", "/series/gmwen", "/meetings", "/meetings/gmwen4"]
    paths += ["/meetings/gmwen4/sessions", "/meetings/gmwen4/documents", "/networks"]
    paths += [f"/networks/{n.slug}" for n in db.session.scalars(select(Network))]

    text = "".join(get(client, path).text for path in paths)

    assert "@" not in text
    assert focal_point.name not in text
    assert "Hidden Organiser" not in text


def test_api_query_count_same_at_1x_and_10x(app, client, demo, count_queries):
    app.config["PUBLIC_CACHE"] = False  # rendering them: the stored answer costs one

    def queries(path):
        with count_queries() as seen:
            assert get(client, path).status_code == 200
        return len(seen)

    paths = ["/meetings", "/meetings/gmwen4/sessions", "/meetings/gmwen4/documents"]
    at_1x = {path: queries(path) for path in paths}
    demo_data.scale("gmwen4", sessions=80, items=600)
    publish_agenda(fourth())
    db.session.expire_all()
    at_10x = {path: queries(path) for path in paths}

    assert at_10x == at_1x
    assert at_1x == {
        "/meetings": 3,
        "/meetings/gmwen4/sessions": 1,
        "/meetings/gmwen4/documents": 7,
    }
