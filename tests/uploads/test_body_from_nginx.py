"""Upload bodies stored by nginx (UPLOAD_BODY_DIR): the app reads the file nginx names in
X-Wenevents-Body-File, and believes that header only for a regular file in that folder, on
the upload views, for a request with no body of its own. tests/uploads/test_nginx_front.py
runs the real nginx in front."""

import hashlib
import os
from pathlib import Path

import pytest

from tests.conftest import csrf_token
from tests.uploads.conftest import PDF, browser_form, stored_files, versions_of
from wenevents import create_app

HEADER = "X-Wenevents-Body-File"
KEY = "nginx-and-the-app-alone-know-this-key"
REFUSED = "The upload could not be read. Nothing was stored."
NO_TOKEN = "This form has expired or was not sent from this site."


@pytest.fixture
def app_config(tmp_path):
    body_dir = tmp_path / "nginx-body"
    body_dir.mkdir()
    return {"UPLOAD_BODY_DIR": str(body_dir), "UPLOAD_BODY_KEY": KEY}


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


def post_named(client, acronym, named, content_type, ref="report", key=KEY, **kwargs):
    """POST to the upload view as nginx does: no body, the body file named in the header."""
    return client.post(
        f"/{acronym}/materials/upload/{ref}",
        headers={HEADER: str(named), "X-Wenevents-Body-Key": key},
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
        "{folder}/../0000000001",
        "{folder}",
        "{folder}/0000000004",
        "0000000001",
        "{folder}/0000000002",
        "{folder}/0000000003",
        "",
        "{folder}/0000000001\x00",
        "{folder}/" + "0" * 5000,
        "{folder}/body.txt",
        "{folder}/0000000005",
        "{folder}/0000000006",
        "{folder}/0000000007",
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
        "not-nginx-name",
        "hard-link",
        "fifo",
        "other-owner",
    ],
)
def test_upload_body_file_not_nginx_own_in_its_folder_is_400_and_nothing_stored(
    app, organiser, world, body_dir, named
):
    good, content_type = stored_body(organiser, world.acronym, body_dir, [(PDF, "r.pdf")])
    outside, _ = stored_body(
        organiser, world.acronym, body_dir.parent, [(PDF, "s.pdf")], "0000000001"
    )
    (body_dir / "0000000002").symlink_to(outside)
    (body_dir / "0000000003").mkdir()
    stored_body(organiser, world.acronym, body_dir, [(PDF, "t.pdf")], "body.txt")
    linked, _ = stored_body(organiser, world.acronym, body_dir, [(PDF, "h.pdf")], "0000000099")
    os.link(linked, body_dir / "0000000005")
    os.mkfifo(body_dir / "0000000006")
    foreign, _ = stored_body(organiser, world.acronym, body_dir, [(PDF, "o.pdf")], "0000000007")
    os.chown(foreign, 65534, 65534)  # nobody's (the suite runs as root)
    assert good.exists()

    response = post_named(organiser, world.acronym, named.format(folder=body_dir), content_type)

    assert response.status_code == 400
    # An empty header is no header: the request's own body is read, empty here.
    assert (NO_TOKEN if named == "" else REFUSED) in response.text
    assert versions_of(world.meeting, "report") == []
    assert [n for n in stored_files(app) if not n.startswith(".")] == []


@pytest.mark.parametrize("key", ["", "a-guess", KEY[:-1], KEY + "x"])
def test_upload_body_file_without_the_key_nginx_sends_is_400(app, organiser, world, body_dir, key):
    path, content_type = stored_body(organiser, world.acronym, body_dir, [(PDF, "r.pdf")])

    response = post_named(organiser, world.acronym, path, content_type, key=key)

    assert response.status_code == 400
    assert REFUSED in response.text
    assert versions_of(world.meeting, "report") == []


def test_upload_body_file_larger_than_a_request_may_be_is_413(app, organiser, world, body_dir):
    app.config.update(UPLOAD_MAX_FILES=1, UPLOAD_MAX_BYTES=1000)
    path, content_type = stored_body(organiser, world.acronym, body_dir, [(PDF, "r.pdf")])
    # After the closing boundary, past what one file and the form's fields may take.
    with open(path, "ab") as body:
        body.write(b"E" * 1_002_000)

    response = post_named(organiser, world.acronym, path, content_type)

    assert response.status_code == 413
    assert versions_of(world.meeting, "report") == []


def test_upload_body_file_is_looked_at_for_a_post_only(app, organiser, world, body_dir):
    _path, content_type = stored_body(organiser, world.acronym, body_dir, [(PDF, "r.pdf")])

    response = organiser.open(
        f"/{world.acronym}/materials/upload/report",
        method="OPTIONS",
        # Refused (400) if it were looked at.
        headers={HEADER: "/etc/passwd", "X-Wenevents-Body-Key": KEY},
        environ_overrides={"CONTENT_LENGTH": "0", "CONTENT_TYPE": content_type},
    )

    assert response.status_code == 200
    assert versions_of(world.meeting, "report") == []


def test_upload_body_dir_without_a_long_enough_key_does_not_start(tmp_path):
    with pytest.raises(ValueError, match="UPLOAD_BODY_DIR needs UPLOAD_BODY_KEY"):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "UPLOAD_BODY_DIR": str(tmp_path),
                "UPLOAD_BODY_KEY": "short",
            }
        )


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
