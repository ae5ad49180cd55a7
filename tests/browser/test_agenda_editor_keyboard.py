"""The agenda editor by keyboard: Move keeps the focus on the moved row's button, says what
happened in a polite live region, and swaps only what changed; without JavaScript the same
button posts and the page comes back at the row."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import conftest as browser
from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting

pytestmark = pytest.mark.browser

EDITOR = "/manage/gmwen4/agenda/"
SECOND = "Increased collaboration and communication, both within and between networks"


def session_id(live_app, title):
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).filter_by(acronym="gmwen4"))
        return db.session.scalar(select(Session.id).filter_by(meeting_id=meeting.id, title=title))


def open_editor(new_context, live_url, password, **options):
    """A new page (``options``: the browser context's), signed in as the organiser, at
    the agenda editor."""
    page = new_context(**options).new_page()
    browser.sign_in(page, live_url, "organiser@example.org", password, key="Enter")
    page.goto(live_url + EDITOR)
    return page


def test_keyboard_move_keeps_focus_on_the_moved_row_and_announces_it(
    new_context, live_app, live_url, organiser_password
):
    page = open_editor(
        new_context, live_url, organiser_password, viewport={"width": 1280, "height": 800}
    )
    moved = session_id(live_app, SECOND)
    button = page.locator(f"#session-{moved} > .actions-cell [data-move='up']")
    swaps = []
    page.on(
        "response",
        lambda r: swaps.append(len(r.body())) if r.request.method == "POST" else None,
    )

    button.focus()
    page.keyboard.press("Enter")

    status = page.locator("#editor-status")
    expect(status).to_have_text(
        f"Session “{SECOND}” moved earlier: it is now session 1, 09:00–10:30."
    )
    expect(page.locator(f"#session-heading-{moved}")).to_have_text(f"Session 1 – {SECOND}")
    expect(page.locator("#agenda .editor-sessions").first.locator(":scope > li").first).to_have_id(
        f"session-{moved}"
    )
    active = page.evaluate(
        "() => [document.activeElement.closest('[data-id]').id,"
        " document.activeElement.dataset.move]"
    )
    assert active == [f"session-{moved}", "up"]
    assert page.locator("#editor-status").get_attribute("role") == "status"
    assert button.is_visible()
    assert len(swaps) == 1 and swaps[0] < 10240
    # The publish panel brought itself up to date.
    expect(page.locator(".publish-panel")).to_contain_text("Renumbered")

    # Once more, later again: the focus is still where it was.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("moved later: it is now session 2")
    active = page.evaluate(
        "() => [document.activeElement.closest('[data-id]').id,"
        " document.activeElement.dataset.move]"
    )
    assert active == [f"session-{moved}", "down"]


def test_move_without_javascript_posts_and_returns_to_the_row(
    new_context, live_app, live_url, organiser_password
):
    page = open_editor(new_context, live_url, organiser_password, java_script_enabled=False)
    moved = session_id(live_app, SECOND)
    number = page.locator(f"#session-heading-{moved}").inner_text().split(" ")[1]

    page.locator(f"#session-{moved} > .actions-cell [data-move='down']").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(f"**{EDITOR}#session-{moved}")
    expect(page.get_by_text(f"Session “{SECOND}” moved later")).to_be_visible()
    expect(page.locator(f"#session-heading-{moved}")).to_contain_text(
        f"Session {int(number) + 1} – "
    )


def test_item_edit_and_delete_swap_only_their_session(
    new_context, live_app, live_url, organiser_password
):
    page = open_editor(new_context, live_url, organiser_password)
    session = page.locator(".editor-session", has=page.locator("h3", has_text=SECOND))
    item = session.locator(".editor-item").first
    title = item.locator(".item-title").inner_text()
    swaps = []
    page.on(
        "response",
        lambda r: swaps.append(len(r.body())) if r.request.method == "POST" else None,
    )

    item.get_by_role("link", name=f"Edit {title}").click()
    form = session.locator(".editor-item.editing form")
    form.get_by_label("Title", exact=True).fill("Renamed talk")
    form.get_by_role("button", name="Save the item").click()

    expect(session.locator(".item-title", has_text="Renamed talk")).to_be_visible()
    expect(page.locator("#editor-status")).to_have_text("“Renamed talk” saved.")
    assert page.locator("#agenda").count() == 1
    assert page.locator(".editor-session.editing, .editor-item.editing").count() == 0

    page.once("dialog", lambda dialog: dialog.accept())
    session.get_by_role("button", name="Delete Renamed talk").click()
    # Slides were uploaded for it (demo data): asked again in place, in its session.
    session.get_by_role("button", name="Delete the item").click()

    expect(page.locator("#editor-status")).to_have_text("“Renamed talk” deleted.")
    expect(session.locator(".item-title", has_text="Renamed talk")).to_have_count(0)
    assert page.locator("#agenda").count() == 1
    assert len(swaps) == 3 and max(swaps) < 40000


def test_session_edit_saved_with_htmx_leaves_one_agenda(
    new_context, live_app, live_url, organiser_password
):
    page = open_editor(new_context, live_url, organiser_password)
    moved = session_id(live_app, SECOND)

    page.locator(f"#session-{moved} > .actions-cell").get_by_role("link", name="Edit").click()
    form = page.locator(f"#session-{moved} form")
    form.get_by_label("Room").fill("Room B")
    form.get_by_role("button", name="Save the session").click()

    expect(page.locator(f"#session-head-{moved}")).to_contain_text("Room B")
    assert page.locator("#agenda").count() == 1


FIRST = "Outcomes from the 3rd Global meeting of WENs and activities undertaken in this regard"


def focused(page):
    return page.evaluate("() => document.activeElement.id || document.activeElement.outerHTML")


def test_add_item_by_keyboard_brings_the_form_in_place_with_the_focus(
    new_context, live_app, live_url, organiser_password
):
    page = open_editor(
        new_context, live_url, organiser_password, viewport={"width": 390, "height": 844}
    )
    added_to = session_id(live_app, FIRST)
    slot = page.locator(f"#add-item-{added_to}")
    assert page.locator(".add-item form").count() == 0

    slot.get_by_role("link", name="Add an item to session 1").focus()
    page.keyboard.press("Enter")

    form = slot.locator("form")
    expect(form).to_be_visible()
    assert focused(page) == f"add{added_to}-kind"
    # Cancel puts the link back, with the focus on it.
    form.get_by_role("link", name="Cancel").focus()
    page.keyboard.press("Enter")
    link = slot.get_by_role("link", name="Add an item to session 1")
    expect(link).to_be_focused()

    page.keyboard.press("Enter")
    expect(form).to_be_visible()
    form.get_by_label("Kind").select_option(label="Discussion")
    page.keyboard.press("Tab")
    page.keyboard.type("Closing words")
    form.get_by_label("Duration (minutes)").fill("5")
    form.get_by_role("button", name="Add the item").focus()
    page.keyboard.press("Enter")

    session = page.locator(f"#session-{added_to}")
    expect(session.locator(".item-title", has_text="Closing words")).to_be_visible()
    expect(page.locator("#editor-status")).to_have_text("“Closing words” added to session 1.")
    assert page.locator(".add-item form").count() == 0


def test_add_item_without_javascript_opens_the_editor_at_the_form(
    new_context, live_app, live_url, organiser_password
):
    page = open_editor(new_context, live_url, organiser_password, java_script_enabled=False)
    added_to = session_id(live_app, FIRST)

    page.locator(f"#add-item-{added_to}").get_by_role("link").click()

    page.wait_for_url(f"**/sessions/{added_to}/items#add-item-{added_to}")
    form = page.locator(f"#add-item-{added_to} form")
    form.get_by_label("Kind").select_option(label="Discussion")
    form.get_by_label("Title", exact=True).fill("Without a script")
    form.get_by_label("Duration (minutes)").fill("5")
    form.get_by_role("button", name="Add the item").click()

    page.wait_for_url(f"**{EDITOR}#session-{added_to}")
    session = page.locator(f"#session-{added_to}")
    expect(session.locator(".item-title", has_text="Without a script")).to_be_visible()
    assert page.locator(".add-item form").count() == 0
