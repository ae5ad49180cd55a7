"""Registration paths in a real browser: a focal point's decline that promotes the next one
waiting updates that row and the seat count in place; withdrawing asks first; "several
choices" are checkboxes; a delegate's own page shows their answers and where to upload."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.factories import make_meeting, make_registration
from wenevents.extensions import db
from wenevents.networks.models import Network
from wenevents.registration.models import RegistrationSettings

pytestmark = pytest.mark.browser

FOCAL = "focal.point@example.org"


def one_seat_meeting(live_app, acronym):
    """A meeting of one seat for NAWEG: one delegate seated, one waiting."""
    with live_app.app_context():
        naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
        meeting = make_meeting(acronym=acronym, title=f"Meeting {acronym}", networks=[naweg])
        meeting.registration_settings = RegistrationSettings(
            capacity=1, network_quota=3, endorsement_required=True, auto_promote=True
        )
        db.session.commit()
        make_registration(
            meeting,
            email=f"seated.{acronym}@example.org",
            given_name="Sam",
            family_name="Seated",
            network_id=naweg.id,
            participation_role="network_delegate",
        )
        make_registration(
            meeting,
            email=f"waiting.{acronym}@example.org",
            given_name="Wanda",
            family_name="Waiting",
            network_id=naweg.id,
            participation_role="network_delegate",
            status="waitlisted",
            waitlisted_at=datetime.now(UTC).replace(tzinfo=None),
        )
        db.session.remove()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_decline_that_promotes_updates_the_promoted_row_and_the_count(
    new_context, live_app, live_url, passwords, javascript
):
    acronym = f"decl{'js' if javascript else 'nojs'}"
    one_seat_meeting(live_app, acronym)
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, live_url, FOCAL, passwords[FOCAL])
    page.goto(f"{live_url}/{acronym}/network-registrations")
    waiting = page.locator("tr", has_text=f"waiting.{acronym}@example.org")
    expect(waiting).to_contain_text("On the waiting list")
    count = page.locator("[id$='-seats']")
    expect(count).to_have_text("1 of 3 seats taken")
    if javascript:
        page.evaluate("window.samePage = true")

    page.get_by_role("button", name="Decline Sam Seated").click()

    expect(page.locator("tr", has_text=f"seated.{acronym}@example.org")).to_contain_text(
        "Not endorsed by the network"
    )
    expect(waiting).to_contain_text("Submitted: awaiting a decision")
    expect(waiting.get_by_role("button", name="Endorse Wanda Waiting")).to_be_visible()
    expect(count).to_have_text("1 of 3 seats taken")
    expect(page.locator("template")).to_have_count(0)

    # Declining the one now seated frees a seat nobody waits for: the count goes down.
    page.get_by_role("button", name="Decline Wanda Waiting").click()

    expect(waiting).to_contain_text("Not endorsed by the network")
    expect(count).to_have_text("0 of 3 seats taken")
    if javascript:
        assert page.evaluate("window.samePage") is True


@pytest.fixture(scope="module")
def delegate(live_app):
    """A NAWEG delegate of the 4th meeting with a password, registration submitted, and a
    "several choices" question on the meeting's form."""
    from tests.conftest import PASSWORD, _hash
    from wenevents.accounts.models import DELEGATE, User
    from wenevents.meetings.models import Meeting
    from wenevents.registration.models import Question

    address = "keyboard.delegate@example.org"
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
        question = Question(
            meeting_id=meeting.id,
            position=99,
            kind="multiple_choice",
            label="Workshops you attend",
            choices=["Forensics", "Financial crime", "Cyber"],
            required=True,
        )
        db.session.add(question)
        user = User(email=address, role=DELEGATE, password_hash=_hash(PASSWORD))
        db.session.add(user)
        db.session.commit()
        make_registration(
            meeting,
            email=address,
            user_id=user.id,
            given_name="Kim",
            family_name="Keys",
            answers={str(question.id): ["Cyber"]},
            confirmed_at=datetime.now(UTC).replace(tzinfo=None),
        )
        db.session.remove()
    return address, PASSWORD


def reset_answers(live_app, address, choices):
    """The delegate's answer to the "several choices" question (the only one) is ``choices``."""
    from wenevents.registration.models import Registration

    with live_app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == address))
        registration.answers = {key: choices for key in registration.answers}
        db.session.commit()
        db.session.remove()


