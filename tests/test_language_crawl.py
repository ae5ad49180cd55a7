"""Every page, in French and in Spanish, is in that language: as every role sees it.

The crawl (HTTP, through the Flask test client) runs once per module on the demo, as four
readers: anonymous, an approved delegate of the demo meeting, NAWEG's focal point and the
organiser; each in /fr/ and in /es/. It starts at the home page, follows every link, form
action and redirect under the language's prefix, and asks every GET route of the URL map
(tests/crawling.py fills in their parameters from the data) for what links did not reach; a
route is asked for at most ``TRIES_PER_ROUTE`` URLs and read at ``PAGES_PER_ROUTE`` answering
200, so every route is read without the crawl growing with the data. Then it asks for the
htmx fragments those pages name (each ``hx-get`` URL, with a GET form's values, with the
headers htmx sends: HX-Request and the id of the element aimed at as HX-Target).

Each answer is held to:

* a status below 500;
* ``<html lang>`` equal to the address's language (whole pages);
* every link, form action, ``hx-get``, ``hx-post`` and redirect to this site under the same
  language prefix (links that say they lead to another language with ``hreflang``, as the
  alternates in the head do, and static files excepted);
* no interface string left in English: every element whose ``lang`` differs from the page's
  (content shown in English for want of a translation, the language switch's other names)
  is removed, and so are the names of files offered for download; then no msgid of the
  catalogue whose translation differs from it, of at least two words, occurs in what the
  page says (the text of its body, and the alt, title, aria-label and placeholder
  attributes and the labels of input buttons). A msgid with
  placeholders is split on them and each literal part of two words or more is looked for.
  Strings marked in the code that the catalogue lacks are looked for too: a reader sees
  them in English.

Each test collects every finding and asserts once, so one run shows them all.

Also: a page's query count in /fr/ and /es/ equals its English count, at 1× and 10× data.
"""

import re
from collections import Counter, defaultdict, deque
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
import pytest
from babel.messages.pofile import read_po
from lxml import etree
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from tests.conftest import Auth, make_app
from tests.crawling import QUERIES, seed_urls
from tests.factories import canonical, make_registration
from tests.test_catalogues import marked_in_code
from wenevents import demo as demo_data
from wenevents.accounts.models import User
from wenevents.extensions import db
from wenevents.meetings.models import Meeting
from wenevents.networks.models import Network
from wenevents.registration.models import APPROVED

LANGUAGES = ["fr", "es"]
ROLES = {
    "anonymous": None,
    "delegate": "delegate@example.org",
    "focal point": "focal.point@example.org",
    "organiser": "organiser@example.org",
}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "wenevents" / "translations"

# Per route, role and language: URLs asked at most, and pages answering 200 read at most.
TRIES_PER_ROUTE = 4
PAGES_PER_ROUTE = 2
# Per route, role and language: htmx fragments asked at most.
FRAGMENTS_PER_ROUTE = 3
# The language switch itself: it leads to another language, by design, and it would save
# the signed-in reader's choice.
NOT_CRAWLED = {"accounts.choose_language"}
# Files, not pages (their language is not this test's business).
FILES = (".ics", ".pdf", ".xml", ".json", ".zip", ".csv", ".xlsx", ".atom")
NO_ROUTE = "(no route)"
NOT_IN_CATALOGUE = " (not in the catalogue)"

# What a page says besides its text.
SAID_IN = ("alt", "title", "aria-label", "placeholder", "aria-description")
LINKS_IN = ("href", "action", "formaction", "hx-get", "data-hx-get", "hx-post", "data-hx-post")
HX_GET = ("data-hx-get", "hx-get")
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
# Punctuation around a literal part left by a placeholder ("“%(title)s”, session").
EDGES = " \t\n,.;:!?«»\"“”‘’'–—-/·"


def words(text):
    return " ".join(text.split())


def trim(part):
    """A literal part without the punctuation at its ends, and without a bracket there that
    the placeholder beside it closed or opened ("(%(offset)s)")."""
    while True:
        before = part
        part = part.strip(EDGES)
        unbalanced = part.count("(") != part.count(")")
        if unbalanced and part[-1:] in ("(", ")"):
            part = part[:-1]
        elif unbalanced and part[:1] in ("(", ")"):
            part = part[1:]
        if part == before:
            return part


