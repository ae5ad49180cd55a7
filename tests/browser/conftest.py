"""The browser suite's fixtures and helpers: the demo's passwords, signing in through the
real form, pages with and without JavaScript, and waiting for the mail a live server sends.

The live server (``live_app``, ``live_url``) and Chromium's launch arguments are
tests/conftest.py's: a few browser tests live in domain folders too.
"""

import time

import pytest
from playwright.sync_api import expect

from tests.conftest import outbox
from wenevents import demo


@pytest.fixture(scope="module")
def passwords(live_app):
    """``{address: password}`` of the demo's accounts (reset for this module's server)."""
    with live_app.app_context():
        return {address: password for address, _role, password in demo.reset_demo_passwords()}


@pytest.fixture(scope="module")
def organiser_password(passwords):
    return passwords["organiser@example.org"]


@pytest.fixture
def js_page(new_context):
    return new_context().new_page()


@pytest.fixture
def no_js_page(new_context):
    return new_context(java_script_enabled=False).new_page()


def wait_for_htmx(page):
    """Wait until htmx has started on the page.

    A click that navigates returns once the new page's HTML arrives, before its deferred
    scripts run; typing into a live search then fires ``input`` before htmx listens for it.
    """
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")


def submit_sign_in(page, live_url, address, password, key=None):
    """Fill in the sign-in form and send it (by pressing ``key``, or the button), whatever
    the outcome."""
    page.goto(live_url + "/login")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(password)
    if key:
        page.keyboard.press(key)
    else:
        page.get_by_role("button", name="Sign in").click()


def sign_in(page, live_url, address, password, key=None):
    """Sign in through the form and wait until the page says so."""
    submit_sign_in(page, live_url, address, password, key)
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()


def wait_for_mail(live_app, to, match=lambda _message: True, timeout=10):
    """The newest message to ``to`` that ``match`` accepts, waiting for it: a live server
    writes its mail to the outbox once the response has gone out."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in outbox(live_app) if m["To"] == to and match(m)]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no such mail to {to}"
        time.sleep(0.1)
