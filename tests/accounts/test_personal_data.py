"""A person's own data: the copy they download from *My account* holds theirs and no one
else's, and no secret; closing the account needs its password, signs out every browser,
keeps what was uploaded for a network and the counts of past registrations, and is refused
to the last organiser and to someone still holding a seat."""

import json
import secrets
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    audit_entries,
    csrf_token,
    field_error,
)
from tests.factories import make_document, make_meeting, make_network, make_registration
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER, LoginSession, Token, User
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.mail.models import SENT, OutgoingMail
from wenevents.registration.models import (
    APPROVED,
    Registration,
    RegistrationTally,
)
from wenevents.uploads.models import DocumentVersion

DATA = "/account/my-data.json"
CLOSE = "/account/close"


@pytest.fixture
def past(app):
    """A meeting of 2023 (its registrations' personal data goes in November 2024)."""
    return make_meeting(acronym="past4", networks=[make_network(acronym="NAWEG")])


@pytest.fixture
def coming(app):
    return make_meeting(acronym="next5", start_date=date(2027, 3, 1), end_date=date(2027, 3, 2))


def user_named(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def mail_to(recipient, subject):
    db.session.add(
        OutgoingMail(
            message_id=f"<{secrets.token_hex(8)}@example.org>",
            recipient=recipient,
            subject=subject,
            template="registration_approved",
            content=b"Subject: x\r\n\r\nA link: https://example.org/secret-link-token",
            status=SENT,
        )
    )
    db.session.commit()


def upload(meeting, user, network=None):
    """A file ``user`` uploaded for ``network``'s information sheet at ``meeting``."""
    document = make_document(meeting, kind="information_sheet", title="Sheet", network=network)
    version = DocumentVersion(
        document=document,
        number=1,
        stored_name=f"{secrets.token_hex(16)}.pdf",
        original_name="naweg-sheet.pdf",
        mimetype="application/pdf",
        size=1234,
        sha256="a" * 64,
        uploaded_by=user,
        uploader_recorded=True,
    )
    db.session.add(version)
    db.session.commit()
    return version


def close(client, password=PASSWORD):
    token = csrf_token(client.get(CLOSE).text)
    return client.post(CLOSE, data={"csrf_token": token, "password": password})


# -- The copy of one's data -------------------------------------------------------------------


@pytest.fixture
def dana(app, client, make_user, auth, past):
    """A delegate signed in on ``client``, with a registration (an answer, a history whose
    step an organiser took), an upload and mail; beside her, another person's data."""
    organiser = make_user("org@example.org", ORGANISER, name="Olga Organiser")
    user = make_user("dana@example.org", DELEGATE, name="Dana Delegate")
    registration = make_registration(
        past, email="dana@example.org", user=user, given_name="Dana", family_name="Delegate",
        dietary="No peanuts", network=past.networks[0], country_code="KE",
        answers={"7": "Dana's own answer", "8": {"file": "0" * 32 + ".pdf", "name": "letter.pdf",
                                                 "type": "application/pdf", "size": 10,
                                                 "sha256": "b" * 64}},
    )  # fmt: skip
    registration.move(APPROVED, by=organiser, note="Welcome")
    db.session.commit()
    upload(past, user, past.networks[0])
    mail_to("dana@example.org", "Your registration for PAST4 is approved")
    # Someone else, with a value found nowhere else.
    other = make_user("other.person@example.org", DELEGATE, name="Quentin Zyxwvut")
    make_registration(
        past, email="other.person@example.org", user=other, family_name="Zyxwvut",
        dietary="Xanthoria only",
    )  # fmt: skip
    mail_to("other.person@example.org", "Zyxwvut's mail")
    audit.record("user.role_change", "other.person@example.org", target=other, actor=organiser)
    db.session.commit()
    auth.login("dana@example.org")
    return user


def test_my_data_holds_the_account_registrations_uploads_audit_and_mail(client, dana):
    response = client.get(DATA)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="wenevents-my-data-'
    )
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.text)
    assert data["account"]["email"] == "dana@example.org"
    assert data["account"]["name"] == "Dana Delegate"
    assert data["account"]["role"] == DELEGATE
    assert data["account"]["has_password"] is True
    [registration] = data["registrations"]
    assert registration["meeting"] == "past4"
    assert (registration["family_name"], registration["dietary"]) == ("Delegate", "No peanuts")
    assert registration["network"] == "NAWEG"
    assert {"question": "", "answer": "Dana's own answer"} in registration["answers"]
    assert {
        "question": "",
        "answer": {"name": "letter.pdf", "type": "application/pdf", "size": 10, "sha256": "b" * 64},
    } in registration["answers"]
    [step] = registration["history"]
    assert (step["from"], step["to"], step["note"], step["by_you"]) == (
        "submitted",
        "approved",
        "Welcome",
        False,
    )
    assert registration["personal_data_removed_on"] == "2024-11-22"
    [sent] = data["uploads"]
    assert (sent["meeting"], sent["name"], sent["size"]) == ("past4", "naweg-sheet.pdf", 1234)
    assert [m["subject"] for m in data["mail"]] == ["Your registration for PAST4 is approved"]
    assert data["mail"][0]["status"] == SENT
    assert "login.success" in [entry["action"] for entry in data["audit_log"]]
    assert data["sign_ins"][0]["ended_at"] is None


