"""Issue 18's walk in Chromium at phone width, by keyboard: a delegate asks for a letter in
Spanish; the organiser issues it; its code verifies on the public page; the organiser
revokes it and the page says so; once checked in, the delegate downloads a certificate of
attendance. axe finds nothing on the delegate's and the verification pages."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import conftest as browser
from tests.factories import make_registration
from wenevents.accounts.models import User
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.registration import checkin
from wenevents.registration.models import Registration

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser
PHONE = VIEWPORTS["phone"]
PASSPORT = "GT7781239"


@pytest.fixture(scope="module")
def delegate_password(live_app, passwords):
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
        user = db.session.scalar(select(User).filter_by(email="delegate@example.org"))
        make_registration(
            meeting,
            email=user.email,
            user=user,
            status="approved",
            given_name="María José",
            family_name="Pérez (fictional)",
            language="es",
        )
    return passwords["delegate@example.org"]


def test_letter_asked_issued_verified_revoked_and_certificate(
    new_context, live_app, live_url, delegate_password, organiser_password
):
    delegate = new_context(viewport=PHONE).new_page()
    browser.sign_in(delegate, live_url, "delegate@example.org", delegate_password, key="Enter")
    delegate.goto(live_url + "/es/gmwen4/registration")
    delegate.get_by_role("link", name="Carta de invitación para el visado").press("Enter")
    expect(delegate.get_by_role("heading", level=1)).to_have_text("Carta de invitación")
    assert describe(Axe().run(delegate).response["violations"]) == ""
    assert delegate.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    delegate.locator("#passport_name").fill("MARÍA JOSÉ PÉREZ")
    delegate.locator("#nationality").select_option("GT")
    delegate.locator("#birth_date").fill("1984-03-09")
    delegate.locator("#passport_number").fill(PASSPORT)
    delegate.locator("#passport_expiry").fill("2031-01-31")
    delegate.locator("#consulate_city").fill("Ciudad de Guatemala")
    delegate.get_by_role("button", name="Pedir la carta").press("Enter")
    expect(delegate.locator("#flash")).to_contain_text("Su solicitud está enviada")

    organiser = new_context(viewport=PHONE).new_page()
    browser.sign_in(organiser, live_url, "organiser@example.org", organiser_password, key="Enter")
    organiser.goto(live_url + "/manage/gmwen4/registrations/")
    organiser.get_by_role("link", name="Invitation letters").press("Enter")
    organiser.get_by_role("link", name="María José Pérez (fictional)").press("Enter")
    expect(organiser.locator("dl.facts")).to_contain_text(PASSPORT)
    organiser.get_by_role("button", name="Issue the letter").press("Enter")
    expect(organiser.locator("#flash")).to_contain_text("Letter 1 is issued")
    code = re.search(
        r"[A-Z2-9]{5}-[A-Z2-9]{5}", organiser.locator("#letters-heading + ul").inner_text()
    )[0]

    delegate.reload()
    with delegate.expect_download() as download:
        delegate.get_by_role("link", name="Descargar la carta (PDF)").press("Enter")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    embassy = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    embassy.goto(live_url + "/verify")
    embassy.get_by_label("Verification code").fill(code.lower())
    embassy.keyboard.press("Enter")
    result = embassy.locator(".verify-result")
    expect(result).to_contain_text("Valid")
    expect(result).to_contain_text("MARÍA JOSÉ PÉREZ")
    expect(result).to_contain_text("Guatemala")
    assert PASSPORT not in embassy.content()

    organiser.get_by_label("Why (kept in the records").fill("Passport reported stolen")
    organiser.get_by_role("button", name="Revoke letter 1").press("Enter")
    expect(organiser.locator("#flash")).to_contain_text("Letter 1 is revoked")
    embassy.reload()
    expect(result).to_contain_text("Revoked: it no longer stands")
    assert "stolen" not in embassy.content()

    with live_app.app_context():
        registration = db.session.scalar(
            select(Registration).filter_by(email="delegate@example.org")
        )
        organiser_account = db.session.scalar(select(User).filter_by(email="organiser@example.org"))
        checkin.check_in(registration, organiser_account)
        db.session.commit()
    delegate.goto(live_url + "/es/gmwen4/registration")
    with delegate.expect_download() as download:
        delegate.get_by_role("link", name="Certificado de asistencia (PDF)").press("Enter")
    assert download.value.suggested_filename == "gmwen4-certificate-0001.pdf"
