"""French and Spanish in a real browser (Chromium, on the demo's live server).

* Without JavaScript, "Français" in the header's language switch on the meeting page leads
  to the /fr/ page in French, and the choice sticks: the next visit to an address without a
  prefix is in French too (the switch's cookie).
* With JavaScript, the networks' live search on a /es/ page swaps in results in Spanish.
* axe finds no violation on the French meeting page and the Spanish schedule on a phone.
* On a 390 px phone, the French and Spanish schedule, meeting, register and sign-in pages
  are no wider than the screen.

Expected texts come from the catalogues (through Flask-Babel), not written out here.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_htmx
from tests.browser.test_accessibility import describe

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def translated(live_app, language, *messages):
    """Each English message as the catalogue of ``language`` writes it."""
    with live_app.test_request_context(f"/{language}/"), force_locale(language):
        return [gettext(message) for message in messages]


def html_lang(page):
    return page.locator("html").get_attribute("lang")


def test_language_switch_without_javascript_leads_to_french_and_sticks(
    new_context, live_app, live_url
):
    context = new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(live_url + "/gmwen4/")
    assert html_lang(page) == "en"

    switch = page.get_by_role("banner").get_by_role("navigation", name="Language")
    switch.get_by_role("link", name="Français", exact=True).click()
    page.wait_for_url(live_url + "/fr/gmwen4/")

    site = translated(live_app, "fr", "Site")[0]
    links = page.get_by_role("banner").get_by_role("navigation", name=site, exact=True)
    assert html_lang(page) == "fr"
    expect(links.get_by_role("link")).to_have_text(
        translated(live_app, "fr", "Editions", "Networks", "Sign in")
    )
    assert [(c["name"], c["value"]) for c in context.cookies() if c["name"] == "language"] == [
        ("language", "fr")
    ]

    # The next visit to an address without a prefix: the cookie decides.
    page.goto(live_url + "/gmwen4/")
    assert html_lang(page) == "fr"
    expect(links.get_by_role("link")).to_have_text(
        translated(live_app, "fr", "Editions", "Networks", "Sign in")
    )


def test_live_search_on_spanish_page_swaps_in_spanish(new_context, live_app, live_url):
    page = new_context(locale="en-GB").new_page()
    page.goto(live_url + "/es/networks/")
    wait_for_htmx(page)
    page.evaluate("window.sameDocument = 'kept'")
    requests = []
    page.on("request", lambda request: requests.append(request))
    label, region = translated(
        live_app, "es", "Find a network by name, acronym or region", "Networks found"
    )

    page.get_by_label(label).fill("africa")
    page.wait_for_url(live_url + "/es/networks/?q=africa")
    expect(page.locator(".network-list li").first).to_be_visible()

    found = page.locator(".network-list li").count()
    with live_app.test_request_context("/es/"), force_locale("es"):
        count = ngettext("%(num)d network", "%(num)d networks", found)
        expected = f"{count} {gettext('matching “%(q)s”', q='africa')}"
    assert page.evaluate("window.sameDocument") == "kept"
    loads = [
        (r.resource_type, r.url, r.headers.get("hx-request"), r.headers.get("hx-target"))
        for r in requests
        if r.resource_type in ("document", "xhr", "fetch")
    ]
    assert loads == [("xhr", live_url + "/es/networks/?q=africa", "true", "network-results")]
    assert page.locator(".result-count").inner_text() == expected
    assert page.locator("#network-results").get_attribute("aria-label") == region
    assert html_lang(page) == "es"


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("path", ["/fr/gmwen4/", "/es/gmwen4/schedule"])
def test_axe_finds_no_violations_on_translated_page_at_phone_width(
    new_context, live_url, axe, path
):
    # axe is injected as a script: the site's Content-Security-Policy would refuse it.
    page = new_context(bypass_csp=True, viewport=PHONE).new_page()
    page.goto(live_url + path)

    violations = axe.run(page).response["violations"]

    assert violations == [], f"{path} at 390 px:\n{describe(violations)}"


# Each element whose right edge is past the screen's, outermost first: what to fix.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll('*')].filter(
    e => e.getBoundingClientRect().right > width + 0.5);
  const outermost = wide.filter(e => !wide.includes(e.parentElement));
  return outermost.slice(0, 10).map(e => {
    const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (e.classList.length ? '.' + [...e.classList].join('.') : '');
    return `${name} (right edge ${Math.round(e.getBoundingClientRect().right)} px): `
      + (e.innerText || '').trim().slice(0, 80).replace(/\\s+/g, ' ');
  });
}"""


@pytest.mark.parametrize("path", ["/gmwen4/schedule", "/gmwen4/", "/gmwen4/register", "/login"])
@pytest.mark.parametrize("language", ["fr", "es"])
def test_translated_page_at_phone_width_has_no_horizontal_overflow(
    new_context, live_url, language, path
):
    page = new_context(viewport=PHONE).new_page()
    response = page.goto(f"{live_url}/{language}{path}")
    assert response.status == 200
    assert html_lang(page) == language

    width = page.evaluate("document.documentElement.scrollWidth")

    assert width <= PHONE["width"], "\n".join(page.evaluate(TOO_WIDE))
