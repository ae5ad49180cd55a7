"""Pruning earlier versions: organisers delete any earlier version, one at a time on the
versions page or all at once from the materials' management; uploaders delete earlier
versions they sent. The current version never goes; each deletion removes the file (unless
a restore still names it), frees quota and is audited. Both paths ask first."""

import re
from pathlib import Path

import pytest

from tests.conftest import audit_entries, csrf_token
from tests.uploads.conftest import (
    PDF,
    PDF2,
    registration,
    slot,
    stored_files,
    upload,
    versions_of,
)

PDF3 = PDF2.replace(b"second", b"third!")


def three_versions(client, auth, world, who="org@example.org"):
    """Versions 1–3 of the report (organisers) or NAWEG's slides; the slot."""
    auth.login(who)
    ref = "report" if who == "org@example.org" else f"slides-{world.item_a.id}"
    for content, name in ((PDF, "v1.pdf"), (PDF2, "v2.pdf"), (PDF3, "v3.pdf")):
        assert upload(client, "gm", ref, [(content, name)]).status_code == 303
    kind = "report" if ref == "report" else "slides"
    return slot(world.meeting, kind)


def prune_url(document, number):
    return f"/gm/materials/{document.id}/versions/{number}/delete"


def confirm_prune(client, document, number):
    page = client.get(prune_url(document, number))
    assert page.status_code == 200, page.status_code
    return client.post(prune_url(document, number), data={"csrf_token": csrf_token(page.text)})


def on_disk(app, name):
    return (Path(app.config["UPLOAD_DIR"]) / "materials" / name).is_file()


def test_organiser_deletes_an_earlier_version_after_confirming(app, client, auth, world, people):
    document = three_versions(client, auth, world)
    [_v1, v2, v3] = versions_of(world.meeting, "report")

    page = client.get(prune_url(document, 1))
    assert page.status_code == 200
    assert "<h1>Delete version 1?</h1>" in page.text
    assert "The current version (3) stays." in page.text
    assert len(versions_of(world.meeting, "report")) == 3  # asking deletes nothing

    response = client.post(prune_url(document, 1), data={"csrf_token": csrf_token(page.text)})

    assert response.status_code == 303
    assert response.headers["Location"] == f"/gm/materials/{document.id}/versions"
    assert "Version 1 is deleted; 48 bytes freed." in client.get(response.headers["Location"]).text
    assert [v.number for v in versions_of(world.meeting, "report")] == [2, 3]
    assert stored_files(app) == sorted([v2.stored_name, v3.stored_name])
    [entry] = audit_entries("materials.pruned")
    assert entry.summary == "gm: Report of the meeting (en), version 1 deleted"
    assert entry.details == {"versions": [1], "files": 1, "freed": 48}
    assert entry.actor_email == "org@example.org"


def test_current_version_is_never_deleted(app, client, auth, world, people):
    document = three_versions(client, auth, world)
    token = csrf_token(client.get(f"/gm/materials/{document.id}/versions").text)

    response = client.post(prune_url(document, 3), data={"csrf_token": token})

    assert response.status_code == 409
    assert "The current version is never deleted." in response.text
    assert [v.number for v in versions_of(world.meeting, "report")] == [1, 2, 3]
    assert audit_entries("materials.pruned") == []


def test_deleting_a_version_gone_already_is_404(app, client, auth, world, people):
    document = three_versions(client, auth, world)
    confirm_prune(client, document, 1)

    assert client.get(prune_url(document, 1)).status_code == 404


def test_a_file_a_restore_still_names_stays_on_disk(app, client, auth, world, people):
    document = three_versions(client, auth, world)
    token = csrf_token(client.get(f"/gm/materials/{document.id}/versions").text)
    client.post(f"/gm/materials/{document.id}/versions/1/restore", data={"csrf_token": token})
    v1_file = versions_of(world.meeting, "report")[0].stored_name

    response = confirm_prune(client, document, 1)

    assert response.status_code == 303
    assert [(v.number, v.restored_from) for v in versions_of(world.meeting, "report")] == [
        (2, None), (3, None), (4, 1),
    ]  # fmt: skip
    assert on_disk(app, v1_file)
    assert client.get(f"/gm/materials/{document.id}").data == PDF
    assert audit_entries("materials.pruned")[0].details == {"versions": [1], "files": 0, "freed": 0}


