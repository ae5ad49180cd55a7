"""An attacker who controls a header: ``Host``, ``X-Forwarded-Host``, ``X-Forwarded-Proto``,
``Referer``, ``HX-Current-URL``. Links are built from PUBLIC_URL only, a request for a host
the site does not serve is refused before anything runs, and what else reads a header
cannot be steered off the site."""

import re
from pathlib import Path

import pytest

from tests.conftest import counts, csrf_token, outbox
from tests.factories import (
    make_item,
    make_meeting,
    make_network,
    make_session,
    publish_agenda,
    session_ref,
)
from tests.registration import conftest as registration
from tests.registration.conftest import form_data, register_page, registrations
from wenevents.accounts.models import ORGANISER

ROOT = Path(__file__).resolve().parents[2]
# The registration suite's meeting (published, registration open).
make_registration_meeting = registration.make_registration_meeting
settings_overrides = registration.settings_overrides
meeting = registration.meeting

REFUSED = "This site is not served at the address this request named."
PUBLIC = "https://wen.example.org"


# Links are built from PUBLIC_URL, by one helper ------------------------------------------

# What builds a link from the request: an attacker picks its host.
FROM_REQUEST = re.compile(
    r"(?<!\w)_external\s*=|\brequest\.(?:host|host_url|url_root|base_url|root_url|url)\b|"
    r"\b(?:host_url|url_root)\b"
)


def _sources():
    for folder, pattern in (("wenevents", "*.py"), ("templates", "*")):
        for path in sorted((ROOT / folder).rglob(pattern)):
            if path.is_file() and "migrations" not in path.parts and path.suffix != ".pyc":
                yield path


def test_no_module_builds_a_link_from_the_request():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if FROM_REQUEST.search(line)
    ]

    assert found == [], "build absolute links with wenevents.urls.public_url:\n" + "\n".join(found)


def test_the_scan_would_see_a_link_built_from_the_request():
    for line in (
        "url_for('x', _external=True)",
        "link = request.host_url + path",
        "f'{request.url_root}x'",
        "request.host",
        "request.url",
    ):
        assert FROM_REQUEST.search(line), line
    assert not FROM_REQUEST.search("request.url_rule")


# Foreign hosts are refused ---------------------------------------------------------------


def _forgot(client, headers):
    token = csrf_token(client.get("/forgot-password").text)
    return client.post(
        "/forgot-password",
        data={"csrf_token": token, "email": "org@example.org"},
        headers=headers,
    )


