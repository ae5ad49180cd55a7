"""Check-in on a phone in Chromium, by keyboard: a helper named by the organiser checks a
delegate in by the badge's code (as a badge reader types it) and another by name; the
counts follow in place; a forged code is said to be one. Without JavaScript, the search
path works. axe finds nothing on the page."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import conftest as browser
from tests.factories import make_registration
from wenevents.accounts.models import User
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.registration import badges
from wenevents.registration.models import CheckinHelper

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser
PHONE = VIEWPORTS["phone"]


@pytest.fixture(scope="module")
def door(live_app, passwords):
    """The demo meeting held today, the demo delegate its check-in helper, two approved
    delegates; ``(helper's password, badge code of the first)``."""
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
        meeting.start_date = meeting.end_date = date.today()
        helper = db.session.scalar(select(User).filter_by(email="delegate@example.org"))
        db.session.add(CheckinHelper(meeting_id=meeting.id, user_id=helper.id))
        first = make_registration(
            meeting, status="approved", given_name="Nia", family_name="Okafor"
        )
        make_registration(meeting, status="approved", given_name="Tomas", family_name="Quispe")
        db.session.commit()
        token = badges.badge_token(first)
    return passwords["delegate@example.org"], token


def check_in_page(new_context, live_url, password):
    """The check-in page on a phone, opened by the helper (signed in with Enter)."""
    page = new_context(viewport=PHONE).new_page()
    browser.sign_in(page, live_url, "delegate@example.org", password, key="Enter")
    page.goto(live_url + "/gmwen4/check-in/")
    browser.wait_for_htmx(page)
    return page


def test_helper_checks_in_by_badge_and_by_name(new_context, live_url, door):
    password, token = door
    page = check_in_page(new_context, live_url, password)
    assert describe(Axe().run(page).response["violations"]) == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    total = page.locator(".checkin-total")
    before = int(total.inner_text().split("/")[0])

    code = page.get_by_label("Badge code")
    expect(code).to_be_focused()
    page.keyboard.type(token)
    page.keyboard.press("Enter")

    expect(page.locator("#checkin-said")).to_have_text("Nia Okafor is checked in.")
    expect(page.get_by_label("Badge code")).to_be_focused()
    expect(page.get_by_label("Badge code")).to_have_value("")
    expect(total).to_contain_text(f"{before + 1} /")

    page.keyboard.type("WzEsMV0.forged")
    page.keyboard.press("Enter")
    expect(page.locator("#checkin-said")).to_contain_text("This is not a valid badge")

    # By name, from the results of a search (the live search has a test of its own in the
    # registrations list; here the page is opened with them, as without JavaScript).
    page.goto(live_url + "/gmwen4/check-in/?q=quis")
    browser.wait_for_htmx(page)
    total = page.locator(".checkin-total")
    button = page.get_by_role("button", name="Check in Tomas Quispe")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#checkin-said")).to_have_text("Tomas Quispe is checked in.")
    expect(page.locator("#checkin-said")).to_be_focused()
    expect(page.locator("#checkin-results")).to_contain_text("Checked in at")
    expect(total).to_contain_text(f"{before + 2} /")


# A badge reader types the next code as soon as the form is back. htmx wires a swapped-in
# form up only when it settles (20 ms later by default): a code sent before then went as a
# plain form post, and the page reloaded with the answer in a flash message instead.
READ_AS_SOON_AS_SWAPPED = """token => {
  window.stayed = true;
  document.addEventListener("htmx:afterSwap", function next(event) {
    if (event.target.id !== "checkin-attempt") return;
    document.removeEventListener("htmx:afterSwap", next);
    window.setTimeout(() => {
      const form = document.querySelector("[data-checkin-form]");
      form.querySelector("input[name=token]").value = token;
      form.requestSubmit();
    }, 0);
  });
}"""


def test_badge_form_takes_a_code_sent_the_moment_it_is_back(new_context, live_url, door):
    password, token = door
    page = check_in_page(new_context, live_url, password)
    page.evaluate(READ_AS_SOON_AS_SWAPPED, "WzEsMV0.forged")

    page.get_by_label("Badge code").fill(token)
    page.keyboard.press("Enter")

    expect(page.locator("#checkin-said")).to_contain_text("This is not a valid badge")
    assert page.evaluate("window.stayed") is True


def test_checkin_by_name_without_javascript(new_context, live_app, live_url, door):
    password, _token = door
    with live_app.app_context():
        make_registration(
            db.session.scalar(select(Meeting).filter_by(acronym="gmwen4")),
            status="approved",
            given_name="Ines",
            family_name="Barrow",
        )
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    browser.sign_in(page, live_url, "delegate@example.org", password, key="Enter")
    page.goto(live_url + "/gmwen4/check-in/")

    page.get_by_role("searchbox").fill("barrow")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Check in Ines Barrow").press("Enter")

    expect(page.locator("#flash")).to_contain_text("Ines Barrow is checked in.")
    expect(page.locator("#checkin-results")).to_contain_text("Checked in at")
