"""Quotas: what each person, and each network's slots, may keep per meeting. Every file on
disk counts, earlier versions too; a restore shares its file. A file past a quota is
refused at the field (422), with and without htmx, and nothing is stored."""

import html
import re

import pytest

from tests.conftest import field_error
from tests.uploads.conftest import (
    outcome_messages,
    registration,
    stored_files,
    upload,
    versions_of,
)

PERSON, NETWORK = 300, 450


@pytest.fixture
def app_config():
    return {"UPLOAD_QUOTA_PER_PERSON": PERSON, "UPLOAD_QUOTA_PER_NETWORK": NETWORK}


def pdf(size, tag):
    """A PDF of exactly ``size`` bytes, different for each ``tag``."""
    head = b"%PDF-1.4\n% " + tag.encode() + b"\n"
    return head + b"x" * (size - len(head))


def person_refusal(name, size, used):
    return (
        f"{name}: This file ({size} bytes) does not fit in the {PERSON} bytes each person may "
        f"keep for this meeting: your files take {used} bytes. Nothing was stored. Delete "
        "earlier versions you sent (on a file's versions page), or ask the organisers."
    )


def network_refusal(name, size, used):
    return (
        f"{name}: This file ({size} bytes) does not fit in the {NETWORK} bytes each network "
        f"may keep for this meeting: NAWEG's files take {used} bytes. Nothing was stored. "
        "Earlier versions can be deleted on a file's versions page, or ask the organisers."
    )


def test_upload_past_the_person_quota_is_refused_at_the_field_and_stores_nothing(
    app, client, auth, world, people
):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    assert upload(client, "gm", ref, [(pdf(200, "one"), "one.pdf")]).status_code == 303
    before = stored_files(app)

    response = upload(client, "gm", ref, [(pdf(101, "two"), "two.pdf")])

    assert response.status_code == 422
    assert field_error(response.text, f"files-{ref}") == person_refusal("two.pdf", 101, 200)
    assert [v.number for v in versions_of(world.meeting)] == [1]
    assert stored_files(app) == before


def test_upload_past_the_person_quota_with_htmx_shows_the_reason_in_the_block(
    app, client, auth, world, people
):
    auth.login("fp@naweg.example.org")
    ref = f"sheet-{world.naweg.id}"
    upload(client, "gm", ref, [(pdf(250, "one"), "sheet.pdf")], htmx=True)

    response = upload(client, "gm", ref, [(pdf(51, "two"), "sheet2.pdf")], htmx=True)

    assert response.status_code == 422
    assert response.text.lstrip().startswith(f'<section class="upload-target" id="target-{ref}"')
    assert [html.unescape(m) for m in outcome_messages(response.text)] == [
        person_refusal("sheet2.pdf", 51, 250)
    ]
    assert [v.original_name for v in versions_of(world.meeting, "information_sheet")] == [
        "sheet.pdf"
    ]


