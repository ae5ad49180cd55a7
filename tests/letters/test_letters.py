"""Invitation letters: a delegate asks, organisers decide, the letter verifies by its code,
revoking and reissuing show; passport data stays sealed and with those allowed."""

import re
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from tests.conftest import audit_entries, csrf_token, outbox
from tests.factories import make_meeting, make_network, make_registration
from wenevents.accounts.models import DELEGATE, User
from wenevents.extensions import db
from wenevents.letters import sealing, services
from wenevents.letters.models import Letter, LetterRequest
from wenevents.registration.models import Registration

PASSPORT = "ZX9981234Q"
DETAILS = {
    "passport_name": "María José PÉREZ LÓPEZ",
    "nationality": "GT",
    "birth_date": "1984-03-09",
    "passport_number": PASSPORT,
    "passport_expiry": "2031-01-31",
    "consulate_city": "Guatemala City",
}


@pytest.fixture
def meeting(app):
    naweg = make_network(acronym="NAWEG", slug="naweg")
    return make_meeting(
        acronym="gm",
        networks=[naweg],
        start_date=date(2030, 5, 6),
        end_date=date(2030, 5, 7),
        city="Panama City",
    )


@pytest.fixture
def delegate(meeting, sign_in_as):
    client = sign_in_as("maria@example.org", DELEGATE, name="María Pérez")
    user = db.session.scalar(select(User).filter_by(email="maria@example.org"))
    make_registration(
        meeting,
        email=user.email,
        user=user,
        status="approved",
        given_name="María José",
        family_name="Pérez",
        language="es",
    )
    return client


def ask(client, **changes):
    page = client.get("/gm/registration/letter").text
    return client.post(
        "/gm/registration/letter", data={"csrf_token": csrf_token(page), **DETAILS, **changes}
    )


def test_letter_request_is_sealed_and_shown_to_its_owner(delegate, meeting):
    response = ask(delegate)

    assert response.status_code == 303
    (letter_request,) = db.session.scalars(select(LetterRequest)).all()
    assert PASSPORT.encode() not in letter_request.sealed
    assert services.details(letter_request)["passport_number"] == PASSPORT
    assert PASSPORT in delegate.get("/gm/registration/letter").text
    assert [e.summary for e in audit_entries("letters.requested")] == ["gm: letter requested"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"passport_number": ""}, "Give your passport’s number."),
        ({"passport_number": "AB<script>"}, "only letters, digits and dashes"),
        ({"passport_expiry": "2030-05-07"}, "The passport must be valid after the meeting"),
        ({"birth_date": "2090-01-01"}, "Give a date of birth in the past."),
        ({"birth_date": "not a date"}, "Not a valid date value."),
        ({"nationality": "ZZ"}, "Choose a country from the list."),
        ({"passport_name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_letter_request_bad_input_said_at_the_field_nothing_stored(
    delegate, meeting, changes, message
):
    response = ask(delegate, **changes)

    assert response.status_code == 422
    assert message in response.text
    assert db.session.query(LetterRequest).count() == 0


def test_letter_request_refused_before_approval(meeting, sign_in_as):
    client = sign_in_as("late@example.org", DELEGATE)
    user = db.session.scalar(select(User).filter_by(email="late@example.org"))
    make_registration(meeting, email=user.email, user=user, status="submitted")

    assert ask(client).status_code == 403
    assert "once your registration is approved" in client.get("/gm/registration/letter").text


def test_letter_issued_verifies_then_revoked_then_reissued(delegate, meeting, organiser_client):
    ask(delegate)
    request_id = db.session.scalar(select(LetterRequest.id))
    page = organiser_client.get(f"/manage/gm/letters/{request_id}").text
    assert PASSPORT in page  # organisers see the details

    organiser_client.post(
        f"/manage/gm/letters/{request_id}/approve", data={"csrf_token": csrf_token(page)}
    )

    letter = db.session.scalar(select(Letter))
    code = services.shown_code(letter.code)
    verified = organiser_client.application.test_client().get(
        "/verify", query_string={"code": code.lower()}
    )
    assert "Valid" in verified.text and "María José PÉREZ LÓPEZ" in verified.text
    assert "Guatemala" in verified.text and PASSPORT not in verified.text
    assert verified.headers["Cache-Control"].startswith("no-store")
    mail = [m for m in outbox(organiser_client.application) if m["To"] == "maria@example.org"]
    assert mail[-1]["Subject"].startswith("Su carta de invitación")
    assert PASSPORT not in mail[-1].as_string()

    page = organiser_client.get(f"/manage/gm/letters/{request_id}").text
    organiser_client.post(
        f"/manage/gm/letters/issued/{letter.id}/revoke",
        data={"csrf_token": csrf_token(page), "reason": "Passport reported stolen"},
    )
    again = organiser_client.application.test_client().get(f"/verify/{code}")
    assert "Revoked: it no longer stands" in again.text
    assert "stolen" not in again.text

    page = organiser_client.get(f"/manage/gm/letters/{request_id}").text
    organiser_client.post(
        f"/manage/gm/letters/{request_id}/approve", data={"csrf_token": csrf_token(page)}
    )
    db.session.expire_all()
    assert [
        (one.number, one.status)
        for one in db.session.scalars(select(Letter).order_by(Letter.number))
    ] == [
        (1, "revoked"),
        (2, "valid"),
    ]


def test_letter_reissue_supersedes_the_valid_one(delegate, meeting, organiser):
    ask(delegate)
    letter_request = db.session.scalar(select(LetterRequest))
    first = services.approve(letter_request, organiser)
    db.session.commit()
    second = services.approve(letter_request, organiser)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Letter, first.id).status == "superseded"
    assert db.session.get(Letter, second.id).status == "valid"
    assert (first.number, second.number) == (1, 2)