def test_my_data_holds_nobody_elses_data_and_no_secret(client, dana):
    text = client.get(DATA).text

    for elsewhere in ("other.person", "Zyxwvut", "Xanthoria", "org@example.org", "Olga"):
        assert elsewhere not in text
    user = user_named("dana@example.org")
    login = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    confirm = db.session.scalar(select(Registration.confirm_token_hash))
    for secret in (user.password_hash, login.token_hash, "password_hash", "token", "0" * 32):
        assert secret not in text
    assert confirm is None or confirm not in text
    assert "secret-link-token" not in text


def test_my_data_download_is_audited(client, dana):
    client.get(DATA)

    [entry] = audit_entries("account.export")
    assert (entry.actor_email, entry.target_id) == ("dana@example.org", str(dana.id))


def test_my_data_asks_a_stranger_to_sign_in(client, dana):
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account").text)})

    response = client.get(DATA)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_my_data_of_another_delegate_holds_only_theirs(app, dana, make_user, new_auth):
    make_user("eve@example.org", DELEGATE, name="Eve")
    browser = new_auth()
    browser.login("eve@example.org")

    # Whatever the address says, the copy is the signed-in person's own.
    response = browser.client.get(DATA, query_string={"user": dana.id, "email": dana.email})

    data = json.loads(response.text)
    assert data["account"]["email"] == "eve@example.org"
    assert data["registrations"] == [] and data["uploads"] == [] and data["mail"] == []
    assert "dana" not in response.text.lower()


def test_account_page_links_the_copy_and_the_closing(client, dana):
    page = client.get("/account").text

    assert f'href="{DATA}"' in page
    assert f'href="{CLOSE}"' in page


# -- Closing one's account --------------------------------------------------------------------


@pytest.fixture
def delegate(app, make_user, auth):
    user = make_user("del@example.org", DELEGATE, name="Del Egate")
    auth.login("del@example.org")
    return user


def test_close_account_page_warns_and_asks_for_the_password(client, delegate):
    page = client.get(CLOSE)

    assert page.status_code == 200
    assert "Closing your account cannot be undone." in page.text
    assert 'name="password"' in page.text
    assert f'href="{DATA}"' in page.text


def test_close_account_with_a_wrong_password_changes_nothing(client, delegate):
    response = close(client, OTHER_PASSWORD)

    assert response.status_code == 422
    assert field_error(response.text, "password") == "This is not your password."
    assert user_named("del@example.org") is not None
    assert len(audit_entries("account.close_failure")) == 1
    assert audit_entries("account.close") == []


def test_close_account_refuses_a_post_without_csrf(client, delegate):
    response = client.post(CLOSE, data={"password": PASSWORD})

    assert response.status_code == 400
    assert user_named("del@example.org") is not None


def test_close_account_asks_a_stranger_to_sign_in(app):
    client = app.test_client()

    assert client.get(CLOSE).status_code == 302
    assert client.post(CLOSE, data={"password": PASSWORD}).status_code in (302, 400)


