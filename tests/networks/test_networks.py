import re

import pytest

from tests.factories import make_item, make_meeting, make_network, make_session, publish_agenda
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT


def listed(html):
    return re.findall(r'<a href="/networks/([a-z0-9-]+)"><strong>', html)


def test_networks_page_lists_all_demo_networks_by_acronym(client, demo):
    html = client.get("/networks/").text
    assert len(listed(html)) == 14
    assert "14 networks" in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("africa", ["comifac", "ha-wen", "latf", "resg", "rilo-ca", "rilo-wa"]),
        ("SAWEN", ["sawen"]),
        ("customs", ["rilo-ca", "rilo-wa"]),
        ("%", []),
        ("_", []),
        ("  ", None),
    ],
)
def test_network_search_matches_acronym_name_or_region(client, demo, q, expected):
    html = client.get("/networks/", query_string={"q": q}).text
    found = listed(html)
    if expected is None:
        assert len(found) == 14
    else:
        assert found == expected


def test_network_search_htmx_request_gets_only_results_fragment(client, demo):
    response = client.get(
        "/networks/?q=africa", headers={"HX-Request": "true", "HX-Target": "network-results"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="network-results"')
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_network_search_htmx_request_for_other_target_gets_page(client, demo):
    response = client.get("/networks/?q=africa", headers={"HX-Request": "true"})
    assert response.text.startswith("<!doctype html>")


def test_network_search_history_restore_gets_page(client, demo):
    response = client.get(
        "/networks/?q=africa",
        headers={
            "HX-Request": "true",
            "HX-Target": "network-results",
            "HX-History-Restore-Request": "true",
        },
    )
    assert response.text.startswith("<!doctype html>")


def test_network_search_overlong_query_is_cut_not_refused(client, demo):
    response = client.get("/networks/", query_string={"q": "a" * 3_000})
    assert response.status_code == 200
    assert "0 networks" in response.text


def test_network_search_longer_than_any_address_is_refused_with_414(client, demo):
    # gunicorn's limit on the request line (web.MAX_URL_LENGTH), whatever serves the app.
    response = client.get("/networks/", query_string={"q": "a" * 5_000})
    assert response.status_code == 414
    assert "Address too long" in response.text


def test_network_page_shows_presentations_newest_meeting_first(client):
    network = make_network(slug="naweg", acronym="NAWEG", region="North America")
    older = make_meeting(title="Older", start_date=make_meeting().start_date.replace(year=2019))
    newer = make_meeting(title="Newer")
    for meeting, title in ((older, "Old talk"), (newer, "New talk")):
        meeting.networks.append(network)
        make_item(make_session(meeting), network=network, title=title)
        publish_agenda(meeting)
    db.session.commit()

    html = client.get("/networks/naweg").text

    assert html.index("Newer") < html.index("Older")
    assert html.index("New talk") < html.index("Old talk")
    assert "North America" in html


def test_network_page_leaves_out_closed_sessions_and_drafts(client):
    network = make_network(slug="resg")
    published = make_meeting()
    draft = make_meeting(status=DRAFT, title="Secret draft")
    published.networks.append(network)
    draft.networks.append(network)
    make_item(make_session(published, is_public=False), network=network, title="Closed talk")
    make_item(make_session(draft), network=network, title="Draft talk")
    publish_agenda(published)
    publish_agenda(draft)
    make_item(make_session(published), network=network, title="Unpublished talk")
    db.session.commit()

    html = client.get("/networks/resg").text

    assert "Closed talk" not in html
    assert "Draft talk" not in html
    assert "Secret draft" not in html
    assert "Unpublished talk" not in html


def test_archived_network_is_hidden_from_list_but_keeps_its_page(client):
    make_network(slug="old", acronym="OLDNET", is_archived=True)
    assert "OLDNET" not in client.get("/networks/").text
    response = client.get("/networks/old")
    assert response.status_code == 200
    assert "This network is archived" in response.text
