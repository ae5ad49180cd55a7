"""On a 390 px phone nothing is wider than the screen: every page, as every role (a stranger, a
delegate, a focal point and an organiser), has ``scrollWidth`` ≤ 390; and the demo schedule's
first session is on the first screen (390 × 844).

The pages are every GET route of the app (tests/crawling.py fills their parameters from the
data), each at the first of its URLs that answers this role with a page, and the public pages
of tests/browser/pages.py.
"""

from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from tests.browser.conftest import sign_in
from tests.crawling import seed_urls

from .pages import PATHS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ROLES = {
    "stranger": None,
    "delegate": "delegate@example.org",
    "focal point": "focal.point@example.org",
    "organiser": "organiser@example.org",
}


# Files, not pages: exports and downloads.
FILES = (".ics", ".pdf", ".xml", ".json", ".zip", ".csv", ".xlsx", ".atom")
FILE_ENDPOINTS = {
    "uploads.download",
    "uploads.version_file",
    "registration.my_file",
    "registration_manage.answer_file",
}
# URLs of a route tried for a page that answers 200 (the crawl builds up to 30 and more).
TRIES = 8


@pytest.fixture(scope="module")
def registrations(live_app):
    """NAWEG delegates of the demo meeting waiting for their focal point, one with a long
    unbreakable address, and the demo delegate's own registration."""
    from sqlalchemy import select

    from tests.factories import make_registration
    from wenevents.accounts.models import User
    from wenevents.extensions import db
    from wenevents.meetings.models import Meeting
    from wenevents.networks.models import Network

    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
        naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
        delegate = db.session.scalar(select(User).where(User.email == "delegate@example.org"))
        make_registration(meeting, network=naweg)
        make_registration(
            meeting,
            network=naweg,
            email="wildlife.enforcement.coordination.unit@fish-and-wildlife-service.example.org",
            organisation="United States Fish and Wildlife Service, Office of Law Enforcement",
        )
        make_registration(meeting, network=naweg, email=delegate.email, user=delegate)


@pytest.fixture(scope="module")
def candidates(live_app, registrations):
    """``{endpoint: [url, …]}``: the URLs the crawl builds for each GET route that answers
    with a page."""
    with live_app.app_context():
        urls = seed_urls(live_app)
    adapter = live_app.url_map.bind("localhost")
    found = {}
    for url in urls:
        try:
            endpoint, _args = adapter.match(urlsplit(url).path, "GET")
        except HTTPException:
            continue
        if endpoint in FILE_ENDPOINTS or urlsplit(url).path.endswith(FILES):
            continue
        urls = found.setdefault(endpoint, [])
        if len(urls) < TRIES:
            urls.append(url)
    return found


def is_page(response):
    return response.headers.get("content-type", "").startswith("text/html")


def pages_for(context, live_url, candidates):
    """One URL per route as this context's role sees it (the first answering 200 with a
    page, else the first answering with a page at all), and the public pages."""
    chosen = list(PATHS)
    for urls in candidates.values():
        fallback = None
        for url in urls:
            response = context.request.get(live_url + url, max_redirects=0)
            assert response.status != 429, url
            if not is_page(response):
                continue
            if response.status == 200:
                chosen.append(url)
                break
            fallback = fallback or url
        else:
            if fallback:
                chosen.append(fallback)
    return list(dict.fromkeys(chosen))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_at_phone_width_fits_the_screen(browser, live_url, passwords, candidates, role):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    if ROLES[role]:
        sign_in(page, live_url, ROLES[role], passwords[ROLES[role]])

    too_wide, visited = {}, 0
    for url in pages_for(context, live_url, candidates):
        response = page.goto(live_url + url)
        if response is None or not is_page(response):
            continue
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[url] = width
    context.close()

    assert visited >= 40
    assert too_wide == {}


@pytest.mark.parametrize("timezone", ["America/Panama", "Europe/Paris"])
def test_first_session_of_demo_schedule_is_on_the_first_phone_screen(browser, live_url, timezone):
    # A visitor in another zone is offered their zone, without the panel opening itself.
    context = browser.new_context(viewport=PHONE, timezone_id=timezone)
    page = context.new_page()
    page.goto(live_url + "/gmwen4/schedule")
    page.wait_for_load_state("load")

    heading = page.locator(".session h3").first.bounding_box()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    panel_open = page.locator(".schedule-controls").evaluate("details => details.open")
    context.close()

    assert heading["y"] + heading["height"] <= PHONE["height"]
    assert scroll_width == PHONE["width"]
    assert panel_open is False


@pytest.mark.parametrize("width", [320, 390])
def test_day_tabs_at_phone_width_are_all_on_screen(browser, live_url, width):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(live_url + "/gmwen4/schedule")

    row = page.locator(".day-tabs ul").bounding_box()
    tabs = {tab.inner_text(): tab.bounding_box() for tab in page.locator(".day-tabs a").all()}
    context.close()

    # Each tab inside the row as shown: none is cut off at the row's right edge.
    assert {
        name: row["x"] <= box["x"] and box["x"] + box["width"] <= row["x"] + row["width"]
        for name, box in tabs.items()
    } == {"Tue 21 Nov": True, "Wed 22 Nov": True, "All days": True}
