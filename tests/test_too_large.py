"""The page a too-large request answers with (413): it states the limit in MB and leads
back to the form's page, only ever a page of this site."""

import html
import io
import re

import pytest

from tests.conftest import csrf_token
from tests.uploads import conftest as uploads
from tests.uploads.conftest import PDF, stored_files
from tests.uploads.test_safety import multipart, post_body

app_config = uploads.app_config
world = uploads.world
people = uploads.people


class Unread(io.BytesIO):
    """A body that is never read (the limit answers first)."""

    def __init__(self):
        super().__init__(b"x" * 100)


def post_too_much(client, path="/login", referrer=None, **kwargs):
    headers = {"Referer": referrer} if referrer else {}
    return client.post(
        path,
        input_stream=Unread(),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(13 * 1024 * 1024)},
        headers=headers,
        **kwargs,
    )


def message(page):
    found = re.search(r'<p class="message message-error" role="alert">(.*?)</p>', page, re.S)
    return re.sub(r"\s+", " ", html.unescape(found.group(1))).strip()


def back_link(page):
    found = re.findall(r'<a href="([^"]*)">Back to the form</a>', page)
    return html.unescape(found[0]) if found else None


def test_too_large_form_states_the_limit_and_leads_back(app, client):
    response = post_too_much(client, referrer="http://localhost/login?next=%2Fgm%2F")

    assert response.status_code == 413
    assert message(response.text) == (
        "What was sent is larger than this site accepts: at most 12 MB at once."
    )
    assert back_link(response.text) == "/login?next=%2Fgm%2F"


def test_limit_follows_the_configuration(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024

    response = post_too_much(client, referrer="http://localhost/login")

    assert message(response.text) == (
        "What was sent is larger than this site accepts: at most 5 MB at once."
    )


def test_next_in_the_address_leads_back_when_there_is_no_referrer(app, client):
    response = post_too_much(client, path="/login?next=/gm/materials/upload")

    assert back_link(response.text) == "/gm/materials/upload"


@pytest.mark.parametrize(
    ("referrer", "next_"),
    [
        ("https://evil.example/login", None),
        ("http://evil.example/login", None),
        ("http://localhost.evil.example/login", None),
        ("http://localhost:1@evil.example/login", None),
        ("http://localhost//evil.example/login", None),
        ("http://localhost/\\evil.example", None),
        ("javascript:alert(1)//localhost/login", None),
        ("ftp://localhost/login", None),
        (None, "https://evil.example/"),
        (None, "//evil.example/"),
        (None, "/\\evil.example"),
        ("https://evil.example/", "https://evil.example/"),
    ],
)
def test_off_site_referrer_or_next_gives_no_way_back(app, client, referrer, next_):
    path = "/login" + (f"?next={next_}" if next_ else "")

    response = post_too_much(client, path=path, referrer=referrer)

    assert response.status_code == 413
    assert back_link(response.text) is None
    assert "evil.example" not in response.text
    assert '<a href="/">Go to the home page</a>' in response.text


# A million bytes is 976 KB: the file's message and the page's line once said "976 KB" and
# "1 MB" for the same limit.
@pytest.mark.parametrize(("limit", "shown"), [(1024 * 1024, "1 MB"), (1_000_000, "976 KB")])
def test_too_large_upload_states_the_limit_per_file_one_way(
    app, client, auth, world, people, limit, shown
):
    app.config["UPLOAD_MAX_BYTES"] = limit
    auth.login("org@example.org")

    token = csrf_token(client.get("/gm/materials/upload").text)
    body = multipart(token, "big.pdf", PDF + b"x" * limit)

    response = post_body(client, "/gm/materials/upload/report", body)

    assert response.status_code == 413
    assert message(response.text) == (
        f"A file is larger than the {shown} allowed. Nothing was stored. Each file may be up "
        f"to {shown}, and up to 5 files may be sent at once."
    )
    assert stored_files(app) == []


def test_too_large_form_names_a_limit_of_a_megabyte_and_a_half_with_its_fraction(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024 // 2

    response = post_too_much(client, referrer="http://localhost/login")

    assert message(response.text) == (
        "What was sent is larger than this site accepts: at most 1.5 MB at once."
    )


def test_too_large_upload_page_leads_back_to_the_upload_page(app, client, auth, world, people):
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    auth.login("org@example.org")

    response = client.post(
        "/gm/materials/upload/report",
        input_stream=Unread(),
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(2**30)},
        headers={"Referer": "http://localhost/gm/materials/upload"},
    )

    assert response.status_code == 413
    assert message(response.text) == (
        "Each file may be up to 1 MB, and up to 5 files may be sent at once."
    )
    assert back_link(response.text) == "/gm/materials/upload"
