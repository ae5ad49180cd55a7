"""Organisers give a network's name and description their French and Spanish versions in
the network's form: stored in ``translations``, an empty one removed, one too long refused
at its field with nothing changed, the stored ones shown when the form opens."""

import pytest

from tests.conftest import HTMX, audit_entries, csrf_token, field_error, organiser_client
from tests.factories import make_network
from wenevents.extensions import db
from wenevents.networks.models import Network

# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client


def network_data(network, **overrides):
    """What the edit form of ``network`` sends, its English as stored, with ``overrides``."""
    values = {
        "acronym": network.acronym, "name": network.name, "region": "", "website": "",
        "member_countries": "", "description": network.description, **overrides,
    }  # fmt: skip
    return {f"n{network.id}-{name}": value for name, value in values.items()}


def edit(client, network, headers=None, **overrides):
    token = csrf_token(client.get("/manage/networks/").text)
    data = {"csrf_token": token, **network_data(network, **overrides)}
    return client.post(f"/manage/networks/{network.id}", data=data, headers=headers)


def stored(network):
    db.session.expire_all()
    network = db.session.get(Network, network.id)
    return network.name, network.translations


@pytest.mark.parametrize("headers", [HTMX, None], ids=["htmx", "no-js"])
def test_network_form_stores_french_and_spanish_versions(organiser, headers):
    network = make_network(acronym="NAWEG", name="North American WEN", description="")

    response = edit(
        organiser, network, headers, name_fr="Réseau nord-américain",
        name_es="Red norteamericana", description_fr="Depuis 2008.",
    )  # fmt: skip

    assert response.status_code == (200 if headers else 303)
    assert stored(network) == (
        "North American WEN",
        {"fr": {"name": "Réseau nord-américain", "description": "Depuis 2008."},
         "es": {"name": "Red norteamericana"}},
    )  # fmt: skip
    assert audit_entries("network.update")[-1].details == {
        "fields": ["name_fr", "name_es", "description_fr"]
    }


def test_new_network_form_stores_versions(organiser):
    token = csrf_token(organiser.get("/manage/networks/").text)
    data = {
        "csrf_token": token, "new-acronym": "WAWEN", "new-name": "West Africa WEN",
        "new-name_es": "Red de África Occidental", "new-region": "", "new-website": "",
        "new-member_countries": "", "new-description": "", "new-description_fr": "",
    }  # fmt: skip

    response = organiser.post("/manage/networks/", data=data, headers=HTMX)

    assert response.status_code == 200
    network = db.session.scalars(db.select(Network)).one()
    assert network.translations == {"es": {"name": "Red de África Occidental"}}


def test_network_form_empty_version_removes_it(organiser):
    network = make_network(
        acronym="NAWEG", name="North American WEN", description="",
        translations={"fr": {"name": "Réseau", "description": "Depuis 2008."},
                      "es": {"name": "Red"}},
    )  # fmt: skip

    response = edit(organiser, network, HTMX, name_fr="", description_fr="Depuis 2008.", name_es="")

    assert response.status_code == 200
    assert stored(network) == ("North American WEN", {"fr": {"description": "Depuis 2008."}})
    assert audit_entries("network.update")[-1].details == {"fields": ["name_fr", "name_es"]}


def test_network_form_version_too_long_changes_nothing(organiser):
    network = make_network(
        acronym="NAWEG", name="Kept", description="", translations={"es": {"name": "Red"}}
    )

    response = edit(organiser, network, HTMX, name="Changed", name_fr="x" * 301)

    assert response.status_code == 422
    assert field_error(response.text, f"n{network.id}-name_fr") == (
        "Field cannot be longer than 300 characters."
    )
    assert stored(network) == ("Kept", {"es": {"name": "Red"}})
    assert audit_entries("network.update") == []


def test_network_form_shows_stored_versions(organiser):
    network = make_network(
        acronym="NAWEG", translations={"fr": {"name": "Réseau"}, "es": {"description": "Red."}}
    )
    prefix = f"n{network.id}"

    fragment = organiser.get(f"/manage/networks/{network.id}", headers=HTMX).text

    assert (
        f'<input id="{prefix}-name_fr" lang="fr" maxlength="300" name="{prefix}-name_fr" '
        'type="text" value="Réseau">'
    ) in fragment
    assert (
        f'<textarea id="{prefix}-description_es" lang="es" maxlength="5000" '
        f'name="{prefix}-description_es" rows="6">\r\nRed.</textarea>'
    ) in fragment
    assert f'<label for="{prefix}-name_es">Full name (Spanish)</label>' in fragment
