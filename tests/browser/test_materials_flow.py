"""Materials in a real browser, on the demo: the NAWEG focal point uploads slides (with a
progress bar) and drops an information sheet, replaces the slides and sees both versions;
an attendee downloads them; the organiser sees the completeness page change and downloads
a session's ZIP. Then the same pages with JavaScript off, and axe on each."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_accessibility import VIEWPORTS, describe
from wenevents import demo

pytestmark = pytest.mark.browser

SLIDES_V2 = b"%PDF-1.4\n% NAWEG slides, second version\n%%EOF\n"
SLIDES_V3 = b"%PDF-1.4\n% NAWEG slides, third version\n%%EOF\n"
SHEET_FR = b"%PDF-1.4\n% NAWEG fiche d'information\n%%EOF\n"
NAWEG = "North America Wildlife Enforcement Group"
# The demo meeting is over: its deadline has passed, so what is sent now is marked late.
LATE = "It arrived after the deadline and is marked late."


@pytest.fixture(scope="module")
def passwords(live_app):
    with live_app.app_context():
        return {address: password for address, _role, password in demo.reset_demo_passwords()}


def sign_in(page, live_url, address, password):
    page.goto(live_url + "/login")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()


def pdf(name, content):
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


def naweg_row(page):
    return page.locator("tr", has=page.get_by_role("rowheader", name="NAWEG", exact=True))


def naweg_slides(page):
    """NAWEG's presentation in session 2 (it presents in session 8 too)."""
    return page.locator("section.upload-target", has_text="Session 2").filter(has_text="(NAWEG)")


def downloaded(page, link):
    with page.expect_download() as info:
        link.click()
    return info.value


