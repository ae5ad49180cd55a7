"""Text that people type is shown as text: hostile names never become markup, in pages or
in the htmx fragments that are swapped into them."""

import pytest
from markupsafe import escape

from tests.conftest import (
    OTHER_PASSWORD,
    accept_invitation,
    link_in,
    outbox,
    send_invitation,
)
from wenevents.accounts.models import DELEGATE, User
from wenevents.audit import services as audit
from wenevents.extensions import db

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '<div hx-get="/logout" hx-trigger="load">',
]
IDS = ["script", "img-onerror", "hx-get"]


def _assert_escaped(page, payload):
    assert payload not in page
    assert str(escape(payload)) in page
    for markup in ("<script>alert", "<img src=x", 'hx-get="/logout"', 'hx-trigger="load"'):
        assert markup not in page


@pytest.fixture
def hostile_user(request, make_user, auth):
    """An organiser signed in, and a delegate named ``request.param`` (set in the database)."""
    make_user("org@example.org")
    user = make_user("hostile@example.org", DELEGATE, name=request.param)
    auth.login("org@example.org")
    return user


@pytest.mark.parametrize("hostile_user", HOSTILE, ids=IDS, indirect=True)
def test_hostile_name_is_escaped_in_user_list(client, hostile_user):
    page = client.get("/manage/users").text

    _assert_escaped(page, hostile_user.name)


@pytest.mark.parametrize("hostile_user", HOSTILE, ids=IDS, indirect=True)
def test_hostile_name_is_escaped_in_user_search_fragment(client, hostile_user):
    response = client.get(
        "/manage/users",
        query_string={"q": "hostile"},
        headers={"HX-Request": "true", "HX-Target": "user-results"},
    )

    assert response.text.lstrip().startswith('<div id="user-results"')
    _assert_escaped(response.text, hostile_user.name)


@pytest.mark.parametrize("hostile_user", HOSTILE, ids=IDS, indirect=True)
def test_hostile_search_text_is_escaped_in_user_search_fragment(client, hostile_user):
    response = client.get(
        "/manage/users",
        query_string={"q": hostile_user.name},
        headers={"HX-Request": "true", "HX-Target": "user-results"},
    )

    assert "1 user matching" in response.text
    _assert_escaped(response.text, hostile_user.name)


@pytest.mark.parametrize("hostile_user", HOSTILE, ids=IDS, indirect=True)
def test_hostile_name_is_escaped_in_user_edit_row_fragment(client, hostile_user):
    response = client.get(
        f"/manage/users/{hostile_user.id}", headers={"HX-Request": "true", "HX-Target": ""}
    )

    assert response.text.lstrip().startswith(f'<tr id="user-{hostile_user.id}" class="row-editing"')
    _assert_escaped(response.text, hostile_user.name)


@pytest.mark.parametrize("hostile_user", HOSTILE, ids=IDS, indirect=True)
def test_hostile_name_is_escaped_in_user_row_fragment(client, hostile_user):
    response = client.get(f"/manage/users/{hostile_user.id}/row", headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith(f'<tr id="user-{hostile_user.id}"')
    _assert_escaped(response.text, hostile_user.name)


@pytest.mark.parametrize("hostile_user", HOSTILE, ids=IDS, indirect=True)
def test_hostile_name_is_escaped_in_user_edit_page(client, hostile_user):
    page = client.get(f"/manage/users/{hostile_user.id}").text

    _assert_escaped(page, hostile_user.name)


@pytest.mark.parametrize("hostile_user", HOSTILE, ids=IDS, indirect=True)
def test_hostile_text_is_escaped_in_audit_log(client, hostile_user):
    audit.record(
        f"user.{hostile_user.name}"[:60], hostile_user.name, target=hostile_user, actor=None
    )
    db.session.commit()

    page = client.get("/manage/audit/").text
    fragment = client.get(
        "/manage/audit/",
        query_string={"actor": hostile_user.name},
        headers={"HX-Request": "true", "HX-Target": "audit-results"},
    ).text
    filters = client.get("/manage/audit/", query_string={"actor": hostile_user.name}).text

    _assert_escaped(page, hostile_user.name)
    assert fragment.lstrip().startswith('<div id="audit-results"')
    assert hostile_user.name not in fragment
    _assert_escaped(filters, hostile_user.name)


@pytest.mark.parametrize("name", HOSTILE, ids=IDS)
def test_hostile_name_from_invitation_is_stored_as_typed_and_escaped(
    app, client, auth, new_auth, make_user, name
):
    make_user("org@example.org")
    auth.login("org@example.org")
    send_invitation(client, "invitee@example.org", DELEGATE)
    invitee = new_auth()

    accepted = accept_invitation(invitee.client, link_in(outbox(app)[0]), name, OTHER_PASSWORD)
    welcome = invitee.client.get(accepted.headers["Location"]).text
    listed = client.get("/manage/users").text
    fragment = client.get(
        "/manage/users",
        query_string={"q": "invitee"},
        headers={"HX-Request": "true", "HX-Target": "user-results"},
    ).text

    assert accepted.status_code == 303
    user = db.session.query(User).filter_by(email="invitee@example.org").one()
    assert user.name == name
    assert f"Welcome, {escape(name)}. Your account is ready: sign in" in welcome
    for page in (welcome, listed, fragment):
        _assert_escaped(page, name)
