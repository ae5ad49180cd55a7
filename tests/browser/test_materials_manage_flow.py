"""The organisers' materials management in a real browser, on the demo: the languages a
meeting expects, who may download files (one or several at once), the reminder's preview
and who receives it, and the page a too-large upload answers with. With JavaScript and
without, at phone size, by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import VIEWPORTS

pytestmark = pytest.mark.browser

COMPLETENESS = "/manage/gmwen4/materials/completeness"
JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


def organiser_page(browser, live_url, passwords, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport=VIEWPORTS["phone"])
    page = context.new_page()
    sign_in(page, live_url, "organiser@example.org", passwords["organiser@example.org"])
    return context, page


def press(page, locator, key):
    locator.focus()
    page.keyboard.press(key)


def sheet_columns(page):
    return page.locator("thead th", has_text=re.compile("^Sheet, "))


@JS
def test_organiser_sets_the_expected_languages_by_keyboard(
    browser, live_url, passwords, javascript
):
    context, page = organiser_page(browser, live_url, passwords, javascript)
    try:
        page.goto(live_url + COMPLETENESS)
        expect(sheet_columns(page)).to_have_text(["Sheet, English"])

        press(page, page.get_by_label("French"), "Space")
        press(page, page.get_by_role("button", name="Save the languages"), "Enter")

        notice = page.locator("#languages-notice")
        expect(notice).to_have_text("Materials are expected in: English, French.")
        expect(notice).to_be_in_viewport()
        expect(notice).to_be_focused()
        expect(sheet_columns(page)).to_have_text(["Sheet, English", "Sheet, French"])
        expect(page.get_by_label("French")).to_be_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # Back to English only, for the next test.
        press(page, page.get_by_label("French"), "Space")
        press(page, page.get_by_role("button", name="Save the languages"), "Enter")
        expect(notice).to_have_text("Materials are expected in: English.")
        expect(sheet_columns(page)).to_have_text(["Sheet, English"])
    finally:
        context.close()


def set_languages(live_app, languages):
    from wenevents.extensions import db
    from wenevents.meetings.models import Meeting

    with live_app.app_context():
        meeting = db.session.scalar(db.select(Meeting).filter_by(acronym="gmwen4"))
        meeting.materials_languages = languages
        db.session.commit()


def last_reminder(live_app):
    from wenevents.audit.models import AuditEntry
    from wenevents.extensions import db

    with live_app.app_context():
        query = db.select(AuditEntry).where(AuditEntry.action == "materials.reminder")
        return db.session.scalars(query.order_by(AuditEntry.id.desc())).first().details


@JS
def test_reminder_preview_offers_to_invite_and_mails_only_accounts(
    browser, live_app, live_url, passwords, javascript
):
    # French expected too: NAWEG's French files are missing, so it has something to send.
    set_languages(live_app, "en,fr")
    context, page = organiser_page(browser, live_url, passwords, javascript)
    try:
        page.goto(live_url + COMPLETENESS)
        press(page, page.get_by_role("link", name="Send a reminder… to NAWEG"), "Enter")

        expect(page.get_by_role("heading", level=1)).to_have_text("Reminder to NAWEG")
        mailed = page.get_by_role("region", name="Who receives it").get_by_role("listitem")
        expect(mailed).to_have_text(["focal.point@example.org"])
        unreached = page.get_by_role("region", name="Who does not receive it")
        expect(unreached.get_by_role("listitem")).to_have_count(2)
        expect(unreached).to_contain_text("Sarah Miller (fictional)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # Invite: the form comes filled in for that focal point; nothing is sent yet.
        press(page, page.get_by_role("link", name="Invite Sarah Miller (fictional)"), "Enter")
        form = page.locator("#invite-form")
        expect(form.get_by_label("Their email address")).to_have_value("naweg.focal1@example.org")
        expect(form.get_by_label("Role")).to_have_value("focal_point")
        chosen = page.evaluate(
            """() => Array.from(document.querySelectorAll('#invite-form [name="networks"]'))
                .flatMap(e => e.tagName === 'SELECT'
                    ? Array.from(e.selectedOptions).map(o => o.textContent)
                    : (e.checked ? [e.labels[0].textContent] : []))
                .map(t => t.trim())"""
        )
        assert [c.split(" ")[0] for c in chosen] == ["NAWEG"]

        page.go_back()
        press(page, page.get_by_role("button", name="Send the reminder to 1 address"), "Enter")
        notice = page.locator("tr", has_text="NAWEG").get_by_role("status")
        expect(notice).to_have_text(
            "Reminder sent to 1 focal point address of NAWEG. 2 focal points in the directory "
            "have no "
            "account that can upload for NAWEG and were not mailed: invite them from the "
            "reminder's preview."
        )
        expect(notice).to_be_in_viewport()
        if not javascript:
            expect(notice).to_be_focused()
        # Mailed to the account only (the HTTP tests read the outbox: here the dev
        # server may drop the after-response work when the browser resets the connection).
        assert last_reminder(live_app) == {
            "meeting": "gmwen4",
            "recipients": 1,
            "not_mailed": 2,
            "missing_slides": 2,
            "sheet_missing": True,
        }
    finally:
        context.close()
        set_languages(live_app, "en")


def test_too_large_upload_without_javascript_states_the_limit_and_leads_back(
    browser, live_app, live_url, passwords
):
    previous = live_app.config["UPLOAD_MAX_BYTES"]
    live_app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
        page.goto(live_url + "/gmwen4/materials/upload")
        target = page.locator("section.upload-target").filter(has_text="Information sheet")
        big = b"%PDF-1.4\n" + b"x" * (1024 * 1024 + 10)
        target.get_by_label("Files").set_input_files(
            {"name": "big.pdf", "mimeType": "application/pdf", "buffer": big}
        )
        target.get_by_role("button", name="Upload").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Too large")
        expect(page.get_by_role("alert")).to_have_text(
            "A file is larger than the 1 MB allowed. Nothing was stored. Each file may be up "
            "to 1 MB, and up to 5 files may be sent at once."
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        press(page, page.get_by_role("link", name="Back to the form"), "Enter")
        expect(page).to_have_url(live_url + "/gmwen4/materials/upload")
        expect(page.get_by_role("heading", level=1)).to_have_text("Upload materials")
    finally:
        context.close()
        live_app.config["UPLOAD_MAX_BYTES"] = previous


def test_seeded_demo_versions_say_the_sender_was_not_recorded(browser, live_url, passwords):
    context, page = organiser_page(browser, live_url, passwords, True)
    try:
        page.goto(live_url + COMPLETENESS)
        session = page.get_by_role("region", name=re.compile("^Session 1 –"))
        press(page, session.get_by_role("link", name="versions v1").first, "Enter")
        expect(page.get_by_role("heading", level=2, name="Versions")).to_be_visible()
        expect(page.locator("tbody tr td").nth(3)).to_have_text("Sender not recorded")
        expect(page.locator("main")).not_to_contain_text("account removed")
    finally:
        context.close()


@JS
def test_organiser_sets_who_may_download_several_files_by_keyboard(
    browser, live_url, passwords, javascript
):
    context, page = organiser_page(browser, live_url, passwords, javascript)
    try:
        page.goto(live_url + COMPLETENESS)
        section = page.locator("#access")
        rows = section.locator("tbody tr")
        first, second = rows.nth(0), rows.nth(1)
        names = [first.locator("label").inner_text(), second.locator("label").inner_text()]
        press(page, section.get_by_label(names[0], exact=True), "Space")
        press(page, section.get_by_label(names[1], exact=True), "Space")
        section.get_by_label("Who may download", exact=True).select_option(label="Organisers only")
        press(page, section.get_by_role("button", name="Apply to the selected files"), "Enter")

        notice = page.locator("#access-notice")
        expect(notice).to_have_text("Saved for 2 files.")
        expect(notice).to_be_in_viewport()
        expect(notice).to_be_focused()
        rows = page.locator("#access tbody tr")
        expect(rows.nth(0).locator("td").nth(2)).to_have_text("Organisers only")
        expect(rows.nth(1).locator("td").nth(2)).to_have_text("Organisers only")
        expect(rows.nth(2).locator("td").nth(2)).to_have_text("Everyone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # Nothing chosen: the message is at the field; then back to everyone.
        press(page, page.get_by_role("button", name="Apply to the selected files"), "Enter")
        expect(page.locator("#documents-error")).to_have_text("Select at least one file.")
        section = page.locator("#access")
        press(page, section.get_by_label(names[0], exact=True), "Space")
        press(page, section.get_by_label(names[1], exact=True), "Space")
        section.get_by_label("Who may download", exact=True).select_option(label="Everyone")
        press(page, section.get_by_role("button", name="Apply to the selected files"), "Enter")
        expect(page.locator("#access-notice")).to_have_text("Saved for 2 files.")
        expect(page.locator("#access tbody tr td:nth-child(3)").first).to_have_text("Everyone")
    finally:
        context.close()