def english_strings(language):
    """``{English text: msgid}``: the literal parts (two words or more) of each msgid that
    reads differently in ``language``, and of each string marked in the code that the
    catalogue lacks."""
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        po = read_po(source, locale=language)
    sources = []
    for message in po:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        translated = {words(s) for s in strings if s}
        sources += [msgid for msgid in ids if words(msgid) not in translated]
    in_catalogue = {(m.context, m.id[0] if m.pluralizable else m.id) for m in po if m.id}
    sources += [
        f"{msgid}{NOT_IN_CATALOGUE}"
        for context, msgid in marked_in_code()
        if (context, msgid) not in in_catalogue
    ]
    found = {}
    for msgid in sources:
        for part in PLACEHOLDER.split(msgid.removesuffix(NOT_IN_CATALOGUE)):
            part = trim(words(part))
            if len(part.split()) >= 2:
                found.setdefault(part, msgid)
    return found


def matcher(strings):
    """A function: the strings of ``strings`` a text says, each as whole words."""
    patterns = {s: re.compile(rf"(?<!\w){re.escape(s)}(?!\w)") for s in strings}

    def said(text):
        return {s for s, pattern in patterns.items() if s in text and pattern.search(text)}

    return said


def primary(code):
    return (code or "").split("-")[0].split("_")[0].lower()


def parse(text):
    """The document (or the fragment, under a <div>) as lxml elements."""
    if re.match(r"\s*(<!doctype|<html)", text, re.I):
        return lxml.html.document_fromstring(text)
    return lxml.html.fragment_fromstring(text, create_parent="div")


def said_in(tree, language):
    """What a page says in its own language: its body's text and labels, with every element
    marked as in another language taken out, and the names of files to download (a file's
    name is the uploader's, whatever the page's language)."""
    tree = parse(etree.tostring(tree, encoding="unicode"))  # a copy to cut up
    elsewhere = "//*[@lang and not(self::html)] | //a[@download]"
    for element in tree.xpath(elsewhere):
        if element.get("download") is not None or primary(element.get("lang")) != language:
            element.drop_tree()
    # The head is not shown (its <title> could not mark a title shown in English).
    etree.strip_elements(tree, etree.Comment, "head", "script", "style", with_tail=False)
    said = list(tree.itertext())
    for element in tree.iter(etree.Element):
        said += [element.get(name) or "" for name in SAID_IN]
        if element.tag == "input" and element.get("type") in ("submit", "button", "reset"):
            said.append(element.get("value") or "")
    return words(" ".join(said))


def leaves_language(url, language):
    """Whether ``url`` (absolute, on this site) is outside the language's prefix."""
    path = urlsplit(url).path
    prefix = f"/{language}"
    if path == prefix or path.startswith(prefix + "/"):
        return False
    return not path.startswith("/static/")


def on_this_site(url):
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https", "webcal") and parts.netloc in ("", "localhost")


def attribute(element, name):
    return element.get(f"data-{name}") or element.get(name)


def hx_target(element):
    """The id htmx sends as HX-Target for ``element``'s request (None when the element it
    aims at has no id): hx-target is inherited from the ancestors."""
    holder = element
    while holder is not None and attribute(holder, "hx-target") is None:
        holder = holder.getparent()
    spec = attribute(holder, "hx-target") if holder is not None else "this"
    if spec.startswith("#"):
        return spec[1:]
    if spec == "this":
        return (holder if holder is not None else element).get("id")
    if spec.startswith("closest "):
        tag = spec.removeprefix("closest ").strip()
        node = element
        while node is not None and node.tag != tag:
            node = node.getparent()
        return node.get("id") if node is not None else None
    return None


def endpoint_of(adapter, path):
    """The endpoint of the GET route ``path`` (without the language prefix) matches."""
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, "GET")
    except HTTPException:  # a 404, a redirect rule, a POST-only route
        return NO_ROUTE
    return endpoint


