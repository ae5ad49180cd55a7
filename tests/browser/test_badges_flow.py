"""Badges in Chromium at phone width by keyboard: from the registrations to the badge
page, one network chosen, the PDF downloaded; axe finds nothing on the page."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import conftest as browser

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser
PHONE = VIEWPORTS["phone"]


def test_organiser_prints_one_networks_badges(new_context, live_url, organiser_password):
    page = new_context(viewport=PHONE).new_page()
    browser.sign_in(page, live_url, "organiser@example.org", organiser_password, key="Enter")
    page.goto(live_url + "/manage/gmwen4/registrations/")

    page.get_by_role("link", name="Print badges").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Print badges")
    assert describe(Axe().run(page).response["violations"]) == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("One network’s approved delegates").check()
    page.get_by_label("Network", exact=True).select_option(label="COMIFAC")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the badges (PDF)").press("Enter")
    assert download.value.suggested_filename == "gmwen4-badges-network.pdf"
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"


def test_badges_without_a_network_says_so_at_the_field(new_context, live_url, organiser_password):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    browser.sign_in(page, live_url, "organiser@example.org", organiser_password, key="Enter")
    page.goto(live_url + "/manage/gmwen4/registrations/badges")

    page.get_by_label("One network’s approved delegates").check()
    page.get_by_role("button", name="Download the badges (PDF)").press("Enter")

    expect(page.locator("#network-error")).to_have_text("Choose the network whose badges to print.")
