"""The issue's walk, in Chromium at phone width by keyboard: a NAWEG delegate follows
session 2 on *My meeting*; the organiser moves NAWEG's presentation and publishes; the
delegate and NAWEG's focal point each get one mail with the change and the new calendar
entry, the chair of an unchanged session gets none; the delegate's page and private feed
show the new time. Without JavaScript, following works by plain form posts."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import delete, select

from tests.browser import conftest as browser
from tests.conftest import outbox
from tests.factories import make_registration
from wenevents.accounts.models import User
from wenevents.agenda import releases
from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.mymeeting.models import Follow
from wenevents.networks.models import Network

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser
PHONE = VIEWPORTS["phone"]


@pytest.fixture(scope="module")
def people(live_app, passwords):
    """The demo delegate, approved as a NAWEG delegate; session 3 chaired by an approved
    delegate with an account (Brice Ndong, COMIFAC)."""
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
        naweg = db.session.scalar(select(Network).filter_by(slug="naweg"))
        delegate = db.session.scalar(select(User).filter_by(email="delegate@example.org"))
        make_registration(
            meeting,
            email=delegate.email,
            user=delegate,
            status="approved",
            given_name="Demo",
            family_name="Delegate (fictional)",
            network=naweg,
            participation_role="network_delegate",
        )
        three = db.session.scalar(select(Session).filter_by(meeting_id=meeting.id, number=3))
        three.chair = "Brice Ndong (fictional)"
        db.session.commit()
        releases.publish(meeting, note="Session 3's chair")
        db.session.commit()
        outbox(live_app)  # what that release sent is out of the way
    return passwords


def notices_to(live_app, address):
    return [
        m for m in outbox(live_app) if m["To"] == address and "the agenda changed" in m["Subject"]
    ]


def test_follow_move_publish_told_and_shown(new_context, live_app, live_url, people):
    before = {
        a: len(notices_to(live_app, a))
        for a in (
            "delegate@example.org",
            "focal.point@example.org",
            "comifac.delegate1@example.org",
        )
    }
    delegate = new_context(viewport=PHONE).new_page()
    browser.sign_in(
        delegate, live_url, "delegate@example.org", people["delegate@example.org"], key="Enter"
    )
    delegate.goto(live_url + "/gmwen4/schedule")
    delegate.get_by_role("navigation", name="This meeting").get_by_role(
        "link", name="My meeting"
    ).press("Enter")
    expect(delegate.get_by_role("heading", level=1)).to_have_text("My meeting")
    browser.wait_for_htmx(delegate)
    assert describe(Axe().run(delegate).response["violations"]) == ""
    assert delegate.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    follow = delegate.get_by_role("button", name="Follow Session 2")
    follow.focus()
    delegate.keyboard.press("Enter")

    following = delegate.get_by_role("button", name="Following Session 2")
    expect(following).to_have_attribute("aria-pressed", "true")
    expect(following).to_be_focused()
    expect(delegate.locator("#following [role=status]")).to_have_text("You follow it now.")

    organiser = new_context(viewport=PHONE).new_page()
    browser.sign_in(
        organiser, live_url, "organiser@example.org", people["organiser@example.org"], key="Enter"
    )
    organiser.goto(live_url + "/manage/gmwen4/agenda/")
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
        two = db.session.scalar(select(Session).filter_by(meeting_id=meeting.id, number=2))
        naweg_item = next(i for i in two.items if i.network and i.network.acronym == "NAWEG")
        item_id = naweg_item.id
    browser.wait_for_htmx(organiser)
    organiser.locator(f"#item-{item_id} [data-move='down']").focus()
    organiser.keyboard.press("Enter")
    panel = organiser.locator(".publish-panel")
    expect(panel).to_contain_text("people are concerned: 2 focal points, 1 follower.")
    panel.get_by_role("button", name=re.compile("Publish release")).press("Enter")
    expect(organiser.locator("#flash")).to_contain_text("is published")

    delegate_mail = browser.wait_for_mail(
        live_app, "delegate@example.org", lambda m: "the agenda changed" in m["Subject"]
    )
    focal_mail = browser.wait_for_mail(
        live_app, "focal.point@example.org", lambda m: "the agenda changed" in m["Subject"]
    )
    assert len(notices_to(live_app, "delegate@example.org")) == before["delegate@example.org"] + 1
    assert (
        len(notices_to(live_app, "focal.point@example.org"))
        == before["focal.point@example.org"] + 1
    )
    # Session 3 did not change: its chair hears nothing.
    assert (
        len(notices_to(live_app, "comifac.delegate1@example.org"))
        == before["comifac.delegate1@example.org"]
    )
    for message in (delegate_mail, focal_mail):
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "NAWEG" in text and "was: Tue 21 Nov 2023, 11:00–11:15" in text
        assert "now: Tue 21 Nov 2023, 11:15–11:30" in text
        calendar = next(
            p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
        )
        events = Calendar.from_ical(calendar.get_payload(decode=True)).walk("VEVENT")
        naweg_event = next(e for e in events if str(e["summary"]).startswith("NAWEG:"))
        assert naweg_event["sequence"] == 1

    delegate.reload()
    mine = delegate.locator("section[aria-labelledby=part-heading]")
    expect(mine).to_contain_text("11:15–11:30: “Communication within the network")

    delegate.get_by_role("button", name="Make my calendar address").press("Enter")
    address = delegate.get_by_label("Your calendar address (shown this once: copy it now)")
    expect(address).to_be_focused()
    feed = delegate.request.get(address.input_value())
    events = Calendar.from_ical(feed.body()).walk("VEVENT")
    naweg_event = next(e for e in events if str(e["summary"]).startswith("NAWEG:"))
    assert naweg_event.decoded("dtstart").strftime("%H:%M") == "11:15"


def test_follow_without_javascript(new_context, live_app, live_url, people):
    with live_app.app_context():
        db.session.execute(delete(Follow))
        db.session.commit()
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    browser.sign_in(
        page, live_url, "delegate@example.org", people["delegate@example.org"], key="Enter"
    )
    page.goto(live_url + "/gmwen4/my-meeting")

    page.get_by_role("button", name="Follow SAWEN").press("Enter")

    page.wait_for_url("**/gmwen4/my-meeting#following")
    expect(page.locator("#flash")).to_contain_text("You follow it now.")
    expect(page.get_by_role("button", name="Following SAWEN")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("section[aria-labelledby=part-heading]")).to_contain_text("What I follow")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
