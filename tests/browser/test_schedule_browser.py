"""The schedule in a browser: day tabs, the network filter, the time zone switch and the
now and next markers, with htmx and with JavaScript off."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from wenevents.agenda import services

pytestmark = pytest.mark.browser

SESSION_HEADINGS = "article.session h3"


@pytest.fixture
def clock(monkeypatch):
    """Set the server's "now" (the live server runs in this process)."""
    moment = {"now": datetime(2024, 1, 10, 12, 0, tzinfo=UTC)}
    monkeypatch.setattr(services, "now_utc", lambda: moment["now"])

    def set_clock(*parts):
        moment["now"] = datetime(*parts, tzinfo=UTC)

    return set_clock


def numbers(page):
    """The numbers of the sessions shown, in order."""
    return [text.split(" ")[1] for text in page.locator(SESSION_HEADINGS).all_inner_texts()]


def keep_document(page):
    """Mark the document: the mark survives htmx swaps and is lost on a page load."""
    page.evaluate("window.sameDocument = 'kept'")


def same_document(page):
    return page.evaluate("window.sameDocument") == "kept"


def test_day_tabs_with_htmx_switch_days_in_place(js_page, live_url, clock):
    js_page.goto(live_url + "/gmwen4/schedule")
    keep_document(js_page)
    assert numbers(js_page) == ["1", "2", "3", "4"]

    js_page.get_by_role("link", name="Wed 22 Nov").click()
    js_page.wait_for_url(live_url + "/gmwen4/schedule?day=2023-11-22")

    expect(js_page.locator(SESSION_HEADINGS).first).to_have_text(
        "Session 5 – Promoting the use of existing tools and services"
    )
    assert numbers(js_page) == ["5", "6", "7", "8"]
    expect(js_page.get_by_role("link", name="Wed 22 Nov")).to_have_attribute("aria-current", "true")
    assert same_document(js_page)

    js_page.get_by_role("link", name="All days").click()
    js_page.wait_for_url(live_url + "/gmwen4/schedule?day=all")
    expect(js_page.locator(SESSION_HEADINGS)).to_have_count(8)


def test_day_tabs_without_javascript_load_that_day(no_js_page, live_url, clock):
    no_js_page.goto(live_url + "/gmwen4/schedule")

    no_js_page.get_by_role("link", name="Wed 22 Nov").click()
    no_js_page.wait_for_url(live_url + "/gmwen4/schedule?day=2023-11-22")

    assert numbers(no_js_page) == ["5", "6", "7", "8"]


def open_controls(page):
    """Unfold the filter and time zone controls, folded away by default on every screen."""
    controls = page.locator("details.schedule-controls")
    if controls.get_attribute("open") is None:
        controls.locator("summary").click()


def test_network_filter_with_htmx_filters_in_place_and_pushes_url(js_page, live_url, clock):
    js_page.goto(live_url + "/gmwen4/schedule?day=all")
    keep_document(js_page)
    open_controls(js_page)

    js_page.get_by_label("Network", exact=True).select_option("asean-wen")
    js_page.get_by_role("button", name="Filter").click()
    js_page.wait_for_url(live_url + "/gmwen4/schedule?day=all&network=asean-wen")

    expect(js_page.locator(SESSION_HEADINGS)).to_have_count(2)
    assert numbers(js_page) == ["1", "6"]
    assert js_page.locator(".item-by a").all_inner_texts() == ["ASEAN-WEN", "ASEAN-WEN"]
    expect(js_page.get_by_label("Network", exact=True)).to_have_value("asean-wen")
    assert same_document(js_page)


def test_network_filter_without_javascript_submits_the_form(no_js_page, live_url, clock):
    no_js_page.goto(live_url + "/gmwen4/schedule?day=all")
    open_controls(no_js_page)

    no_js_page.get_by_label("Network", exact=True).select_option("naweg")
    no_js_page.get_by_role("button", name="Filter").click()
    no_js_page.wait_for_url(live_url + "/gmwen4/schedule?day=all&network=naweg")

    assert numbers(no_js_page) == ["2", "8"]


