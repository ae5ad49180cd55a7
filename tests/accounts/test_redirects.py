"""After sign-in, ``next`` is followed only to a path on this site (no open redirect)."""

import pytest

from wenevents.security import safe_next

OFFSITE = ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("next_url", OFFSITE)
def test_login_next_offsite_redirects_to_home(auth, make_user, next_url):
    make_user("org@example.org")

    response = auth.login("org@example.org", next=next_url)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_login_next_on_site_is_followed(auth, make_user):
    make_user("org@example.org")

    response = auth.login("org@example.org", next="/gmwen4/schedule")

    assert response.status_code == 303
    assert response.headers["Location"] == "/gmwen4/schedule"


def test_login_page_keeps_next_in_form_action(client):
    html = client.get("/login", query_string={"next": "/gmwen4/schedule"}).text

    assert 'action="/login?next=/gmwen4/schedule"' in html


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        42,
        "https://evil.example",
        "http://evil.example/path",
        "HTTPS://evil.example",
        "https:evil.example",
        "//evil.example",
        "///evil.example",
        " //evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\x00/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "gmwen4/schedule",
    ],
)
def test_safe_next_unsafe_target_gives_default(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/", "/"),
        ("/gmwen4/schedule", "/gmwen4/schedule"),
        ("/manage/users?q=a%20b&page=2", "/manage/users?q=a%20b&page=2"),
        ("/account#password-heading", "/account#password-heading"),
        ("  /account  ", "/account"),
    ],
)
def test_safe_next_path_on_site_is_kept(target, expected):
    assert safe_next(target) == expected


def test_safe_next_unsafe_target_gives_given_default():
    assert safe_next("//evil.example", default="/account") == "/account"