class LanguageCrawl:
    """One reader's crawl in one language; findings are collected in ``found``."""

    def __init__(self, app, client, role, language, seeds, said, found):
        self.app, self.client, self.role, self.language = app, client, role, language
        self.adapter = app.url_map.bind("localhost")
        self.seeds, self.said, self.found = seeds, said, found
        self.prefix = f"/{language}"
        self.reached = set()

    def endpoint(self, path):
        return endpoint_of(self.adapter, path)

    def where(self, url, htmx=False, target=None):
        if not htmx:
            return f"{self.role} {url}"
        return f"{self.role} {url} (htmx" + (f", HX-Target {target})" if target else ")")

    def unprefixed(self, url, base):
        """The site path and query of a link on this site under the prefix, else None."""
        url = urljoin("http://localhost" + base, url)
        if not on_this_site(url) or leaves_language(url, self.language):
            return None
        parts = urlsplit(url)
        path = parts.path.removeprefix(self.prefix) or "/"
        if path.startswith("/static/"):
            return None
        return path + (f"?{parts.query}" if parts.query else "")

    def run(self):
        links, seeds = deque(["/"]), deque(self.seeds)
        seen, tried, read = set(), Counter(), Counter()
        pages = []
        while links or seeds:
            path = (links or seeds).popleft()
            endpoint = self.endpoint(path)
            if (
                path in seen
                or endpoint in NOT_CRAWLED
                or urlsplit(path).path.endswith(FILES)
                or tried[endpoint] >= TRIES_PER_ROUTE
                or read[endpoint] >= PAGES_PER_ROUTE
            ):
                continue
            seen.add(path)
            tried[endpoint] += 1
            self.reached.add(endpoint)
            url = self.prefix + path
            response = self.client.get(url)
            read[endpoint] += response.status_code == 200
            tree = self.check(url, response)
            if response.location:
                follow = self.unprefixed(response.location, url)
                links.extend([follow] if follow else [])
            if tree is None:
                continue
            pages.append((url, tree))
            for element in tree.iter(etree.Element):
                for name in ("href", "action"):  # htmx's URLs are asked as fragments
                    follow = element.get(name) and self.unprefixed(element.get(name), url)
                    links.extend([follow] if follow else [])
        self.fragments(pages)

    def fragments(self, pages):
        asked, per_route = set(), Counter()
        for page_url, tree in pages:
            for element in tree.iter(etree.Element):
                hx_get = next((element.get(n) for n in HX_GET if element.get(n)), None)
                path = hx_get and self.unprefixed(hx_get, page_url)
                if not path:
                    continue
                target = hx_target(element)
                urls = [path]
                if element.tag == "form":
                    values = urlencode(element.form_values())
                    base = path.partition("?")[0]
                    urls = [f"{base}?{values}" if values else base]
                    urls += [f"{base}?{query}" for query in QUERIES]
                for path in urls:
                    route = self.endpoint(path)
                    if (path, target) in asked or per_route[route] >= FRAGMENTS_PER_ROUTE:
                        continue
                    asked.add((path, target))
                    per_route[route] += 1
                    headers = {
                        "HX-Request": "true",
                        "HX-Current-URL": f"http://localhost{page_url}",
                        **({"HX-Target": target} if target else {}),
                    }
                    url = self.prefix + path
                    self.check(url, self.client.get(url, headers=headers), True, target)

    def check(self, url, response, htmx=False, target=None):
        """Hold one answer to the rules; its parsed HTML, if it is HTML."""
        where = self.where(url, htmx, target)
        if response.status_code >= 500:
            self.found["server errors"].append(f"{where}: {response.status_code}")
        if response.location and self.endpoint(url.removeprefix(self.prefix)) not in NOT_CRAWLED:
            location = urljoin("http://localhost" + url, response.location)
            if on_this_site(location) and leaves_language(location, self.language):
                self.found["links"].append((f"redirect to {response.location}", where))
        # A redirect's body is Werkzeug's, for no one to read.
        if response.location or response.mimetype != "text/html" or not response.text.strip():
            return None
        tree = parse(response.text)
        if tree.tag == "html":
            lang = tree.get("lang")
            if lang != self.language:
                self.found["html lang"].append(f"{where}: <html lang={lang!r}>")
        for element in tree.iter(etree.Element):
            hreflang = element.get("hreflang")
            if hreflang and primary(hreflang) != self.language:
                continue
            for name in LINKS_IN:
                link = element.get(name)
                if link is None or link.startswith(("#", "mailto:", "tel:", "javascript:")):
                    continue
                absolute = urljoin("http://localhost" + url, link)
                if on_this_site(absolute) and leaves_language(absolute, self.language):
                    self.found["links"].append((f"<{element.tag} {name}={link!r}>", where))
        for text in self.said(said_in(tree, self.language)):
            self.found["english"].append((self.language, text, where))
        return tree


