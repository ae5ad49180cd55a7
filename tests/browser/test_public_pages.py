"""The public pages work without JavaScript, and htmx improves the network search with it."""

import pytest
from playwright.sync_api import expect

from wenevents import demo

from .pages import NOT_FOUND_PATH, PUBLIC_PAGES

pytestmark = pytest.mark.browser

SEARCH_LABEL = "Find a network by name, acronym or region"
# The demo networks the search for "africa" must find, by acronym as the list orders them.
AFRICA = sorted(
    acronym
    for _slug, acronym, name, region in demo.NETWORKS
    if any("africa" in field.lower() for field in (acronym, name, region))
)
AFRICA_COUNT = f"{len(AFRICA)} networks matching “africa”"


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_without_javascript_shows_main_heading(no_js_page, live_url, path, heading):
    response = no_js_page.goto(live_url + path)

    assert response.status == (404 if path == NOT_FOUND_PATH else 200)
    assert no_js_page.locator("h1").all_inner_texts() == [heading]


@pytest.mark.parametrize("submit", ["enter", "click"])
def test_network_search_without_javascript_filters_on_submit(no_js_page, live_url, submit):
    no_js_page.goto(live_url + "/networks/")
    search = no_js_page.get_by_label(SEARCH_LABEL)
    search.fill("africa")

    if submit == "enter":
        search.press("Enter")
    else:
        no_js_page.get_by_role("button", name="Search").click()
    no_js_page.wait_for_url(live_url + "/networks/?q=africa")

    assert no_js_page.locator(".network-list li strong").all_inner_texts() == AFRICA
    assert no_js_page.locator(".result-count").inner_text() == AFRICA_COUNT
    assert no_js_page.get_by_label(SEARCH_LABEL).input_value() == "africa"


def test_network_search_with_javascript_updates_results_in_place(js_page, live_url):
    js_page.goto(live_url + "/networks/")
    js_page.evaluate("window.sameDocument = 'kept'")
    requests = []
    js_page.on("request", lambda request: requests.append(request))

    js_page.get_by_label(SEARCH_LABEL).fill("africa")
    js_page.wait_for_url(live_url + "/networks/?q=africa")

    expect(js_page.locator(".network-list li strong")).to_have_text(AFRICA)
    assert js_page.locator(".result-count").inner_text() == AFRICA_COUNT
    # The page was not reloaded: what was set on window before typing is still there, and
    # the only request for a document or data was htmx's, for the results alone.
    assert js_page.evaluate("window.sameDocument") == "kept"
    loads = [
        (r.resource_type, r.url, r.headers.get("hx-request"), r.headers.get("hx-target"))
        for r in requests
        if r.resource_type in ("document", "xhr", "fetch")
    ]
    assert loads == [("xhr", live_url + "/networks/?q=africa", "true", "network-results")]
    assert js_page.locator("h1").all_inner_texts() == ["Wildlife enforcement networks"]


def test_not_found_page_shows_site_header_and_heading(js_page, live_url):
    response = js_page.goto(live_url + NOT_FOUND_PATH)

    assert response.status == 404
    assert js_page.title() == "Page not found · wenevents"
    header = js_page.get_by_role("banner")
    expect(header.get_by_role("link", name="WEN Global Meetings")).to_have_attribute("href", "/")
    expect(header.get_by_role("navigation", name="Site").get_by_role("link")).to_have_text(
        ["Editions", "Networks", "Sign in"]
    )
    assert js_page.get_by_role("heading", level=1).all_inner_texts() == ["Page not found"]


def test_schedule_with_closed_session_shows_no_items(js_page, live_url):
    closed_items = [
        item[1]
        for number, *_rest, items in demo.SESSIONS
        if number == 4
        for item in items
        if isinstance(item, tuple)
    ]
    js_page.goto(live_url + "/gmwen4/schedule")

    session = js_page.locator("article.session", has=js_page.locator("#session-4-heading"))
    assert session.locator("h3").all_inner_texts() == ["Session 4 – Closed session"]
    assert session.locator("p.muted").all_inner_texts() == [
        "This session is closed to the public; its contents are not published."
    ]
    assert session.locator("li, a").count() == 0
    assert closed_items == ["Exchange on ongoing cases"]
    assert closed_items[0] not in js_page.content()
