"""No focal point's email address or phone number reaches anyone who is not signed in.

The crawl takes every GET route from the app's URL map at test time (so routes other people
add later are crawled too), fills in each parameter from the demo's data, and asks each URL
anonymously as a page and as every htmx fragment the site targets; then it follows every
link it finds. Exports (calendar, frab XML and JSON, PDF, feeds, CSV) are routes like any
other; compressed PDF streams and zipped files are opened before searching them.
"""

import io
import itertools
import re
import zipfile
import zlib
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import BuildError

from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting, MeetingSeries
from wenevents.networks.models import FocalPoint, Network

MAX_URLS = 4000
# Combinations of parameter values tried per route; every value of every parameter is
# among them, the rest are left for the links the crawl follows.
PER_ROUTE = 30
# Extra queries the search and filter pages take (none carries a contact detail: a URL
# that repeats what was asked for would find it in the answer for the wrong reason).
QUERIES = ["q=example.org", "q=555&network=1&country=US&region=Europe&page=2"]


def contact_details():
    """Every demo email address and phone number, in the forms a page might write them."""
    found = set()
    for email, phone in db.session.execute(select(FocalPoint.email, FocalPoint.phone)):
        local, _at, domain = email.partition("@")
        found |= {email, f"{local}%40{domain}", f"{local}&#64;{domain}", local}
        digits = re.sub(r"[^0-9+]", "", phone)
        found |= {phone, digits, digits.lstrip("+"), phone.replace(" ", "-")}
    return found


def parameter_values():
    """Values for each URL parameter name, from the demo's data."""
    # The demo's richest meeting first.
    acronyms = db.session.scalars(select(Meeting.acronym).order_by(Meeting.number.desc())).all()
    numbers = sorted(set(db.session.scalars(select(Session.number))))
    days = sorted({d.isoformat() for d in db.session.scalars(select(Session.day))})
    slugs = db.session.scalars(select(Network.slug)).all()
    slugs += db.session.scalars(select(MeetingSeries.slug)).all()
    ids = sorted({1, 2, 3, *db.session.scalars(select(FocalPoint.id))})
    return {
        "acronym": acronyms,
        "slug": slugs,
        "number": numbers,
        "day": days,
        "token": ["not-a-token"],
        "field": ["email"],
        "_int": ids,
        "_default": ["x"],
    }


def _sample(choices):
    """Up to PER_ROUTE combinations in which every value of every parameter appears."""
    combinations = list(itertools.islice(itertools.product(*choices), PER_ROUTE))
    longest = max((len(c) for c in choices), default=0)
    combinations += [tuple(c[i % len(c)] for c in choices) for i in range(longest)]
    return list(dict.fromkeys(combinations))


def seed_urls(app):
    """URLs of every GET route with the demo's values (static files left out); the first
    of each route also with the search queries."""
    values = parameter_values()
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        choices = []
        # An argument with a default (``/materials/<id>`` for ``/materials/<id>/<name>``)
        # is filled by the rule itself.
        for name in sorted(rule.arguments - set(rule.defaults or {})):
            converter = rule._converters[name]
            if hasattr(converter, "items"):  # any(csv, xlsx)
                choices.append([(name, v) for v in converter.items])
            elif name in values:
                choices.append([(name, v) for v in values[name]])
            elif type(converter).__name__ == "IntegerConverter":
                choices.append([(name, v) for v in values["_int"]])
            else:
                choices.append([(name, v) for v in values["_default"]])
        built = []
        for combination in _sample(choices):
            try:
                built.append(
                    adapter.build(rule.endpoint, {**(rule.defaults or {}), **dict(combination)})
                )
            except BuildError:
                continue
        urls += built + [f"{built[0]}?{query}" for query in QUERIES if built]
    return urls


def texts(response):
    """What a response says, with compressed PDF streams and zipped files opened."""
    body = response.data
    yield body.decode("utf-8", "replace")
    if body.startswith(b"%PDF"):
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
            try:
                yield zlib.decompress(stream).decode("latin-1")
            except zlib.error:
                continue
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                yield archive.read(name).decode("utf-8", "replace")


LINK = re.compile(r'(?:href|hx-get|action|src)="([^"#]+)')
TARGET = re.compile(r'hx-target="#([A-Za-z][\w-]*)"')


def crawl(client, seeds):
    """``{url: [texts…]}`` of every URL reached anonymously, and the htmx targets found."""
    seen, queue, targets, pages = set(), list(seeds), set(), {}
    while queue and len(seen) < MAX_URLS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        pages[url] = list(texts(response))
        for link in LINK.findall(pages[url][0]):
            link = urljoin(url, link.replace("&amp;", "&"))
            parts = urlsplit(link)
            if parts.netloc not in ("", "localhost") or parts.path.startswith("/static/"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        targets |= set(TARGET.findall(pages[url][0]))
    return pages, targets


@pytest.fixture
def crawled(app, demo, client):
    return crawl(client, seed_urls(app))


def leaks(pages, details):
    return sorted(
        (url, detail)
        for url, bodies in pages.items()
        for detail in details
        if any(detail in body for body in bodies)
    )


def test_crawl_reaches_every_get_route_and_the_demos_contact_pages(app, crawled):
    pages, targets = crawled
    rules = {
        r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"
    }
    reached = {
        rule.rule
        for rule in app.url_map.iter_rules()
        for url in pages
        if rule.endpoint != "static" and _matches(app, rule, url)
    }

    assert reached == rules
    # The public pages the contacts could be on were read: a public focal point's name shows.
    assert "Sarah Miller (fictional)" in pages["/networks/naweg"][0]
    assert {"network-results"} <= targets


def _matches(app, rule, url):
    try:
        endpoint, _args = app.url_map.bind("localhost").match(urlsplit(url).path, "GET")
    except Exception:
        return False
    return endpoint == rule.endpoint


def test_no_page_fragment_or_export_gives_anonymous_visitors_contact_details(
    app, demo, client, crawled
):
    pages, targets = crawled
    details = contact_details()
    assert len(details) > 100

    fragments = {}
    for url in pages:
        for target in (None, *sorted(targets)):
            headers = {"HX-Request": "true", **({"HX-Target": target} if target else {})}
            fragments[f"{url} (htmx {target})"] = list(texts(client.get(url, headers=headers)))

    assert leaks(pages, details) == []
    assert leaks(fragments, details) == []


def test_the_crawls_contact_details_are_what_signed_in_pages_show(app, demo, client):
    from tests.accounts.conftest import csrf_token
    from wenevents import demo as demo_data

    passwords = {e: p for e, _r, p in demo_data.reset_demo_passwords()}
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"csrf_token": token, "email": "organiser@example.org",
                                "password": passwords["organiser@example.org"]})  # fmt: skip

    directory = client.get("/directory").text
    export = client.get("/manage/focal-points/export.csv").data.decode("utf-8-sig")

    # Without this, a crawl searching for the wrong spelling would find nothing and pass.
    for email, phone in db.session.execute(select(FocalPoint.email, FocalPoint.phone)):
        assert email in directory and phone in directory
        assert email in export
