"""What a delegate takes on the journey, in Chromium at phone width by keyboard, with and
without JavaScript: from the schedule to the delegate pack (its size said, the ZIP
downloaded whole) and to the text-only schedule. axe finds nothing on these pages."""

import hashlib
import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser

PHONE = VIEWPORTS["phone"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_delegate_takes_the_pack_from_the_schedule(new_context, live_url, javascript):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    page.goto(live_url + "/gmwen4/schedule")

    page.get_by_role("link", name="Delegate pack: the schedule").press("Enter")

    expect(page).to_have_url(live_url + "/gmwen4/pack")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delegate pack")
    packs = page.locator("ul.packs")
    expect(packs.locator("li[lang=en]")).to_contain_text("(ZIP, ")
    if javascript:
        assert describe(Axe().run(page).response["violations"]) == ""
    with page.expect_download() as download:
        packs.get_by_role("link", name="Español").press("Enter")
    path = Path(download.value.path())
    assert download.value.suggested_filename == "gmwen4-es.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[:2] == ["gmwen4 – Calendario.pdf", "gmwen4 – Calendario.ics"]
    assert len(hashlib.sha256(path.read_bytes()).hexdigest()) == 64


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_delegate_reads_the_text_schedule(new_context, live_url, javascript):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_url + "/gmwen4/schedule")

    page.get_by_role("link", name="Text-only schedule").press("Enter")

    expect(page).to_have_url(live_url + "/gmwen4/schedule/text")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Global Meeting")
    # The page and nothing else: no style, script, image or icon to fetch.
    assert [u for u in requests if "/schedule/text" in u or "/static/" in u][-1].endswith(
        "/gmwen4/schedule/text"
    )
    assert page.evaluate("document.styleSheets.length") == 0
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if javascript:
        assert describe(Axe().run(page).response["violations"]) == ""
    page.get_by_role("link", name="The full schedule").press("Enter")
    expect(page).to_have_url(live_url + "/gmwen4/schedule")
