"""The agenda in a real browser: an organiser builds the demo meeting's agenda from empty,
publishes it, moves a presentation (by drag and drop) and publishes again; the public
schedule, the changelog, the calendar (its SEQUENCE risen) and both frab exports show it."""

import json

import jsonschema
import pytest
from icalendar import Calendar
from lxml import etree
from playwright.sync_api import expect
from sqlalchemy import delete, select

from tests.browser import conftest as browser
from tests.schemas import schemas_dir
from wenevents.agenda.models import Release, Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting

pytestmark = pytest.mark.browser

EDITOR = "/manage/gmwen4/agenda/"


@pytest.fixture(scope="module")
def organiser_password(live_app, passwords):
    with live_app.app_context():
        # From empty: the demo's agenda and its releases go; the meeting and networks stay.
        meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
        db.session.execute(delete(Release).where(Release.meeting_id == meeting.id))
        db.session.execute(delete(Session).where(Session.meeting_id == meeting.id))
        db.session.commit()
    return passwords["organiser@example.org"]


def sign_in(page, live_url, password):
    browser.sign_in(page, live_url, "organiser@example.org", password)


def add_session(page, title, day, start, end, chair):
    form = page.locator("section.add-session form")
    form.get_by_label("Title", exact=True).fill(title)
    form.get_by_label("Day").fill(day)
    form.get_by_label("Starts").fill(start)
    form.get_by_label("Ends").fill(end)
    form.get_by_label("Room").fill("Plenary hall")
    form.get_by_label("Chair or moderators").fill(chair)
    form.get_by_role("button", name="Add the session").click()
    expect(page.get_by_role("heading", name=f"– {title}")).to_be_visible()


def add_item(page, number, kind, title, minutes, network=None):
    session = page.locator(
        ".editor-session", has=page.get_by_role("heading", name=f"Session {number} –")
    )
    session.get_by_text(f"Add an item to session {number}").click()
    form = session.locator(".add-item form")
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Title", exact=True).fill(title)
    if network:
        choice = form.get_by_label("Network").locator("option", has_text=f"{network} – ")
        form.get_by_label("Network").select_option(choice.get_attribute("value"))
    form.get_by_label("Duration (minutes)").fill(str(minutes))
    form.get_by_role("button", name="Add the item").click()
    expect(session.locator(".item-title", has_text=title)).to_be_visible()


def publish(page, number):
    page.get_by_role("button", name=f"Publish release {number}").click()
    expect(page.get_by_text(f"Release {number} is published.")).to_be_visible()


def fetch(page, live_url, path):
    response = page.request.get(live_url + path)
    assert response.status == 200, path
    return response.body()


def test_agenda_built_published_moved_and_republished(page, live_app, live_url, organiser_password):
    sign_in(page, live_url, organiser_password)
    page.goto(live_url + EDITOR)
    expect(page.get_by_text("No sessions on this day yet.").first).to_be_visible()

    add_session(
        page, "Outcomes of the 3rd meeting", "2023-11-21", "09:00", "10:30", "CITES Secretariat"
    )
    add_session(page, "Regional updates", "2023-11-22", "09:00", "10:00", "UNODC")
    add_item(page, 1, "Discussion", "Welcome and opening remarks", 10)
    add_item(page, 1, "Presentation by a network", "Activities since Geneva", 20,
             network="ASEAN-WEN")  # fmt: skip
    add_item(page, 1, "Presentation by a network", "Regional cooperation", 20,
             network="SAWEN")  # fmt: skip
    add_item(page, 2, "Presentation by a network", "Trends in the region", 15,
             network="LATF")  # fmt: skip
    # Keyboard-usable move: SAWEN's talk up one place, before ASEAN-WEN's.
    page.get_by_role("button", name="Move up Regional cooperation").click()
    expect(page.locator("#agenda .editor-item .item-title").nth(1)).to_have_text(
        "Regional cooperation"
    )
    publish(page, 1)

    schedule = page.context.new_page()
    schedule.goto(f"{live_url}/gmwen4/schedule")
    expect(schedule.get_by_text("Activities since Geneva")).to_be_visible()
    calendar_before = Calendar.from_ical(fetch(page, live_url, "/gmwen4/schedule.ics"))

    # Drag ASEAN-WEN's presentation from session 1 into session 2.
    talk = page.locator(".editor-item", has_text="Activities since Geneva")
    target = (
        page.locator(".editor-session", has_text="Regional updates").locator(".editor-item").first
    )
    talk.locator(".drag-handle").drag_to(target, target_position={"x": 10, "y": 30})
    session_two = page.locator(".editor-session", has_text="Regional updates")
    expect(session_two.locator(".item-title", has_text="Activities since Geneva")).to_be_visible()
    expect(page.get_by_text("Publishing now makes release 2 with")).to_be_visible()
    expect(page.locator(".publish-panel")).to_contain_text("Moved")
    publish(page, 2)

    schedule.get_by_role("link", name="Wed 22 Nov").click()
    day_two = schedule.locator("#day-2023-11-22")
    expect(day_two.get_by_text("Activities since Geneva")).to_be_visible()
    schedule.goto(f"{live_url}/gmwen4/changelog")
    expect(schedule.get_by_role("heading", name="Release 2")).to_be_visible()
    expect(schedule.get_by_text("“Activities since Geneva” (ASEAN-WEN)").first).to_be_visible()

    calendar_after = Calendar.from_ical(fetch(page, live_url, "/gmwen4/schedule.ics"))
    before = {str(e["UID"]): int(e.get("SEQUENCE", 0)) for e in calendar_before.walk("VEVENT")}
    after = {str(e["UID"]): int(e.get("SEQUENCE", 0)) for e in calendar_after.walk("VEVENT")}
    assert sorted(before) == sorted(after)
    assert sorted(after.values()) == [1, 1]  # both sessions' programmes changed
    assert sorted(before.values()) == [0, 0]

    xml = fetch(page, live_url, "/gmwen4/schedule.xml")
    schema = etree.XMLSchema(etree.parse(str(schemas_dir() / "schedule.xml.xsd")))
    document = etree.fromstring(xml)
    schema.assertValid(document)
    moved = document.xpath("//event[title='Activities since Geneva']")[0]
    assert moved.findtext("date").startswith("2023-11-22T09:")

    data = json.loads(fetch(page, live_url, "/gmwen4/schedule.json"))
    validator = jsonschema.Draft6Validator(
        json.loads((schemas_dir() / "schedule.schema.json").read_text()),
        format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER,
    )
    assert [e.message for e in validator.iter_errors(data)] == []
    events = [
        event
        for day in data["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
    ]
    moved = next(e for e in events if e["title"] == "Activities since Geneva")
    assert moved["date"].startswith("2023-11-22T09:")