@pytest.mark.parametrize("code", ["", "AAAAA-AAAAA", "x" * 40, "%00", "<b hx-get=/x>"])
def test_verify_unknown_code_says_so_uniformly(client, meeting, code):
    response = client.get("/verify", query_string={"code": code})

    assert response.status_code == 200
    if code:
        assert "No document has this code." in response.text
        assert "<b hx-get" not in response.text


def test_verify_is_rate_limited(app, client, meeting):
    app.config["VERIFY_LIMIT"] = "3 per minute"
    answers = [client.get("/verify/AAAAA-AAAAA").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_letter_pdf_only_for_its_owner(delegate, meeting, organiser, sign_in_as):
    ask(delegate)
    letter = services.approve(db.session.scalar(select(LetterRequest)), organiser)
    db.session.commit()
    other = sign_in_as("other@example.org", DELEGATE)
    user = db.session.scalar(select(User).filter_by(email="other@example.org"))
    make_registration(meeting, email=user.email, user=user, status="approved")

    mine = delegate.get(f"/gm/registration/letter/{letter.number}.pdf")

    assert mine.status_code == 200 and mine.data[:5] == b"%PDF-"
    assert "no-store" in mine.headers["Cache-Control"]
    assert other.get(f"/gm/registration/letter/{letter.number}.pdf").status_code == 404
    assert other.get("/manage/gm/letters/").status_code == 403


def test_passport_number_never_in_the_database_file_logs_or_exports(
    app, delegate, meeting, organiser_client, caplog, tmp_path
):
    with caplog.at_level("DEBUG"):
        ask(delegate)
        request_id = db.session.scalar(select(LetterRequest.id))
        page = organiser_client.get(f"/manage/gm/letters/{request_id}").text
        organiser_client.post(
            f"/manage/gm/letters/{request_id}/approve", data={"csrf_token": csrf_token(page)}
        )
        exports = [
            organiser_client.get("/manage/gm/registrations/export.csv").data,
            organiser_client.get("/manage/gm/registrations/export.xlsx").data,
            delegate.get("/account/my-data.json").data,
        ]
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        db.engine.dispose()
        assert PASSPORT.encode() not in Path(url.removeprefix("sqlite:///")).read_bytes()
    assert PASSPORT not in caplog.text
    assert all(PASSPORT.encode() not in data for data in exports)
    assert all(PASSPORT not in e.summary + str(e.details) for e in audit_entries())
    assert all(PASSPORT not in m.as_string() for m in outbox(app))


def test_sealed_details_unreadable_without_the_key(app, delegate, meeting):
    ask(delegate)
    letter_request = db.session.scalar(select(LetterRequest))
    app.config["LETTERS_KEYS"] = Fernet.generate_key().decode()

    with pytest.raises(sealing.Unreadable):
        services.details(letter_request)


def test_letter_request_goes_with_the_registration(delegate, meeting):
    ask(delegate)
    registration = db.session.scalar(select(Registration).filter_by(email="maria@example.org"))
    db.session.delete(registration)
    db.session.commit()

    assert db.session.query(LetterRequest).count() == 0


def test_certificate_for_a_checked_in_delegate_verifies(delegate, meeting, organiser):
    from wenevents.registration import checkin

    registration = db.session.scalar(select(Registration).filter_by(email="maria@example.org"))
    assert delegate.get("/gm/registration/certificate.pdf").status_code == 404
    checkin.check_in(registration, organiser)
    db.session.commit()

    first = delegate.get("/gm/registration/certificate.pdf")
    second = delegate.get("/gm/registration/certificate.pdf")

    assert first.status_code == 200 and first.data[:5] == b"%PDF-"
    assert 'filename="gm-certificate-0001.pdf"' in first.headers["Content-Disposition"]
    assert second.status_code == 200
    (certificate,) = db.session.scalars(select(Letter).filter_by(kind="certificate")).all()
    page = delegate.application.test_client().get(f"/verify/{certificate.code}").text
    assert "Certificate of attendance" in page and "María José Pérez" in page
    assert "Valid" in page
    assert "Certificate of attendance (PDF)" in delegate.get("/gm/registration").text


def test_verify_address_of_the_qr_code_in_the_letters_language(delegate, meeting, organiser):
    ask(delegate)
    letter = services.approve(db.session.scalar(select(LetterRequest)), organiser)
    db.session.commit()

    page = delegate.application.test_client().get(f"/es/verify/{services.shown_code(letter.code)}")

    assert page.status_code == 200
    assert "Válida" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_letter_of_a_registration_withdrawn_no_longer_stands(delegate, meeting, organiser):
    ask(delegate)
    letter = services.approve(db.session.scalar(select(LetterRequest)), organiser)
    db.session.commit()
    registration = db.session.scalar(select(Registration).filter_by(email="maria@example.org"))
    registration.status = "withdrawn"
    db.session.commit()

    page = delegate.application.test_client().get(f"/verify/{letter.code}").text

    assert "Revoked: it no longer stands" in page
    assert "PÉREZ" not in page  # who it named is not said once it no longer stands
    assert delegate.get(f"/gm/registration/letter/{letter.number}.pdf").status_code == 404
    with pytest.raises(services.NotAllowed):
        services.approve(db.session.scalar(select(LetterRequest)), organiser)


def test_letter_issue_refused_when_the_details_changed_meanwhile(
    delegate, meeting, organiser_client
):
    ask(delegate)
    request_id = db.session.scalar(select(LetterRequest.id))
    page = organiser_client.get(f"/manage/gm/letters/{request_id}").text
    ask(delegate, passport_name="SOMEONE ELSE")

    response = organiser_client.post(
        f"/manage/gm/letters/{request_id}/approve",
        data={
            "csrf_token": csrf_token(page),
            "seen": re.search(r'name="seen" value="(\d+)"', page)[1],
        },
    )

    assert response.status_code == 303
    assert (
        "changed the details meanwhile"
        in organiser_client.get(f"/manage/gm/letters/{request_id}").text
    )
    assert db.session.query(Letter).count() == 0


def test_letter_pages_with_passport_details_are_never_stored(delegate, meeting, organiser_client):
    ask(delegate)
    request_id = db.session.scalar(select(LetterRequest.id))

    for response in (
        delegate.get("/gm/registration/letter"),
        organiser_client.get(f"/manage/gm/letters/{request_id}"),
    ):
        assert "no-store" in response.headers["Cache-Control"]


def test_verify_code_is_hidden_from_the_access_log(client, meeting, caplog):
    with caplog.at_level("INFO", logger="wenevents.access"):
        client.get("/verify/SECRT-CODE9")

    assert "SECRT" not in caplog.text
    assert "/verify/<code>" in caplog.text


def test_verify_accepts_the_pasted_address_of_the_qr_code(delegate, meeting, organiser):
    ask(delegate)
    letter = services.approve(db.session.scalar(select(LetterRequest)), organiser)
    db.session.commit()
    pasted = f"https://wen.example.org/es/verify/{services.shown_code(letter.code)}"

    page = delegate.application.test_client().get("/verify", query_string={"code": pasted}).text

    assert "Valid" in page


def test_certificate_revoked_is_not_issued_again(delegate, meeting, organiser):
    from wenevents.letters.models import REVOKED
    from wenevents.registration import checkin

    registration = db.session.scalar(select(Registration).filter_by(email="maria@example.org"))
    checkin.check_in(registration, organiser)
    certificate = services.certificate_of(registration)
    certificate.status = REVOKED
    db.session.commit()

    assert delegate.get("/gm/registration/certificate.pdf").status_code == 404
    assert db.session.query(Letter).count() == 1


def test_lost_key_is_not_silently_replaced(app, delegate, meeting):
    ask(delegate)
    key = Path(app.instance_path) / "letters.key"
    key.unlink()

    with pytest.raises(sealing.Unreadable):
        services.details(db.session.scalar(select(LetterRequest)))
    assert not key.exists()
    page = delegate.get("/gm/registration/letter")
    assert page.status_code == 200
    assert "can no longer be read" in page.text
