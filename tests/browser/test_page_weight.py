"""What a page costs: few requests, all to the site itself, little to download; and every
public page loads without a console error or a Content-Security-Policy violation."""

from urllib.parse import urlsplit

import pytest

from .pages import NOT_FOUND_PATH, PATHS

pytestmark = pytest.mark.browser

MAX_REQUESTS = 5
MAX_CODE_BYTES = 120 * 1024
CODE_TYPES = {"document", "stylesheet", "script"}
# Chromium reports a document's error status in the console; for the 404 page it is expected.
NOT_FOUND_MESSAGE = "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"


def test_schedule_loads_few_small_same_host_resources(new_context, live_url):
    page = new_context().new_page()
    requests = []
    page.on("request", lambda request: requests.append(request))

    page.goto(live_url + "/gmwen4/schedule", wait_until="networkidle")

    urls = [request.url for request in requests]
    assert {urlsplit(url).netloc for url in urls} == {urlsplit(live_url).netloc}, urls
    # Every request counts, the browser's own fetch of the tab icon included.
    assert len(requests) <= MAX_REQUESTS, urls
    sizes = {r.url: len(r.response().body()) for r in requests if r.resource_type in CODE_TYPES}
    assert sum(sizes.values()) < MAX_CODE_BYTES, sizes


@pytest.mark.parametrize("path", PATHS)
def test_public_page_logs_no_console_error_or_csp_violation(new_context, live_url, path):
    page = new_context().new_page()
    messages = []
    page.on(
        "console",
        lambda message: messages.append((message.type, message.text, message.location["url"])),
    )
    page.on("pageerror", lambda error: messages.append(("pageerror", str(error), "")))

    response = page.goto(live_url + path, wait_until="networkidle")

    errors = [(text, url) for kind, text, url in messages if kind in ("error", "pageerror")]
    csp = [text for _kind, text, _url in messages if "Content Security Policy" in text]
    if path == NOT_FOUND_PATH:
        assert response.status == 404
        assert errors == [(NOT_FOUND_MESSAGE, live_url + path)]
    else:
        assert response.status == 200
        assert errors == []
    assert csp == []
