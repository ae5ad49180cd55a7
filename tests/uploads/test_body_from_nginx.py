"""Upload bodies stored by nginx (UPLOAD_BODY_DIR): the app reads the file nginx names in
X-Wenevents-Body-File, and believes that header only for a regular file in that folder, on
the upload views, for a request with no body of its own. tests/uploads/test_nginx_front.py
runs the real nginx in front."""

import hashlib
from pathlib import Path

import pytest

from tests.conftest import csrf_token
from tests.uploads.conftest import PDF, browser_form, stored_files, versions_of

HEADER = "X-Wenevents-Body-File"
REFUSED = "The upload could not be read. Nothing was stored."
NO_TOKEN = "This form has expired or was not sent from this site."


@pytest.fixture
def app_config(tmp_path):
    body_dir = tmp_path / "nginx-body"
    body_dir.mkdir()
    return {"UPLOAD_BODY_DIR": str(body_dir)}


@pytest.fixture
def body_dir(app):
    return Path(app.config["UPLOAD_BODY_DIR"])


def stored_body(client, acronym, folder, files, name="0000000001"):
    """Write the upload form's body, as nginx would, into ``folder``/``name``: (path, type)."""
    token = csrf_token(client.get(f"/{acronym}/materials/upload").text)
    body, content_type = browser_form(
        [("csrf_token", token), ("language", "en")],
        [("files", content, filename) for content, filename in files],
    )
    path = Path(folder) / name
    path.write_bytes(body)
    return path, content_type


def post_named(client, acronym, named, content_type, ref="report", **kwargs):
    """POST to the upload view as nginx does: no body, the body file named in the header."""
    return client.post(
        f"/{acronym}/materials/upload/{ref}",
        headers={HEADER: str(named)},
        # Werkzeug's client would write a body (and a boundary) of its own for a multipart
        # type; nginx sends the client's type and no body.
        environ_overrides={"CONTENT_LENGTH": "0", "CONTENT_TYPE": content_type},
        **kwargs,
    )


def test_upload_body_stored_by_nginx_is_read_from_its_file(app, organiser, world, body_dir):
    path, content_type = stored_body(organiser, world.acronym, body_dir, [(PDF, "report.pdf")])

    response = post_named(organiser, world.acronym, path, content_type)

    assert response.status_code == 303
    [version] = versions_of(world.meeting, "report")
    assert (version.size, version.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    materials = Path(app.config["UPLOAD_DIR"]) / "materials"
    assert (materials / version.stored_name).read_bytes() == PDF
    # nginx removes its file once the request is answered; the app leaves it alone.
    assert path.read_bytes().count(PDF) == 1


def test_upload_body_of_several_files_stored_by_nginx_keeps_each(app, organiser, world, body_dir):
    second = PDF.replace(b"1 0 obj", b"2 0 obj")
    path, content_type = stored_body(
        organiser, world.acronym, body_dir, [(PDF, "a.pdf"), (second, "b.pdf")]
    )

    response = post_named(organiser, world.acronym, path, content_type)

    assert response.status_code == 303
    stored = sorted(v.sha256 for v in versions_of(world.meeting, "report"))
    assert stored == sorted(hashlib.sha256(f).hexdigest() for f in (PDF, second))


@pytest.mark.parametrize(
    "named",
    [
        "/etc/passwd",
        "{folder}/../secret",
        "{folder}",
        "{folder}/missing",
        "0000000001",
        "{folder}/link",
        "{folder}/sub",
        "",
        "{folder}/0000000001\x00",
        "{folder}/" + "x" * 5000,
    ],
    ids=[
        "outside",
        "dot-dot",
        "the-folder",
        "missing",
        "relative",
        "link-out",
        "directory",
        "empty",
        "nul",
        "too-long",
    ],
)
def test_upload_body_file_not_in_its_folder_is_400_and_nothing_stored(
    app, organiser, world, body_dir, named
):
    _path, content_type = stored_body(organiser, world.acronym, body_dir, [(PDF, "r.pdf")])
    secret, _ = stored_body(organiser, world.acronym, body_dir.parent, [(PDF, "s.pdf")], "secret")
    (body_dir / "link").symlink_to(secret)
    (body_dir / "sub").mkdir()

    response = post_named(organiser, world.acronym, named.format(folder=body_dir), content_type)

    assert response.status_code == 400
    # An empty header is no header: the request's own body is read, empty here.
    assert (NO_TOKEN if named == "" else REFUSED) in response.text
    assert versions_of(world.meeting, "report") == []
    assert [n for n in stored_files(app) if not n.startswith(".")] == []


def test_upload_with_a_body_and_a_body_file_is_400(app, organiser, world, body_dir):
    path, _type = stored_body(organiser, world.acronym, body_dir, [(PDF, "r.pdf")])
    token = csrf_token(organiser.get(f"/{world.acronym}/materials/upload").text)
    body, own_type = browser_form([("csrf_token", token), ("language", "en")], [])

    response = organiser.post(
        f"/{world.acronym}/materials/upload/report",
        data=body,
        content_type=own_type,
        headers={HEADER: str(path)},
    )

    assert response.status_code == 400
    assert REFUSED in response.text
    assert versions_of(world.meeting, "report") == []


def test_upload_body_file_header_is_ignored_without_upload_body_dir(
    app, organiser, world, body_dir
):
    path, content_type = stored_body(organiser, world.acronym, body_dir, [(PDF, "r.pdf")])
    app.config["UPLOAD_BODY_DIR"] = None

    response = post_named(organiser, world.acronym, path, content_type)

    # The request's own (empty) body is read: nothing in it, not even the CSRF token.
    assert response.status_code == 400
    assert NO_TOKEN in response.text
    assert versions_of(world.meeting, "report") == []


def test_upload_body_file_header_is_ignored_by_every_other_form(
    app, client, auth, people, body_dir
):
    path = body_dir / "0000000001"
    path.write_bytes(b"email=org%40example.org&password=wrong")

    response = client.post(
        "/login",
        headers={HEADER: str(path), "Content-Type": "application/x-www-form-urlencoded"},
        environ_overrides={"CONTENT_LENGTH": "0"},
    )

    # The login form read its own empty body: refused for its missing token, not signed in.
    assert response.status_code == 400
    assert NO_TOKEN in response.text
