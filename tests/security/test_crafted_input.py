"""An attacker sends what nobody expected, everywhere: every route of the URL map, every
method it accepts, as an organiser and as a stranger, with crafted values in every path
parameter, query parameter and form field — NUL bytes, ids past 2³¹ and 2⁶³, -1, 2 MB
strings, invalid UTF-8, lone surrogates, bidi overrides, 5,000 form parts.

Whatever it sends, the answer is a page with a message (a 4xx, or a 2xx/3xx when the value
was harmless), never a 500 and never a traceback.

The forms are found as a browser finds them: the pages of every GET route are read, and each
<form> found is posted back to its action with one field crafted at a time (the others keep
the values the page gave them, so the crafted one is what reaches the service). A POST route
whose form no page showed the organiser gets every field name any form of the app declares.
Bounded: about a minute and a half of CPU per database, and per role about 2,000 requests.
The forms' test is in test_crafted_forms.py, a file of its own so that it runs on another
worker than the paths and queries (``--dist loadfile``).
"""

import re
from urllib.parse import quote, unquote_to_bytes, urlsplit

import lxml.html
import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.conftest import PASSWORD, _hash, csrf_token
from wenevents import demo, forms
from wenevents.accounts.models import DELEGATE, FOCAL_POINT, ORGANISER, User
from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db
from wenevents.meetings.models import Meeting, MeetingSeries
from wenevents.networks.models import FocalPoint, Network
from wenevents.registration.models import Question, Registration
from wenevents.uploads.models import Document, DocumentVersion

# The values, as they appear in a URL (already percent-encoded where need be) ------------

IDS = ["2147483648", "9223372036854775808", "18446744073709551616", "-1", "9" * 5000]
NUL = "%00"
LONE_SURROGATE = "%ED%A0%80"  # UTF-8 of U+D800: no valid text holds it
INVALID_UTF8 = "%FF%FE%C3"
BIDI = quote("Ali\u202egnp.exe\u200b\u2066x\u0301\u0301\u0301\u0301\u0301\u0301")
BIG = "x" * 2_000_000
PATH_VALUES = [*IDS, NUL, "a%00b", LONE_SURROGATE, INVALID_UTF8, BIDI, "x" * 10_000]
QUERY_VALUES = ["2147483648", "9223372036854775808", "-1", "9" * 5000, NUL, LONE_SURROGATE,
                INVALID_UTF8, BIDI, "x" * 300]  # fmt: skip
# In a form, one at a time; the body is urlencoded, so percent escapes are raw bytes.
# One field at a time; the values every field refuses as a whole are sent once per form.
FIELD_VALUES = ["2147483648", "9223372036854775808", BIDI]

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")


