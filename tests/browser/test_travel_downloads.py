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


def test_pack_download_broken_off_resumes_to_the_same_file(new_context, live_url):
    """A connection that drops halfway: the browser's second request asks for the rest
    (Range, with If-Range naming the version it has) and the two parts make the file."""
    page = new_context(viewport=PHONE).new_page()
    page.goto(live_url + "/gmwen4/pack")
    with page.expect_download() as download:
        page.locator("ul.packs").get_by_role("link", name="English").press("Enter")
    whole = Path(download.value.path()).read_bytes()
    url = live_url + "/gmwen4/pack/en.zip"

    head = page.request.get(url, headers={"Range": f"bytes=0-{len(whole) // 2 - 1}"})
    assert head.status == 206
    tag = head.headers["etag"]
    rest = page.request.get(url, headers={"Range": f"bytes={len(whole) // 2}-", "If-Range": tag})

    assert rest.status == 206
    assert rest.headers["content-range"] == f"bytes {len(whole) // 2}-{len(whole) - 1}/{len(whole)}"
    joined = head.body() + rest.body()
    assert hashlib.sha256(joined).hexdigest() == hashlib.sha256(whole).hexdigest()