def test_uploader_deletes_an_earlier_version_they_sent_and_gets_the_room_back(
    app, client, auth, world, people
):
    app.config["UPLOAD_QUOTA_PER_PERSON"] = len(PDF) + len(PDF2) + len(PDF3)
    document = three_versions(client, auth, world, who="fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    fourth = PDF3.replace(b"third!", b"fourth")
    assert upload(client, "gm", ref, [(fourth, "v4.pdf")]).status_code == 422

    assert confirm_prune(client, document, 2).status_code == 303
    response = upload(client, "gm", ref, [(fourth, "v4.pdf")])

    assert response.status_code == 303
    assert [v.number for v in versions_of(world.meeting)] == [1, 3, 4]
    assert audit_entries("materials.pruned")[0].actor_email == "fp@naweg.example.org"


def test_uploader_may_not_delete_a_version_someone_else_sent(app, client, auth, world, people):
    registration(people["delegate"], world, world.naweg, "approved")
    ref = f"slides-{world.item_a.id}"
    auth.login("delegate@example.org")
    upload(client, "gm", ref, [(PDF, "delegate.pdf")])
    auth.logout()
    auth.login("fp@naweg.example.org")
    upload(client, "gm", ref, [(PDF2, "fp.pdf")])
    document = slot(world.meeting)
    token = csrf_token(client.get(f"/gm/materials/{document.id}/versions").text)

    assert client.get(prune_url(document, 1)).status_code == 403
    response = client.post(prune_url(document, 1), data={"csrf_token": token})

    assert response.status_code == 403
    assert [v.number for v in versions_of(world.meeting)] == [1, 2]
    assert [e.summary for e in audit_entries("access.denied")] == [
        f"delete version 1 of materials {document.id} of gm"
    ] * 2


def delete_links(page):
    return re.findall(r'href="/gm/materials/\d+/versions/(\d+)/delete"', page)


def test_versions_page_offers_delete_on_earlier_versions_only(app, client, auth, world, people):
    registration(people["delegate"], world, world.naweg, "approved")
    ref = f"slides-{world.item_a.id}"
    auth.login("delegate@example.org")
    upload(client, "gm", ref, [(PDF, "delegate.pdf")])
    auth.logout()
    auth.login("fp@naweg.example.org")
    upload(client, "gm", ref, [(PDF2, "fp.pdf")])
    upload(client, "gm", ref, [(PDF3, "fp3.pdf")])
    document = slot(world.meeting)
    versions_page = f"/gm/materials/{document.id}/versions"

    as_focal_point = delete_links(client.get(versions_page).text)
    auth.logout()
    auth.login("org@example.org")
    as_organiser = delete_links(client.get(versions_page).text)

    assert as_focal_point == ["2"]  # their own earlier version; never the current (3)
    assert as_organiser == ["2", "1"]


def test_organiser_deletes_every_earlier_version_of_the_meeting(app, client, auth, world, people):
    three_versions(client, auth, world)
    upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "s1.pdf")])
    upload(client, "gm", f"slides-{world.item_a.id}", [(PDF2, "s2.pdf")])
    completeness = client.get("/manage/gm/materials/completeness")
    assert "3 earlier versions are kept, taking 165 bytes on the server." in completeness.text

    page = client.get("/manage/gm/materials/prune")
    assert "3 earlier versions go, freeing 165 bytes." in page.text
    response = client.post("/manage/gm/materials/prune", data={"csrf_token": csrf_token(page.text)})

    assert response.status_code == 303
    followed = client.get("/manage/gm/materials/completeness")
    assert "3 earlier versions deleted; 165 bytes freed." in followed.text
    assert "Only the current version of each file is kept." in followed.text
    remaining = versions_of(world.meeting, "report") + versions_of(world.meeting)
    assert [(v.number, v.original_name) for v in remaining] == [(3, "v3.pdf"), (2, "s2.pdf")]
    assert stored_files(app) == sorted(v.stored_name for v in remaining)
    [entry] = audit_entries("materials.pruned")
    assert entry.summary == "gm: every earlier version deleted (3 versions, 165 bytes)"
    assert entry.details == {"versions": 3, "files": 3, "freed": 165}


@pytest.mark.parametrize("who", ["fp@naweg.example.org", "delegate@example.org"])
def test_only_organisers_prune_the_whole_meeting(app, client, auth, world, people, who):
    three_versions(client, auth, world)
    auth.logout()
    auth.login(who)

    assert client.get("/manage/gm/materials/prune").status_code == 403
    response = client.post("/manage/gm/materials/prune", data={"csrf_token": "x"})

    assert response.status_code in (400, 403)
    assert len(versions_of(world.meeting, "report")) == 3
