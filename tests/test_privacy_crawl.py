"""No focal point's email address or phone number reaches anyone who is not signed in.

The crawl (tests/crawling.py) takes every GET route from the app's URL map at test time (so
routes other people add later are crawled too), fills in each parameter from the demo's
data, and asks each URL anonymously as a page and as every htmx fragment the site targets;
then it follows every link it finds. Exports (calendar, frab XML and JSON, PDF, feeds, CSV)
are routes like any other; compressed PDF streams and zipped files are opened before
searching them.
"""

import pytest
from sqlalchemy import select

from tests.crawling import (
    contact_details,
    crawl,
    fragments,
    get_rules,
    leaks,
    reached_rules,
    seed_urls,
)
from wenevents.extensions import db
from wenevents.networks.models import FocalPoint


@pytest.fixture
def crawled(app, demo, client):
    return crawl(client, seed_urls(app))


def test_crawl_reaches_every_get_route_and_the_demos_contact_pages(app, crawled):
    pages, targets = crawled

    assert reached_rules(app, pages) == {rule.rule for rule in get_rules(app)}
    # The public pages the contacts could be on were read: a public focal point's name shows.
    assert "Sarah Miller (fictional)" in pages["/networks/naweg"][0]
    assert {"network-results"} <= targets


def test_no_page_fragment_or_export_gives_anonymous_visitors_contact_details(
    app, demo, client, crawled
):
    pages, targets = crawled
    details = contact_details()
    assert len(details) > 100

    asked_as_htmx = fragments(client, pages, targets)

    assert leaks(pages, details) == []
    assert leaks(asked_as_htmx, details) == []


def test_the_crawls_contact_details_are_what_signed_in_pages_show(app, demo, client):
    from tests.conftest import csrf_token
    from wenevents import demo as demo_data

    passwords = {e: p for e, _r, p in demo_data.reset_demo_passwords()}
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"csrf_token": token, "email": "organiser@example.org",
                                "password": passwords["organiser@example.org"]})  # fmt: skip

    directory = client.get("/directory").text
    export = client.get("/manage/focal-points/export.csv").data.decode("utf-8-sig")

    # Without this, a crawl searching for the wrong spelling would find nothing and pass.
    for email, phone in db.session.execute(select(FocalPoint.email, FocalPoint.phone)):
        assert email in directory and phone in directory
        assert email in export
