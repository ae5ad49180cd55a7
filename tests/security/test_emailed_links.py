"""No emailed link signs in an account that has a password or any role above delegate.

The review's chain: a registration sent with ``Host: evil.example`` mailed the organiser a
genuine confirmation whose link pointed at the attacker, and following a confirmation
link signed the address's account in. Each link is tried here as the attacker would: a
confirmation of someone else's address, an invitation, a reset, and *My account* of an
account that never had a password.
"""

import pytest
from sqlalchemy import select

from tests.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    audit_entries,
    csrf_token,
    link_in,
    outbox,
    path_of,
    post_form,
)
from tests.registration import conftest as registration
from tests.registration.conftest import (
    asks_for_password,
    confirm,
    last_confirm_link,
    registration_of,
)
from wenevents.accounts import passwords
from wenevents.accounts.models import (
    DELEGATE,
    FOCAL_POINT,
    ORGANISER,
    LoginSession,
    User,
)
from wenevents.accounts.services import start_session
from wenevents.extensions import db
from wenevents.registration.models import SUBMITTED, UNCONFIRMED

make_registration_meeting = registration.make_registration_meeting
settings_overrides = registration.settings_overrides
meeting = registration.meeting
register = registration.register

VICTIM = "org@example.org"


def _sessions_of(user):
    return db.session.scalar(
        select(db.func.count()).select_from(LoginSession).where(LoginSession.user_id == user.id)
    )


def _passwordless(email, role=DELEGATE, disabled=False):
    """An account without a password: a delegate's made by confirming before passwords
    were chosen there (or any account whose hash was cleared)."""
    user = User(email=email, name="No Password", role=role, password_hash="", is_disabled=disabled)
    db.session.add(user)
    db.session.commit()
    return user


def _open_confirm_page(client, link):
    client.get(path_of(link))
    return client.get("/registrations/confirm")


# The review's chain ----------------------------------------------------------------------


