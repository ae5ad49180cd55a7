"""A sign-in lives on the server: logout, a password change, disabling and inactivity end
it, and a copied cookie then signs nobody in."""

from datetime import timedelta

import pytest

from tests.conftest import OTHER_PASSWORD, PASSWORD, field_error, post_form
from wenevents.accounts import passwords
from wenevents.accounts.models import DELEGATE, LoginSession, User
from wenevents.clock import utcnow
from wenevents.extensions import db

SIGNED_OUT = "/login?next=/account"


def _cookie(client):
    return client.get_cookie("session").value


def _replay(app, cookie):
    """GET /account from another browser holding a copy of ``cookie``."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/account")


def test_session_cookie_replayed_before_logout_is_signed_in(app, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")

    response = _replay(app, _cookie(auth.client))

    assert response.status_code == 200


def test_session_cookie_replayed_after_logout_is_signed_out(app, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    cookie = _cookie(auth.client)

    auth.logout()
    response = _replay(app, cookie)

    assert response.status_code == 302
    assert response.headers["Location"] == SIGNED_OUT


def test_session_cookie_replayed_after_password_change_elsewhere_is_signed_out(
    app, auth, new_auth, make_user
):
    make_user("org@example.org")
    auth.login("org@example.org")
    cookie = _cookie(auth.client)
    laptop = new_auth()
    laptop.login("org@example.org")

    changed = post_form(
        laptop.client,
        "/account",
        {"current": PASSWORD, "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD},
    )
    response = _replay(app, cookie)

    assert changed.status_code == 303
    assert response.status_code == 302
    assert response.headers["Location"] == SIGNED_OUT
    assert auth.is_signed_in() is False
    assert laptop.is_signed_in() is True


def test_session_cookie_replayed_after_account_disabled_is_signed_out(
    app, auth, new_auth, make_user
):
    make_user("org@example.org")
    delegate = make_user("delegate@example.org", DELEGATE)
    auth.login("delegate@example.org")
    cookie = _cookie(auth.client)
    organiser = new_auth()
    organiser.login("org@example.org")

    disabled = post_form(
        organiser.client,
        "/manage/users",
        {"disabled": "1"},
        f"/manage/users/{delegate.id}/disabled",
    )
    response = _replay(app, cookie)

    assert disabled.status_code == 303
    assert db.session.get(User, delegate.id).is_disabled is True
    assert response.status_code == 302
    assert response.headers["Location"] == SIGNED_OUT
    assert auth.is_signed_in() is False


def test_session_idle_beyond_timeout_is_signed_out(app, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    login = db.session.query(LoginSession).one()
    login.last_seen_at = utcnow() - timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    db.session.commit()

    response = auth.client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"] == SIGNED_OUT
    assert db.session.get(LoginSession, login.id).ended_at is not None


def test_session_idle_within_timeout_stays_signed_in_and_is_touched(app, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    login = db.session.query(LoginSession).one()
    idle_since = utcnow() - timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"] - 1)
    login.last_seen_at = idle_since
    db.session.commit()

    response = auth.client.get("/account")

    assert response.status_code == 200
    refreshed = db.session.get(LoginSession, login.id)
    assert refreshed.last_seen_at > idle_since + timedelta(minutes=1)
    assert refreshed.ended_at is None


def test_session_older_than_maximum_is_signed_out(app, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    login = db.session.query(LoginSession).one()
    login.created_at = utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
    db.session.commit()

    response = auth.client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"] == SIGNED_OUT


def test_login_gives_a_new_session_cookie(auth, make_user):
    make_user("org@example.org")
    auth.client.get("/login")
    before = _cookie(auth.client)

    auth.login("org@example.org")

    assert _cookie(auth.client) != before
    assert db.session.query(LoginSession).one().token_hash not in _cookie(auth.client)


# Changing one's password --------------------------------------------------------------


def test_change_password_wrong_current_shows_message_at_field(auth, make_user):
    user = make_user("org@example.org")
    auth.login("org@example.org")

    response = post_form(
        auth.client,
        "/account",
        {
            "current": "not my password at all",
            "password": OTHER_PASSWORD,
            "confirm": OTHER_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert field_error(response.text, "current") == "This is not your current password."
    assert field_error(response.text, "password") is None
    assert passwords.verify(db.session.get(User, user.id).password_hash, PASSWORD)
    assert auth.is_signed_in() is True


@pytest.mark.parametrize(
    "new, confirm, field, message",
    [
        ("short one", "short one", "password", "Use at least 12 characters."),
        (OTHER_PASSWORD, OTHER_PASSWORD + "x", "confirm", "The two passwords differ."),
    ],
)
def test_change_password_refused_new_password_shows_message_at_field(
    auth, make_user, new, confirm, field, message
):
    user = make_user("org@example.org")
    auth.login("org@example.org")

    response = post_form(
        auth.client, "/account", {"current": PASSWORD, "password": new, "confirm": confirm}
    )

    assert response.status_code == 200
    assert field_error(response.text, field) == message
    assert passwords.verify(db.session.get(User, user.id).password_hash, PASSWORD)


GUESSABLE = "This password is too easy to guess; a few unrelated words make a strong one."


@pytest.mark.parametrize(
    "new, message",
    [
        ("password1234", f"This is a very common password. {GUESSABLE}"),
        ("org@example.org1", GUESSABLE),
    ],
    ids=["common", "own-email"],
)
def test_change_password_guessable_new_password_shows_message_at_field(
    auth, make_user, new, message
):
    user = make_user("org@example.org")
    auth.login("org@example.org")

    response = post_form(
        auth.client, "/account", {"current": PASSWORD, "password": new, "confirm": new}
    )

    assert response.status_code == 200
    assert field_error(response.text, "password") == message
    assert field_error(response.text, "current") is None
    assert passwords.verify(db.session.get(User, user.id).password_hash, PASSWORD)


def test_change_password_signs_out_other_sessions_and_keeps_this_one(auth, new_auth, make_user):
    user = make_user("org@example.org")
    phone, laptop = new_auth(), new_auth()
    phone.login("org@example.org")
    laptop.login("org@example.org")
    auth.login("org@example.org")

    response = post_form(
        auth.client,
        "/account",
        {"current": PASSWORD, "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    page = auth.client.get("/account")
    assert page.status_code == 200
    assert "Your password is changed. Other devices are signed out." in page.text
    assert phone.is_signed_in() is False
    assert laptop.is_signed_in() is False
    assert db.session.query(LoginSession).filter_by(ended_at=None).count() == 1
    assert passwords.verify(db.session.get(User, user.id).password_hash, OTHER_PASSWORD)
