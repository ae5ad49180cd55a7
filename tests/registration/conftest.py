"""Helpers for the registration suite: a meeting whose registration settings a test can
vary, a valid form, registering and confirming through the real pages, reading the mail.

The app, client, users, sign-in and SMTP fixtures are tests/conftest.py's.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, csrf_token, outbox, path_of
from tests.factories import make_meeting, make_network
from wenevents.extensions import db
from wenevents.registration.models import (
    Question,
    Registration,
    RegistrationEvent,
    RegistrationSettings,
)

# A registration's confirmation link, in a mail written to the outbox or sent by SMTP.
_CONFIRM_LINK = re.compile(r"https?://[^/\s]+/registrations/confirm/[A-Za-z0-9_-]+")

SETTINGS_DEFAULTS = {
    "opens_at": None,
    "closes_at": None,
    "capacity": None,
    "network_quota": None,
    "endorsement_required": True,
    "auto_promote": True,
    "travel_days": 3,
}


@pytest.fixture
def app_config():
    """Many registrations come from one test client's address: lift the hourly limit."""
    return {"REGISTRATION_LIMIT": "10000 per hour"}


@pytest.fixture
def settings_overrides():
    """RegistrationSettings of ``meeting`` beyond SETTINGS_DEFAULTS; parametrize to vary."""
    return {}


@pytest.fixture
def make_registration_meeting(app):
    """``make_registration_meeting(networks=2, **settings)``: a published meeting (21–22
    November 2023) with that many networks of its own and registration settings."""

    def make(networks=2, **settings):
        own = [make_network() for _ in range(networks)]
        meeting = make_meeting(networks=own)
        meeting.registration_settings = RegistrationSettings(**{**SETTINGS_DEFAULTS, **settings})
        db.session.commit()
        return meeting

    return make


@pytest.fixture
def meeting(make_registration_meeting, settings_overrides):
    return make_registration_meeting(**settings_overrides)


@pytest.fixture
def letter(meeting):
    """A required file question on ``meeting``'s form: a nomination letter."""
    question = Question(
        meeting_id=meeting.id, position=1, kind="file", label="Nomination letter", required=True
    )
    db.session.add(question)
    db.session.commit()
    return question


def settings_of(meeting):
    return db.session.get(RegistrationSettings, meeting.id)


def change_settings(meeting, **values):
    settings = settings_of(meeting)
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.commit()
    return settings


def form_data(meeting, **overrides):
    """A valid registration form for ``meeting``; an override of None leaves a field out."""
    data = {
        "title": "Ms",
        "given_name": "Ana",
        "family_name": "Silva",
        "email": "ana.silva@example.org",
        "organisation": "Customs Service",
        "position": "Inspector",
        "country_code": "PA",
        "network_id": str(meeting.networks[0].id) if meeting.networks else "",
        "participation_role": "network_delegate",
        "language": "en",
        "arrival_date": (meeting.start_date - timedelta(days=1)).isoformat(),
        "departure_date": meeting.end_date.isoformat(),
        "dietary": "",
        "accessibility": "",
        "consent_list": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register_page(meeting):
    return f"/{meeting.acronym}/register"


@pytest.fixture
def register(meeting):
    """``register(client, meeting=…, headers=…, **fields)``: GET the form, POST it with
    its CSRF token and a valid value for every field not overridden; the POST's response."""

    def post(client, meeting=meeting, headers=None, **overrides):
        page = register_page(meeting)
        token = csrf_token(client.get(page).text)
        data = {"csrf_token": token, **form_data(meeting, **overrides)}
        return client.post(page, data=data, headers=headers)

    return post


def confirm(client, link, password=PASSWORD):
    """Follow an emailed confirmation link, open the confirm page, press its button
    (choosing ``password`` first when the page asks for one: a new delegate's account).

    Returns ``(page, response)``: the GET of the confirm page and the POST's response.
    """
    path = path_of(link)
    followed = client.get(path)
    assert followed.status_code == 303, followed.status_code
    assert followed.headers["Location"] == "/registrations/confirm"
    page = client.get("/registrations/confirm")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.text)}
    if asks_for_password(page.text):
        data.update(password=password, confirm=password)
    response = client.post("/registrations/confirm", data=data)
    return page, response


def asks_for_password(page):
    """Whether the confirm page asks to choose a password (a new delegate's account)."""
    return 'name="password"' in page


def body(message):
    """The text part of a message (the first, when there are attachments)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def confirm_link_in(message):
    match = _CONFIRM_LINK.search(body(message))
    assert match, f"no confirmation link in: {body(message)!r}"
    return match.group(0)


def mails_to(app, address):
    """The outbox's messages to ``address``, oldest first."""
    return [m for m in outbox(app) if m["To"] == address]


def last_confirm_link(app, address):
    messages = mails_to(app, address)
    assert messages, f"no mail to {address}"
    return confirm_link_in(messages[-1])


def registration_of(meeting, email):
    return db.session.scalar(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.email == email
        )
    )


def registrations(meeting):
    return db.session.scalars(
        select(Registration).where(Registration.meeting_id == meeting.id).order_by(Registration.id)
    ).all()


def events_of(registration):
    return db.session.scalars(
        select(RegistrationEvent)
        .where(RegistrationEvent.registration_id == registration.id)
        .order_by(RegistrationEvent.id)
    ).all()


@pytest.fixture
def sent_mail(app, request):
    """``sent_mail(to=None)``: the messages sent so far, oldest first, through the SMTP
    server when the app has MAIL_SERVER set (the ``smtp_server`` fixture), else the outbox."""

    def messages(to=None):
        if app.config.get("MAIL_SERVER"):
            found = [m for _rcpt, m in request.getfixturevalue("smtp_server").messages]
        else:
            found = outbox(app)
        return [m for m in found if to is None or m["To"] == to]

    return messages


@pytest.fixture
def register_and_confirm(app, register, sent_mail):
    """``register_and_confirm(email, **fields)``: a new browser registers and confirms by the
    emailed link, choosing the password PASSWORD; returns that browser's client, signed in
    as the delegate."""

    def run(email, **overrides):
        client = app.test_client()
        response = register(client, email=email, **overrides)
        assert response.status_code == 200, response.text
        messages = sent_mail(email)
        assert messages, f"no mail to {email}"
        _page, confirmed = confirm(client, confirm_link_in(messages[-1]))
        assert confirmed.status_code == 303
        return client

    return run
