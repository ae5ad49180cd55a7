"""Signed in is not vouched for, in a real browser at phone width, with and without
JavaScript: a delegate waiting for a decision is told when the directory opens and sees a
network's public fields only; an approved delegate reads the contacts; an anonymous visitor
is asked to sign in. And axe finds nothing on the pages that say what opens when."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, _hash

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser

PHONE = VIEWPORTS["phone"]
WAITING = "waiting.delegate@example.org"
APPROVED = "approved.delegate@example.org"
CLOSED = (
    "The directory opens to participants: organisers, the networks’ focal points, and "
    "delegates once their registration for a meeting is approved."
)


@pytest.fixture(scope="module")
def delegates(live_app):
    """Two delegates of NAWEG for the 4th meeting with passwords: one whose registration
    awaits a decision, one approved; the meeting's participants list is for participants."""
    from sqlalchemy import select

    from tests.factories import make_registration
    from wenevents.accounts.models import DELEGATE, User
    from wenevents.extensions import db
    from wenevents.meetings.models import Meeting

    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
        meeting.registration_settings.participants_list = "participants"
        for email, status in ((WAITING, "submitted"), (APPROVED, "approved")):
            user = User(email=email, role=DELEGATE, password_hash=_hash(PASSWORD))
            db.session.add(user)
            db.session.commit()
            make_registration(meeting, email=email, user_id=user.id, status=status)
    return WAITING, APPROVED


def signed_in(new_context, live_url, address, javascript=True):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    sign_in(page, live_url, address, PASSWORD)
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_waiting_delegate_is_told_when_the_directory_opens(
    new_context, live_url, delegates, javascript
):
    page = signed_in(new_context, live_url, WAITING, javascript)

    page.get_by_role("banner").get_by_role("link", name="Directory").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of focal points")
    note = page.locator("#not-participant")
    expect(note).to_contain_text(CLOSED)
    expect(note).to_contain_text(
        "Your registration for 4th Global Meeting of Wildlife Enforcement Networks: "
        "Submitted: awaiting a decision."
    )
    expect(page.locator("main")).not_to_contain_text("focal1@example.org")
    expect(page.locator(".contact-name")).to_have_count(0)

    note.get_by_role("link", name="See your registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My registration")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_waiting_delegate_sees_a_networks_public_fields_only(
    new_context, live_url, delegates, javascript
):
    page = signed_in(new_context, live_url, WAITING, javascript)

    page.goto(live_url + "/networks/naweg")

    expect(page.locator(".contact-name")).to_have_text(["Sarah Miller (fictional)"])
    expect(page.locator("main a[href^='mailto:']")).to_have_count(0)
    expect(page.locator("main a[href^='tel:']")).to_have_count(0)
    page.get_by_role("link", name="Where your registrations stand").click()
    expect(page.locator("#not-participant")).to_contain_text(CLOSED)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_approved_delegate_reads_the_contacts_at_phone_width(
    new_context, live_url, delegates, javascript
):
    page = signed_in(new_context, live_url, APPROVED, javascript)

    page.goto(live_url + "/networks/naweg")
    expect(page.locator("main a[href^='mailto:']").first).to_be_visible()
    page.get_by_role("link", name="Search the directory of focal points").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of focal points")
    expect(page.locator("#not-participant")).to_have_count(0)
    expect(page.locator("#directory-results a[href^='mailto:']").first).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_anonymous_visitor_is_asked_to_sign_in_for_the_directory(
    new_context, live_url, delegates, javascript
):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()

    page.goto(live_url + "/networks/naweg")
    expect(page.locator("main a[href^='mailto:']")).to_have_count(0)
    page.get_by_role("main").get_by_role("link", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
def test_axe_finds_no_violations_where_a_waiting_delegate_is_told_what_opens(
    new_context, live_url, delegates, viewport
):
    axe = Axe()
    page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    page.goto(live_url + "/login")
    page.get_by_label("Email address").fill(WAITING)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    found = {}
    for path in ["/directory", "/gmwen4/participants", "/gmwen4/materials", "/networks/naweg"]:
        page.goto(live_url + path)
        expect(page.locator("main")).to_be_visible()
        found[path] = describe(axe.run(page).response["violations"])

    assert found == dict.fromkeys(found, ""), "\n".join(f"{k}: {v}" for k, v in found.items())