def test_close_account_deletes_it_and_ends_every_session(client, delegate, new_auth):
    elsewhere = new_auth()
    elsewhere.login("del@example.org")
    user_id = delegate.id
    db.session.add(Token(purpose="reset", token_hash="c" * 64, email="del@example.org",
                         user_id=user_id, expires_at=date(2099, 1, 1)))  # fmt: skip
    db.session.commit()
    mail_to("del@example.org", "Reset your password")

    response = close(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert user_named("del@example.org") is None
    assert db.session.scalar(select(func.count(LoginSession.id))) == 0
    assert db.session.scalar(select(func.count(Token.id))) == 0
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0
    assert not elsewhere.is_signed_in()
    assert client.get("/account").status_code == 302
    [entry] = audit_entries("account.close")
    assert (entry.actor_id, entry.actor_email) == (None, "del@example.org")
    assert (entry.target_type, entry.target_id) == ("user", str(user_id))
    assert entry.details == {
        "role": DELEGATE, "registrations": 0, "files": 0, "mails": 1, "uploads_kept": 0,
        "follows": 0, "calendar_feeds": 0,
    }  # fmt: skip


def test_close_account_keeps_the_files_uploaded_for_the_network(app, make_user, new_auth, past):
    naweg = past.networks[0]
    user = make_user("fp@example.org", FOCAL_POINT, networks=[naweg])
    version = upload(past, user, naweg)
    browser = new_auth()
    browser.login("fp@example.org")

    response = close(browser.client)

    assert response.status_code == 303
    db.session.expire_all()
    kept = db.session.get(DocumentVersion, version.id)
    assert (kept.uploaded_by_id, kept.uploader_recorded) == (None, True)
    assert kept.document.network_id == naweg.id
    assert audit_entries("account.close")[0].details["uploads_kept"] == 1


def test_close_account_removes_past_registrations_and_keeps_their_counts(client, delegate, past):
    make_registration(
        past, email="del@example.org", user=delegate, network=past.networks[0],
        country_code="KE", status=APPROVED,
    )  # fmt: skip
    make_registration(past, email="someone@example.org", country_code="KE", status=APPROVED)

    response = close(client)

    assert response.status_code == 303
    emails = db.session.scalars(select(Registration.email)).all()
    assert emails == ["someone@example.org"]
    [tally] = db.session.scalars(select(RegistrationTally)).all()
    assert (tally.meeting_id, tally.network_id, tally.country_code, tally.status, tally.count) == (
        past.id,
        past.networks[0].id,
        "KE",
        APPROVED,
        1,
    )
    assert audit_entries("account.close")[0].details["registrations"] == 1


def test_close_account_is_refused_while_holding_a_seat_at_a_meeting_to_come(
    client, delegate, coming
):
    make_registration(coming, email="del@example.org", status=APPROVED)

    page = client.get(CLOSE)
    response = client.post(CLOSE, data={"csrf_token": csrf_token(page.text), "password": PASSWORD})

    expected = "You are registered for next5: withdraw that registration first, on its page."
    assert expected in page.text
    assert 'name="password"' not in page.text
    assert response.status_code == 409
    assert user_named("del@example.org") is not None
    assert db.session.scalar(select(func.count(Registration.id))) == 1


def test_close_account_is_refused_to_the_last_organiser(organiser_client, make_user):
    make_user("gone@example.org", ORGANISER, disabled=True)

    page = organiser_client.get(CLOSE)
    token = csrf_token(organiser_client.get("/account").text)
    response = organiser_client.post(CLOSE, data={"csrf_token": token, "password": PASSWORD})

    assert "You are the only organiser" in page.text
    assert response.status_code == 409
    assert user_named("org@example.org") is not None
    assert audit_entries("account.close") == []


def test_close_account_of_an_organiser_with_another_one_is_allowed(organiser_client, make_user):
    make_user("second@example.org", ORGANISER)

    response = close(organiser_client)

    assert response.status_code == 303
    assert user_named("org@example.org") is None
    assert user_named("second@example.org").is_organiser


def test_close_account_without_a_password_asks_to_choose_one_first(client, delegate):
    user = user_named("del@example.org")
    user.password_hash = ""
    db.session.commit()

    page = client.get(CLOSE)
    token = csrf_token(client.get("/account").text)
    response = client.post(CLOSE, data={"csrf_token": token, "password": ""})

    assert "Your account has no password yet." in page.text
    assert response.status_code == 409
    assert user_named("del@example.org") is not None


@pytest.mark.parametrize(("prefix", "lang"), [("/fr", "fr"), ("/es", "es")])
def test_close_account_page_is_in_the_readers_language(client, delegate, prefix, lang):
    page = client.get(f"{prefix}{CLOSE}").text

    assert f'<html lang="{lang}">' in page
    assert "Closing your account cannot be undone." not in page