FOREIGN = [
    pytest.param({"TRUSTED_PROXY_COUNT": 0}, {"Host": "evil.example"}, id="host"),
    pytest.param({"TRUSTED_PROXY_COUNT": 0}, {"Host": "evil.example:80"}, id="host-with-port"),
    pytest.param({"TRUSTED_PROXY_COUNT": 0}, {"Host": "localhost.evil.example"}, id="suffix"),
    pytest.param(
        {"TRUSTED_PROXY_COUNT": 1}, {"X-Forwarded-Host": "evil.example"}, id="behind-proxy"
    ),
    pytest.param(
        {"TRUSTED_PROXY_COUNT": 1},
        {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
        id="behind-proxy-https",
    ),
]


@pytest.mark.parametrize("app_config, headers", FOREIGN)
def test_reset_request_for_a_foreign_host_is_refused_and_mails_nothing(
    app, client, make_user, headers
):
    make_user("org@example.org", ORGANISER)
    before = counts()

    response = _forgot(client, headers)

    assert response.status_code == 400
    assert REFUSED in response.text
    assert "Traceback" not in response.text
    assert outbox(app) == []
    assert counts() == before


@pytest.mark.parametrize("app_config, headers", FOREIGN)
def test_registration_for_a_foreign_host_is_refused_and_mails_nothing(
    app, client, meeting, make_user, headers
):
    make_user("org@example.org", ORGANISER)
    token = csrf_token(client.get(register_page(meeting)).text)

    response = client.post(
        register_page(meeting),
        data={"csrf_token": token, **form_data(meeting, email="org@example.org")},
        headers=headers,
    )

    assert response.status_code == 400
    assert REFUSED in response.text
    assert outbox(app) == []
    assert registrations(meeting) == []


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_COUNT": 0}])
@pytest.mark.parametrize("path", ["/", "/login", "/gmwen4/schedule.ics", "/static/css/site.css"])
def test_every_page_of_a_foreign_host_is_a_clear_400(client, path):
    response = client.get(path, headers={"Host": "evil.example"})

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text
    assert REFUSED in response.text
    # The error page's own links are paths: nothing on it names the forged host.
    assert "evil.example" not in response.text


def test_foreign_host_is_refused_before_csrf_and_rate_limits_count(app, client, make_user):
    """No token at all: the host is what is refused, first of all checks."""
    response = client.post("/login", data={}, headers={"Host": "evil.example"})

    assert response.status_code == 400
    assert REFUSED in response.text


# The genuine host: links use PUBLIC_URL whatever the request said -------------------------

GENUINE = {"PUBLIC_URL": PUBLIC, "EXTRA_HOSTS": ["old.example.org"], "TRUSTED_PROXY_COUNT": 0}


@pytest.mark.parametrize("app_config", [GENUINE])
@pytest.mark.parametrize(
    "base_url, headers",
    [
        (PUBLIC, {}),
        (PUBLIC, {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}),
        ("https://old.example.org", {}),
        ("https://wen.example.org:8443", {}),
    ],
)
def test_mailed_reset_link_uses_public_url_whatever_the_request_said(
    app, client, make_user, base_url, headers
):
    make_user("org@example.org", ORGANISER)
    token = csrf_token(client.get("/forgot-password", base_url=base_url).text)

    response = client.post(
        "/forgot-password",
        base_url=base_url,
        data={"csrf_token": token, "email": "org@example.org"},
        # Flask-WTF checks the Referer over HTTPS.
        headers={"Referer": f"{base_url}/forgot-password", **headers},
    )

    assert response.status_code == 200
    [message] = outbox(app)
    links = re.findall(r"\S+://\S+", message.get_content())
    assert len(links) == 1
    assert links[0].startswith(f"{PUBLIC}/reset-password/")


@pytest.mark.parametrize("app_config", [GENUINE])
def test_mailed_confirmation_link_uses_public_url_behind_an_alias(app, client, meeting):
    base_url = "https://old.example.org"
    page = register_page(meeting)
    token = csrf_token(client.get(page, base_url=base_url).text)

    response = client.post(
        page,
        base_url=base_url,
        data={"csrf_token": token, **form_data(meeting)},
        headers={"Referer": f"{base_url}{page}", "X-Forwarded-Host": "evil.example"},
    )

    assert response.status_code == 200
    [message] = outbox(app)
    body = message.get_body(("plain",)).get_content()
    assert re.findall(r"\S+://\S+", body)[0].startswith(f"{PUBLIC}/registrations/confirm/")


# Next to it: what else reads a header ----------------------------------------------------


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXY_COUNT": 0}])
def test_forwarded_proto_without_a_trusted_proxy_changes_nothing(client, make_user):
    """Not believed: no HSTS pinned for a site that may not have HTTPS, no Secure cookie."""
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})

    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Referer": "http://evil.example/gmwen4/registration"},
        {"Referer": "http://localhost.evil.example/gmwen4/registration"},
        {"HX-Request": "true", "HX-Current-URL": "http://evil.example/gmwen4/registration"},
    ],
)
def test_return_address_from_a_foreign_header_is_the_home_page(client, headers):
    token = csrf_token(client.get("/login").text)

    response = client.post(
        "/gmwen4/registration/withdraw", data={"csrf_token": token}, headers=headers
    )

    location = response.headers.get("HX-Redirect") or response.headers["Location"]
    assert location == "/login?next=/"


def test_return_address_from_this_site_keeps_its_path(client):
    token = csrf_token(client.get("/login").text)

    response = client.post(
        "/gmwen4/registration/withdraw",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/gmwen4/registration"},
    )

    assert response.headers["Location"] == "/login?next=/gmwen4/registration"


def test_redirects_are_paths_not_urls_of_the_request_host(client, make_user):
    """A Location header is a path: no host from the request can appear in it."""
    make_user("org@example.org", ORGANISER)

    response = client.get("/account", headers={"Host": "127.0.0.1:9"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


@pytest.fixture
def released(app):
    """A published meeting with a released agenda: one session, a network's item."""
    network = make_network(slug="naweg", acronym="NAWEG")
    meeting = make_meeting(acronym="gmx", networks=[network])
    session = make_session(meeting, title="Cooperation")
    make_item(session, title="Work of NAWEG", network=network)
    publish_agenda(meeting)
    return meeting


@pytest.mark.parametrize("app_config", [GENUINE])
@pytest.mark.parametrize(
    "path, expected",
    [
        ("/gmx/schedule", 'href="webcal://wen.example.org/gmx/schedule.ics"'),
        ("/gmx/sessions/{ref}", 'href="webcal://wen.example.org/gmx/sessions/{ref}.ics"'),
        ("/gmx/changelog.atom", 'href="https://wen.example.org/gmx/changelog.atom"'),
        ("/gmx/schedule.ics", "URL:https://wen.example.org/gmx/sessions/{ref}"),
        ("/gmx/schedule.xml", "<url>https://wen.example.org/gmx/schedule.xml</url>"),
        ("/gmx/schedule.json", '"base_url":"https://wen.example.org/"'),
    ],
)
def test_pages_feeds_and_calendars_name_public_url_when_asked_through_an_alias(
    client, released, path, expected
):
    """A shared cache keyed without the host, or a subscriber who came through the alias,
    must never keep a link to a host the request named."""
    ref = session_ref("gmx", 1)
    path, expected = path.format(ref=ref), expected.format(ref=ref)
    response = client.get(path, base_url="https://old.example.org")

    assert response.status_code == 200
    assert expected in response.text
    assert "old.example.org" not in response.text
