"""The materials pages' SQL does not grow with the data: measured at 1x and 10x the demo,
with ten times the slides too."""

import pytest
from sqlalchemy import select

from tests.factories import canonical, make_registration
from wenevents import demo as demo_data
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER
from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.networks.models import Network
from wenevents.uploads.models import Document, DocumentVersion

PAGES = [
    (None, "/gmwen4/materials"),
    (None, "/gmwen4/"),
    (None, "/gmwen4/materials.zip"),
    (None, "/gmwen4/materials/sessions/1.zip"),
    ("org@example.org", "/gmwen4/materials"),
    ("org@example.org", "/gmwen4/materials/upload"),
    ("org@example.org", "/manage/gmwen4/materials/completeness"),
    ("org@example.org", "/manage/gmwen4/materials/remind/{naweg}"),
    ("fp@example.org", "/gmwen4/materials/upload"),
    ("fp@example.org", "/gmwen4/materials"),
    # Delegates: one a participant (approved), one nobody vouched for (submitted).
    ("approved@example.org", "/gmwen4/materials"),
    ("submitted@example.org", "/gmwen4/materials"),
]


@pytest.fixture
def count_queries(app):
    from tests.conftest import count_queries as fixture

    return fixture.__wrapped__(app)


def more_slides(count):
    """Slides with one version for ``count`` more presentations (the files are not read)."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    taken = {d.agenda_item_id for d in meeting.documents}
    items = db.session.scalars(
        select(AgendaItem)
        .join(Session)
        .where(Session.meeting_id == meeting.id, AgendaItem.network_id.is_not(None))
        .order_by(AgendaItem.id)
    ).all()
    for item in [i for i in items if i.id not in taken][:count]:
        document = Document(
            meeting=meeting, kind="slides", title=item.title, agenda_item=item, position=1000
        )
        document.versions.append(
            DocumentVersion(
                number=1,
                stored_name="0" * 32 + ".pdf",
                original_name="slides.pdf",
                mimetype="application/pdf",
                size=10,
                sha256="0" * 64,
            )
        )
        db.session.add(document)
    db.session.commit()


def queries_for(client, count_queries, path):
    with count_queries() as queries:
        response = client.get(canonical(path))
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_materials_page_query_count_same_at_1x_and_10x(
    app, client, auth, make_user, count_queries, who, path
):
    # What rendering costs, for anonymous visitors too (tests/test_pagecache.py: stored).
    app.config["PUBLIC_CACHE"] = False
    demo_data.load()
    naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
    path = path.format(naweg=naweg.id)
    make_user("org@example.org", ORGANISER)
    make_user("fp@example.org", FOCAL_POINT, networks=[naweg])
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    for status in ("approved", "submitted"):
        make_user(f"{status}@example.org", DELEGATE)
        make_registration(meeting, email=f"{status}@example.org", status=status, network=naweg)
    if who:
        auth.login(who)
    client.get(path)  # the first request of a sign-in writes its session's bookkeeping
    at_1x = queries_for(client, count_queries, path)

    demo_data.scale("gmwen4", sessions=80, items=600)
    more_slides(200)
    db.session.expire_all()
    at_10x = queries_for(client, count_queries, path)

    assert at_10x == at_1x