def prepare_readers(app):
    """The demo's accounts, each with something to see: the delegate's registration for the
    demo meeting approved (and the participants list open to participants), a NAWEG
    registration waiting for the focal point. Returns ``{role: client}``."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    naweg = db.session.scalar(select(Network).where(Network.slug == "naweg"))
    passwords = {email: password for email, _role, password in demo_data.reset_demo_passwords()}
    delegate = db.session.scalar(select(User).where(User.email == ROLES["delegate"]))
    make_registration(
        meeting,
        network=naweg,
        email=delegate.email,
        user=delegate,
        participation_role="network_delegate",
        status=APPROVED,
    )
    make_registration(meeting, network=naweg, participation_role="network_delegate")
    meeting.registration_settings.participants_list = "participants"
    db.session.commit()
    clients = {}
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            auth = Auth(client)
            assert auth.login(email, passwords[email]).status_code == 303, role
            assert auth.is_signed_in(), role
        clients[role] = client
    return clients


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """``(found, reached, routes, sources)``: ``{kind: [finding, …]}``, the routes asked
    per language, the routes there are to ask, and ``{language: {English text: msgid}}``."""
    with make_app(tmp_path_factory.mktemp("languages")) as app, app.app_context():
        demo_data.load()
        clients = prepare_readers(app)
        seeds = seed_urls(app)
        found = defaultdict(list)
        reached = defaultdict(set)
        sources = {language: english_strings(language) for language in LANGUAGES}
        for language in LANGUAGES:
            said = matcher(sources[language])
            for role, client in clients.items():
                crawl = LanguageCrawl(app, client, role, language, seeds, said, found)
                crawl.run()
                reached[language] |= crawl.reached
            for role, client in clients.items():
                if ROLES[role]:  # the crawl ran signed in to the end
                    assert Auth(client).is_signed_in(), role
        adapter = app.url_map.bind("localhost")
        pages = {endpoint_of(adapter, u) for u in seeds if not urlsplit(u).path.endswith(FILES)}
        yield found, reached, pages - NOT_CRAWLED - {NO_ROUTE}, sources


def report(lines):
    """Every finding, one a line (pytest would cut a long list short)."""
    return f"{len(lines)}:\n" + "\n".join(lines)


def test_language_crawl_reaches_every_route_but_files_and_the_switch(crawled):
    _found, reached, routes, _sources = crawled

    assert len(routes) > 60
    assert {language: sorted(routes - reached[language]) for language in LANGUAGES} == {
        language: [] for language in LANGUAGES
    }


def test_language_crawl_pages_answer_without_server_error(crawled):
    found, _reached, _routes, _sources = crawled

    assert found["server errors"] == [], report(found["server errors"])


def test_language_crawl_html_lang_is_the_addresss_language(crawled):
    found, _reached, _routes, _sources = crawled

    assert found["html lang"] == [], report(found["html lang"])


def test_language_crawl_links_stay_under_the_language_prefix(crawled):
    found, _reached, _routes, _sources = crawled

    pages = defaultdict(set)
    for link, where in found["links"]:
        pages[link].add(where)
    lines = [
        f"{link} on {len(wheres)} pages: {'; '.join(sorted(wheres))}"
        for link, wheres in sorted(pages.items())
    ]

    assert lines == [], report(lines)


def test_language_crawl_leaves_no_interface_string_in_english(crawled):
    found, _reached, _routes, sources = crawled

    pages = defaultdict(set)
    for language, text, where in found["english"]:
        pages[(language, text)].add(where)
    lines = []
    for (language, text), wheres in sorted(pages.items()):
        msgid = sources[language][text]
        source = "" if msgid == text else f" (from {msgid!r})"
        lines.append(
            f"{language} {text!r}{source} on {len(wheres)} pages: {'; '.join(sorted(wheres))}"
        )

    assert lines == [], report(lines)


# Query counts -----------------------------------------------------------------------------

QUERY_PAGES = ["/gmwen4/schedule", "/gmwen4/sessions/1", "/gmwen4/", "/networks/"]


def grow_networks(factor=10):
    """``factor`` times the demo's networks: copies, half of them with their translations."""
    originals = db.session.scalars(select(Network)).all()
    for n in range(1, factor):
        for network in originals:
            db.session.add(
                Network(
                    slug=f"{network.slug}-{n}",
                    acronym=f"{network.acronym}-{n}",
                    name=network.name,
                    region=network.region,
                    description=network.description,
                    translations=dict(network.translations or {}) if n % 2 else {},
                )
            )
    db.session.commit()


@pytest.mark.parametrize("path", QUERY_PAGES)
def test_language_query_count_equals_englishs_at_1x_and_10x(client, demo, count_queries, path):
    def counts():
        found = {}
        for prefix in ("", "/fr", "/es"):
            url = prefix + canonical(path)
            with count_queries() as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            found[prefix.strip("/") or "en"] = len(queries)
        return found

    at_1x = counts()
    demo_data.scale("gmwen4", sessions=80, items=600)
    grow_networks()
    db.session.expire_all()
    at_10x = counts()

    english = {"1x": at_1x["en"], "10x": at_10x["en"]}
    assert {
        "1x": at_1x,
        "10x": at_10x,
    } == {scale: dict.fromkeys(("en", "fr", "es"), n) for scale, n in english.items()}
