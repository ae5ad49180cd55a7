"""htmx loads on the pages that use it and on no other (a phone on venue Wi-Fi fetches
only what the page needs); a page with htmx attributes always loads it."""

import re

import pytest

from tests.crawling import is_probe
from tests.test_html_validity import PUBLIC_PAGES
from wenevents import demo as demo_data
from wenevents.web import posts_form, uses_htmx

SCRIPT = re.compile(r'<script src="/static/vendor/htmx-[0-9.]+\.min\.js\?v=[0-9a-f]{12}" defer>')
# Attributes htmx acts on, in either spelling, anywhere in the page.
ATTRIBUTE = re.compile(r"\s(?:data-)?hx-[a-z:-]+=")


def _sign_in(client, email):
    password = dict((e, p) for e, _r, p in demo_data.reset_demo_passwords())[email]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    response = client.post(
        "/login", data={"csrf_token": token[1], "email": email, "password": password}
    )
    assert response.status_code == 303


def _pages_without_arguments(app):
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint != "static"
        and not is_probe(rule)
        and not rule.rule.endswith((".ics", ".xml", ".json", ".pdf", ".csv", ".xlsx", ".zip"))
    )


def _loads(client, paths):
    found = {}
    for path in paths:
        response = client.get(path)
        if response.mimetype == "text/html" and response.status_code < 500:
            found[path] = response.text
    return found


@pytest.mark.parametrize("email", [None, "organiser@example.org", "delegate@example.org"])
def test_htmx_loads_exactly_on_pages_with_htmx_attributes(app, client, demo, email):
    if email:
        _sign_in(client, email)
    pages = _loads(client, [*PUBLIC_PAGES, *_pages_without_arguments(app)])

    wrong = {
        path: ("loads htmx" if SCRIPT.search(html) else "does not load htmx")
        for path, html in pages.items()
        if bool(SCRIPT.search(html)) != bool(ATTRIBUTE.search(html))
    }

    assert len(pages) >= 20
    assert wrong == {}


def test_htmx_is_left_out_of_the_home_and_sign_in_pages(client, demo):
    pages = _loads(client, ["/", "/editions", "/login", "/gmwen4/"])

    assert {path: bool(SCRIPT.search(html)) for path, html in pages.items()} == {
        "/": False,
        "/editions": False,
        "/login": False,
        "/gmwen4/": False,
    }


def test_htmx_loads_on_the_schedule_and_the_network_search(client, demo):
    pages = _loads(client, ["/gmwen4/schedule", "/networks/"])

    assert [bool(SCRIPT.search(html)) for html in pages.values()] == [True, True]


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<a hx-get="/x">', True),
        ("<a data-hx-post='/x'>", True),
        ('<div\n  hx-on:click="x">', True),
        ("<p>the hx-get attribute</p>", False),
        ("<p>hx-get=1</p>", False),
        ("", False),
    ],
)
def test_uses_htmx_finds_attributes_not_words(html, expected):
    assert uses_htmx(html) is expected


def test_templates_write_htmx_attributes_as_data_hx():
    """htmx reads both spellings; only data-hx-* is valid HTML, so the Nu checker runs with
    no filter."""
    from pathlib import Path

    bare = re.compile(r"(?<![\w-])hx-[a-z][a-z:-]*=")
    templates = Path(__file__).resolve().parent.parent / "templates"
    found = {
        f"{path.relative_to(templates)}:{number}"
        for path in templates.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if bare.search(line)
    }

    assert found == set()


FORMS_SCRIPT = re.compile(r'<script src="/static/js/forms\.js\?v=[0-9a-f]{12}" defer>')
POSTING = re.compile(r'<form\b[^>]*\smethod="post"')


@pytest.mark.parametrize("email", [None, "organiser@example.org"])
def test_forms_script_loads_exactly_on_pages_with_a_posting_form(app, client, demo, email):
    if email:
        _sign_in(client, email)
    pages = _loads(client, [*PUBLIC_PAGES, *_pages_without_arguments(app)])

    wrong = {
        path
        for path, html in pages.items()
        if bool(FORMS_SCRIPT.search(html)) != bool(POSTING.search(html.split("<main", 1)[-1]))
    }

    assert wrong == set()
    assert bool(FORMS_SCRIPT.search(pages["/login"])) is True
    assert bool(FORMS_SCRIPT.search(pages["/gmwen4/schedule"])) is False


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<form class="inline-form" method="post" action="/x">', True),
        ('<form\n  method="post">', True),
        ('<form method="get">', False),
        ("<p>method=&#34;post&#34;</p>", False),
        ('<p>method="post"</p>', False),
        ("", False),
    ],
)
def test_posts_form_finds_posting_forms_not_words(html, expected):
    assert posts_form(html) is expected
