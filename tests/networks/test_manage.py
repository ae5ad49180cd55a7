"""Organisers manage networks: add, edit in place, archive, and delete only what nothing
refers to (otherwise the reasons, and archiving instead)."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import HTMX, audit_entries, csrf_token, field_error, organiser_client
from tests.factories import (
    make_document,
    make_focal_point,
    make_item,
    make_meeting,
    make_network,
    make_registration,
    make_session,
    publish_agenda,
)
from wenevents.accounts.models import FOCAL_POINT
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT
from wenevents.networks.models import FocalPoint, Network

# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


def token(client):
    return csrf_token(client.get("/manage/networks/").text)


def network_data(prefix="new", **overrides):
    values = {
        "acronym": "WAWEN",
        "name": "West Africa Wildlife Enforcement Network",
        "region": "West Africa",
        "website": "https://wawen.example.org",
        "member_countries": "Ghana, Senegal",
        "description": "",
        **overrides,
    }
    return {f"{prefix}-{k}": v for k, v in values.items()}


def add(client, headers=None, **overrides):
    data = {"csrf_token": token(client), **network_data(**overrides)}
    return client.post("/manage/networks/", data=data, headers=headers)


def networks():
    db.session.expire_all()
    return db.session.scalars(select(Network).order_by(Network.id)).all()


def test_manage_networks_refuses_focal_points_and_asks_anonymous_to_sign_in(
    client, make_user, auth
):
    anonymous = client.get("/manage/networks/")
    make_user("fp@example.org", role=FOCAL_POINT)
    auth.login("fp@example.org")

    assert anonymous.status_code == 302
    assert client.get("/manage/networks/").status_code == 403


def test_add_network_in_place_updates_the_list_out_of_band(organiser):
    response = add(organiser, headers=HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form id="new-network"')
    assert "WAWEN added." in response.text
    section = '<section id="network-list" aria-label="Networks" data-hx-swap-oob="true">'
    assert section in response.text
    network = networks()[0]
    assert (network.slug, network.acronym, network.region) == ("wawen", "WAWEN", "West Africa")
    assert [e.summary for e in audit_entries("network.create")] == ["WAWEN"]


def test_add_network_without_js_redirects_to_its_card(organiser):
    response = add(organiser)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/manage/networks/#network-{networks()[0].id}"


def test_add_network_makes_a_free_slug_from_the_acronym(organiser):
    make_network(slug="wco-rilo-ca", acronym="RILO")

    add(organiser, acronym="WCO RILO CA")

    assert networks()[-1].slug == "wco-rilo-ca-2"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"acronym": ""}, "acronym", "This field is required."),
        ({"acronym": "naweg"}, "acronym", "Another network has this acronym."),
        ({"acronym": "A,B"}, "acronym", "An acronym cannot contain a comma, semicolon or |."),
        ({"name": ""}, "name", "This field is required."),
        ({"website": "javascript:alert(1)"}, "website",
         "Give an address starting with https:// or http://."),
        ({"website": "ftp://example.org"}, "website",
         "Give an address starting with https:// or http://."),
        ({"region": "x" * 101}, "region", "Field cannot be longer than 100 characters."),
        ({"description": "Zalgo" + "\u0301" * 6}, "description",
         "Too many accents or marks are stacked on one letter: use at most 4."),
    ],
)  # fmt: skip
def test_add_network_refuses_bad_input_at_the_field(organiser, overrides, field, message):
    make_network(slug="naweg", acronym="NAWEG")

    response = add(organiser, headers=HTMX, **overrides)

    assert response.status_code == 422
    assert field_error(response.text, f"new-{field}") == message
    assert len(networks()) == 1


def test_edit_network_in_place_returns_its_card(organiser):
    network = make_network(slug="naweg", acronym="NAWEG", name="Old name")
    data = {"csrf_token": token(organiser), **network_data(f"n{network.id}", acronym="NAWEG")}

    form = organiser.get(f"/manage/networks/{network.id}", headers=HTMX)
    response = organiser.post(f"/manage/networks/{network.id}", data=data, headers=HTMX)

    assert form.text.lstrip().startswith(
        f'<li id="network-{network.id}" class="manage-card editing">'
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="network-{network.id}" class="manage-card">')
    assert networks()[0].name == "West Africa Wildlife Enforcement Network"
    # The page stays where it was: links to it keep working.
    assert networks()[0].slug == "naweg"
    assert audit_entries("network.update")[0].details == {
        "fields": ["member_countries", "name", "region", "website"]
    }


def test_edit_network_to_another_networks_acronym_changes_nothing(organiser):
    make_network(acronym="LATF")
    network = make_network(acronym="NAWEG")
    data = {"csrf_token": token(organiser), **network_data(f"n{network.id}", acronym="latf")}

    response = organiser.post(f"/manage/networks/{network.id}", data=data, headers=HTMX)

    assert response.status_code == 422
    assert (
        field_error(response.text, f"n{network.id}-acronym") == "Another network has this acronym."
    )
    assert [n.acronym for n in networks()] == ["LATF", "NAWEG"]


def test_archive_hides_the_network_from_new_meetings_and_keeps_its_history(organiser, client):
    network = make_network(slug="old", acronym="OLDNET")
    meeting = make_meeting(networks=[network])
    make_item(make_session(meeting), network=network, title="Old talk")
    publish_agenda(meeting)

    response = organiser.post(
        f"/manage/networks/{network.id}/archive",
        data={"csrf_token": token(organiser), "archived": "1"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Bring back" in response.text
    assert networks()[0].is_archived
    assert "OLDNET" not in organiser.get("/manage/meetings/new").text
    page = organiser.get("/networks/old").text
    assert "This network is archived" in page
    assert "Old talk" in page
    assert [e.action for e in audit_entries()][-1] == "network.archive"


def test_unarchive_brings_the_network_back(organiser):
    network = make_network(is_archived=True)

    response = organiser.post(
        f"/manage/networks/{network.id}/archive", data={"csrf_token": token(organiser)}
    )

    assert response.status_code == 303
    assert not networks()[0].is_archived


def delete(client, network, headers=None):
    data = {"csrf_token": token(client)}
    return client.post(f"/manage/networks/{network.id}/delete", data=data, headers=headers)


def test_delete_unused_network_keeps_its_focal_points(organiser):
    network = make_network(acronym="TYPO")
    person = make_focal_point(networks=[network])

    response = delete(organiser, network, headers=HTMX)

    assert response.status_code == 200
    assert "TYPO deleted." in response.text
    assert networks() == []
    assert db.session.get(FocalPoint, person.id).networks == []
    assert [e.summary for e in audit_entries("network.delete")] == ["TYPO"]


def reasons(html):
    return re.findall(r"<li>(.*?)</li>", html.split('role="alert"')[1])


def test_delete_refuses_network_with_presentations_and_uploads_giving_reasons(organiser):
    network = make_network(acronym="NAWEG")
    meeting = make_meeting(acronym="gm4x", networks=[network])
    make_item(make_session(meeting), network=network)
    make_document(meeting, kind="information_sheet", network=network)
    make_registration(meeting, network=network)

    response = delete(organiser, network, headers=HTMX)

    assert response.status_code == 409
    assert reasons(response.text) == [
        # In the order of the layers: meetings, agenda, registration, uploads.
        "It took part in gm4x.",
        "It has presentations in the agenda of gm4x.",
        "1 registration names it.",
        "It has 1 document or upload (an information sheet, slides).",
    ]
    assert "Archive NAWEG" in response.text
    assert len(networks()) == 1


def test_delete_refuses_network_only_in_a_released_agenda(organiser):
    network = make_network(acronym="NAWEG")
    meeting = make_meeting(acronym="gm4x")
    item = make_item(make_session(meeting), network=network)
    publish_agenda(meeting)
    # The draft no longer has it, but the published release still shows it.
    db.session.delete(item)
    db.session.commit()

    response = delete(organiser, network)

    assert response.status_code == 409
    assert reasons(response.text) == ["It has presentations in the agenda of gm4x."]


def test_delete_question_lists_reasons_before_anything_is_sent(organiser):
    network = make_network(acronym="NAWEG")
    make_meeting(acronym="gm4x", networks=[network], status=DRAFT)

    response = organiser.get(f"/manage/networks/{network.id}/delete", headers=HTMX)

    assert response.status_code == 200
    assert reasons(response.text) == ["It took part in gm4x."]


def test_unknown_network_gets_404(organiser):
    assert organiser.get("/manage/networks/999").status_code == 404
    assert organiser.get("/manage/networks/999/delete").status_code == 404


def test_manage_networks_query_count_same_with_ten_times_the_networks(organiser, count_queries):
    def queries():
        db.session.expire_all()
        with count_queries() as statements:
            assert organiser.get("/manage/networks/").status_code == 200
        return len(statements)

    for _ in range(3):
        make_focal_point(networks=[make_network()])
    at_1x = queries()
    for n in range(27):
        make_focal_point(networks=[make_network(is_archived=n % 4 == 0)])
    at_10x = queries()

    assert at_10x == at_1x
