"""Password reset end to end, the mail written to instance/outbox/ (no MAIL_SERVER)."""

from datetime import timedelta

import pytest

from tests.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    audit_entries,
    counts,
    field_error,
    link_in,
    outbox,
    path_of,
    post_form,
    without_csrf,
)
from wenevents.accounts import passwords
from wenevents.accounts.models import DELEGATE, LoginSession, Token, User
from wenevents.clock import utcnow
from wenevents.extensions import db

SENT = "If an account uses this address, we have sent it a link to choose a new password."
LINK_INVALID = "<h1>This link no longer works</h1>"


def _request_reset(client, email):
    return post_form(client, "/forgot-password", {"email": email})


def _set_new_password(client, link, password=OTHER_PASSWORD, confirm=None):
    client.get(path_of(link))
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return post_form(client, "/reset-password", data)


@pytest.fixture
def user(make_user):
    return make_user("person@example.org", DELEGATE)


def test_reset_request_known_address_writes_one_message_with_link(app, client, user):
    response = _request_reset(client, "Person@Example.org")

    assert response.status_code == 200
    assert SENT in response.text
    [message] = outbox(app)
    assert message["To"] == "person@example.org"
    assert message["Subject"] == "Reset your wenevents password"
    assert link_in(message).startswith("http://localhost/reset-password/")
    assert "it works once, for 2 hours" in message.get_content()
    [token] = db.session.query(Token).all()
    assert (token.purpose, token.user_id) == ("reset", user.id)
    [entry] = audit_entries("password.reset_requested")
    assert (entry.actor_email, entry.summary) == ("", "person@example.org")


def test_reset_request_unknown_address_writes_nothing_and_shows_same_page(app, new_auth, user):
    known = _request_reset(new_auth().client, "person@example.org")
    before = counts()

    unknown = _request_reset(new_auth().client, "nobody@example.org")

    assert unknown.status_code == known.status_code == 200
    assert without_csrf(unknown.text) == without_csrf(known.text)
    assert len(outbox(app)) == 1
    assert counts() == before


def test_reset_request_disabled_account_writes_nothing(app, client, make_user):
    make_user("gone@example.org", DELEGATE, disabled=True)

    response = _request_reset(client, "gone@example.org")

    assert SENT in response.text
    assert outbox(app) == []


def test_reset_link_redirects_to_form_without_token_in_url(app, client, user):
    _request_reset(client, "person@example.org")
    link = link_in(outbox(app)[0])

    response = client.get(path_of(link))
    page = client.get("/reset-password")

    assert response.status_code == 303
    assert response.headers["Location"] == "/reset-password"
    assert page.status_code == 200
    assert "For person@example.org. Every device signed in to this account" in page.text


def test_reset_link_sets_new_password_once(app, auth, new_auth, user):
    _request_reset(auth.client, "person@example.org")
    link = link_in(outbox(app)[0])

    response = _set_new_password(auth.client, link)
    again = new_auth().client
    again.get(path_of(link))
    second = again.get("/reset-password")

    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert passwords.verify(db.session.get(User, user.id).password_hash, OTHER_PASSWORD)
    assert db.session.query(Token).one().used_at is not None
    assert second.status_code == 400
    assert LINK_INVALID in second.text
    assert auth.login("person@example.org", PASSWORD).status_code == 200
    assert auth.login("person@example.org", OTHER_PASSWORD).status_code == 303
    [entry] = audit_entries("password.reset")
    assert entry.actor_email == "person@example.org"


def test_reset_signs_out_every_old_session(app, client, new_auth, user):
    phone, laptop = new_auth(), new_auth()
    phone.login("person@example.org")
    laptop.login("person@example.org")
    _request_reset(client, "person@example.org")

    _set_new_password(client, link_in(outbox(app)[0]))

    assert phone.is_signed_in() is False
    assert laptop.is_signed_in() is False
    assert db.session.query(LoginSession).filter_by(ended_at=None).count() == 0


@pytest.mark.parametrize(
    "password, confirm, field, message",
    [
        (
            "qwertyuiop12",
            "qwertyuiop12",
            "password",
            "This is similar to a commonly used password. "
            "This password is too easy to guess; a few unrelated words make a strong one.",
        ),
        ("short", "short", "password", "Use at least 12 characters."),
        (OTHER_PASSWORD, PASSWORD, "confirm", "The two passwords differ."),
    ],
    ids=["guessable", "short", "mismatch"],
)
def test_reset_refused_password_shows_message_at_field_and_keeps_link(
    app, client, user, password, confirm, field, message
):
    _request_reset(client, "person@example.org")

    response = _set_new_password(client, link_in(outbox(app)[0]), password, confirm)

    assert response.status_code == 200
    assert field_error(response.text, field) == message
    assert passwords.verify(db.session.get(User, user.id).password_hash, PASSWORD)
    assert db.session.query(Token).one().used_at is None
    assert client.get("/reset-password").status_code == 200


def test_reset_expired_link_shows_link_invalid(app, client, user):
    _request_reset(client, "person@example.org")
    token = db.session.query(Token).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    client.get(path_of(link_in(outbox(app)[0])))
    page = client.get("/reset-password")

    assert page.status_code == 400
    assert LINK_INVALID in page.text


def test_reset_form_without_link_shows_link_invalid(client):
    page = client.get("/reset-password")

    assert page.status_code == 400
    assert LINK_INVALID in page.text


def test_invitation_link_does_not_reset_password(app, auth, new_auth, user, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    post_form(
        auth.client,
        "/manage/users",
        {"email": "new@example.org", "role": DELEGATE},
        "/manage/users/invite",
    )
    invitation_link = link_in(outbox(app)[0])
    other = new_auth().client

    other.get("/reset-password/" + invitation_link.rsplit("/", 1)[1])
    page = other.get("/reset-password")

    assert page.status_code == 400