@pytest.fixture
def app_config():
    # Hundreds of requests from one address: the limits have tests of their own.
    # A 500 is an answer to count, not an exception for pytest to stop at.
    return {"RATELIMIT_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def world(app):
    """The demo, plus one of everything a URL can name: users of each role, questions, a
    registration, a document with a version, an invitation."""
    demo.load()
    meeting = db.session.scalar(select(Meeting).where(Meeting.acronym == "gmwen4"))
    network = db.session.scalar(select(Network).where(Network.slug == "asean-wen"))
    organiser = User(email="org@example.org", role=ORGANISER, name="Org")
    focal = User(email="fp@example.org", role=FOCAL_POINT, name="FP", networks=[network])
    delegate = User(email="delegate@example.org", role=DELEGATE, name="Del")
    for user in (organiser, focal, delegate):
        user.password_hash = _hash(PASSWORD)
        db.session.add(user)
    text_question = Question(meeting_id=meeting.id, kind="short_text", label="Vessel", position=0)
    file_question = Question(meeting_id=meeting.id, kind="file", label="Letter", position=1)
    db.session.add_all([text_question, file_question])
    db.session.flush()
    registration = Registration(
        meeting_id=meeting.id,
        user=delegate,
        email=delegate.email,
        given_name="Del",
        family_name="Egate",
        organisation="Customs",
        country_code="PA",
        network_id=network.id,
        participation_role="network_delegate",
        arrival_date=meeting.start_date,
        departure_date=meeting.end_date,
        status="submitted",
        answers={str(text_question.id): "A"},
    )
    db.session.add(registration)
    db.session.commit()
    version = db.session.scalar(select(DocumentVersion).order_by(DocumentVersion.id))
    item = db.session.scalar(
        select(AgendaItem).join(Session).where(Session.meeting_id == meeting.id)
    )
    return {
        "acronym": meeting.acronym,
        "document_id": version.document_id if version else _first(Document),
        "version_number": version.number if version else 1,
        "name": "file.pdf",
        "number": 1,
        "network_slug": network.slug,
        "series_slug": db.session.scalar(select(MeetingSeries.slug)),
        "ref": f"slides-{item.id}",
        "field": "email",
        "question_id": text_question.id,
        "file_question_id": file_question.id,
        "registration_id": registration.id,
        "item_id": item.id,
        "code": "fr",
        "language": "es",
        "session_id": item.session_id,
        "network_id": network.id,
        "focal_point_id": _first(FocalPoint),
        "series_id": _first(MeetingSeries),
        "user_id": delegate.id,
        "mail_id": 1,
        "helper_id": 1,
        "request_id": 1,
        "letter_id": 1,
        "token": "not-a-token",
        "day": meeting.start_date.isoformat(),
        "action": "endorse",
        "fmt": "csv",
        "filename": "css/site.css",
    }


def _first(model):
    return db.session.scalar(select(model.id).order_by(model.id))


def _valid(rule, name, world):
    """A value of this path parameter that names something that exists."""
    if name == "slug":
        return (
            world["series_slug"]
            if rule.endpoint.startswith("meetings.") or rule.endpoint == "api.series"
            else world["network_slug"]
        )
    if name == "number" and "versions" in rule.rule:
        return world["version_number"]
    if name == "question_id" and "files" in rule.rule:
        return world["file_question_id"]
    return world[name]


_PARAMETER = re.compile(r"<(?:[^<>:]+:)?(\w+)>")


def _url(rule, world, crafted=None, value=None):
    """The rule's URL with valid values, or with the parameter ``crafted`` set to ``value``
    (as it should appear in the URL, escapes included)."""

    def fill(match):
        name = match.group(1)
        if name == crafted:
            return value
        return quote(str(_valid(rule, name, world)), safe="/")

    return _PARAMETER.sub(fill, rule.rule)


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=_destructive_last):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _destructive_last(rule):
    # Posting valid forms to these would end the sign-in or delete what later URLs name.
    last = ("logout" in rule.rule, "delete" in rule.rule or "withdraw" in rule.rule)
    return (*last, rule.rule)


class Findings:
    """Every answer that broke, gathered so that one run shows them all."""

    def __init__(self):
        self.broken = []
        self.count = 0

    def check(self, response, what):
        self.count += 1
        body = response.get_data().decode("utf-8", "replace")
        if response.status_code >= 500 and response.status_code not in (503, 507):
            self.broken.append(f"{response.status_code} {what}")
        elif TRACEBACK.search(body):
            self.broken.append(f"traceback in {response.status_code} {what}")

    def assert_none(self):
        shown = "\n".join(self.broken[:60])
        assert not self.broken, f"{len(self.broken)} of {self.count} answers broke:\n{shown}"


def _sign_in(client, email):
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 303


def _token(client):
    return csrf_token(client.get("/forgot-password").text)


def _send(client, method, url, **kwargs):
    """The request as the app's server gets it; the URL's escapes are decoded by Werkzeug."""
    return client.open(url, method=method, **kwargs)


def test_nul_byte_in_the_public_network_search_is_refused_with_a_message(client, world):
    response = client.get("/networks/?q=wild%00life")

    assert response.status_code == 400
    assert "contains a character that is not allowed (such as a NUL byte)" in response.text


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_COUNT": 1}])
def test_nul_byte_in_a_forwarded_address_is_refused_not_stored(client, make_user, app_config):
    make_user("org@example.org")
    token = csrf_token(client.get("/login").text)

    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "org@example.org", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9\x00"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "1" + "0" * 30])
