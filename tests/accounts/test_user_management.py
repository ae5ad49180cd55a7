"""Organisers manage users in place with htmx (and without it, by full pages)."""

import re

import pytest

from tests.conftest import audit_entries, field_error, htmx_headers, post_form
from tests.factories import make_network
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER, User
from wenevents.accounts.services import USERS_PER_PAGE
from wenevents.extensions import db


@pytest.fixture
def htmx(client, organiser):
    """Headers of an htmx request from the users page (X-CSRFToken from hx-headers)."""
    return htmx_headers(client, "/manage/users")


def test_user_search_htmx_returns_results_fragment(client, organiser, make_user):
    make_user("alice@example.org", DELEGATE, name="Alice Adams")
    make_user("bob@example.org", DELEGATE, name="Bob Brown")

    response = client.get(
        "/manage/users",
        query_string={"q": "ADAMS"},
        headers={"HX-Request": "true", "HX-Target": "user-results"},
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="user-results" class="results">')
    assert "<html" not in response.text
    assert "1 user matching “ADAMS”" in response.text
    assert "alice@example.org" in response.text
    assert "bob@example.org" not in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_user_search_htmx_aimed_elsewhere_returns_whole_page(client, organiser):
    response = client.get(
        "/manage/users", headers={"HX-Request": "true", "HX-Target": "somewhere-else"}
    )

    assert response.text.lstrip().startswith("<!doctype html>")


def test_user_search_treats_like_wildcards_as_text(client, organiser, make_user):
    make_user("a_b@example.org", DELEGATE)
    make_user("axb@example.org", DELEGATE)

    response = client.get(
        "/manage/users",
        query_string={"q": "a_b"},
        headers={"HX-Request": "true", "HX-Target": "user-results"},
    )

    assert "1 user matching" in response.text
    assert "axb@example.org" not in response.text


def test_user_list_pages_by_fifty(client, organiser, make_user):
    for n in range(USERS_PER_PAGE + 5):
        db.session.add(User(email=f"user{n:03d}@example.org", role=DELEGATE))
    db.session.commit()

    first = client.get("/manage/users").text
    second = client.get("/manage/users", query_string={"page": 2}).text

    assert "56 users" in first
    assert first.count('<tr id="user-') == USERS_PER_PAGE
    assert second.count('<tr id="user-') == 6
    assert 'href="/manage/users?q=&amp;page=2"' in first


def test_user_edit_htmx_returns_updated_row(client, organiser, make_user, htmx):
    network = make_network(acronym="LAC-WEN")
    delegate = make_user("del@example.org", DELEGATE)

    response = client.post(
        f"/manage/users/{delegate.id}",
        data={"role": FOCAL_POINT, "networks": [str(network.id)]},
        headers={**htmx, "HX-Target": f"user-{delegate.id}"},
    )

    assert response.status_code == 200
    row = response.text.strip()
    assert row.startswith(f'<tr id="user-{delegate.id}" class="">')
    assert row.endswith("</tr>")
    assert "<td>Network focal point</td>" in row
    assert "<td>LAC-WEN</td>" in row
    user = db.session.get(User, delegate.id)
    assert (user.role, [n.acronym for n in user.networks]) == (FOCAL_POINT, ["LAC-WEN"])
    [entry] = audit_entries("user.role_change")
    assert entry.actor_email == "org@example.org"
    assert entry.summary == "del@example.org: delegate → focal_point (LAC-WEN)"
    assert entry.details == {"role": FOCAL_POINT, "networks": ["LAC-WEN"]}


def test_user_edit_without_htmx_redirects_to_list(client, organiser, make_user):
    delegate = make_user("del@example.org", DELEGATE)

    response = post_form(client, f"/manage/users/{delegate.id}", {"role": ORGANISER})

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/users"
    assert db.session.get(User, delegate.id).role == ORGANISER
    assert "Saved del@example.org." in client.get("/manage/users").text


def test_user_edit_unchanged_writes_no_audit_entry(client, organiser, make_user, htmx):
    delegate = make_user("del@example.org", DELEGATE)

    client.post(f"/manage/users/{delegate.id}", data={"role": DELEGATE}, headers=htmx)

    assert audit_entries("user.role_change") == []


def test_user_edit_focal_point_without_network_shows_message_in_edit_row(
    client, organiser, make_user, htmx
):
    delegate = make_user("del@example.org", DELEGATE)

    response = client.post(f"/manage/users/{delegate.id}", data={"role": FOCAL_POINT}, headers=htmx)

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="user-{delegate.id}" class="row-editing">')
    assert '-error">Choose at least one network for a focal point.</p>' in response.text
    assert db.session.get(User, delegate.id).role == DELEGATE


def test_user_edit_row_labels_and_errors_point_to_their_own_fields(
    client, organiser, make_user, htmx
):
    delegate = make_user("del@example.org", DELEGATE)
    make_network()

    response = client.post(f"/manage/users/{delegate.id}", data={"role": FOCAL_POINT}, headers=htmx)

    assert f'<label for="role-{delegate.id}">' in response.text
    assert f'<fieldset id="networks-{delegate.id}" class="field checkboxes field-invalid' in (
        response.text
    )
    assert f'aria-describedby="networks-{delegate.id}-help networks-{delegate.id}-error"' in (
        response.text
    )
    assert f'<label for="networks-{delegate.id}-0">' in response.text
    assert field_error(response.text, f"networks-{delegate.id}") == (
        "Choose at least one network for a focal point."
    )


def test_invitation_networks_are_checkboxes_in_a_fieldset(client, organiser):
    first, second = make_network(acronym="AAA"), make_network(acronym="BBB")

    page = client.get("/manage/users").text

    assert "<select multiple" not in page and 'multiple name="networks"' not in page
    group = re.search(r'<fieldset id="networks".*?</fieldset>', page, re.S)[0]
    assert "<legend>Networks (for focal points)</legend>" in group
    assert re.findall(
        r'<input type="checkbox" id="(networks-\d)" name="networks" value="(\d+)"', group
    ) == [
        ("networks-0", str(first.id)),
        ("networks-1", str(second.id)),
    ]
    assert '<label for="networks-1">BBB – ' in group


def test_user_edit_to_delegate_drops_networks(client, organiser, make_user, htmx):
    network = make_network()
    focal = make_user("fp@example.org", FOCAL_POINT, networks=[network])

    client.post(
        f"/manage/users/{focal.id}",
        data={"role": DELEGATE, "networks": [str(network.id)]},
        headers=htmx,
    )

    user = db.session.get(User, focal.id)
    assert (user.role, user.networks) == (DELEGATE, [])


def test_user_edit_unknown_user_is_not_found(client, organiser, htmx):
    response = client.post("/manage/users/99999", data={"role": ORGANISER}, headers=htmx)

    assert response.status_code == 404


def test_user_disable_htmx_returns_row_and_signs_user_out(
    client, organiser, make_user, new_auth, htmx
):
    delegate = make_user("del@example.org", DELEGATE)
    their_browser = new_auth()
    their_browser.login("del@example.org")

    response = client.post(
        f"/manage/users/{delegate.id}/disabled",
        data={"disabled": "1"},
        headers={**htmx, "HX-Target": f"user-{delegate.id}"},
    )

    assert response.status_code == 200
    row = response.text.strip()
    assert row.startswith(f'<tr id="user-{delegate.id}" class="row-disabled">')
    assert "<td>Disabled</td>" in row
    assert '<input type="hidden" name="disabled" value="0">' in row
    assert db.session.get(User, delegate.id).is_disabled is True
    assert their_browser.is_signed_in() is False
    assert their_browser.login("del@example.org").status_code == 200
    [entry] = audit_entries("user.disable")
    assert (entry.actor_email, entry.summary) == ("org@example.org", "del@example.org")
    assert entry.target_id == str(delegate.id)


def test_user_enable_htmx_lets_user_sign_in_again(client, organiser, make_user, new_auth, htmx):
    gone = make_user("gone@example.org", DELEGATE, disabled=True)

    response = client.post(
        f"/manage/users/{gone.id}/disabled", data={"disabled": "0"}, headers=htmx
    )

    assert "<td>Active</td>" in response.text
    assert db.session.get(User, gone.id).is_disabled is False
    assert new_auth().login("gone@example.org").status_code == 303
    [entry] = audit_entries("user.enable")
    assert entry.actor_email == "org@example.org"


def test_user_disable_without_htmx_redirects_to_list(client, organiser, make_user):
    delegate = make_user("del@example.org", DELEGATE)

    response = post_form(
        client, "/manage/users", {"disabled": "1"}, f"/manage/users/{delegate.id}/disabled"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/users"
    assert db.session.get(User, delegate.id).is_disabled is True


def test_organiser_disabling_self_is_refused_with_409(client, auth, organiser, htmx):
    response = client.post(
        f"/manage/users/{organiser.id}/disabled", data={"disabled": "1"}, headers=htmx
    )

    assert response.status_code == 409
    assert (
        '<p class="message message-error" role="alert">You cannot disable your own account.</p>'
        in response.text
    )
    assert db.session.get(User, organiser.id).is_disabled is False
    assert audit_entries("user.disable") == []
    assert auth.is_signed_in() is True


def test_organiser_disabling_self_without_htmx_gets_409_page(client, auth, organiser):
    response = post_form(
        client, "/manage/users", {"disabled": "1"}, f"/manage/users/{organiser.id}/disabled"
    )

    assert response.status_code == 409
    assert "You cannot disable your own account." in response.text
    assert db.session.get(User, organiser.id).is_disabled is False


def test_user_list_offers_no_disable_button_for_self(client, organiser, make_user):
    other = make_user("del@example.org", DELEGATE)

    page = client.get("/manage/users").text

    assert f'action="/manage/users/{other.id}/disabled"' in page
    assert f'action="/manage/users/{organiser.id}/disabled"' not in page