def test_tz_switch_offers_the_viewers_zone_and_converts_times(new_context, live_url, clock):
    page = new_context(timezone_id="Europe/Paris").new_page()
    page.goto(live_url + "/gmwen4/schedule")
    keep_document(page)
    switch = page.get_by_label("Show times in")

    # Offered, folded: the panel does not open itself (the programme comes first).
    assert page.locator("details.schedule-controls").get_attribute("open") is None
    open_controls(page)
    expect(switch).to_have_value("Europe/Paris")
    page.get_by_role("button", name="Show times").click()
    page.wait_for_url(live_url + "/gmwen4/schedule?day=2023-11-21&tz=Europe%2FParis")

    expect(page.locator(".session-when .time").first).to_have_text("15:00–16:30 UTC+01:00")
    expect(page.locator(".tz-note")).to_contain_text("your chosen time zone, Europe/Paris")
    expect(switch).to_have_value("Europe/Paris")
    assert same_document(page)


def test_tz_switch_does_not_offer_the_meetings_own_zone(new_context, live_url, clock):
    page = new_context(timezone_id="America/Panama").new_page()
    page.goto(live_url + "/gmwen4/schedule")

    expect(page.get_by_label("Show times in")).to_have_value("")


def test_tz_switch_without_javascript_takes_a_typed_zone(no_js_page, live_url, clock):
    no_js_page.goto(live_url + "/gmwen4/schedule")
    open_controls(no_js_page)
    switch = no_js_page.get_by_label("Show times in")
    assert switch.input_value() == ""

    switch.fill("Asia/Tokyo")
    switch.press("Enter")
    no_js_page.wait_for_url(live_url + "/gmwen4/schedule?day=2023-11-21&tz=Asia%2FTokyo")

    assert no_js_page.locator(".session-when .time").first.inner_text() == "23:00–00:30 UTC+09:00"


def test_tz_switch_with_unknown_zone_says_so(js_page, live_url, clock):
    js_page.goto(live_url + "/gmwen4/schedule")
    open_controls(js_page)
    js_page.get_by_label("Show times in").fill("Mars/Olympus")
    js_page.get_by_role("button", name="Show times").click()

    expect(js_page.get_by_role("alert")).to_contain_text("“Mars/Olympus” is not a time zone")
    expect(js_page.locator(".session-when .time").first).to_have_text("09:00–10:30 UTC−05:00")


def test_now_marker_moves_when_htmx_polls_the_fragment(js_page, live_url, clock):
    clock(2023, 11, 21, 16, 20)  # 11:20 in Panama: session 2
    js_page.clock.install()
    js_page.goto(live_url + "/gmwen4/schedule")
    keep_document(js_page)
    expect(js_page.locator("article.session-now h3")).to_contain_text("Session 2 –")

    clock(2023, 11, 21, 19, 10)  # 14:10: session 3
    with js_page.expect_response(lambda r: "/gmwen4/schedule/now" in r.url):
        js_page.clock.run_for(61_000)

    expect(js_page.locator("article.session-now h3")).to_contain_text("Session 3 –")
    expect(js_page.locator(".now-next")).to_contain_text("Synergies with regional partners (RESG)")
    assert same_document(js_page)
    assert js_page.url == live_url + "/gmwen4/schedule"


def test_now_fragment_url_without_javascript_is_the_schedule(no_js_page, live_url, clock):
    clock(2023, 11, 21, 16, 20)

    response = no_js_page.goto(live_url + "/gmwen4/schedule/now")

    assert response.status == 200
    assert no_js_page.locator("h1").inner_text() == "Schedule"
    expect(no_js_page.locator("article.session-now h3")).to_contain_text("Session 2 –")


def test_calendar_and_pdf_links_download(js_page, live_url, clock):
    js_page.goto(live_url + "/gmwen4/schedule")

    with js_page.expect_download() as download:
        js_page.get_by_role("link", name="download (.ics)").click()

    assert download.value.suggested_filename == "gmwen4-schedule.ics"
    webcal = js_page.get_by_role("link", name="subscribe (stays up to date)")
    expect(webcal).to_have_attribute(
        "href", live_url.replace("http://", "webcal://") + "/gmwen4/schedule.ics"
    )
