"""Choosing a time zone on the schedule by keyboard: from the list the field offers, or by
typing a city and pressing Enter, with JavaScript and without."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def open_zone_field(page):
    page.get_by_text("Filter by network, or show times in another zone").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the network list
    page.keyboard.press("Tab")  # its Filter button
    page.keyboard.press("Tab")  # the zone field
    field = page.get_by_label("Show times in")
    expect(field).to_be_focused()
    return field


def test_zone_chosen_from_the_list_by_keyboard(new_context, live_url):
    page = new_context(timezone_id="America/Panama").new_page()
    page.goto(live_url + "/gmwen4/schedule?day=2023-11-21")
    field = open_zone_field(page)

    page.keyboard.type("Pari")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(field).to_have_value("Europe/Paris")
    page.keyboard.press("Enter")

    page.wait_for_url(live_url + "/gmwen4/schedule?day=2023-11-21&tz=Europe%2FParis")
    expect(page.locator(".session-when .time").first).to_have_text("15:00–16:30 UTC+01:00")


@pytest.mark.parametrize("javascript", [True, False])
def test_zone_typed_as_a_city_is_found(new_context, live_url, javascript):
    page = new_context(java_script_enabled=javascript, timezone_id="America/Panama").new_page()
    page.goto(live_url + "/gmwen4/schedule?day=2023-11-21")
    field = open_zone_field(page)

    page.keyboard.type("PARÍS")
    page.keyboard.press("Enter")

    expect(page.locator(".tz-note")).to_contain_text("your chosen time zone, Europe/Paris")
    expect(page.locator(".session-when .time").first).to_have_text("15:00–16:30 UTC+01:00")
    expect(field).to_have_value("Europe/Paris")


def test_zone_typed_ambiguously_lists_candidates_at_the_field(new_context, live_url):
    page = new_context(timezone_id="America/Panama").new_page()
    page.goto(live_url + "/gmwen4/schedule?day=2023-11-21")
    open_zone_field(page)

    page.keyboard.type("new")
    page.keyboard.press("Enter")

    expect(page.locator("#schedule-tz-error")).to_contain_text("could be several time zones")
    page.get_by_role("link", name="New York (America/New_York)").click()
    expect(page.locator(".tz-note")).to_contain_text("your chosen time zone, America/New_York")