def tab_to(page, name, limit=80):
    """Press Tab until the focused element's accessible text is ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate(
            "(() => { const e = document.activeElement; const l = e.labels && e.labels[0];"
            " return (l ? l.innerText : e.innerText || '').trim() })()"
        )
        if text == name:
            return
    raise AssertionError(f"{name!r} not reached by Tab")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_several_choices_are_ticked_with_the_keyboard(
    new_context, live_app, live_url, delegate, javascript
):
    reset_answers(live_app, delegate[0], ["Cyber"])
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, live_url, *delegate)
    page.goto(live_url + "/gmwen4/registration/edit")
    group = page.get_by_role("group", name="Workshops you attend")
    expect(group.get_by_role("checkbox")).to_have_count(3)
    expect(group.get_by_role("checkbox", name="Cyber")).to_be_checked()

    tab_to(page, "Forensics")
    page.keyboard.press("Space")
    expect(group.get_by_role("checkbox", name="Forensics")).to_be_checked()
    tab_to(page, "Save")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("My registration")
    expect(page.locator("#flash")).to_contain_text("Your details are saved.")
    # A new tab: the browser's own restoring of a page's form state plays no part.
    page = page.context.new_page()
    page.goto(live_url + "/gmwen4/registration/edit")
    group = page.get_by_role("group", name="Workshops you attend")
    expect(group.get_by_role("checkbox", name="Forensics")).to_be_checked()
    expect(group.get_by_role("checkbox", name="Cyber")).to_be_checked()

    # None ticked: the message is at the group, which says it is invalid.
    for box in ("Forensics", "Cyber"):
        group.get_by_role("checkbox", name=box).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(group.locator(".error")).to_have_text("This field is required.")
    expect(group.get_by_role("checkbox", name="Cyber")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_withdrawing_asks_first_and_keeping_changes_nothing(
    new_context, live_url, delegate, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, live_url, *delegate)
    page.goto(live_url + "/gmwen4/registration")

    tab_to(page, "Withdraw my registration…")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw my registration?")
    tab_to(page, "No, keep my registration")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("My registration")
    expect(page.locator(".lead .status")).to_have_text("Submitted: awaiting a decision")


@pytest.fixture(scope="module")
def naweg_delegate(live_app):
    """An endorsed NAWEG delegate of the 4th meeting (NAWEG presents there), with a password;
    the meeting's participants list is for participants."""
    from tests.conftest import PASSWORD, _hash
    from wenevents.accounts.models import DELEGATE, User
    from wenevents.meetings.models import Meeting

    address = "slides.delegate@example.org"
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
        meeting.registration_settings.participants_list = "participants"
        naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
        user = User(email=address, role=DELEGATE, password_hash=_hash(PASSWORD))
        db.session.add(user)
        db.session.commit()
        make_registration(
            meeting,
            email=address,
            user_id=user.id,
            given_name="Sol",
            family_name="Slides",
            network_id=naweg.id,
            participation_role="network_delegate",
            language="es",
            dietary="No nuts",
            status="endorsed",
        )
        db.session.remove()
    return address, PASSWORD


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_delegate_reaches_the_upload_page_in_one_click_and_sees_their_details(
    new_context, live_url, naweg_delegate, javascript
):
    page = new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    page = page.new_page()
    sign_in(page, live_url, *naweg_delegate)

    page.goto(live_url + "/gmwen4/")
    page.get_by_role("link", name="Upload slides and documents").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upload")
    assert page.url == live_url + "/gmwen4/materials/upload"

    page.goto(live_url + "/gmwen4/registration")
    details = page.locator(".facts").first
    expect(details).to_contain_text("Spanish")
    expect(details).to_contain_text("No nuts")
    expect(details).to_contain_text("Network delegate")
    slides = page.get_by_role("region", name="Your network’s slides")
    expect(slides).to_contain_text("NAWEG presents at this meeting: you may upload its slides.")
    slides.get_by_role("link", name="Upload slides").click()
    # Wait for the new page to load: between commit and parse there is no documentElement.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upload")
    page.wait_for_load_state("load")
    assert page.url == live_url + "/gmwen4/materials/upload"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_participants_before_approval_says_what_it_is_and_when_it_opens(
    new_context, live_url, delegate, naweg_delegate, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, live_url, *delegate)

    page.goto(live_url + "/gmwen4/")
    page.get_by_role("link", name="Participants", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Participants")
    note = page.locator("#not-participant")
    expect(note).to_contain_text("names the people attending this meeting who agreed to be listed")
    expect(note).to_contain_text("Next, the organisers approve it.")
    expect(page.locator("main table")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Sol Slides")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_organiser_approves_without_the_endorsement_giving_a_reason(
    new_context, live_app, live_url, passwords, javascript
):
    acronym = f"over{'js' if javascript else 'nojs'}"
    one_seat_meeting(live_app, acronym)
    with live_app.app_context():
        from wenevents.registration.models import Registration

        seated = db.session.scalar(
            select(Registration.id).where(Registration.email == f"seated.{acronym}@example.org")
        )
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, live_url, "organiser@example.org", passwords["organiser@example.org"])
    page.goto(f"{live_url}/manage/{acronym}/registrations/{seated}")

    # No reason: refused, the message at the field.
    page.get_by_role("button", name="Approve without the endorsement").click()
    reason = page.get_by_label("Why approve without the network's endorsement?")
    expect(page.locator("#override-reason-error")).to_have_text(
        "Give the reason for approving without the network's endorsement."
    )
    expect(reason).to_have_attribute("aria-invalid", "true")

    reason.fill("The focal point has not answered for three weeks")
    reason.press("Tab")
    page.keyboard.press("Enter")

    expect(page.locator(".lead .status")).to_have_text("Approved")
    expect(page.locator("#flash")).to_contain_text("Approved without the network's endorsement")
    expect(page.locator(".history li").last).to_contain_text(
        "by organiser@example.org — Approved without the network's endorsement: "
        "The focal point has not answered for three weeks"
    )


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_axe_finds_nothing_on_the_new_registration_pages(
    new_context, live_app, live_url, passwords, naweg_delegate, viewport
):
    from axe_playwright_python.sync_playwright import Axe

    from .test_accessibility import VIEWPORTS, describe

    axe, found = Axe(), {}
    acronym = f"axe{viewport}"
    one_seat_meeting(live_app, acronym)
    with live_app.app_context():
        from wenevents.registration.models import Registration

        seated = db.session.scalar(
            select(Registration.id).where(Registration.email == f"seated.{acronym}@example.org")
        )
    delegate_page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    sign_in(delegate_page, live_url, *naweg_delegate)
    for path in ("/gmwen4/registration", "/gmwen4/registration/withdraw", "/gmwen4/"):
        delegate_page.goto(live_url + path)
        found[path] = describe(axe.run(delegate_page).response["violations"])
        assert (
            delegate_page.evaluate("document.documentElement.scrollWidth")
            <= (VIEWPORTS[viewport]["width"])
        ), path

    organiser = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    sign_in(organiser, live_url, "organiser@example.org", passwords["organiser@example.org"])
    for path in (f"/manage/{acronym}/registrations/{seated}", "/manage/users"):
        organiser.goto(live_url + path)
        found[path] = describe(axe.run(organiser).response["violations"])
    # The override refused for want of a reason: the message at the field.
    organiser.goto(f"{live_url}/manage/{acronym}/registrations/{seated}")
    organiser.get_by_role("button", name="Approve without the endorsement").click()
    found["override refused"] = describe(axe.run(organiser).response["violations"])

    assert {path: text for path, text in found.items() if text} == {}


def test_endorse_by_keyboard_keeps_the_focus_in_the_row(new_context, live_app, live_url, passwords):
    one_seat_meeting(live_app, "focusrow")
    page = new_context().new_page()
    sign_in(page, live_url, FOCAL, passwords[FOCAL])
    page.goto(f"{live_url}/focusrow/network-registrations")
    waiting = page.locator("tr", has_text="waiting.focusrow@example.org")
    waiting.get_by_role("button", name="Endorse Wanda Waiting").focus()

    page.keyboard.press("Enter")

    expect(waiting).not_to_contain_text("Endorse Wanda Waiting")
    # The row's next control (Declining's reason) has the focus, not the page's top: it
    # moves there once the swap has settled.
    expect(waiting.locator("input.reason-input")).to_be_focused()
