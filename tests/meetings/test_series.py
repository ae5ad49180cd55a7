"""The series pages: every published edition with its place, dates, the event alongside,
its documents and networks; meeting pages link the editions before and after."""

import re
from datetime import date

import pytest

from tests.factories import make_document, make_meeting, make_network, make_series
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT


def editions_listed(html):
    return re.findall(r'<h2 id="edition-([a-z0-9-]+)">', html)


def test_series_page_lists_every_demo_edition_newest_first(client, demo):
    response = client.get("/series/gmwen")

    assert response.status_code == 200
    assert editions_listed(response.text) == ["gmwen4", "gmwen3", "gmwen2", "gmwen1"]
    assert "<h1>Global Meeting of Wildlife Enforcement Networks</h1>" in response.text


@pytest.mark.parametrize(
    "fact",
    [
        '<dd><time datetime="2023-11-21">21–22 November 2023</time></dd>',
        "<dd>Panama Convention Center, Panama City, Panama</dd>",
        "<dd>the 19th meeting of the Conference of the Parties to CITES (CoP19)</dd>",
        "<dd>Bangkok, Thailand</dd>",
        "<dd>CITES CoP16</dd>",
        '<a href="/gmwen4/materials/1" hreflang="en">Report of the meeting</a>',
        "<dt>14 networks</dt>",
        '<a href="/networks/naweg" title="North America Wildlife Enforcement Group">NAWEG</a>',
    ],
)
def test_series_page_shows_each_editions_facts(client, demo, fact):
    assert fact in client.get("/series/gmwen").text


def test_series_page_leaves_out_drafts_and_restricted_documents(client):
    series = make_series(slug="wen", name="WEN meetings")
    published = make_meeting(series=series, number=1, acronym="wen1", title="Published one")
    make_meeting(series=series, number=2, acronym="wen2", title="Draft one", status=DRAFT)
    make_document(published, title="Public report", url="https://example.org/r.pdf")
    make_document(published, title="Agenda")
    make_document(published, title="Participants list", access="participants")

    html = client.get("/series/wen").text

    assert editions_listed(html) == ["wen1"]
    assert "Draft one" not in html
    assert '<a href="https://example.org/r.pdf" hreflang="en">Public report</a>' in html
    # A slot without a file yet: its meeting's page says so.
    assert '<a href="/wen1/#documents-heading">Agenda</a>' in html
    assert "Participants list" not in html


def test_series_page_of_unknown_series_is_404(client):
    assert client.get("/series/nope").status_code == 404


def test_series_page_without_published_edition_says_so(client):
    make_series(slug="empty", name="Empty series")

    assert "No meeting of this series has been published yet." in client.get("/series/empty").text


def test_meeting_page_links_both_neighbours_and_the_series(client, demo):
    html = client.get("/gmwen2/").text

    assert (
        '<a rel="prev" href="/gmwen1/">← Previous edition: First Global Meeting of Wildlife '
        "Enforcement Networks</a>"
    ) in html
    assert (
        '<a rel="next" href="/gmwen3/">Next edition: Third Global Meeting of Wildlife '
        "Enforcement Networks →</a>"
    ) in html
    assert '<a href="/series/gmwen">All editions</a>' in html
    assert '<a href="/series/gmwen">Global Meeting of Wildlife Enforcement Networks</a>' in html


def test_meeting_page_skips_a_draft_neighbour(client):
    series = make_series(slug="s")
    for number, status in ((1, "published"), (2, DRAFT), (3, "published")):
        make_meeting(series=series, number=number, acronym=f"edit{number}", status=status)

    html = client.get("/edit3/").text

    assert 'rel="prev" href="/edit1/"' in html
    assert "/edit2/" not in html


def test_editions_page_links_the_series_page(client, demo):
    assert (
        '<a href="/series/gmwen">Every edition of the Global Meeting of Wildlife Enforcement '
        "Networks, with its documents and networks</a>" in client.get("/editions").text
    )


def test_series_page_query_count_same_with_ten_times_the_editions(client, count_queries):
    series = make_series(slug="big")
    networks = [make_network() for _ in range(3)]

    def add(numbers):
        for n in numbers:
            meeting = make_meeting(series=series, number=n, acronym=f"big{n:03d}",
                                   start_date=date(2000 + n, 1, 1), end_date=date(2000 + n, 1, 2),
                                   networks=networks)  # fmt: skip
            make_document(meeting, title=f"Report {n}")

    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get("/series/big").status_code == 200
        return len(statements)

    add(range(1, 4))
    at_1x = queries()
    add(range(4, 31))
    at_10x = queries()

    assert at_10x == at_1x
