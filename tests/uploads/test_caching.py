"""Files anyone may download are cached and revalidated (re-opening slides on a venue's
Wi-Fi costs a 304, not the file); files for participants or organisers are never stored."""

from datetime import datetime

import pytest

from tests.uploads.conftest import PDF, slot, upload
from wenevents.extensions import db
from wenevents.uploads import access


@pytest.fixture
def slides(app, world, people, new_auth):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF, "NAWEG talk.pdf")])
    return slot(world.meeting)


def test_public_file_is_cached_for_ten_minutes_and_revalidated(client, slides):
    first = client.get(f"/gm/materials/{slides.id}")
    again = client.get(
        f"/gm/materials/{slides.id}", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=600"
    assert first.headers["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.data == b""


def test_public_file_is_cached_for_a_signed_in_person_too(auth, client, slides):
    auth.login("org@example.org")

    response = client.get(f"/gm/materials/{slides.id}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=600"


@pytest.mark.parametrize("access", ["participants", "organisers"])
def test_restricted_file_is_never_stored(auth, client, slides, access):
    slides.access = access
    db.session.commit()
    auth.login("org@example.org")

    response = client.get(f"/gm/materials/{slides.id}")

    assert response.status_code == 200
    assert response.data == PDF
    assert set(response.headers["Cache-Control"].split(", ")) == {
        "private",
        "no-store",
        "no-cache",
        "max-age=0",
    }


def test_embargoed_file_before_its_session_is_never_stored(auth, client, slides, monkeypatch):
    slides.embargoed = True
    db.session.commit()
    # Session 1 starts at 14:00 UTC on 21 November 2023: an hour before.
    monkeypatch.setattr(access, "utcnow", lambda: datetime(2023, 11, 21, 13, 0))
    auth.login("fp@naweg.example.org")  # its uploader may download it before the session

    response = client.get(f"/gm/materials/{slides.id}")

    assert response.status_code == 200
    assert set(response.headers["Cache-Control"].split(", ")) == {
        "private",
        "no-store",
        "no-cache",
        "max-age=0",
    }
