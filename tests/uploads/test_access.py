"""Who may see and download what: public, participants, organisers, embargoed slides,
versions and restoring; the materials page lists only what the viewer may download."""

import re
from datetime import datetime

import pytest

from tests.accounts.conftest import audit_entries, csrf_token, field_error
from tests.uploads import conftest as uploads
from tests.uploads.conftest import PDF, PDF2, registration, slot, upload, versions_of
from wenevents.extensions import db
from wenevents.uploads import services

app = uploads.app
client = uploads.client
make_user = uploads.make_user
auth = uploads.auth
new_auth = uploads.new_auth
app_config = uploads.app_config
world = uploads.world
people = uploads.people


@pytest.fixture
def slides(app, world, people, new_auth):
    """NAWEG's slides for item A, uploaded by its focal point; the slot's id."""
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF, "NAWEG talk.pdf")])
    return slot(world.meeting)


def set_access(document, access, embargoed=False):
    document.access, document.embargoed = access, embargoed
    db.session.commit()


def links(page):
    return re.findall(r'href="(/gm/materials/\d+/[^"]*)"', page)


def test_public_slides_are_listed_and_downloaded_by_anyone(client, world, slides):
    page = client.get("/gm/materials")
    download = client.get(f"/gm/materials/{slides.id}/NAWEG%20talk.pdf")

    assert page.status_code == 200
    assert links(page.text) == [f"/gm/materials/{slides.id}/NAWEG%20talk.pdf"]
    assert "Presenters alone answer for their presentations." in page.text
    assert download.status_code == 200
    assert download.data == PDF


@pytest.mark.parametrize(
    ("access", "who", "allowed"),
    [
        ("participants", None, False),
        ("participants", "delegate@example.org", False),
        ("participants", "approved", True),
        ("participants", "fp@latf.example.org", True),
        ("organisers", "fp@latf.example.org", False),
        ("organisers", "approved", False),
        ("organisers", "org@example.org", True),
        ("organisers", "fp@naweg.example.org", True),
    ],
)
def test_access_level_decides_who_downloads(
    client, auth, world, people, slides, access, who, allowed
):
    set_access(slides, access)
    if who == "approved":
        registration(people["delegate"], world, world.latf, "approved")
        who = "delegate@example.org"
    if who:
        auth.login(who)

    page = client.get("/gm/materials").text
    download = client.get(f"/gm/materials/{slides.id}")

    assert bool(links(page)) is allowed
    if allowed:
        assert download.status_code == 200
    elif who:
        assert download.status_code == 403
    else:
        assert download.status_code == 302
        assert download.headers["Location"].startswith("/login")


def test_refused_download_is_audited(client, auth, world, people, slides):
    set_access(slides, "organisers")
    auth.login("fp@latf.example.org")

    client.get(f"/gm/materials/{slides.id}")

    [entry] = audit_entries("access.denied")
    assert entry.summary == f"download materials {slides.id} of gm"


@pytest.mark.parametrize(
    ("now", "visible"),
    [(datetime(2023, 11, 21, 13, 59), False), (datetime(2023, 11, 21, 14, 0), True)],
)
def test_embargoed_slides_wait_for_their_session(client, world, slides, now, visible):
    # Session 1 starts at 09:00 in Panama (UTC-05:00): 14:00 UTC.
    set_access(slides, "public", embargoed=True)
    viewer = services.viewer_for(None, world.meeting)

    assert services.may_see(viewer, slides, services.released_items(world.meeting), now) is visible


def test_embargo_does_not_hide_slides_from_their_network(client, auth, world, people, slides):
    set_access(slides, "public", embargoed=True)
    world.session.day = datetime(2099, 1, 1).date()
    db.session.commit()
    auth.login("fp@naweg.example.org")

    assert client.get(f"/gm/materials/{slides.id}").status_code == 200


def test_slides_of_unreleased_presentation_are_not_public(client, auth, world, people, new_auth):
    from tests.factories import make_item

    draft = make_item(world.session, title="Not yet released", network=world.naweg)
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"slides-{draft.id}", [(PDF, "draft.pdf")])
    document = slot(world.meeting)

    assert client.get(f"/gm/materials/{document.id}").status_code == 302
    page = focal.client.get("/gm/materials").text
    assert "Not in the published schedule" in page
    assert links(page) == [f"/gm/materials/{document.id}/draft.pdf"]