def test_focal_point_uploads_attendee_downloads_organiser_checks(new_context, live_url, passwords):
    organiser = new_context().new_page()
    sign_in(organiser, live_url, "organiser@example.org", passwords["organiser@example.org"])
    organiser.goto(live_url + "/manage/gmwen4/materials/completeness")
    expect(naweg_row(organiser).locator(".state")).to_have_text(["In", "Missing", "Missing"])

    # The focal point sends new slides with the file picker: a bar fills, the block updates.
    focal = new_context().new_page()
    sign_in(focal, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
    focal.goto(live_url + "/gmwen4/")
    focal.get_by_role("link", name=re.compile("^All materials")).click()
    focal.get_by_role("link", name="Upload materials").click()
    expect(focal.get_by_role("heading", level=1)).to_have_text("Upload materials")
    slides = naweg_slides(focal)
    slides.get_by_label("Files").set_input_files(pdf("NAWEG slides v2.pdf", SLIDES_V2))
    slides.get_by_role("button", name="Upload").click()
    slides = naweg_slides(focal)
    expect(slides.locator(".progress-list progress")).to_have_attribute("value", "100")
    expect(slides.locator(".progress-list")).to_contain_text("Done")
    expect(slides.locator(".outcomes")).to_have_text(
        "NAWEG slides v2.pdf: Stored as version 2. " + LATE
    )
    expect(slides.locator(".slot-list")).to_contain_text("NAWEG slides v2.pdf")

    # The French information sheet is dropped on its drop zone.
    sheet = focal.locator("section.upload-target", has_text=f"Information sheet: {NAWEG}")
    transfer = focal.evaluate_handle(
        """content => {
            const transfer = new DataTransfer();
            const type = {type: "application/pdf"};
            transfer.items.add(new File([content], "NAWEG fiche_fr.pdf", type));
            return transfer;
        }""",
        SHEET_FR.decode(),
    )
    sheet.locator(".drop-zone").dispatch_event("drop", {"dataTransfer": transfer})
    sheet = focal.locator("section.upload-target", has_text=f"Information sheet: {NAWEG}")
    expect(sheet.locator(".outcomes")).to_have_text(
        "NAWEG fiche_fr.pdf: Stored as version 1. " + LATE
    )
    expect(sheet.locator(".slot-list")).to_contain_text("French: NAWEG fiche_fr.pdf")

    # Replaced again; the versions page lists every one with who sent it.
    slides.get_by_label("Files").set_input_files(pdf("NAWEG slides v3.pdf", SLIDES_V3))
    slides.get_by_role("button", name="Upload").click()
    slides = naweg_slides(focal)
    expect(slides.locator(".outcomes")).to_have_text(
        "NAWEG slides v3.pdf: Stored as version 3. " + LATE
    )
    slides.get_by_role("link", name="3 versions").click()
    rows = focal.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("NAWEG slides v3.pdf")
    expect(rows.nth(0)).to_contain_text("Demo Focal Point (fictional)")
    expect(rows.nth(1)).to_contain_text("NAWEG slides v2.pdf")
    expect(rows.nth(2)).to_contain_text("NAWEG slides.pdf")

    # An attendee, signed out, downloads the current slides and the sheet.
    attendee = new_context(accept_downloads=True).new_page()
    attendee.goto(live_url + "/gmwen4/materials")
    expect(attendee.locator(".disclaimer")).to_contain_text("sole responsibility")
    session = attendee.get_by_role("region", name=re.compile("^Session 2 –"))
    presentation = session.locator("li", has_text="by NAWEG")
    download = downloaded(attendee, presentation.get_by_role("link", name="English"))
    assert download.suggested_filename == "NAWEG slides v3.pdf"
    assert Path(download.path()).read_bytes() == SLIDES_V3
    sheets = attendee.locator("li", has_text=NAWEG)
    download = downloaded(attendee, sheets.get_by_role("link", name="French"))
    assert Path(download.path()).read_bytes() == SHEET_FR

    # The organiser's completeness page shows the French sheet now; a session's ZIP.
    organiser.reload()
    expect(naweg_row(organiser).locator(".state")).to_have_text(["In", "Late", "Missing"])
    organiser.goto(live_url + "/gmwen4/materials")
    download = downloaded(
        organiser, organiser.get_by_role("link", name="All slides of session 2 (ZIP)")
    )
    assert download.suggested_filename == "gmwen4-session-2.zip"
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        names = archive.namelist()
        assert (
            "Session 2/NAWEG – Communication within the network and with its neighbours (en).pdf"
            in names
        )
        assert archive.read(next(n for n in names if "NAWEG" in n)) == SLIDES_V3


def test_upload_works_without_javascript(browser, live_url, passwords):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
    page.goto(live_url + "/gmwen4/materials/upload")
    sheet = page.locator("section.upload-target", has_text=f"Information sheet: {NAWEG}")
    expect(sheet.locator(".drop-zone")).to_be_hidden()
    sheet.get_by_label("Language").select_option(label="Spanish")
    sheet.get_by_label("Files").set_input_files(
        [pdf("hoja.pdf", b"%PDF-1.4\n% hoja\n%%EOF\n"), pdf("bad.pdf", b"<svg/>")]
    )
    sheet.get_by_role("button", name="Upload").click()
    sheet = page.locator("section.upload-target", has_text=f"Information sheet: {NAWEG}")
    expect(sheet.locator(".error")).to_have_text(
        "bad.pdf: This file is HTML, SVG or XML, which can carry scripts: send a PDF instead."
    )
    expect(sheet.locator(".slot-list")).to_contain_text("Spanish: hoja.pdf")
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
def test_axe_finds_no_violations_on_materials_pages(new_context, live_url, passwords, viewport):
    axe = Axe()
    page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    page.goto(live_url + "/gmwen4/materials")
    problems = describe(axe.run(page).response["violations"])
    sign_in(page, live_url, "organiser@example.org", passwords["organiser@example.org"])
    for path in (
        "/gmwen4/materials",
        "/gmwen4/materials/upload",
        "/manage/gmwen4/materials/completeness",
    ):
        page.goto(live_url + path)
        found = describe(axe.run(page).response["violations"])
        problems += f"\n{path}: {found}" if found else ""
    assert problems == "", problems
