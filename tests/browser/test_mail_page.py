"""The organisers' Mail page in Chromium at phone width, by keyboard: a failed message is
found by its status and sent again in place (htmx) or by the form (no JavaScript), the
focus stays in the row, and axe finds nothing; the worker then delivers it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, wait_for_htmx, wait_for_mail

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser

PHONE = VIEWPORTS["phone"]


def failed_mail(live_app, to):
    """A message the mail server refused for good; its id."""
    from wenevents import mail
    from wenevents.extensions import db
    from wenevents.mail.models import FAILED

    with live_app.test_request_context():
        queued = mail.queue(to, "Registration approved", "password_reset", link="x", hours=2)
        queued.status, queued.attempts = FAILED, 20
        queued.last_error = "550 5.1.1 No such mailbox"
        db.session.commit()
        return queued.id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_mail_page_sends_a_failed_message_again_by_keyboard(
    new_context, live_url, live_app, organiser_password, javascript
):
    to = f"refused-{'js' if javascript else 'nojs'}@example.org"
    mail_id = failed_mail(live_app, to)
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    sign_in(page, live_url, "organiser@example.org", organiser_password)

    page.goto(live_url + "/manage/mail/")
    if javascript:
        wait_for_htmx(page)
    status = page.get_by_label("Status", exact=True)
    status.focus()
    status.select_option("failed")
    if not javascript:
        page.get_by_role("button", name="Filter").press("Enter")
    expect(page).to_have_url(live_url + "/manage/mail/?status=failed&q=")
    row = page.locator(f"#mail-{mail_id}")
    expect(row).to_contain_text("550 5.1.1 No such mailbox")
    if javascript:  # axe and the width check run as scripts in the page
        assert describe(Axe().run(page).response["violations"]) == ""
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    row.get_by_role("button", name=f"Send again to {to}: Registration approved").press("Enter")

    if javascript:
        expect(row).to_contain_text("Queued again.")
        # The button is gone with the swap: the focus is on the new row, not lost.
        page.wait_for_function(
            "id => document.getElementById(id).contains(document.activeElement)",
            arg=f"mail-{mail_id}",
        )
    else:
        expect(page.get_by_role("status").first).to_contain_text(f"Queued again for {to}.")
        expect(page).to_have_url(live_url + "/manage/mail/?status=failed")
    assert wait_for_mail(live_app, to)["Subject"] == "Registration approved"
