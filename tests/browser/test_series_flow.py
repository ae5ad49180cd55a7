"""Issue #7 in a real browser, on the demo: an organiser creates the 5th meeting by cloning
the 4th (in place, with htmx) and publishes it; imports focal points from a CSV with one bad
row; a delegate whose registration is approved finds a focal point in the directory while an
anonymous visitor cannot. And axe finds nothing on these pages, on a phone or a desktop."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, wait_for_htmx

from .test_accessibility import VIEWPORTS, describe

pytestmark = pytest.mark.browser

CSV = (
    "name,title,agency,email,phone,country,networks\n"
    "Zoe Import (fictional),Analyst,Customs (fictional),zoe.import@example.org,"
    "+1 555 0150,PA,NAWEG\n"
    "Yan Import (fictional),Ranger,Parks (fictional),yan.import@example.org,,KE,LATF\n"
    "Bad Row (fictional),,,not-an-email,,,NOWHERE\n"
)


@pytest.fixture(scope="module")
def approved_delegate(live_app):
    """The demo delegate, with a registration for the 4th meeting that an organiser approved:
    a participant, who may read the directory (registration/rules.py)."""
    from sqlalchemy import select

    from tests.factories import make_registration
    from wenevents.extensions import db
    from wenevents.meetings.models import Meeting

    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
        make_registration(meeting, email="delegate@example.org", status="approved")
    return "delegate@example.org"


def test_organiser_creates_the_5th_meeting_by_cloning_the_4th(new_context, live_url, passwords):
    page = new_context().new_page()
    sign_in(page, live_url, "organiser@example.org", passwords["organiser@example.org"])
    page.get_by_role("banner").get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")

    # The form opens in place of the 4th meeting's card: the page stays.
    wait_for_htmx(page)
    page.evaluate("window.samePage = true")
    page.get_by_role("link", name="New edition from this one (gmwen4)").click()
    card = page.locator("#meeting-gmwen4")
    expect(card.get_by_role("heading", level=3)).to_have_text("New edition from gmwen4")
    assert page.evaluate("window.samePage") is True
    expect(card.get_by_label("Acronym")).to_have_value("gmwen5")
    expect(card.get_by_label("Title", exact=True)).to_have_value(
        "5th Global Meeting of Wildlife Enforcement Networks"
    )
    card.get_by_label("First day").fill("2026-11-24")
    card.get_by_label("Last day").fill("2026-11-25")
    card.get_by_label("Time zone").fill("Asia/Samarkand")
    card.get_by_label("City").fill("Samarkand")
    card.get_by_label("Country").select_option(label="Uzbekistan")
    card.get_by_label("Held alongside").fill("CITES CoP20")

    # A clash is shown at the field, in place, and nothing is made.
    card.get_by_label("Acronym").fill("login")
    card.get_by_role("button", name="Create the new edition").click()
    expect(card.locator(".error")).to_have_text(
        ["“login” is one of the site's own addresses. Choose another."]
    )
    card.get_by_label("Acronym").fill("gmwen5")
    card.get_by_role("button", name="Create the new edition").click()

    expect(page.locator("#flash")).to_contain_text(
        "gmwen5 created as a draft from gmwen4, with 14 networks, 8 sessions"
    )
    new_card = page.locator("#meeting-gmwen5")
    expect(new_card.locator(".badge")).to_have_text("Draft")
    expect(new_card).to_contain_text("24–25 November 2026 · Samarkand, Uzbekistan")

    # The public does not see a draft; publishing (in place) shows it, linked from the 4th.
    visitor = new_context().new_page()
    assert visitor.goto(live_url + "/gmwen5/").status == 404
    new_card.get_by_role("button", name="Publish gmwen5").click()
    expect(new_card.locator(".badge")).to_have_text("Published")
    visitor.goto(live_url + "/gmwen4/")
    visitor.get_by_role("link", name="Next edition: 5th Global Meeting").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "5th Global Meeting of Wildlife Enforcement Networks"
    )
    # The cloned agenda is a draft: nothing of it is public yet.
    visitor.goto(live_url + "/series/gmwen")
    expect(visitor.locator("h2").first).to_have_text(
        "5th Global Meeting of Wildlife Enforcement Networks"
    )


def test_organiser_imports_focal_points_from_a_csv_with_one_bad_row(
    new_context, live_url, passwords
):
    page = new_context().new_page()
    sign_in(page, live_url, "organiser@example.org", passwords["organiser@example.org"])
    page.get_by_role("banner").get_by_role("link", name="Focal points").click()
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import focal points")

    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "focal-points.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Preview the import").click()

    bad = page.locator("#import-row-4")
    expect(bad).to_contain_text("“not-an-email” is not a valid email address.")
    expect(bad).to_contain_text("Unknown network “NOWHERE”.")
    expect(page.locator("#import-row-2")).to_contain_text("Added")
    expect(page.locator(".count-list")).to_contain_text("With problems 1")
    page.get_by_role("button", name="Import the 2 good rows").click()

    expect(page.locator("#flash")).to_contain_text("Imported: 2 focal points added, 0 updated.")
    wait_for_htmx(page)
    page.get_by_label("Name, title, agency or email").fill("import")
    results = page.locator("#focal-point-results")
    expect(results.locator(".contact-name")).to_have_text(
        ["Yan Import (fictional)", "Zoe Import (fictional)"]
    )
    expect(results).not_to_contain_text("Bad Row")


def test_delegate_finds_a_focal_point_in_the_directory_while_anonymous_cannot(
    new_context, live_url, passwords, approved_delegate
):
    visitor = new_context().new_page()
    visitor.goto(live_url + "/directory")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Sign in")
    visitor.goto(live_url + "/networks/sawen")
    expect(visitor.locator(".contact-name")).to_have_text(["Priya Sharma (fictional)"])
    expect(visitor.locator("main")).not_to_contain_text("@example.org")

    page = new_context().new_page()
    sign_in(page, live_url, "delegate@example.org", passwords["delegate@example.org"])
    page.get_by_role("banner").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of focal points")
    wait_for_htmx(page)
    page.evaluate("window.samePage = true")
    page.get_by_label("Name, title, agency or email").fill("sharma")
    results = page.locator("#directory-results")
    expect(results.locator(".contact-name")).to_have_text(["Priya Sharma (fictional)"])
    expect(results.get_by_role("link", name="sawen.focal1@example.org")).to_have_attribute(
        "href", "mailto:sawen.focal1@example.org"
    )
    assert page.evaluate("window.samePage") is True
    assert page.url == live_url + "/directory?q=sharma&network=&region=&country="

    # A filter by network, chosen from the list, narrows in place too.
    page.get_by_label("Name, title, agency or email").fill("")
    page.get_by_label("Network", exact=True).select_option(label="SAWEN")
    expect(results.locator(".contact-name")).to_have_text(
        ["Priya Sharma (fictional)", "Rahul Verma (fictional)"]
    )
    # Rahul's phone number is for organisers only.
    expect(results).not_to_contain_text("+1 555 0117")


def test_directory_search_works_without_javascript(
    new_context, live_url, passwords, approved_delegate
):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_url, "delegate@example.org", passwords["delegate@example.org"])
    page.goto(live_url + "/directory")
    page.get_by_label("Country").select_option(label="Nepal")
    page.get_by_role("button", name="Search").click()

    expect(page.locator(".contact-name")).to_have_text(["Priya Sharma (fictional)"])


ORGANISER_PATHS = [
    "/manage/meetings/",
    "/manage/meetings/new",
    "/manage/networks/",
    "/manage/focal-points/",
    "/manage/focal-points/new",
    "/manage/focal-points/import",
    "/directory",
    "/series/gmwen",
    "/networks/naweg",
]


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
def test_axe_finds_no_violations_on_issue_7_pages(new_context, live_url, passwords, viewport):
    axe = Axe()
    page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    found = {}
    page.goto(live_url + "/series/gmwen")
    found["/series/gmwen (anonymous)"] = describe(axe.run(page).response["violations"])
    sign_in(page, live_url, "organiser@example.org", passwords["organiser@example.org"])
    for path in ORGANISER_PATHS:
        page.goto(live_url + path)
        found[path] = describe(axe.run(page).response["violations"])
    # Forms opened in place, as htmx leaves them.
    page.goto(live_url + "/manage/meetings/")
    page.get_by_role("link", name="Edit gmwen3").click()
    page.locator("#meeting-gmwen3.editing").wait_for()
    page.get_by_role("link", name="New edition from this one (gmwen2)").click()
    page.locator("#meeting-gmwen2.editing").wait_for()
    found["/manage/meetings/ (editing, cloning)"] = describe(axe.run(page).response["violations"])
    page.goto(live_url + "/manage/networks/")
    page.get_by_role("link", name="Delete NAWEG").click()
    page.locator(".manage-card.deleting").wait_for()
    found["/manage/networks/ (delete refused)"] = describe(axe.run(page).response["violations"])
    page.goto(live_url + "/manage/focal-points/?q=sharma")
    page.get_by_role("link", name="Edit Priya Sharma (fictional)").click()
    page.locator(".manage-card.editing").wait_for()
    found["/manage/focal-points/ (editing)"] = describe(axe.run(page).response["violations"])

    assert {path: text for path, text in found.items() if text} == {}
