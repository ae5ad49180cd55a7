"""Organiser pages: 403 (audited) for other roles, the login page for anonymous people,
and for htmx a 401 with HX-Redirect instead of a login page swapped into a fragment."""

import pytest

from tests.conftest import audit_entries, counts, csrf_token
from tests.factories import make_network
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER, User
from wenevents.extensions import db

# method, path ({user}: another user's id), form data for POSTs
ORGANISER_ONLY = [
    ("GET", "/manage/users", None),
    ("GET", "/manage/audit/", None),
    ("POST", "/manage/users/invite", {"email": "new@example.org", "role": ORGANISER}),
    ("GET", "/manage/users/{user}", None),
    ("POST", "/manage/users/{user}", {"role": ORGANISER}),
    ("GET", "/manage/users/{user}/row", None),
    ("POST", "/manage/users/{user}/disabled", {"disabled": "1"}),
]
IDS = [f"{method} {path}" for method, path, _ in ORGANISER_ONLY]


@pytest.fixture
def other(make_user):
    """The user whom the pages would change: a delegate."""
    make_user("org@example.org")
    return make_user("other@example.org", DELEGATE)


def _request(client, method, path, data, token, other, headers=None):
    path = path.format(user=other.id)
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


@pytest.mark.parametrize("role", [FOCAL_POINT, DELEGATE])
@pytest.mark.parametrize("method, path, data", ORGANISER_ONLY, ids=IDS)
def test_organiser_page_for_other_role_is_forbidden_and_audited(
    client, auth, make_user, other, role, method, path, data
):
    networks = [make_network()] if role == FOCAL_POINT else []
    make_user("someone@example.org", role, networks=networks)
    auth.login("someone@example.org")
    token = csrf_token(client.get("/account").text)
    before = counts()

    response = _request(client, method, path, data, token, other)

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.text
    [denied] = audit_entries("access.denied")
    assert denied.actor_email == "someone@example.org"
    assert denied.summary.startswith("organiser page ")
    assert counts() == {**before, "AuditEntry": before["AuditEntry"] + 1}
    other = db.session.get(User, other.id)
    assert (other.role, other.is_disabled) == (DELEGATE, False)


@pytest.mark.parametrize(
    "path, location",
    [
        ("/manage/users", "/login?next=/manage/users"),
        ("/manage/users?q=abc", "/login?next=/manage/users?q%3Dabc"),
        ("/manage/audit/", "/login?next=/manage/audit/"),
        ("/manage/users/{user}", "/login?next=/manage/users/{user}"),
        ("/manage/users/{user}/row", "/login?next=/manage/users/{user}/row"),
        ("/account", "/login?next=/account"),
    ],
)
def test_organiser_page_for_anonymous_redirects_to_login(client, other, path, location):
    response = client.get(path.format(user=other.id))

    assert response.status_code == 302
    assert response.headers["Location"] == location.format(user=other.id)


@pytest.mark.parametrize(
    "method, path, data", [r for r in ORGANISER_ONLY if r[0] == "POST"], ids=IDS[2::2]
)
def test_organiser_post_for_anonymous_with_token_redirects_and_changes_nothing(
    client, other, method, path, data
):
    token = csrf_token(client.get("/login").text)
    before = counts()

    response = _request(client, method, path, data, token, other)

    # A form sent is not a page one can open: after signing in, back where one was.
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/"
    assert counts() == before
    other = db.session.get(User, other.id)
    assert (other.role, other.is_disabled) == (DELEGATE, False)


@pytest.mark.parametrize(
    "path, current_url, redirect_to",
    [
        (
            "/manage/users?q=ab",
            "http://localhost/manage/users?q=ab",
            "/login?next=/manage/users?q%3Dab",
        ),
        ("/manage/audit/", "http://localhost/manage/audit/", "/login?next=/manage/audit/"),
        ("/manage/users/{user}", "http://localhost/manage/users", "/login?next=/manage/users"),
        ("/manage/users", "https://evil.example//evil.example", "/login?next=/"),
    ],
)
def test_organiser_page_for_anonymous_htmx_gets_401_with_hx_redirect(
    client, other, path, current_url, redirect_to
):
    response = client.get(
        path.format(user=other.id),
        headers={"HX-Request": "true", "HX-Current-URL": current_url, "HX-Target": "user-results"},
    )

    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == redirect_to
    assert "Location" not in response.headers
    assert 'name="password"' not in response.text
    assert "user-results" not in response.text


def test_organiser_pages_for_organiser_are_shown(client, auth, other):
    auth.login("org@example.org")

    statuses = [
        client.get(path.format(user=other.id)).status_code
        for method, path, _ in ORGANISER_ONLY
        if method == "GET" and not path.endswith("/row")
    ]

    assert statuses == [200, 200, 200]
    assert audit_entries("access.denied") == []
