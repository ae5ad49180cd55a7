"""Transport and caching headers: HSTS and Secure cookies over HTTPS only; personal pages
never stored by caches."""

import pytest

from tests.conftest import PASSWORD, csrf_token
from wenevents.security import HSTS

HTTPS = "https://localhost"


def _session_cookie(response):
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return [part.strip() for part in cookie.split(";")]


def test_https_response_has_hsts(client):
    response = client.get("/", base_url=HTTPS)

    assert response.headers["Strict-Transport-Security"] == HSTS
    assert HSTS == "max-age=63072000; includeSubDomains"


def test_http_response_has_no_hsts(client):
    response = client.get("/")

    assert "Strict-Transport-Security" not in response.headers


def test_https_session_cookie_is_secure_httponly_lax(client, make_user):
    make_user("org@example.org")
    token = csrf_token(client.get("/login", base_url=HTTPS).text)

    response = client.post(
        "/login",
        base_url=HTTPS,
        data={"csrf_token": token, "email": "org@example.org", "password": PASSWORD},
        headers={"Referer": f"{HTTPS}/login"},  # Flask-WTF checks it over HTTPS
    )

    assert response.status_code == 303
    attributes = _session_cookie(response)
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= set(attributes)
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_https_post_without_same_site_referer_is_refused(client, make_user):
    make_user("org@example.org")
    token = csrf_token(client.get("/login", base_url=HTTPS).text)

    response = client.post(
        "/login",
        base_url=HTTPS,
        data={"csrf_token": token, "email": "org@example.org", "password": PASSWORD},
        headers={"Referer": "https://evil.example/login"},
    )

    assert response.status_code == 400


def test_http_session_cookie_is_httponly_lax_not_secure(client):
    response = client.get("/login")

    attributes = _session_cookie(response)
    assert {"HttpOnly", "SameSite=Lax"} <= set(attributes)
    assert "Secure" not in attributes


@pytest.mark.parametrize("path", ["/", "/account", "/networks/", "/manage/users"])
def test_signed_in_page_is_not_stored(client, auth, make_user, path):
    make_user("org@example.org")
    auth.login("org@example.org")

    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert "Cookie" in response.headers["Vary"]
    assert "ETag" not in response.headers


@pytest.mark.parametrize("path", ["/", "/networks/", "/editions"])
def test_anonymous_public_page_may_be_cached(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" not in response.headers["Cache-Control"]
    assert response.headers["Cache-Control"] == "no-cache"
    assert "ETag" in response.headers
    assert "Set-Cookie" not in response.headers


def test_anonymous_page_with_form_token_is_not_stored(client):
    response = client.get("/login")

    assert "no-store" in response.headers["Cache-Control"]
    assert "Cookie" in response.headers["Vary"]


def test_anonymous_public_page_after_logout_may_be_cached(client, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")
    auth.logout()

    response = client.get("/networks/")

    assert "no-store" not in response.headers["Cache-Control"]


def test_signed_in_fragment_is_not_stored(client, auth, make_user):
    make_user("org@example.org")
    auth.login("org@example.org")

    response = client.get(
        "/manage/users", headers={"HX-Request": "true", "HX-Target": "user-results"}
    )

    assert "no-store" in response.headers["Cache-Control"]
    assert {"Cookie", "HX-Request"} <= {v.strip() for v in response.headers["Vary"].split(",")}


def test_csp_forbids_any_base_element(client):
    policy = client.get("/").headers["Content-Security-Policy"]

    assert "base-uri 'none'" in policy.split("; ")
    assert "'self'" not in policy.split("base-uri")[1].split(";")[0]


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://wen.example.org"}])
def test_https_site_names_its_session_cookie_with_the_host_prefix(client, make_user):
    make_user("org@example.org")
    site = "https://wen.example.org"
    token = csrf_token(client.get("/login", base_url=site).text)

    response = client.post(
        "/login",
        base_url=site,
        data={"csrf_token": token, "email": "org@example.org", "password": PASSWORD},
        headers={"Referer": f"{site}/login"},
    )

    [cookie] = response.headers.getlist("Set-Cookie")
    name, *attributes = [part.strip() for part in cookie.split(";")]
    assert name.startswith("__Host-session=")
    # What the prefix requires, or browsers refuse the cookie: Secure, Path=/, no Domain.
    assert {"Secure", "HttpOnly", "Path=/", "SameSite=Lax"} <= set(attributes)
    assert not [a for a in attributes if a.lower().startswith("domain")]
    assert client.get("/account", base_url=site).status_code == 200