def test_stable_url_serves_the_latest_whatever_name_follows(client, world, slides, new_auth):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF2, "NAWEG talk v2.pdf")])

    assert client.get(f"/gm/materials/{slides.id}/NAWEG%20talk.pdf").data == PDF2
    assert client.get(f"/gm/materials/{slides.id}").data == PDF2


def test_unknown_document_is_404(client, world, slides):
    assert client.get("/gm/materials/999999").status_code == 404
    assert client.get("/nope/materials").status_code == 404


def test_versions_are_for_uploaders_and_organisers(client, auth, world, people, slides):
    path = f"/gm/materials/{slides.id}/versions"
    earlier = f"/gm/materials/{slides.id}/versions/1/NAWEG%20talk.pdf"

    assert client.get(path).status_code == 302
    auth.login("fp@latf.example.org")
    assert client.get(path).status_code == 403
    assert client.get(earlier).status_code == 403
    auth.logout()
    auth.login("fp@naweg.example.org")
    page = client.get(path).text
    assert "Nina Focal" in page and "Restore" not in page
    assert client.get(earlier).data == PDF


def restore(client, document, number):
    token = csrf_token(client.get(f"/gm/materials/{document.id}/versions").text)
    return client.post(
        f"/gm/materials/{document.id}/versions/{number}/restore", data={"csrf_token": token}
    )


def test_organiser_restores_an_earlier_version_as_a_new_one(
    client, auth, world, people, slides, new_auth
):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF2, "v2.pdf")])
    auth.login("org@example.org")

    response = restore(client, slides, 1)

    assert response.status_code == 303
    versions = versions_of(world.meeting)
    assert [(v.number, v.restored_from) for v in versions] == [(1, None), (2, None), (3, 1)]
    assert versions[2].stored_name == versions[0].stored_name
    assert versions[2].uploaded_by.email == "org@example.org"
    assert client.get(f"/gm/materials/{slides.id}").data == PDF
    assert [e.summary for e in audit_entries("materials.restored")] == [
        "gm: Work of NAWEG (NAWEG) (en), version 1 restored as 3"
    ]


def test_focal_point_cannot_restore(client, auth, world, people, slides, new_auth):
    focal = new_auth()
    focal.login("fp@naweg.example.org")
    upload(focal.client, "gm", f"slides-{world.item_a.id}", [(PDF2, "v2.pdf")])
    auth.login("fp@naweg.example.org")

    response = restore(client, slides, 1)

    assert response.status_code == 403
    assert [v.number for v in versions_of(world.meeting)] == [1, 2]


def test_restore_of_unknown_version_is_404(client, auth, world, people, slides):
    auth.login("org@example.org")
    assert restore(client, slides, 9).status_code == 404
    assert [v.number for v in versions_of(world.meeting)] == [1]


def test_organiser_sets_access_and_embargo(client, auth, world, people, slides):
    auth.login("org@example.org")
    token = csrf_token(client.get(f"/gm/materials/{slides.id}/versions").text)

    response = client.post(
        f"/gm/materials/{slides.id}/access",
        data={"csrf_token": token, "access": "participants", "embargoed": "y"},
    )

    assert response.status_code == 303
    document = slot(world.meeting)
    assert (document.access, document.embargoed) == ("participants", True)
    [entry] = audit_entries("materials.access")
    assert entry.details == {"before": ["public", False], "after": ["participants", True]}


def test_bad_access_value_gets_message_and_changes_nothing(client, auth, world, people, slides):
    auth.login("org@example.org")
    token = csrf_token(client.get(f"/gm/materials/{slides.id}/versions").text)

    response = client.post(
        f"/gm/materials/{slides.id}/access", data={"csrf_token": token, "access": "everyone"}
    )

    assert response.status_code == 422
    assert field_error(response.text, "access") == "Not a valid choice."
    assert slot(world.meeting).access == "public"


def test_focal_point_cannot_change_access(client, auth, world, people, slides):
    auth.login("fp@naweg.example.org")
    token = csrf_token(client.get(f"/gm/materials/{slides.id}/versions").text)

    response = client.post(
        f"/gm/materials/{slides.id}/access", data={"csrf_token": token, "access": "organisers"}
    )

    assert response.status_code == 403
    assert slot(world.meeting).access == "public"


def test_unpublished_meeting_materials_are_for_organisers(client, auth, world, people, slides):
    world.meeting.status = "draft"
    db.session.commit()

    assert client.get("/gm/materials").status_code == 404
    assert client.get(f"/gm/materials/{slides.id}").status_code == 404
    auth.login("org@example.org")
    assert client.get(f"/gm/materials/{slides.id}").status_code == 200
