"""Who may see and download what: public, participants, organisers, embargoed slides,
versions and restoring; the materials page lists only what the viewer may download."""

import re
from datetime import datetime

import pytest

from tests.conftest import audit_entries, csrf_token, field_error
from tests.factories import make_meeting, make_network
from tests.uploads import conftest as uploads
from tests.uploads.conftest import PDF, PDF2, registration, slot, upload, versions_of
from wenevents.extensions import db
from wenevents.uploads import access, rules


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
        ("participants", "submitted", False),
        ("participants", "endorsed", False),
        ("participants", "waitlisted", False),
        ("participants", "withdrawn", False),
        ("participants", "approved elsewhere", False),
        ("participants", "fp@latf.example.org", True),
        ("participants", "fp of a network elsewhere", False),
        ("organisers", "fp@latf.example.org", False),
        ("organisers", "approved", False),
        ("organisers", "org@example.org", True),
        ("organisers", "fp@naweg.example.org", True),
    ],
)
def test_access_level_decides_who_downloads(
    client, auth, make_user, world, people, slides, access, who, allowed
):
    set_access(slides, access)
    if who in ("approved", "submitted", "endorsed", "waitlisted", "withdrawn"):
        registration(people["delegate"], world, world.latf, who)
        who = "delegate@example.org"
    elif who == "approved elsewhere":
        elsewhere = uploads.World(make_meeting(networks=[world.latf]), *[None] * 5)
        registration(people["delegate"], elsewhere, world.latf, "approved")
        who = "delegate@example.org"
    elif who == "fp of a network elsewhere":
        make_user("fp@elsewhere.example.org", "focal_point", networks=[make_network()])
        who = "fp@elsewhere.example.org"
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


FILE_CLOSED = (
    "This file is for this meeting’s participants only: it opens to you once your "
    "registration is approved."
)
PAGE_CLOSED = (
    "Some materials are for this meeting’s participants only: they open to you once your "
    "registration is approved."
)


def test_participants_file_tells_an_unvouched_delegate_when_it_opens(
    client, auth, world, people, slides
):
    set_access(slides, "participants")
    registration(people["delegate"], world, world.latf, "submitted")
    auth.login("delegate@example.org")

    response = client.get(f"/gm/materials/{slides.id}/NAWEG%20talk.pdf")

    assert response.status_code == 403
    assert FILE_CLOSED in response.text
    assert "Your registration for Global meeting:" in response.text
    assert "Submitted: awaiting a decision" in response.text
    assert '<a href="/gm/registration">See your registration' in response.text
    assert response.data != PDF
    [entry] = audit_entries("access.denied")
    assert entry.summary == f"download materials {slides.id} of gm"


@pytest.mark.parametrize("app_config", [{"PARTICIPANTS_INCLUDE_ENDORSED": True}])
@pytest.mark.parametrize(("status", "code"), [("endorsed", 200), ("submitted", 403)])
def test_participants_file_opens_to_endorsed_delegates_when_the_setting_says_so(
    client, auth, world, people, slides, status, code
):
    set_access(slides, "participants")
    registration(people["delegate"], world, world.latf, status)
    auth.login("delegate@example.org")

    response = client.get(f"/gm/materials/{slides.id}")

    assert response.status_code == code


@pytest.mark.parametrize(
    ("who", "status", "noted"),
    [
        (None, None, False),
        ("delegate@example.org", None, True),
        ("delegate@example.org", "submitted", True),
        ("delegate@example.org", "approved", False),
        ("fp@latf.example.org", None, False),
        ("org@example.org", None, False),
    ],
)
def test_materials_page_tells_only_the_unvouched_what_opens_when(
    client, auth, world, people, slides, who, status, noted
):
    from wenevents.registration.models import RegistrationSettings

    world.meeting.registration_settings = RegistrationSettings()
    db.session.commit()
    if status:
        registration(people["delegate"], world, world.latf, status)
    if who:
        auth.login(who)

    html = client.get("/gm/materials").text

    assert (PAGE_CLOSED in html) is noted
    assert ('<a href="/gm/registration">Your registration for this meeting</a>' in html) is noted


def test_materials_page_of_a_meeting_without_registration_links_no_registration(
    client, auth, world, people, slides
):
    auth.login("delegate@example.org")

    html = client.get("/gm/materials").text

    assert PAGE_CLOSED in html
    assert "/gm/registration" not in html


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
    viewer = rules.viewer_for(None, world.meeting)

    assert access.may_see(viewer, slides, access.released_items(world.meeting), now) is visible


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


def senders(page):
    """The "Sent by" cell of each version, newest first."""
    rows = re.findall(r"<tbody>(.*?)</tbody>", page, re.S)[0]
    cells = [
        re.findall(r"<td>(.*?)</td>", row, re.S)[3]
        for row in re.findall(r"<tr>(.*?)</tr>", rows, re.S)
    ]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_versions_say_whether_a_sender_was_removed_or_never_recorded(
    client, auth, world, people, slides, new_auth
):
    from wenevents.accounts.models import User
    from wenevents.uploads.models import DocumentVersion

    # A seeded version (as the demo's): no account sent it.
    db.session.add(
        DocumentVersion(document_id=slides.id, number=2, stored_name=slides.current.stored_name,
                        original_name="seeded.pdf", mimetype="application/pdf", size=48,
                        sha256=slides.current.sha256)
    )  # fmt: skip
    db.session.commit()
    organiser = new_auth()
    organiser.login("org@example.org")
    upload(organiser.client, "gm", f"slides-{world.item_a.id}", [(PDF2, "by organiser.pdf")])
    auth.login("fp@naweg.example.org")
    assert senders(client.get(f"/gm/materials/{slides.id}/versions").text) == [
        "Olga Organiser",
        "Sender not recorded",
        "Nina Focal",
    ]

    # The focal point's account is removed (outside the app): its version says so.
    auth.logout()
    db.session.delete(db.session.scalar(db.select(User).filter_by(email="fp@naweg.example.org")))
    db.session.commit()
    page = organiser.client.get(f"/gm/materials/{slides.id}/versions").text

    assert senders(page) == ["Olga Organiser", "Sender not recorded", "(account removed)"]
    prune = organiser.client.get(f"/gm/materials/{slides.id}/versions/2/delete").text
    assert re.search(r"<dt>Sent by</dt><dd>(.*?)</dd>", prune).group(1) == (
        '<span class="muted">Sender not recorded</span>'
    )


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