def test_a_file_that_just_fits_the_person_quota_is_stored(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    upload(client, "gm", ref, [(pdf(200, "one"), "one.pdf")])

    response = upload(client, "gm", ref, [(pdf(100, "two"), "two.pdf")])

    assert response.status_code == 303
    assert [v.size for v in versions_of(world.meeting)] == [200, 100]
    assert space(client.get("/gm/materials/upload").text)[0] == "Your files: 300 bytes of 300 bytes"


def test_upload_past_the_network_quota_is_refused_whoever_of_the_network_sends_it(
    app, client, auth, world, people
):
    registration(people["delegate"], world, world.naweg, "approved")
    ref = f"slides-{world.item_a.id}"
    auth.login("fp@naweg.example.org")
    upload(client, "gm", ref, [(pdf(250, "fp"), "fp.pdf")])
    auth.logout()
    auth.login("delegate@example.org")

    response = upload(client, "gm", ref, [(pdf(201, "delegate"), "delegate.pdf")])

    assert response.status_code == 422
    assert field_error(response.text, f"files-{ref}") == network_refusal("delegate.pdf", 201, 250)
    assert [v.original_name for v in versions_of(world.meeting)] == ["fp.pdf"]


def test_another_network_has_its_own_quota(app, client, auth, world, people):
    auth.login("org@example.org")
    upload(client, "gm", f"slides-{world.item_a.id}", [(pdf(450, "naweg"), "naweg.pdf")])
    auth.logout()
    auth.login("fp@latf.example.org")

    response = upload(client, "gm", f"slides-{world.item_b.id}", [(pdf(300, "latf"), "l.pdf")])

    assert response.status_code == 303
    assert space(client.get("/gm/materials/upload").text) == [
        "Your files: 300 bytes of 300 bytes", "Files of LATF: 300 bytes of 450 bytes",
    ]  # fmt: skip


def test_organisers_are_never_refused_but_their_files_count_for_the_network(
    app, client, auth, world, people
):
    ref = f"slides-{world.item_a.id}"
    auth.login("org@example.org")
    for n in range(3):
        assert upload(client, "gm", ref, [(pdf(200, f"org{n}"), f"org{n}.pdf")]).status_code == 303
    auth.logout()
    auth.login("fp@naweg.example.org")

    response = upload(client, "gm", ref, [(pdf(20, "fp"), "fp.pdf")])

    assert response.status_code == 422
    assert field_error(response.text, f"files-{ref}") == network_refusal("fp.pdf", 20, 600)


def test_a_restored_file_takes_no_more_room(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    first = pdf(100, "a")
    upload(client, "gm", ref, [(first, "a.pdf")])
    upload(client, "gm", ref, [(pdf(100, "b"), "b.pdf")])
    # The same as version 1: current again, sharing its file.
    assert upload(client, "gm", ref, [(first, "a.pdf")]).status_code == 303
    assert space(client.get("/gm/materials/upload").text)[0] == "Your files: 200 bytes of 300 bytes"

    response = upload(client, "gm", ref, [(pdf(100, "c"), "c.pdf")])

    assert response.status_code == 303
    assert [(v.number, v.restored_from) for v in versions_of(world.meeting)] == [
        (1, None), (2, None), (3, 1), (4, None),
    ]  # fmt: skip
    assert len(stored_files(app)) == 3


def test_identical_to_the_current_version_at_the_quota_changes_nothing(
    app, client, auth, world, people
):
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"
    full = pdf(300, "full")
    upload(client, "gm", ref, [(full, "full.pdf")])

    response = upload(client, "gm", ref, [(full, "full.pdf")])

    assert response.status_code == 303
    assert len(versions_of(world.meeting)) == 1
    assert space(client.get("/gm/materials/upload").text)[0] == "Your files: 300 bytes of 300 bytes"


def space(page):
    section = re.search(r'<section class="space".*?</section>', page, re.S)
    if section is None:
        return None
    return [
        re.sub(r"\s+", " ", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", section.group(0), re.S)
    ]


def test_upload_page_shows_the_space_used_of_each_quota(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")
    upload(client, "gm", f"slides-{world.item_a.id}", [(pdf(120, "one"), "one.pdf")])

    page = client.get("/gm/materials/upload").text

    assert space(page) == [
        "Your files: 120 bytes of 300 bytes",
        "Files of NAWEG: 120 bytes of 450 bytes",
    ]


def test_upload_page_shows_no_quota_to_organisers(app, client, auth, world, people):
    auth.login("org@example.org")

    assert space(client.get("/gm/materials/upload").text) is None


def test_quotas_set_to_none_refuse_nothing(app, client, auth, world, people):
    app.config.update(UPLOAD_QUOTA_PER_PERSON=None, UPLOAD_QUOTA_PER_NETWORK=None)
    auth.login("fp@naweg.example.org")
    ref = f"slides-{world.item_a.id}"

    for n in range(3):
        assert upload(client, "gm", ref, [(pdf(400, f"v{n}"), f"v{n}.pdf")]).status_code == 303
    assert space(client.get("/gm/materials/upload").text) == [
        "Your files: 1 KB", "Files of NAWEG: 1 KB",
    ]  # fmt: skip


def test_upload_page_shows_no_quota_to_someone_with_nothing_to_upload(
    app, client, auth, world, people
):
    auth.login("delegate@example.org")

    page = client.get("/gm/materials/upload").text

    assert "There is nothing for you to upload for this meeting." in page
    assert space(page) is None
