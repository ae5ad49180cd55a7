"""Invitations end to end, mailed through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from datetime import timedelta

import pytest

from tests.conftest import (
    OTHER_PASSWORD,
    accept_invitation,
    audit_entries,
    counts,
    csrf_token,
    field_error,
    link_in,
    path_of,
    send_invitation,
)
from tests.factories import make_network, make_series
from wenevents.accounts import passwords
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER, LoginSession, Token, User
from wenevents.clock import utcnow
from wenevents.extensions import db

LINK_INVALID = "This link no longer works"


@pytest.fixture
def app_config(smtp_server):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


@pytest.fixture
def network():
    return make_network(acronym="ASEAN-WEN", name="ASEAN Wildlife Enforcement Network")


@pytest.fixture
def invited(client, organiser, network, smtp_server):
    """A focal point of ``network`` invited by the organiser; the emailed link."""
    response = send_invitation(client, "Fp@Example.org", FOCAL_POINT, [network.id])
    assert response.status_code == 303
    [(_recipients, message)] = smtp_server.messages
    return link_in(message)


def test_invite_focal_point_sends_one_message_with_link(
    app, client, organiser, network, smtp_server
):
    response = send_invitation(client, "Fp@Example.org", FOCAL_POINT, [network.id])

    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/users"
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["fp@example.org"]
    assert message["To"] == "fp@example.org"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "Invitation: Global Meeting of Wildlife Enforcement Networks"
    body = message.get_content()
    assert link_in(message).startswith("http://localhost/invitations/")
    assert (
        "Olga Organiser invites you to the site of the Global Meeting of Wildlife Enforcement "
        "Networks, as a network focal point." in " ".join(body.split())
    )
    assert "as a network focal point." in body
    assert "You will act for: ASEAN-WEN." in body
    assert "the link works once, for 7 days" in body
    [token] = db.session.query(Token).all()
    assert (token.email, token.role, token.network_ids) == (
        "fp@example.org",
        FOCAL_POINT,
        [network.id],
    )
    assert token.token_hash not in body
    [entry] = audit_entries("user.invite")
    assert entry.actor_email == "org@example.org"
    assert entry.summary == "Invited fp@example.org as focal_point"


def test_invite_with_htmx_returns_fresh_form_and_pending_list(client, organiser, smtp_server):
    response = send_invitation(
        client, "delegate@example.org", DELEGATE, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form id="invite-form"')
    assert "Invitation sent to delegate@example.org." in response.text
    assert '<section id="invitations"' in response.text
    assert 'data-hx-swap-oob="true"' in response.text
    assert "<li>delegate@example.org — Delegate, expires" in response.text
    assert 'value="delegate@example.org"' not in response.text  # the form is emptied
    assert len(smtp_server.messages) == 1


def test_invitation_link_redirects_to_accept_page_without_token_in_url(new_auth, invited):
    invitee = new_auth().client

    response = invitee.get(path_of(invited))
    page = invitee.get("/invitations/accept")

    assert response.status_code == 303
    assert response.headers["Location"] == "/invitations/accept"
    assert page.status_code == 200
    assert "Your account will be fp@example.org, as a network focal point." in page.text
    assert path_of(invited).rsplit("/", 1)[1] not in page.text


def test_invitation_accept_creates_focal_point_then_asks_to_sign_in(new_auth, network, invited):
    invitee = new_auth()

    response = accept_invitation(invitee.client, invited, "Fiona Focal", OTHER_PASSWORD)

    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/account"
    user = db.session.query(User).filter_by(email="fp@example.org").one()
    assert (user.name, user.role) == ("Fiona Focal", FOCAL_POINT)
    assert [n.id for n in user.networks] == [network.id]
    assert passwords.verify(user.password_hash, OTHER_PASSWORD)
    login = invitee.client.get(response.headers["Location"])
    assert "Welcome, Fiona Focal. Your account is ready: sign in with your new password." in (
        login.text
    )
    # The link set the password; it signed nobody in.
    assert invitee.is_signed_in() is False
    assert db.session.query(LoginSession).filter_by(user_id=user.id).count() == 0
    signed_in = invitee.login("fp@example.org", OTHER_PASSWORD, next="/account")
    assert signed_in.headers["Location"] == "/account"
    account = invitee.client.get("/account")
    assert account.status_code == 200
    assert "fp@example.org" in account.text
    token = db.session.query(Token).one()
    assert token.used_at is not None
    assert token.user_id == user.id
    [created] = audit_entries("user.create")
    assert created.actor_email == "org@example.org"
    [accepted] = audit_entries("user.invitation_accepted")
    assert accepted.actor_email == "fp@example.org"


def test_invitation_token_second_use_shows_link_invalid(new_auth, invited):
    accept_invitation(new_auth().client, invited, "Fiona Focal", OTHER_PASSWORD)
    second = new_auth().client
    before = counts()

    redirect = second.get(path_of(invited))
    page = second.get("/invitations/accept")
    token = csrf_token(second.get("/login").text)
    posted = second.post(
        "/invitations/accept",
        data={
            "csrf_token": token,
            "name": "Mallory",
            "password": OTHER_PASSWORD,
            "confirm": OTHER_PASSWORD,
        },
    )

    assert redirect.status_code == 303
    assert page.status_code == 400
    assert f"<h1>{LINK_INVALID}</h1>" in page.text
    assert posted.status_code == 400
    assert counts() == before


def test_invitation_expired_token_shows_link_invalid(new_auth, invited):
    token = db.session.query(Token).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    invitee = new_auth().client
    before = counts()

    invitee.get(path_of(invited))
    page = invitee.get("/invitations/accept")

    assert page.status_code == 400
    assert f"<h1>{LINK_INVALID}</h1>" in page.text
    assert counts() == before


def test_invitation_made_up_token_shows_link_invalid(new_auth, invited):
    invitee = new_auth().client

    invitee.get("/invitations/" + "x" * 43)
    page = invitee.get("/invitations/accept")

    assert page.status_code == 400
    assert f"<h1>{LINK_INVALID}</h1>" in page.text


@pytest.mark.parametrize(
    "password, confirm, field, message",
    [
        (
            "password1234",
            "password1234",
            "password",
            "This is a very common password. "
            "This password is too easy to guess; a few unrelated words make a strong one.",
        ),
        ("short", "short", "password", "Use at least 12 characters."),
        (OTHER_PASSWORD, OTHER_PASSWORD + "!", "confirm", "The two passwords differ."),
    ],
    ids=["guessable", "short", "mismatch"],
)
def test_invitation_accept_refused_password_shows_message_and_creates_nothing(
    new_auth, invited, password, confirm, field, message
):
    invitee = new_auth()
    before = counts()

    response = accept_invitation(invitee.client, invited, "Fiona Focal", password, confirm)

    assert response.status_code == 200
    assert field_error(response.text, field) == message
    assert counts() == before
    assert db.session.query(Token).one().used_at is None
    assert invitee.is_signed_in() is False


def test_invite_existing_email_shows_message_at_email_field(client, organiser, smtp_server):
    before = counts()

    response = send_invitation(client, "ORG@example.org", ORGANISER)

    assert response.status_code == 200
    assert field_error(response.text, "email") == (
        "An account with this email address exists already."
    )
    assert counts() == before
    assert smtp_server.messages == []


def test_invite_focal_point_without_network_shows_message_at_networks_field(
    client, organiser, network, smtp_server
):
    before = counts()

    response = send_invitation(client, "fp@example.org", FOCAL_POINT)

    assert response.status_code == 200
    assert field_error(response.text, "networks") == (
        "Choose at least one network for a focal point."
    )
    assert counts() == before
    assert smtp_server.messages == []


def test_invite_delegate_ignores_networks(client, organiser, network, smtp_server):
    send_invitation(client, "delegate@example.org", DELEGATE, [network.id])

    token = db.session.query(Token).one()
    assert (token.role, token.network_ids) == (DELEGATE, [])
    assert "You will act for" not in smtp_server.messages[0][1].get_content()


def test_invitation_names_the_meeting_series(app, client, organiser, network, smtp_server):
    make_series(name="Global Meeting of Forest Rangers")

    send_invitation(client, "fp@example.org", FOCAL_POINT, [network.id])

    [(_recipients, message)] = smtp_server.messages
    assert message["Subject"] == "Invitation: Global Meeting of Forest Rangers"
    assert "invites you to the site of the Global Meeting of Forest Rangers, as a" in " ".join(
        message.get_content().split()
    )
    assert "wenevents" not in message.get_content()
    page = app.test_client().get(path_of(link_in(message)), follow_redirects=True).text
    assert '<p class="eyebrow">Global Meeting of Forest Rangers</p>' in page


def test_invitation_valid_one_day_says_day_in_the_singular(
    app, client, organiser, network, smtp_server
):
    app.config["INVITATION_DAYS"] = 1

    send_invitation(client, "fp@example.org", FOCAL_POINT, [network.id])

    [(_recipients, message)] = smtp_server.messages
    assert "(the link works once, for 1 day);" in " ".join(message.get_content().split())
