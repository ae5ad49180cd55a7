"""Uploading materials: who may upload where, versions, identical files, late files."""

from tests.uploads.conftest import (
    PDF,
    stored_files,
    upload,
    versions_of,
)

app_config = __import__("tests.uploads.conftest", fromlist=["x"]).app_config


def test_focal_point_uploads_slides_for_own_network(app, client, auth, world, people):
    auth.login("fp@naweg.example.org")

    response = upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "NAWEG slides.pdf")])

    assert response.status_code == 303
    [version] = versions_of(world.meeting)
    assert (version.number, version.original_name, version.size) == (
        1,
        "NAWEG slides.pdf",
        len(PDF),
    )
    assert version.uploaded_by.email == "fp@naweg.example.org"
    assert stored_files(app) == [version.stored_name]
