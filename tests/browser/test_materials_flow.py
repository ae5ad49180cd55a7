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

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser

SLIDES_V2 = b"%PDF-1.4\n% NAWEG slides, second version\n%%EOF\n"
SLIDES_V3 = b"%PDF-1.4\n% NAWEG slides, third version\n%%EOF\n"
SHEET_FR = b"%PDF-1.4\n% NAWEG fiche d'information\n%%EOF\n"
NAWEG = "North America Wildlife Enforcement Group"
# The demo meeting is over: its deadline has passed, so what is sent now is marked late.
LATE = "It arrived after the deadline and is marked late."


def pdf(name, content):
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


def naweg_row(page):
    # The row header may go on with files in languages not expected ("Also: …").
    return page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^NAWEG( |$)")))


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
    # The demo expects its materials in English only.
    expect(naweg_row(organiser).locator(".state")).to_have_text(["In"])

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
    # The upload and the server's answer can take longer than expect's 5 s on a loaded CI.
    expect(slides.locator(".progress-list progress")).to_have_attribute(
        "value", "100", timeout=30_000
    )
    expect(slides.locator(".progress-list")).to_contain_text("Done")
    expect(slides.locator(".outcomes")).to_have_text(
        "NAWEG slides v2.pdf: Stored as version 2. " + LATE
    )
    expect(slides.get_by_role("status").filter(has=focal.locator(".outcomes"))).to_be_focused()
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

    # The organiser's completeness page lists the French sheet beside the English one
    # (not expected, so never missing); a session's ZIP.
    organiser.reload()
    expect(naweg_row(organiser).locator(".state")).to_have_text(["In"])
    expect(naweg_row(organiser).locator(".also-in")).to_have_text("Also: French v1")
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
        "/manage/gmwen4/materials/prune",
    ):
        page.goto(live_url + path)
        found = describe(axe.run(page).response["violations"])
        problems += f"\n{path}: {found}" if found else ""
    assert problems == "", problems


def naweg_session_8(page):
    return page.locator("section.upload-target", has_text="Session 8").filter(has_text="(NAWEG)")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_upload_past_the_quota_then_pruning_makes_room_on_a_phone(
    browser, live_app, live_url, passwords, javascript
):
    from wenevents.accounts.models import User
    from wenevents.extensions import db
    from wenevents.uploads import quotas, rules, targets

    tag = b"js" if javascript else b"nojs"
    first, second, third = (
        b"%PDF-1.4\n% " + tag + b" " + word + b"\n" + b"x" * 200 + b"\n%%EOF\n"
        for word in (b"first", b"second", b"third")
    )
    with live_app.app_context():
        meeting = targets.meeting_with_materials("gmwen4")
        user = db.session.scalar(db.select(User).where(User.email == "focal.point@example.org"))
        used = quotas.space(meeting, rules.viewer_for(user, meeting))[0].used
    # Room for two of these files, not three.
    previous = live_app.config["UPLOAD_QUOTA_PER_PERSON"]
    live_app.config["UPLOAD_QUOTA_PER_PERSON"] = used + len(first) + len(second) + 10
    context = browser.new_context(
        java_script_enabled=javascript, viewport=VIEWPORTS["phone"], accept_downloads=True
    )
    try:
        page = context.new_page()
        sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
        page.goto(live_url + "/gmwen4/materials/upload")
        for name, content in (("first.pdf", first), ("second.pdf", second)):
            naweg_session_8(page).get_by_label("Files").set_input_files(pdf(name, content))
            naweg_session_8(page).get_by_role("button", name="Upload").click()
            expect(naweg_session_8(page).locator(".slot-list")).to_contain_text(name)

        naweg_session_8(page).get_by_label("Files").set_input_files(pdf("third.pdf", third))
        naweg_session_8(page).get_by_role("button", name="Upload").click()
        error = naweg_session_8(page).locator("p.error")
        expect(error).to_contain_text(
            "third.pdf: This file (" + f"{len(third)} bytes) does not fit in the"
        )
        expect(error).to_contain_text("Delete earlier versions you sent")
        expect(naweg_session_8(page).locator(".slot-list")).to_contain_text("second.pdf")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # Delete the first of the two, from the versions page, after saying yes.
        naweg_session_8(page).get_by_role("link", name=re.compile(r"^\d+ versions?$")).click()
        row = page.locator("tbody tr", has_text="first.pdf")
        expect(row).to_have_count(1)
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        row.get_by_role("link", name=re.compile("^Delete")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Delete version"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name=re.compile("^Delete version")).click()
        expect(page.locator(".flash")).to_contain_text(f"is deleted; {len(first)} bytes freed.")
        expect(page.locator("tbody tr", has_text="first.pdf")).to_have_count(0)

        page.goto(live_url + "/gmwen4/materials/upload")
        naweg_session_8(page).get_by_label("Files").set_input_files(pdf("third.pdf", third))
        naweg_session_8(page).get_by_role("button", name="Upload").click()
        expect(naweg_session_8(page).locator(".slot-list")).to_contain_text("third.pdf")
    finally:
        context.close()
        live_app.config["UPLOAD_QUOTA_PER_PERSON"] = previous


def test_upload_without_javascript_lands_on_its_message_on_a_phone(browser, live_url, passwords):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
        page.goto(live_url + "/gmwen4/materials/upload")
        # The last target on the page: far below the first screen.
        target = naweg_session_8(page)
        target.get_by_label("Files").set_input_files(
            pdf("landing.pdf", b"%PDF-1.4\n% where the redirect lands\n%%EOF\n")
        )
        target.get_by_role("button", name="Upload").click()

        outcome = naweg_session_8(page).get_by_role("status")
        expect(outcome).to_have_text(
            re.compile(r"^\s*landing\.pdf: Stored as version \d+\. " + LATE)
        )
        expect(outcome).to_be_in_viewport()
        expect(outcome).to_be_focused()
        expect(page).to_have_title(re.compile("^1 file sent · Upload materials"))
        expect(page.locator("#flash")).to_have_text("")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_upload_with_no_file_chosen_opens_on_the_field_and_its_error(
    browser, live_url, passwords, javascript
):
    # With JavaScript too the form is then sent as it is: the server says what is missing.
    context = browser.new_context(java_script_enabled=javascript, viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        sign_in(page, live_url, "focal.point@example.org", passwords["focal.point@example.org"])
        page.goto(live_url + "/gmwen4/materials/upload")
        naweg_session_8(page).get_by_role("button", name="Upload").focus()
        page.keyboard.press("Enter")

        files = naweg_session_8(page).get_by_label("Files")
        expect(files).to_be_focused()
        expect(files).to_be_in_viewport()
        expect(files).to_have_attribute("aria-invalid", "true")
        expect(files).to_have_accessible_description(re.compile("Choose at least one file.$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
