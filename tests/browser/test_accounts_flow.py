"""A person is invited, sets a password, signs in, resets a forgotten password and signs
out, in a real browser; mail goes to the live app's instance/outbox/."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from tests.browser.conftest import submit_sign_in as sign_in
from tests.browser.conftest import wait_for_mail
from wenevents.accounts.models import LoginSession
from wenevents.clock import utcnow
from wenevents.extensions import db

pytestmark = pytest.mark.browser

NEW_PASSWORD = "marimba tortoise lantern 42"
RESET_PASSWORD = "copper heron midnight 19"


def outbox_link(live_app, to, path, timeout=10):
    """The link to ``path…`` in the newest message sent to ``to`` with one, waiting for it."""
    prefix = live_app.config["PUBLIC_URL"] + path

    def links(message):
        return [
            link
            for link in re.findall(r"https?://\S+", message.get_content())
            if link.startswith(prefix)
        ]

    return links(wait_for_mail(live_app, to, links, timeout))[-1]


def sign_out(page):
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")


def test_invited_person_sets_password_resets_it_and_signs_out(
    new_context, live_app, live_url, passwords
):
    page = new_context().new_page()
    address = "new.focal.point@example.org"

    # An organiser invites a focal point of NAWEG; the form answers in place (htmx).
    sign_in(page, live_url, "organiser@example.org", passwords["organiser@example.org"])
    page.get_by_role("banner").get_by_role("link", name="Users").click()
    page.get_by_label("Their email address").fill(address)
    page.get_by_label("Role").first.select_option("focal_point")
    # The networks are checkboxes in a group: ticked with the keyboard.
    networks = page.get_by_role("group", name="Networks (for focal points)")
    networks.get_by_label("NAWEG – North America Wildlife Enforcement Group").focus()
    page.keyboard.press("Space")
    expect(networks.get_by_role("checkbox", checked=True)).to_have_count(1)
    page.evaluate("window.samePage = true")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text(f"Invitation sent to {address}.")).to_be_visible()
    expect(page.locator("#invitations")).to_contain_text(address)
    assert page.evaluate("window.samePage") is True
    sign_out(page)

    # The invitee follows the emailed link and chooses a name and password, then signs in
    # with it (the link signs nobody in).
    page.goto(outbox_link(live_app, address, "/invitations/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    assert "/invitations/accept" in page.url
    page.get_by_label("Your name").fill("Ana Example (fictional)")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("status")).to_contain_text("sign in with your new password")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.locator(".facts")).to_contain_text("Network focal point")
    expect(page.locator(".facts")).to_contain_text("NAWEG")
    sign_out(page)

    # Signing in works; then the person forgets the password and resets it by email.
    sign_in(page, live_url, address, NEW_PASSWORD)
    expect(page.get_by_role("banner").get_by_role("link", name="My account")).to_be_visible()
    sign_out(page)
    page.goto(live_url + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status").last).to_contain_text("If an account uses this address")
    page.goto(outbox_link(live_app, address, "/reset-password/"))
    page.get_by_label("New password", exact=True).fill(RESET_PASSWORD)
    page.get_by_label("Repeat the new password").fill(RESET_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed.")
    sign_in(page, live_url, address, NEW_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("The email address or the password is wrong")
    sign_in(page, live_url, address, RESET_PASSWORD)
    expect(page.get_by_role("banner").get_by_role("link", name="My account")).to_be_visible()
    sign_out(page)
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()


def test_focal_point_edits_network_profile_in_place(new_context, live_url, passwords):
    page = new_context().new_page()
    sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
    page.goto(live_url + "/networks/naweg")
    page.evaluate("window.samePage = true")

    page.get_by_role("link", name="Edit the profile").click()
    page.get_by_label("Website").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#website-error")).to_have_text(
        "Give an address starting with https:// or http://."
    )
    page.get_by_label("Website").fill("https://naweg.example.org")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status").last).to_have_text("Saved.")
    expect(page.get_by_role("link", name="https://naweg.example.org")).to_be_visible()
    assert page.evaluate("window.samePage") is True


def test_htmx_request_after_session_ends_goes_to_login(new_context, live_app, live_url, passwords):
    page = new_context().new_page()
    sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
    page.goto(live_url + "/networks/naweg")
    with live_app.app_context():
        db.session.execute(update(LoginSession).values(ended_at=utcnow()))
        db.session.commit()

    page.get_by_role("link", name="Edit the profile").click()

    expect(page).to_have_url(re.compile(r"/login\?next=/networks/naweg$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.locator("#network-profile").count() == 0


def test_other_networks_edit_is_refused_in_place(new_context, live_url, passwords):
    page = new_context().new_page()
    sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
    page.goto(live_url + "/networks/naweg/edit")
    # Point the form at another network, as someone editing the page's HTML would.
    page.locator("#network-profile").evaluate(
        "form => { form.setAttribute('hx-post', '/networks/latf/edit'); htmx.process(form); }"
    )

    page.get_by_role("button", name="Save").click()

    expect(page.locator("#flash")).to_have_text(
        "You are not allowed to do this. If you think you should be, ask an organiser."
    )
