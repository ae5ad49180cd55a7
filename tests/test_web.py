"""What every response shares: security headers, caching, static versioning."""

import re

import pytest


def test_page_has_security_headers(client, demo):
    response = client.get("/gmwen4/")

    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_page_has_no_inline_script_or_style(client, demo):
    for path in ("/", "/gmwen4/", "/gmwen4/schedule", "/networks/", "/networks/asean-wen"):
        html = client.get(path).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert "<style" not in html
        assert " style=" not in html
        assert " on" + "click=" not in html


def test_page_loads_nothing_from_other_hosts(client, demo):
    html = client.get("/gmwen4/schedule").text
    # hreflang alternates name this site's other-language pages (absolute, as they must
    # be); nothing loads them.
    loaded = re.sub(r'<link rel="alternate" hreflang="[^"]+" href="[^"]+">', "", html)
    sources = re.findall(r'(?:src|href)="([^"]+)"', loaded)
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []


def test_unchanged_page_revalidates_with_304(client, demo):
    first = client.get("/gmwen4/schedule")

    second = client.get("/gmwen4/schedule", headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["Cache-Control"] == "no-cache"
    assert second.status_code == 304
    assert second.data == b""


def test_versioned_static_file_is_cached_for_a_year(client, demo):
    html = client.get("/").text
    css_url = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', html).group(1)

    with client.get(css_url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_htmx_is_vendored_at_pinned_version(client):
    html = client.get("/networks/").text
    assert re.search(r'src="/static/vendor/htmx-2\.0\.11\.min\.js\?v=[0-9a-f]{12}"', html)


def test_method_not_allowed_gets_405_page(client):
    response = client.post("/networks/")
    assert response.status_code == 405
    assert "<h1>Method not allowed</h1>" in response.text


def test_method_not_allowed_keeps_allow_header(client):
    response = client.post("/networks/")
    assert sorted(response.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"]


def test_form_with_invalid_utf8_gets_400_saying_so(client):
    response = client.post(
        "/login",
        data=b"email=a\xff\xfe%40example.org&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "What was sent contains bytes that are not valid text." in response.text


@pytest.mark.parametrize("encoding, algorithm", [("gzip, deflate, br", "br"), ("gzip", "gzip")])
def test_pages_are_compressed_and_revalidate(client, demo, encoding, algorithm):
    first = client.get("/gmwen4/schedule", headers={"Accept-Encoding": encoding})
    again = client.get(
        "/gmwen4/schedule",
        headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]},
    )
    plain = client.get("/gmwen4/schedule")

    assert first.headers["Content-Encoding"] == algorithm
    assert first.headers["ETag"].endswith(f':{algorithm}"')
    assert "Accept-Encoding" in first.headers["Vary"]
    assert len(first.data) < len(plain.data) / 4
    assert again.status_code == 304
    assert "Content-Encoding" not in plain.headers


def test_static_scripts_are_compressed_and_immutable(client):
    html = client.get("/networks/").text
    src = re.search(r'src="(/static/vendor/htmx-[^"]+)"', html)[1]

    response = client.get(src, headers={"Accept-Encoding": "gzip, deflate"})

    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(response.get_data()) < 20_000
