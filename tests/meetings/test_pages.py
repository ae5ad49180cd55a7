from datetime import date

import pytest

from tests.factories import make_meeting, make_network
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT

SEED_FACTS = [
    "4th Global Meeting of Wildlife Enforcement Networks",
    "21–22 November 2023",
    "Panama",
    "the 19th meeting of the Conference of the Parties to CITES (CoP19)",
    "The Secretariat of the Convention on International Trade in Endangered Species of Wild "
    "Fauna and Flora (CITES)",
    "International Consortium on Combating Wildlife Crime (ICCWC)",
    "With generous funding support from the United States of America.",
    "The meeting provided a platform for further enhancing synergies between existing "
    "initiatives and regional enforcement bodies",
    "Report of the meeting",
    "Agenda of the meeting",
    "Press release",
    "Directory of network focal points",
    "All content and materials included in the presentations is the sole responsibility of "
    "the respective presenters.",
    "Session 1 – Outcomes from the 3rd Global meeting of WENs and activities undertaken in "
    "this regard",
    "Session 2 – Increased collaboration and communication, both within and between networks",
    "Session 3 – Exploring opportunities to further enhance synergies and collaboration",
    "Session 5 – Promoting the use of existing tools and services",
    "Session 6 – Operational support and opportunities for WEN engagement",
    "Session 8 – Identification of key wildlife crime trends and associated matters and "
    "engagement in operational activities at global/regional level",
    "held in the margins of CITES CoP16</a> (Bangkok, 2013)",
    "held in the margins of CITES CoP17</a> (Johannesburg, 2016)",
    "held in the margins of CITES CoP18</a> (Geneva, 2019)",
    "Demo data.",
]


@pytest.mark.parametrize("fact", SEED_FACTS)
def test_meeting_page_shows_seed_fact(client, demo, fact):
    html = client.get("/gmwen4/").text.replace("\n      ", " ").replace("\n", " ")
    html = " ".join(html.split())
    assert fact.replace("</a>", "") in html.replace("</a>", "")


def test_meeting_page_lists_all_fourteen_networks(client, demo):
    html = client.get("/gmwen4/").text
    for acronym in [
        "ASEAN-WEN", "NICEGG", "COMIFAC", "EU EWG", "EUROPOL", "HA-WEN", "SudWEN",
        "LATF", "NAWEG", "ROAVIS", "RESG", "SAWEN", "WCO RILO CA", "WCO RILO WA",
    ]:  # fmt: skip
        assert f"<strong>{acronym}</strong>" in html


def test_meeting_page_without_trailing_slash_answers_directly(client, demo):
    response = client.get("/gmwen4")
    assert response.status_code == 200


def test_meeting_page_links_previous_edition(client, demo):
    html = client.get("/gmwen4/").text
    assert 'rel="prev" href="/gmwen3/"' in html
    assert 'rel="next"' not in html


def test_home_lists_editions_newest_first(client, demo):
    html = client.get("/").text
    positions = [html.index(f'href="/gmwen{n}/"') for n in (4, 3, 2, 1)]
    assert positions == sorted(positions)


def test_editions_page_names_place_and_event(client, demo):
    html = client.get("/editions").text
    assert "Bangkok, Thailand · alongside CITES CoP16" in html
    assert "Johannesburg, South Africa · alongside CITES CoP17" in html
    assert "Geneva, Switzerland · alongside CITES CoP18" in html


def test_home_without_meetings_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No meeting has been published yet." in response.text


def test_draft_meeting_is_not_public(client):
    make_meeting(acronym="draft1", status=DRAFT)
    assert client.get("/draft1/").status_code == 404
    assert client.get("/draft1/schedule").status_code == 404
    assert "draft1" not in client.get("/").text


@pytest.mark.parametrize("path", ["/nope9/", "/nope", "/networks/nope", "/a/b/c", "/NOPE/"])
def test_unknown_path_gets_404_in_site_layout(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert 'class="site-header"' in response.text


def test_meeting_page_escapes_hostile_text(client):
    hostile = '"><img src=x onerror=alert(1)><div hx-get="/logout" hx-trigger="load">'
    network = make_network(name=hostile, acronym="<script>x</script>")
    meeting = make_meeting(title=hostile, held_alongside=hostile)
    meeting.networks.append(network)
    db.session.commit()

    html = client.get(f"/{meeting.acronym}/").text

    assert "<img src=x" not in html
    assert '<div hx-get="/logout"' not in html
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_single_day_meeting_shows_one_date(client):
    meeting = make_meeting(start_date=date(2019, 8, 22), end_date=date(2019, 8, 22))
    assert "22 August 2019" in client.get(f"/{meeting.acronym}/").text
