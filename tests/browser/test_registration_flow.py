"""Registration in a real browser, on the demo: a delegate registers (with an inline check of a
field), confirms by the emailed link, is endorsed in place by the NAWEG focal point and
approved; a seat freed by a withdrawal goes to the next person waiting, who is told by mail."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import sign_in, wait_for_htmx, wait_for_mail
from tests.factories import make_meeting
from wenevents.extensions import db
from wenevents.networks.models import Network
from wenevents.registration.models import RegistrationSettings

pytestmark = pytest.mark.browser

NAWEG = "NAWEG – North America Wildlife Enforcement Group"
DELEGATE_PASSWORD = "toucan harbour lantern 57"


def mail_to(live_app, to, subject, timeout=10):
    """The newest message to ``to`` whose subject starts with ``subject``, waiting for it."""
    return wait_for_mail(live_app, to, lambda m: m["Subject"].strip().startswith(subject), timeout)


def link_in(message):
    return re.search(r"https?://\S+", message.get_body(("plain",)).get_content())[0]


def fill_registration(page, given, family, address, network=NAWEG):
    page.get_by_label("Title", exact=True).select_option("Ms")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Organisation or agency").fill("Fish and Wildlife Service (fictional)")
    page.get_by_label("Position", exact=True).fill("Special agent")
    page.get_by_label("Country", exact=True).select_option(label="United States")
    page.get_by_label("Network", exact=True).select_option(label=network)
    page.get_by_label("Participation", exact=True).select_option(label="Network delegate")


def register_and_confirm(page, live_app, live_url, acronym, given, family, address, **kw):
    """Register on the form, then confirm by the emailed link; ends on "My registration"."""
    page.goto(f"{live_url}/{acronym}/register")
    fill_registration(page, given, family, address, **kw)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(link_in(mail_to(live_app, address, "Confirm your registration")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your registration")
    choose_password(page)
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My registration")


def choose_password(page, password=DELEGATE_PASSWORD):
    """A new account chooses its password on the confirm page."""
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("Repeat the password").fill(password)


def test_delegate_registers_is_endorsed_in_place_and_approved(
    new_context, live_app, live_url, passwords
):
    delegate = new_context().new_page()
    address = "ana.flow@example.org"

    # The form checks a field as it is left: a departure after the travel days is refused
    # in place, and the message goes once the date is fixed.
    delegate.goto(live_url + "/gmwen4/register")
    expect(delegate.get_by_role("heading", level=1)).to_have_text("Register")
    fill_registration(delegate, "Ana", "Flow", address)
    departure = delegate.get_by_label("Departure", exact=True)
    departure.fill("2023-12-30")
    departure.press("Tab")
    expect(delegate.locator("#departure_date-error")).to_have_text(
        "Leave between 21 November 2023 and 25 November 2023."
    )
    expect(delegate.get_by_label("Departure", exact=True)).to_have_attribute("aria-invalid", "true")
    # The swapped-in field listens once htmx has settled it (a person is never this quick).
    expect(delegate.locator(".checked-field:has(#departure_date)")).not_to_have_class(
        re.compile(r"htmx-(added|settling|swapping)")
    )
    delegate.get_by_label("Departure", exact=True).fill("2023-11-22")
    delegate.get_by_label("Departure", exact=True).press("Tab")
    expect(delegate.locator("#departure_date-error")).to_have_count(0)
    expect(delegate.get_by_label("Departure", exact=True)).to_have_value("2023-11-22")
    delegate.get_by_role("button", name="Register").click()
    expect(delegate.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(delegate.get_by_role("status").last).to_contain_text(address)

    # The emailed link, a password chosen, one button: confirmed and signed in.
    delegate.goto(link_in(mail_to(live_app, address, "Confirm your registration")))
    expect(delegate.get_by_role("heading", level=1)).to_have_text("Confirm your registration")
    choose_password(delegate)
    delegate.get_by_role("button", name="Confirm my registration").click()
    expect(delegate.get_by_role("heading", level=1)).to_have_text("My registration")
    expect(delegate.locator(".lead .status")).to_have_text("Submitted: awaiting a decision")
    expect(delegate.locator("#flash")).to_contain_text(
        "Your address is confirmed and your password is set."
    )

    # The NAWEG focal point endorses in place: the row changes, the page stays.
    focal = new_context().new_page()
    sign_in(focal, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
    focal.goto(live_url + "/gmwen4/")
    focal.get_by_role("link", name="Registrations of my networks").click()
    expect(focal.get_by_role("heading", level=1)).to_have_text("Registrations of my networks")
    row = focal.locator("tr", has_text=address)
    expect(row).to_contain_text("Submitted: awaiting a decision")
    wait_for_htmx(focal)
    focal.evaluate("window.samePage = true")
    row.get_by_role("button", name="Endorse Ana Flow").click()
    expect(row).to_contain_text("Endorsed by the network: awaiting the organisers")
    expect(row.get_by_role("button", name="Endorse Ana Flow")).to_have_count(0)
    assert focal.evaluate("window.samePage") is True
    mail_to(live_app, address, "Your network endorsed your registration")

    # The organiser approves on the registrations page, with its bulk action, in place.
    organiser = new_context().new_page()
    sign_in(organiser, live_url, "organiser@example.org", passwords["organiser@example.org"])
    organiser.goto(live_url + "/manage/gmwen4/registrations")
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Registrations")
    # The list follows the search as it is typed (htmx): wait for that answer.
    organiser.get_by_label("Find by name, email address or organisation").fill(address)
    expect(organiser.locator(".result-count")).to_have_text(f"1 registration matching “{address}”")
    rows = organiser.locator("#registration-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".status")).to_have_text("Endorsed")
    organiser.evaluate("window.samePage = true")
    organiser.get_by_label("Select Ana Flow").check()
    organiser.get_by_role("button", name="Approve", exact=True).click()
    expect(organiser.locator("#flash")).to_contain_text("1 approved")
    expect(rows.locator(".status")).to_have_text("Approved")
    assert organiser.evaluate("window.samePage") is True

    delegate.reload()
    expect(delegate.locator(".lead .status")).to_have_text("Approved")
    approved = mail_to(live_app, address, "Registration approved")
    assert [part.get_content_type() for part in approved.iter_attachments()] == ["text/calendar"]


@pytest.fixture(scope="module")
def small_meeting(live_app):
    """A meeting of one seat, with NAWEG, promoting the next in line when a seat frees."""
    with live_app.app_context():
        naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
        meeting = make_meeting(acronym="smallmeet", title="Small Test Meeting", networks=[naweg])
        meeting.registration_settings = RegistrationSettings(
            capacity=1, endorsement_required=False, auto_promote=True
        )
        db.session.commit()
        acronym = meeting.acronym
        db.session.remove()
    return acronym


def test_withdrawal_frees_a_seat_for_the_next_waiting_person(
    new_context, live_app, live_url, small_meeting
):
    first = new_context().new_page()
    register_and_confirm(
        first, live_app, live_url, small_meeting, "First", "Seated", "first.seat@example.org"
    )
    expect(first.locator(".lead .status")).to_have_text("Submitted: awaiting a decision")

    second = new_context().new_page()
    register_and_confirm(
        second, live_app, live_url, small_meeting, "Second", "Waiting", "second.seat@example.org"
    )
    expect(second.locator(".lead .status")).to_have_text("On the waiting list")
    mail_to(live_app, "second.seat@example.org", "On the waiting list")

    first.reload()
    first.get_by_role("link", name="Withdraw my registration…").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Withdraw my registration?")
    first.get_by_role("button", name="Yes, withdraw my registration").click()
    expect(first.locator(".lead .status")).to_have_text("Withdrawn")
    expect(first.locator("#flash")).to_contain_text("Your registration is withdrawn.")

    message = mail_to(live_app, "second.seat@example.org", "A seat is yours")
    assert message["Subject"] == "A seat is yours: Small Test Meeting"
    second.goto(link_in(message))
    expect(second.locator(".lead .status")).to_have_text("Submitted: awaiting a decision")
    expect(second.locator(".history")).to_contain_text("Promoted from the waiting list")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_self_registered_delegate_signs_in_with_the_password_chosen_on_confirming(
    new_context, live_app, live_url, small_meeting, javascript
):
    """On a 390 px phone, with and without JavaScript: register, confirm by the emailed link
    choosing a password, sign out, and sign in again with that password."""
    page = new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    ).new_page()
    address = f"phone.{'js' if javascript else 'nojs'}@example.org"
    page.goto(f"{live_url}/{small_meeting}/register")
    fill_registration(page, "Pia", "Phone", address)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    page.goto(link_in(mail_to(live_app, address, "Confirm your registration")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your registration")
    # A guessable password is refused at the field; nothing is confirmed yet.
    choose_password(page, "password1234")
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.locator("#password-error")).to_contain_text("too easy to guess")
    choose_password(page)
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My registration")
    expect(page.locator("#flash")).to_contain_text("your password is set")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto(live_url + "/login")
    expect(page.locator("main")).to_contain_text(
        "sign in with the password they chose when they confirmed their address"
    )
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(DELEGATE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner").get_by_role("link", name="My account")).to_be_visible()
    page.goto(f"{live_url}/{small_meeting}/registration")
    expect(page.get_by_role("heading", level=1)).to_have_text("My registration")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
