"""A delegate's own data in Chromium at phone width, by keyboard, with and without
JavaScript: the registration form links the meeting's privacy notice; My account offers the
copy of one's data and the closing; closing asks for the password, says so at the field
when it is wrong, and then signs the person out for good. axe finds nothing on these
pages."""

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, submit_sign_in
from tests.conftest import PASSWORD, _hash

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser

PHONE = VIEWPORTS["phone"]


def delegate(live_app, address):
    from wenevents.accounts.models import DELEGATE, User
    from wenevents.extensions import db

    with live_app.app_context():
        db.session.add(User(email=address, role=DELEGATE, password_hash=_hash(PASSWORD)))
        db.session.commit()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_registration_form_links_the_privacy_notice(new_context, live_url, javascript):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    page.goto(live_url + "/gmwen4/register")

    page.get_by_role("link", name="Read the privacy notice").press("Enter")

    expect(page).to_have_url(live_url + "/gmwen4/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    if javascript:
        assert describe(Axe().run(page).response["violations"]) == ""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_delegate_downloads_their_data_and_closes_their_account(
    new_context, live_url, live_app, javascript
):
    address = f"closing-{'js' if javascript else 'nojs'}@example.org"
    delegate(live_app, address)
    context = new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, live_url, address, PASSWORD)

    page.goto(live_url + "/account")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").press("Enter")
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == address
    page.get_by_role("link", name="Close my account…").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Close my account")
    if javascript:
        assert describe(Axe().run(page).response["violations"]) == ""
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    password = page.get_by_label("Password")
    password.fill("not the password")
    password.press("Enter")
    expect(page.get_by_text("This is not your password.").first).to_be_visible()
    password = page.get_by_label("Password")
    password.fill(PASSWORD)
    password.press("Enter")

    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    submit_sign_in(page, live_url, address, PASSWORD)
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_have_count(0)
