"""Exports (calendar, frab, PDF, ZIP, CSV/XLSX) and uploads are limited per client address,
answered by the site's 429 page with Retry-After; pages and other addresses are not."""

import io

import pytest

from tests.conftest import csrf_token
from tests.factories import canonical
from tests.uploads.conftest import PDF, stored_files, upload, versions_of
from wenevents.extensions import db
from wenevents.registration.models import RegistrationSettings

# Rendered once per release and language, then stored (pagecache): the limit counts renders.
STORED_EXPORTS = [
    "/gm/schedule.ics",
    "/gm/sessions/1.ics",
    "/gm/networks/naweg.ics",
    "/gm/schedule.pdf",
    "/gm/schedule.xml",
    "/gm/schedule.json",
]
# Built from the files each time: every request counts.
EXPORTS = [
    "/gm/materials.zip",
    "/gm/materials/sessions/1.zip",
    "/gm/materials/networks/naweg.zip",
]
ORGANISER_EXPORTS = ["/manage/focal-points/export.csv"]
TOO_MANY = "Too many attempts in a short time. Wait a little and try again."
LIMITS = {
    "EXPORT_LIMIT": "2 per minute",
    "UPLOAD_LIMIT": "2 per minute",
    "TRUSTED_PROXY_COUNT": 1,
    "UPLOAD_ZIP_MAX_ENTRIES": 50,
    "UPLOAD_ZIP_MAX_UNPACKED": 1024 * 1024,
}


def _from(address):
    return {"X-Forwarded-For": address}


def _assert_refused(response):
    assert response.status_code == 429
    assert TOO_MANY in response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 60


@pytest.fixture
def slides(client, new_auth, world, people):
    """NAWEG's slides, uploaded from another address: the ZIPs have a file to serve."""
    focal_point = new_auth()
    focal_point.login("fp@naweg.example.org")
    response = upload(focal_point.client, "gm", f"slides-{world.item_a.id}", [(PDF, "s.pdf")])
    assert response.status_code == 303


@pytest.mark.parametrize("app_config", [LIMITS])
@pytest.mark.parametrize("path", EXPORTS)
def test_each_export_is_limited_per_address(client, world, slides, path):
    path = canonical(path)
    answers = [client.get(path, headers=_from("203.0.113.1")) for _ in range(3)]
    elsewhere = client.get(path, headers=_from("203.0.113.2"))

    assert [a.status_code for a in answers[:2]] == [200, 200]
    _assert_refused(answers[2])
    assert elsewhere.status_code == 200


@pytest.mark.parametrize("app_config", [LIMITS])
@pytest.mark.parametrize("path", STORED_EXPORTS)
def test_each_stored_export_limits_renders_per_address(client, world, path):
    # Each language is a render of its own; the third render from one address is refused.
    path = canonical(path)
    answers = [
        client.get(prefix + path, headers=_from("203.0.113.1")) for prefix in ("/es", "/fr", "")
    ]
    elsewhere = client.get(path, headers=_from("203.0.113.2"))

    assert [a.status_code for a in answers[:2]] == [200, 200]
    _assert_refused(answers[2])
    assert elsewhere.status_code == 200


@pytest.mark.parametrize("app_config", [LIMITS])
def test_stored_export_is_served_without_counting(client, world, flask_calls):
    """A stored export costs what a stored page costs: the limit is for renders."""
    answers = [client.get("/gm/schedule.ics", headers=_from("203.0.113.1")) for _ in range(5)]
    pdf = client.get("/gm/schedule.pdf", headers=_from("203.0.113.1"))
    xml = client.get("/gm/schedule.xml", headers=_from("203.0.113.1"))

    assert [a.status_code for a in answers] == [200] * 5
    assert len({a.data for a in answers}) == 1
    # Rendered and counted, read from the store in Flask, then replayed by the front.
    assert ["X-RateLimit-Limit" in a.headers for a in answers] == [True] + [False] * 4
    assert pdf.status_code == 200
    _assert_refused(xml)
    assert len(flask_calls) == 4  # the ICS twice, the PDF, the XML


@pytest.mark.parametrize("app_config", [LIMITS])
def test_exports_share_one_count(client, world):
    """Fetching every format in turn does not multiply the allowance."""
    first = client.get("/gm/schedule.ics", headers=_from("203.0.113.1"))
    second = client.get("/gm/schedule.pdf", headers=_from("203.0.113.1"))
    third = client.get("/gm/materials.zip", headers=_from("203.0.113.1"))

    assert (first.status_code, second.status_code) == (200, 200)
    _assert_refused(third)


@pytest.mark.parametrize("app_config", [LIMITS])
@pytest.mark.parametrize("path", ORGANISER_EXPORTS)
def test_organisers_exports_are_limited_too(client, auth, world, people, path):
    auth.login("org@example.org")

    answers = [client.get(path, headers=_from("203.0.113.1")) for _ in range(3)]

    assert [a.status_code for a in answers[:2]] == [200, 200]
    _assert_refused(answers[2])


@pytest.mark.parametrize("app_config", [LIMITS])
def test_registrations_export_is_limited(client, auth, world, people):
    world.meeting.registration_settings = RegistrationSettings(travel_days=1)
    db.session.commit()
    auth.login("org@example.org")

    answers = [
        client.get(f"/manage/gm/registrations/export.{fmt}", headers=_from("203.0.113.1"))
        for fmt in ("csv", "xlsx", "csv")
    ]

    assert [a.status_code for a in answers[:2]] == [200, 200]
    _assert_refused(answers[2])


@pytest.mark.parametrize("app_config", [LIMITS])
def test_pages_are_not_export_limited(client, world):
    answers = [client.get("/gm/schedule", headers=_from("203.0.113.1")) for _ in range(5)]

    assert [a.status_code for a in answers] == [200] * 5


@pytest.mark.parametrize("app_config", [LIMITS])
def test_uploads_are_limited_per_address_and_a_refused_one_stores_nothing(
    app, client, auth, world, people
):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    token = csrf_token(client.get("/gm/materials/upload").text)

    answers = []
    for n in range(3):
        content = PDF.replace(b"%%EOF", f"% version {n}\n%%EOF".encode())
        answers.append(
            client.post(
                f"/gm/materials/upload/{ref}",
                data={
                    "csrf_token": token,
                    "language": "auto",
                    "files": [(io.BytesIO(content), f"v{n}.pdf")],
                },
                headers=_from("203.0.113.1"),
                content_type="multipart/form-data",
            )
        )
    elsewhere = upload(client, "gm", ref, [(PDF, "other address.pdf")], token=token)

    assert [a.status_code for a in answers[:2]] == [303, 303]
    _assert_refused(answers[2])
    assert [v.original_name for v in versions_of(world.meeting)] == [
        "v0.pdf",
        "v1.pdf",
        "other address.pdf",
    ]
    assert len(stored_files(app)) == 3
    assert elsewhere.status_code == 303
