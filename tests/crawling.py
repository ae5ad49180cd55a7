"""Crawl the whole site as one client, looking for what it must not be shown.

The crawl takes every GET route from the app's URL map at test time (so routes other people
add later are crawled too), fills in each parameter from the database's data, and asks each
URL as a page; then it follows every link it finds. ``fragments`` asks every page again as
every htmx fragment the site targets. Exports (calendar, frab XML and JSON, PDF, feeds, CSV)
are routes like any other; compressed PDF streams and zipped files are opened before
searching them.

Used by tests/test_privacy_crawl.py (anonymous) and tests/security/test_unvouched_crawl.py
(a self-registered account nobody vouched for).
"""

import io
import itertools
import re
import zipfile
import zlib
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError, IntegerConverter

from wenevents.agenda.models import Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting, MeetingSeries
from wenevents.networks.models import FocalPoint, Network
from wenevents.registration.models import Question, Registration
from wenevents.uploads.models import Document

MAX_URLS = 4000
LANGUAGE_PATH = re.compile(r"^/(?:en|fr|es|language)(?:/|$)")
# Combinations of parameter values tried per route; every value of every parameter is
# among them, the rest are left for the links the crawl follows.
PER_ROUTE = 30
# Extra queries the search and filter pages take (none carries a contact detail: a URL
# that repeats what was asked for would find it in the answer for the wrong reason).
QUERIES = ["q=example.org", "q=555&network=1&country=US&region=Europe&page=2"]

LINK = re.compile(r'(?:href|hx-get|action|src)="([^"#]+)')
TARGET = re.compile(r'hx-target="#([A-Za-z][\w-]*)"')


def contact_details():
    """Every focal point's email address and phone number, in the forms a page might write
    them."""
    found = set()
    for email, phone in db.session.execute(select(FocalPoint.email, FocalPoint.phone)):
        local, _at, domain = email.partition("@")
        found |= {email, f"{local}%40{domain}", f"{local}&#64;{domain}", local}
        digits = re.sub(r"[^0-9+]", "", phone)
        found |= {phone, digits, digits.lstrip("+"), phone.replace(" ", "-")}
    return {detail for detail in found if detail}


def parameter_values():
    """Values for each URL parameter name, from the database's data."""
    # The demo's richest meeting first.
    acronyms = db.session.scalars(select(Meeting.acronym).order_by(Meeting.number.desc())).all()
    numbers = sorted(set(db.session.scalars(select(Session.number))))
    days = sorted({d.isoformat() for d in db.session.scalars(select(Session.day))})
    slugs = db.session.scalars(select(Network.slug)).all()
    slugs += db.session.scalars(select(MeetingSeries.slug)).all()
    # Ids of the rows a URL may name: focal points, registrations, questions, documents.
    ids = {1, 2, 3}
    for model in (FocalPoint, Registration, Question, Document):
        ids |= set(db.session.scalars(select(model.id)))
    return {
        "acronym": acronyms,
        "slug": slugs,
        "number": numbers,
        "day": days,
        "token": ["not-a-token"],
        "field": ["email"],
        "_int": sorted(ids),
        "_default": ["x"],
    }


def _sample(choices):
    """Up to PER_ROUTE combinations in which every value of every parameter appears."""
    combinations = list(itertools.islice(itertools.product(*choices), PER_ROUTE))
    longest = max((len(c) for c in choices), default=0)
    combinations += [tuple(c[i % len(c)] for c in choices) for i in range(longest)]
    return list(dict.fromkeys(combinations))


def get_rules(app):
    """The URL rules a crawl must reach: every GET route but static files, the health
    probes (JSON for load balancers, tested in tests/test_health.py: on the test databases,
    made without migrations, /readyz rightly answers 503) and /metrics (text for
    Prometheus, tests/test_metrics.py)."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static" and not is_probe(rule)
    ]


def is_probe(rule):
    """The health probes and the metrics: for load balancers and Prometheus
    (tests/test_health.py, tests/test_metrics.py), not pages."""
    return rule.endpoint.startswith(("health.", "metrics."))


def seed_urls(app):
    """URLs of every GET route with the data's values; the first of each route also with
    the search queries."""
    values = parameter_values()
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in get_rules(app):
        choices = []
        # An argument with a default (``/materials/<id>`` for ``/materials/<id>/<name>``)
        # is filled by the rule itself.
        for name in sorted(rule.arguments - set(rule.defaults or {})):
            converter = rule._converters[name]
            if hasattr(converter, "items"):  # any(csv, xlsx)
                choices.append([(name, v) for v in converter.items])
            elif name in values:
                choices.append([(name, v) for v in values[name]])
            elif isinstance(converter, IntegerConverter):
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


def crawl(client, seeds, max_urls=MAX_URLS):
    """``({url: [texts…]}, htmx targets found)`` of every URL ``client`` reached."""
    seen, queue, targets, pages = set(), list(seeds), set(), {}
    while queue and len(seen) < max_urls:
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
            # The same routes in another language (and the switch leading to them): the
            # language crawl (tests/test_language_crawl.py) walks those.
            if LANGUAGE_PATH.match(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        targets |= set(TARGET.findall(pages[url][0]))
    return pages, targets


def fragments(client, pages, targets):
    """``{"<url> (htmx <target>)": [texts…]}``: every page asked for as htmx, aimed at no
    target and at each target found."""
    found = {}
    for url in pages:
        for target in (None, *sorted(targets)):
            headers = {"HX-Request": "true", **({"HX-Target": target} if target else {})}
            found[f"{url} (htmx {target})"] = list(texts(client.get(url, headers=headers)))
    return found


def leaks(pages, details, fold_case=False):
    """``[(url, detail)]`` for each detail a page says (ignoring case if ``fold_case``)."""
    if fold_case:
        details = {d.lower() for d in details}
        pages = {url: [body.lower() for body in bodies] for url, bodies in pages.items()}
    return sorted(
        (url, detail)
        for url, bodies in pages.items()
        for detail in details
        if any(detail in body for body in bodies)
    )


def reached_rules(app, pages):
    """The rules (as strings) of the GET routes some crawled URL matched."""
    adapter = app.url_map.bind("localhost")
    endpoints = set()
    for url in pages:
        try:
            endpoint, _args = adapter.match(urlsplit(url).path, "GET")
        except HTTPException:  # a 404, a redirect rule, a POST-only route: reaches none
            endpoint = None
        endpoints.add(endpoint)
    return {rule.rule for rule in get_rules(app) if rule.endpoint in endpoints}
