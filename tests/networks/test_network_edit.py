"""A network's focal points keep its public profile; nobody else may."""

import re

import pytest
from sqlalchemy import select

from tests.factories import make_network
from wenevents.accounts.models import FOCAL_POINT, ORGANISER, User
from wenevents.accounts.passwords import hash_password
from wenevents.audit.models import AuditEntry
from wenevents.extensions import db

PASSWORD = "correct horse battery staple 7"


def sign_in(client, email, role, networks=()):
    db.session.add(
        User(email=email, role=role, password_hash=hash_password(PASSWORD), networks=list(networks))
    )
    db.session.commit()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    response = client.post(
        "/login", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 303
    return token.group(1)


def csrf(client, path):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text)[1]


@pytest.fixture
def networks(app):
    return make_network(slug="naweg", acronym="NAWEG"), make_network(slug="latf", acronym="LATF")


def test_focal_point_edits_own_network_in_place(client, networks):
    naweg, _latf = networks
    sign_in(client, "fp@example.org", FOCAL_POINT, [naweg])
    token = csrf(client, "/networks/naweg/edit")

    response = client.post(
        "/networks/naweg/edit",
        data={"csrf_token": token, "region": "North America", "website": "https://naweg.example",
              "member_countries": "Canada, Mexico, United States", "description": "Hello."},
        headers={"HX-Request": "true", "HX-Target": "network-profile"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="network-profile"')
    assert '<a href="https://naweg.example" rel="external noopener">' in response.text
    db.session.refresh(naweg)
    assert (naweg.region, naweg.website) == ("North America", "https://naweg.example")
    entry = db.session.scalar(select(AuditEntry).filter_by(action="network.update"))
    assert entry.actor_email == "fp@example.org"
    assert entry.details == {"fields": ["description", "member_countries", "region", "website"]}


def test_focal_point_of_other_network_gets_403_and_audit(client, networks):
    naweg, latf = networks
    sign_in(client, "fp@example.org", FOCAL_POINT, [naweg])
    token = csrf(client, "/networks/naweg/edit")

    response = client.post("/networks/latf/edit", data={"csrf_token": token, "region": "Hijacked"})

    assert response.status_code == 403
    db.session.refresh(latf)
    assert latf.region == ""
    entry = db.session.scalar(select(AuditEntry).filter_by(action="access.denied"))
    assert (entry.actor_email, entry.target_id) == ("fp@example.org", str(latf.id))


def test_organiser_edits_any_network_without_js_gets_303(client, networks):
    sign_in(client, "org@example.org", ORGANISER)
    token = csrf(client, "/networks/latf/edit")

    response = client.post("/networks/latf/edit", data={"csrf_token": token, "region": "Africa"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/networks/latf"


@pytest.mark.parametrize(
    ("website", "message"),
    [
        ("javascript:alert(1)", "Give an address starting with https:// or http://."),
        ("data:text/html,x", "Give an address starting with https:// or http://."),
        ("https://", "Give a full web address, such as https://example.org."),
    ],
)
def test_network_website_must_be_http_or_https(client, networks, website, message):
    naweg, _ = networks
    sign_in(client, "fp@example.org", FOCAL_POINT, [naweg])
    token = csrf(client, "/networks/naweg/edit")

    response = client.post("/networks/naweg/edit", data={"csrf_token": token, "website": website})

    assert response.status_code == 200
    assert f'<p class="error" id="website-error">{message}</p>' in response.text
    db.session.refresh(naweg)
    assert naweg.website == ""


def test_network_edit_refuses_stacked_marks_and_overlong_text(client, networks):
    naweg, _ = networks
    sign_in(client, "fp@example.org", FOCAL_POINT, [naweg])
    token = csrf(client, "/networks/naweg/edit")

    response = client.post(
        "/networks/naweg/edit",
        data={"csrf_token": token, "region": "a" + "\u0301" * 6, "description": "x" * 10_000},
    )

    assert response.status_code == 200
    assert "Too many accents or marks are stacked on one letter: use at most 4." in response.text
    assert "Field cannot be longer than 5000 characters." in response.text
    db.session.refresh(naweg)
    assert (naweg.region, naweg.description) == ("", "")


def test_network_edit_refuses_a_nul_byte_whole(client, networks):
    naweg, _ = networks
    sign_in(client, "fp@example.org", FOCAL_POINT, [naweg])
    token = csrf(client, "/networks/naweg/edit")

    response = client.post("/networks/naweg/edit", data={"csrf_token": token, "region": "a\x00b"})

    assert response.status_code == 400
    assert "contains a character that is not allowed (such as a NUL byte)" in response.text
    db.session.refresh(naweg)
    assert naweg.region == ""


def test_anonymous_visitor_sees_no_edit_button(client, networks):
    assert "Edit the profile" not in client.get("/networks/naweg").text
    assert client.get("/networks/naweg/edit").status_code == 302