def test_ids_past_what_a_column_holds_name_nothing(client, world, number):
    _sign_in(client, "org@example.org")

    for path in (f"/manage/users/{number}", f"/gmwen4/materials/{number}/versions"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "There is no page at this address." in response.text


ROLES = [None, "org@example.org"]


@pytest.mark.parametrize("role", ROLES, ids=["stranger", "organiser"])
def test_crafted_path_values_never_give_500(app, client, world, role):
    if role:
        _sign_in(client, role)
    findings, token = Findings(), _token(client)
    for rule, method in _routes(app):
        data = {"csrf_token": token} if method == "POST" else None
        for name in _PARAMETER.findall(rule.rule):
            for value in PATH_VALUES:
                url = _url(rule, world, name, value)
                findings.check(_send(client, method, url, data=data), f"{method} {url[:120]}")
    findings.assert_none()


@pytest.mark.parametrize("role", ROLES, ids=["stranger", "organiser"])
def test_crafted_query_values_never_give_500(app, client, world, role):
    if role:
        _sign_in(client, role)
    findings, names = Findings(), _query_names(app, client, world)
    for rule, method in _routes(app):
        if method != "GET" or rule.endpoint in ("accounts.logout_by_get",):
            continue
        base = _url(rule, world)
        for value in QUERY_VALUES:
            query = "&".join(f"{name}={value}" for name in names)
            findings.check(_send(client, "GET", f"{base}?{query}"), f"GET {base} ?*={value[:40]}")
        response = _send(client, "GET", f"{base}?q={BIG}")
        findings.check(response, f"GET {base}?q=(2 MB)")
        assert response.status_code == 414, base
    findings.assert_none()


def _query_names(app, client, world):
    """What the views read from a query string: the names in ``request.args`` calls, and
    the fields of every GET form a page shows."""
    names = {"page", "q", "next", "select", "day", "network", "tz", "series", "from", "to"}
    names |= {"action", "actor", "status", "country", "role", "visibility", "v"}
    for form in _page_forms(app, client, world):
        if form.method.upper() == "GET":
            names |= {name for name, _value in form.form_values()}
            names |= {el.name for el in form.inputs if el.name}
    return sorted(names)


def _page_forms(app, client, world):
    """Every <form> of the pages of every GET route (with the URL's valid values)."""
    found = []
    for rule, method in _routes(app):
        if method != "GET" or rule.endpoint in ("accounts.logout_by_get",):
            continue
        response = _send(client, "GET", _url(rule, world))
        if response.mimetype != "text/html" or not response.data:
            continue
        document = lxml.html.fromstring(response.data)
        document.make_links_absolute("http://localhost" + urlsplit(_url(rule, world)).path)
        found.extend(document.forms)
    return found


def _declared_fields():
    """Every field name any form class of the app declares."""
    from wenevents import create_app  # noqa: F401  (every domain's forms imported)

    names, pending = set(), [forms.Form]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        names |= {name for name in dir(cls) if hasattr(getattr(cls, name), "field_class")}
    return names


URLENCODED = "application/x-www-form-urlencoded"
# Invalid UTF-8, an encoded lone surrogate and a right-to-left override, as raw bytes.
RAW = b"\xff\xfe\xed\xa0\x80\xe2\x80\xae"


def _urlencoded(fields):
    """A form body; values are sent as they appear in a URL (escapes included)."""
    return "&".join(f"{quote(name)}={value}" for name, value in fields.items())


def _multipart(fields):
    """A multipart body with the values' bytes as they are (str values as UTF-8)."""
    boundary = b"crafted-input-boundary"
    parts = []
    for name, value in fields.items():
        data = value if isinstance(value, bytes) else unquote_to_bytes(str(value))
        parts.append(
            b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\""
            + quote(name).encode() + b"\"\r\n\r\n" + data + b"\r\n"
        )  # fmt: skip
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary.decode()}"


def _posted_forms(app, client, world):
    """``{endpoint: (path, {name: value})}``: the first form each POST route gets from a
    page, with the values the page gave its fields (escaped as in a URL)."""
    adapter = app.url_map.bind("localhost")
    shown = {}
    for form in _page_forms(app, client, world):
        if form.method.upper() != "POST":
            continue
        path = urlsplit(form.action).path
        try:
            endpoint, _args = adapter.match(path, method="POST")
        except (NotFound, MethodNotAllowed):
            continue
        if endpoint in shown or "logout" in endpoint:
            continue
        values = {name: quote(value, safe="") for name, value in form.form_values()}
        for element in form.inputs:
            if element.name and element.name not in values:
                values[element.name] = ""  # unchecked boxes, file inputs, empty selects
        shown[endpoint] = (path, values)
    return shown


class BrokenChunks:
    """A request body as gunicorn hands it over when a chunk's size is not hexadecimal: it
    raises from the middle of being read (gunicorn.http.errors, not an HTTP error)."""

    def read(self, *args):
        from gunicorn.http.errors import InvalidChunkSize

        raise InvalidChunkSize(b"zz")

    readline = read


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/login", "application/x-www-form-urlencoded"),
        ("/gmwen4/materials/upload/report", "multipart/form-data; boundary=b"),
    ],
)
def test_body_with_broken_chunks_is_400_with_a_message(client, path, content_type):
    response = client.post(
        path,
        content_type=content_type,
        environ_overrides={"wsgi.input": BrokenChunks(), "CONTENT_LENGTH": "100"},
    )

    assert response.status_code == 400
    assert "What was sent could not be read whole. Nothing was changed." in response.text
