"""A page's query count must not grow with the data: measured at 1× and 10× the demo."""

import pytest

from tests.factories import canonical
from wenevents import demo as demo_data
from wenevents.extensions import db

PAGES = [
    "/",
    "/gmwen4/",
    "/gmwen4/schedule",
    "/gmwen4/schedule?day=all&network=asean-wen&tz=Asia/Tokyo",
    "/gmwen4/schedule/now",
    "/gmwen4/sessions/1",
    "/networks/asean-wen",
    # The exports of the released schedule.
    "/gmwen4/schedule.ics",
    "/gmwen4/sessions/1.ics",
    "/gmwen4/networks/asean-wen.ics",
    "/gmwen4/schedule.pdf",
    "/gmwen4/schedule/text",
]


def queries_for(client, count_queries, path):
    with count_queries() as queries:
        response = client.get(canonical(path))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", PAGES)
def test_page_query_count_same_at_1x_and_10x(client, demo, count_queries, path):
    at_1x = queries_for(client, count_queries, path)
    demo_data.scale("gmwen4", sessions=80, items=600)
    db.session.expire_all()
    at_10x = queries_for(client, count_queries, path)
    assert at_10x == at_1x


@pytest.mark.parametrize(("path", "limit"), [("/gmwen4/", 5), ("/gmwen4/schedule", 5)])
def test_meeting_and_schedule_pages_query_at_most_five_times(
    app, client, demo, count_queries, path, limit
):
    # Rendering them (tests/test_pagecache.py counts what the stored answer costs).
    app.config["PUBLIC_CACHE"] = False
    demo_data.scale("gmwen4", sessions=80, items=600)
    assert queries_for(client, count_queries, path) <= limit


def test_scale_reaches_eighty_sessions_and_six_hundred_items(app, demo):
    demo_data.scale("gmwen4", sessions=80, items=600)
    from wenevents.meetings.models import Meeting

    meeting = db.session.scalar(db.select(Meeting).filter_by(acronym="gmwen4"))
    assert len(meeting.sessions) == 80
    assert sum(len(s.items) for s in meeting.sessions) == 600
