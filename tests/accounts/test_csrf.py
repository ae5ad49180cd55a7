"""Every state-changing POST needs the CSRF token of the person's own session; GET changes
nothing."""

import pytest

from tests.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    audit_entries,
    counts,
    csrf_token,
    htmx_csrf_token,
    outbox,
)
from wenevents.accounts import passwords
from wenevents.accounts.models import DELEGATE, ORGANISER, LoginSession, User
from wenevents.extensions import db

CSRF_MESSAGE = "This form has expired or was not sent from this site."

# path, whether the organiser is signed in first, form data (without a token)
UNPROTECTED_POSTS = [
    ("/login", False, {"email": "org@example.org", "password": PASSWORD}),
    ("/logout", True, {}),
    ("/forgot-password", False, {"email": "org@example.org"}),
    (
        "/account",
        True,
        {"current": PASSWORD, "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD},
    ),
    ("/manage/users/invite", True, {"email": "new@example.org", "role": DELEGATE}),
    ("/manage/users/{delegate}", True, {"role": ORGANISER}),
    ("/manage/users/{delegate}/disabled", True, {"disabled": "1"}),
]


def _state(organiser_id, delegate_id):
    organiser, delegate = db.session.get(User, organiser_id), db.session.get(User, delegate_id)
    return {
        **counts(),
        "live sessions": db.session.query(LoginSession).filter_by(ended_at=None).count(),
        "organiser password": organiser.password_hash,
        "delegate": (delegate.role, delegate.is_disabled),
    }


@pytest.mark.parametrize(
    "path, signed_in, data", UNPROTECTED_POSTS, ids=[p for p, *_ in UNPROTECTED_POSTS]
)
def test_post_without_csrf_token_is_refused_and_changes_nothing(
    app, client, auth, make_user, path, signed_in, data
):
    organiser = make_user("org@example.org")
    delegate = make_user("delegate@example.org", DELEGATE)
    if signed_in:
        auth.login("org@example.org")
    before = _state(organiser.id, delegate.id)

    response = client.post(path.format(delegate=delegate.id), data=data)

    assert response.status_code == 400
    assert CSRF_MESSAGE in response.text
    assert _state(organiser.id, delegate.id) == before
    assert outbox(app) == []
    assert auth.is_signed_in() is signed_in


def test_post_with_token_of_another_session_is_refused(app, client, auth, make_user, new_auth):
    make_user("org@example.org")
    auth.login("org@example.org")
    other = new_auth().client
    foreign_token = csrf_token(other.get("/login").text)
    before = counts()

    response = client.post("/logout", data={"csrf_token": foreign_token})

    assert response.status_code == 400
    assert counts() == before
    assert auth.is_signed_in() is True


def test_htmx_post_with_csrf_header_is_accepted(client, auth, make_user):
    make_user("org@example.org")
    delegate = make_user("delegate@example.org", DELEGATE)
    auth.login("org@example.org")
    token = htmx_csrf_token(client.get("/manage/users").text)

    response = client.post(
        f"/manage/users/{delegate.id}",
        data={"role": ORGANISER},
        headers={"HX-Request": "true", "HX-Target": f"user-{delegate.id}", "X-CSRFToken": token},
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="user-{delegate.id}"')
    assert db.session.get(User, delegate.id).role == ORGANISER


def test_htmx_post_with_wrong_csrf_header_is_refused(client, auth, make_user):
    make_user("org@example.org")
    delegate = make_user("delegate@example.org", DELEGATE)
    auth.login("org@example.org")

    response = client.post(
        f"/manage/users/{delegate.id}",
        data={"role": ORGANISER},
        headers={"HX-Request": "true", "X-CSRFToken": "not-a-token"},
    )

    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert db.session.get(User, delegate.id).role == DELEGATE


def test_logout_by_get_is_method_not_allowed(client, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    before = counts()

    response = client.get("/logout")

    assert response.status_code == 405
    assert "<h1>Method not allowed</h1>" in response.text
    assert counts() == before
    assert audit_entries("logout") == []
    assert auth.is_signed_in() is True


def test_logout_with_token_ends_session(client, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")

    response = auth.logout()

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert db.session.query(LoginSession).filter_by(ended_at=None).count() == 0
    assert [e.action for e in audit_entries("logout")] == ["logout"]
    assert auth.is_signed_in() is False


def test_login_with_token_signs_in_whatever_the_email_case(auth, make_user):
    user = make_user("org@example.org")

    response = auth.login("Org@Example.ORG", PASSWORD)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert auth.is_signed_in() is True
    assert passwords.verify(user.password_hash, PASSWORD)
