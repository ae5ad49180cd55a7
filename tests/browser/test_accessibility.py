"""axe-core finds no accessibility violation on any public page, on a phone or a desktop."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .pages import PATHS

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def describe(violations):
    """One line per failing element: rule id, impact, target selector and axe's summary."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"{violation['id']} ({violation['impact']}) at {target}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
@pytest.mark.parametrize("path", PATHS)
def test_axe_finds_no_violations_on_public_page(new_context, live_url, axe, path, viewport):
    # axe is injected as a script: the site's Content-Security-Policy would refuse it.
    context = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(live_url + path)

    violations = axe.run(page).response["violations"]

    assert violations == [], f"{path} at {viewport} size:\n{describe(violations)}"


# Pages as they look while the meeting runs: the now and next panel and markers.
LIVE_PATHS = ["/gmwen4/schedule", "/gmwen4/schedule?day=all&tz=Europe/Paris", "/gmwen4/sessions/2"]


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
def test_axe_finds_no_violations_on_schedule_while_meeting_runs(
    new_context, live_url, axe, monkeypatch, viewport
):
    from datetime import UTC, datetime

    from wenevents.agenda import services

    # The live server runs in this process: its clock is 11:20 in Panama on day one.
    monkeypatch.setattr(services, "now_utc", lambda: datetime(2023, 11, 21, 16, 20, tzinfo=UTC))
    page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()

    found = {}
    for path in LIVE_PATHS:
        page.goto(live_url + path)
        assert page.locator(".marker-now").count() >= 1
        found[path] = describe(axe.run(page).response["violations"])

    assert {path: text for path, text in found.items() if text} == {}


# Pages behind the sign-in, seen by the demo organiser; and the sign-in pages themselves.
SIGNED_IN_PATHS = [
    "/account",
    "/manage/users",
    "/manage/audit/",
    "/networks/naweg/edit",
    "/networks/naweg",
]
SIGN_IN_PATHS = ["/login", "/forgot-password", "/reset-password"]


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
@pytest.mark.parametrize("path", SIGN_IN_PATHS)
def test_axe_finds_no_violations_on_sign_in_page(new_context, live_url, axe, path, viewport):
    page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    page.goto(live_url + path)

    violations = axe.run(page).response["violations"]

    assert violations == [], f"{path} at {viewport} size:\n{describe(violations)}"


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
def test_axe_finds_no_violations_on_organiser_pages(
    new_context, live_url, axe, organiser_password, viewport
):
    page = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport]).new_page()
    page.goto(live_url + "/login")
    page.get_by_label("Email address").fill("organiser@example.org")
    page.get_by_label("Password", exact=True).fill(organiser_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_url + "/")

    found = {}
    for path in SIGNED_IN_PATHS:
        page.goto(live_url + path)
        found[path] = describe(axe.run(page).response["violations"])
    # The users list with a row opened for editing in place, as htmx leaves it.
    page.goto(live_url + "/manage/users")
    page.get_by_role("link", name="Edit organiser@example.org").click()
    page.locator("tr.row-editing").wait_for()
    found["/manage/users (editing a row)"] = describe(axe.run(page).response["violations"])
    # The agenda editor with a new item's form brought in place of its link.
    page.goto(live_url + "/manage/gmwen4/agenda/")
    page.get_by_role("link", name="Add an item to session 1", exact=True).click()
    page.locator(".add-item form").wait_for()
    found["/manage/gmwen4/agenda/ (adding an item)"] = describe(
        axe.run(page).response["violations"]
    )

    assert {path: text for path, text in found.items() if text} == {}
