"""A translated field's English, French and Spanish inputs stand side by side on a wide
screen and one under the other on a 390 px phone, without JavaScript and without making the
page wider than the screen."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

INPUTS = ('input[name$="-title"]', 'input[name$="-title_fr"]', 'input[name$="-title_es"]')


def meeting_form(new_context, live_url, password, width):
    """The demo meeting's edit page at ``width``, without JavaScript; the page and the
    boxes of its title's three inputs."""
    page = new_context(java_script_enabled=False, viewport={"width": width, "height": 900})
    page = page.new_page()
    sign_in(page, live_url, "organiser@example.org", password)
    page.goto(live_url + "/manage/meetings/gmwen4/edit")
    return page, [page.locator(selector).bounding_box() for selector in INPUTS]


def test_translated_field_on_a_wide_screen_stands_side_by_side(
    new_context, live_url, organiser_password
):
    page, (english, french, spanish) = meeting_form(new_context, live_url, organiser_password, 1280)

    assert english["y"] == french["y"] == spanish["y"]
    assert english["x"] < french["x"] < spanish["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_translated_field_on_a_phone_is_stacked(new_context, live_url, organiser_password):
    page, (english, french, spanish) = meeting_form(new_context, live_url, organiser_password, 390)

    assert english["y"] < french["y"] < spanish["y"]
    assert english["x"] == french["x"] == spanish["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
