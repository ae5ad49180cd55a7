"""After a failed submit, focus is on the error summary at the top of the form; its links move
focus to the fields; a field checked as it is left has its error announced."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The summary of a registration sent with only the given name filled in, in the form's order.
LINKS = [
    "Family name: This field is required.",
    "Email address: This field is required.",
    "Organisation or agency: This field is required.",
    "Country: This field is required.",
]


def active_id(page):
    return page.evaluate("document.activeElement.id")


def test_failed_registration_focuses_summary_and_links_focus_fields(new_context, live_url):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(live_url + "/gmwen4/register")
    page.get_by_label("Given name").fill("Ana")

    page.get_by_role("button", name="Register").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There are 4 problems")
    expect(summary.get_by_role("link")).to_have_text(LINKS)
    # By keyboard: Tab to the summary's second link, Enter, and the field has focus.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text(LINKS[1])
    page.keyboard.press("Enter")
    assert active_id(page) == "email"
    page.get_by_label("Email address").fill("ana@example.org")
    # A click does the same.
    summary.get_by_role("link", name=LINKS[3]).click()
    assert active_id(page) == "country_code"


def test_failed_registration_without_javascript_shows_summary_first(new_context, live_url):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_url + "/gmwen4/register")

    page.get_by_role("button", name="Register").click()

    first = page.locator("form.registration-form [data-error-summary]")
    expect(first.get_by_role("heading")).to_have_text("There are 5 problems")
    first.get_by_role("link", name="Email address: This field is required.").click()
    assert page.url.endswith("#email")


def test_field_left_with_an_error_is_announced(new_context, live_url):
    page = new_context().new_page()
    page.goto(live_url + "/gmwen4/register")
    email = page.get_by_label("Email address")

    email.fill("not an address")
    email.press("Tab")

    expect(page.locator("#field-announcer")).to_have_text("Invalid email address.")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")


def test_failed_form_swapped_by_htmx_focuses_its_summary(new_context, live_url, organiser_password):
    page = new_context().new_page()
    page.goto(live_url + "/login")
    page.get_by_label("Email address").fill("organiser@example.org")
    page.get_by_label("Password", exact=True).fill(organiser_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_url + "/")
    page.goto(live_url + "/manage/gmwen4/agenda/")
    page.evaluate("window.sameDocument = 'kept'")

    page.get_by_role("button", name="Add the session").click()

    summary = page.locator("#new-session-errors")
    expect(summary).to_be_focused()
    assert page.evaluate("window.sameDocument") == "kept"
    first = summary.get_by_role("link").first
    first.press("Enter")
    assert active_id(page) == first.get_attribute("href")[1:]