def test_forged_host_then_genuine_link_never_signs_in_as_the_organiser(
    app, make_user, meeting, register, new_auth
):
    organiser = make_user(VICTIM, ORGANISER)
    attacker = new_auth()

    # 1. The forged host: refused, nothing mailed.
    forged = register(attacker.client, email=VICTIM, headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert outbox(app) == []

    # 2. The genuine host: the organiser gets a genuine mail, its link on PUBLIC_URL.
    assert register(attacker.client, email=VICTIM).status_code == 200
    link = last_confirm_link(app, VICTIM)
    assert link.startswith("http://localhost/registrations/confirm/")

    # 3. Whoever follows that link (the attacker, at worst) confirms and is not signed in,
    # even by sending a password of their choosing with the form.
    page = _open_confirm_page(attacker.client, link)
    assert asks_for_password(page.text) is False
    response = attacker.client.post(
        "/registrations/confirm",
        data={
            "csrf_token": csrf_token(page.text),
            "password": OTHER_PASSWORD,
            "confirm": OTHER_PASSWORD,
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/login?next=/{meeting.acronym}/registration"
    assert attacker.is_signed_in() is False
    assert attacker.client.get("/manage/users").status_code == 302
    assert _sessions_of(organiser) == 0
    assert passwords.verify(db.session.get(User, organiser.id).password_hash, PASSWORD)
    confirmed = registration_of(meeting, VICTIM)
    assert (confirmed.status, confirmed.user_id) == (SUBMITTED, organiser.id)
    # The organiser signs in with their own password, as always.
    assert attacker.login(VICTIM, PASSWORD).status_code == 303


# Confirmation of an address that has an account ------------------------------------------


@pytest.mark.parametrize(
    "role, has_password, disabled",
    [
        (ORGANISER, True, False),
        (FOCAL_POINT, True, False),
        (DELEGATE, True, False),
        (ORGANISER, False, False),
        (FOCAL_POINT, False, False),
        (DELEGATE, False, True),
    ],
)
def test_confirming_an_address_with_such_an_account_confirms_and_never_signs_in(
    app, make_user, meeting, register, new_auth, role, has_password, disabled
):
    if has_password:
        user = make_user(VICTIM, role, disabled=disabled)
    else:
        user = _passwordless(VICTIM, role, disabled=disabled)
    stored_hash = user.password_hash
    register(app.test_client(), email=VICTIM)
    browser = new_auth()

    page = _open_confirm_page(browser.client, last_confirm_link(app, VICTIM))
    response = browser.client.post(
        "/registrations/confirm",
        data={
            "csrf_token": csrf_token(page.text),
            "password": OTHER_PASSWORD,
            "confirm": OTHER_PASSWORD,
        },
    )

    assert asks_for_password(page.text) is False
    assert "This address has an account with a password already." in page.text
    assert response.status_code == 303
    assert response.headers["Location"] == f"/login?next=/{meeting.acronym}/registration"
    login = browser.client.get(response.headers["Location"])
    assert "Your address is confirmed. Sign in to see your registration." in login.text
    assert browser.is_signed_in() is False
    assert _sessions_of(user) == 0
    assert db.session.get(User, user.id).password_hash == stored_hash
    assert audit_entries("password.choose") == []
    assert registration_of(meeting, VICTIM).user_id == user.id


def test_passwordless_delegate_chooses_a_password_on_confirming_then_is_signed_in(
    app, meeting, register, new_auth
):
    user = _passwordless("delegate@example.org")
    register(app.test_client(), email="delegate@example.org")
    browser = new_auth()

    page, response = confirm(browser.client, last_confirm_link(app, "delegate@example.org"))

    assert asks_for_password(page.text) is True
    assert response.headers["Location"] == f"/{meeting.acronym}/registration"
    assert browser.is_signed_in() is True
    assert passwords.verify(db.session.get(User, user.id).password_hash, PASSWORD)
    [chosen] = audit_entries("password.choose")
    assert (chosen.actor_email, chosen.target_id) == ("delegate@example.org", str(user.id))
    # From now on the password, not a link, signs this account in.
    browser.logout()
    assert browser.login("delegate@example.org", PASSWORD).status_code == 303


def test_account_given_a_password_after_the_page_opened_is_only_confirmed(
    app, meeting, register, new_auth
):
    """The rule is applied when the button is pressed, not when the page was shown."""
    user = _passwordless("delegate@example.org")
    register(app.test_client(), email="delegate@example.org")
    browser = new_auth()
    page = _open_confirm_page(browser.client, last_confirm_link(app, "delegate@example.org"))
    assert asks_for_password(page.text) is True
    user.password_hash = passwords.hash_password(PASSWORD)  # a reset link, meanwhile
    db.session.commit()

    response = browser.client.post(
        "/registrations/confirm",
        data={
            "csrf_token": csrf_token(page.text),
            "password": OTHER_PASSWORD,
            "confirm": OTHER_PASSWORD,
        },
    )

    assert response.headers["Location"] == f"/login?next=/{meeting.acronym}/registration"
    assert browser.is_signed_in() is False
    assert passwords.verify(db.session.get(User, user.id).password_hash, PASSWORD)
    assert registration_of(meeting, "delegate@example.org").status == SUBMITTED


def test_confirm_page_without_a_password_for_a_new_account_confirms_nothing(
    app, meeting, register, new_auth
):
    register(app.test_client(), email="new@example.org")
    browser = new_auth()
    page = _open_confirm_page(browser.client, last_confirm_link(app, "new@example.org"))

    response = browser.client.post(
        "/registrations/confirm", data={"csrf_token": csrf_token(page.text)}
    )

    assert response.status_code == 200
    assert registration_of(meeting, "new@example.org").status == UNCONFIRMED
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None
    assert browser.is_signed_in() is False


# Invitations and resets ---------------------------------------------------------------------


def test_accepting_an_organiser_invitation_sets_the_password_and_signs_nobody_in(
    app, auth, make_user, new_auth
):
    make_user("boss@example.org", ORGANISER)
    auth.login("boss@example.org")
    post_form(
        auth.client,
        "/manage/users",
        {"email": "second@example.org", "role": ORGANISER},
        "/manage/users/invite",
    )
    invitee = new_auth()

    invitee.client.get(path_of(link_in(outbox(app)[0])))
    response = post_form(
        invitee.client,
        "/invitations/accept",
        {"name": "Second Organiser", "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/account"
    user = db.session.scalar(select(User).where(User.email == "second@example.org"))
    assert user.role == ORGANISER
    assert _sessions_of(user) == 0
    assert invitee.is_signed_in() is False
    assert (
        invitee.login("second@example.org", OTHER_PASSWORD, next="/account").headers["Location"]
        == "/account"
    )


def test_reset_link_sets_the_password_and_signs_nobody_in(app, make_user, new_auth):
    user = make_user(VICTIM, ORGANISER)
    browser = new_auth()
    post_form(browser.client, "/forgot-password", {"email": VICTIM})

    browser.client.get(path_of(link_in(outbox(app)[0])))
    response = post_form(
        browser.client, "/reset-password", {"password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD}
    )

    assert response.headers["Location"] == "/login"
    assert browser.is_signed_in() is False
    assert _sessions_of(user) == 0


# How a self-registered delegate signs in ---------------------------------------------------


def test_sign_in_page_tells_a_self_registered_delegate_how_to_sign_in(client):
    page = client.get("/login").text

    assert (
        "Delegates who registered for a meeting sign in with the password they chose when they "
        "confirmed their address." in page
    )
    assert "Accounts are created by invitation" not in page


def _signed_in_by_old_link(client, user):
    """A session opened by a confirmation link before this change (it lasts up to
    SESSION_MAX_HOURS): the account has no password."""
    token = start_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def test_my_account_without_a_password_offers_a_link_not_a_current_password(app, client):
    user = _passwordless("delegate@example.org")
    _signed_in_by_old_link(client, user)

    page = client.get("/account")
    # Nothing a form for a current password would do is reachable.
    posted = client.post(
        "/account",
        data={
            "csrf_token": csrf_token(page.text),
            "current": "",
            "password": OTHER_PASSWORD,
            "confirm": OTHER_PASSWORD,
        },
    )

    assert page.status_code == 200
    assert "Current password" not in page.text
    assert "Your account has no password yet." in page.text
    assert posted.status_code == 200
    assert db.session.get(User, user.id).password_hash == ""

    sent = client.post("/account/password-link", data={"csrf_token": csrf_token(page.text)})

    assert sent.headers["Location"] == "/account"
    assert "We are sending a link to delegate@example.org" in client.get("/account").text
    [message] = outbox(app)
    assert message["To"] == "delegate@example.org"
    assert "asked for a password for your wenevents account" in message.get_content()
    client.get(path_of(link_in(message)))
    chosen = post_form(
        client, "/reset-password", {"password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD}
    )
    assert chosen.headers["Location"] == "/login"
    assert passwords.verify(db.session.get(User, user.id).password_hash, OTHER_PASSWORD)
