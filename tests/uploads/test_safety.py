"""Files that must end safely: kinds refused by content whatever their name, zip bombs,
path tricks in names, oversized bodies and parts, a dropped connection, a full disk."""

import io
from pathlib import Path

import pytest

from tests.conftest import field_error
from tests.uploads import conftest as uploads
from tests.uploads.conftest import (
    HTML,
    PDF,
    PDF2,
    PNG,
    SVG,
    many_entries,
    ooxml,
    opendocument,
    slot,
    stored_files,
    temporary_files,
    upload,
    versions_of,
    zip_bomb,
)
from wenevents.extensions import db
from wenevents.uploads import filetypes
from wenevents.uploads.models import Document, DocumentVersion

MACROS = (
    "This file contains macros or other code (for example .docm or .pptm), which are never "
    "accepted: save it as PDF, PPTX, DOCX or XLSX."
)
DAMAGED = "This file is damaged: it cannot be read as an Office document."


def rows():
    return db.session.query(Document).count(), db.session.query(DocumentVersion).count()


MARKUP = "This file is HTML, SVG or XML, which can carry scripts: send a PDF instead."
PROGRAM = "This file is a program or a script: these are never accepted."
UNKNOWN = (
    "This kind of file is not accepted. Send PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, PNG or JPEG."
)
REFUSED = {
    "html-named-pdf": (HTML, "report.pdf", MARKUP),
    "svg-named-pdf": (SVG, "chart.pdf", MARKUP),
    "svg-with-bom-named-png": (b"\xef\xbb\xbf  <svg/>", "logo.png", MARKUP),
    "shell-script": (b"#!/bin/sh\nrm -rf /\n", "run.pdf", PROGRAM),
    "windows-program": (b"MZ\x90\x00", "setup.pdf", PROGRAM),
    "docm": (ooxml("docm", macros=True), "minutes.docm", MACROS),
    "pptm": (ooxml("pptm", macros=True), "slides.pptm", MACROS),
    "pptm-named-pptx": (ooxml("pptm"), "renamed.pptx", MACROS),
    "docx-with-vba": (ooxml("docx", macros=True), "hidden-macros.docx", MACROS),
    "odp-with-basic": (opendocument(extra=[("Basic/Standard/M.xml", "<x/>")]), "s.odp", MACROS),
    "zip-bomb": (
        zip_bomb(),
        "bomb.docx",
        "Unpacked, this file would take 2 MB, more than the 1 MB allowed.",
    ),
    "too-many-parts": (
        many_entries(),
        "parts.docx",
        "This archive has too many parts (62; at most 50).",
    ),
    "broken-zip": (b"PK\x03\x04" + b"\x00" * 40, "broken.docx", DAMAGED),
    "odg": (
        opendocument("application/vnd.oasis.opendocument.graphics"),
        "drawing.odg",
        "This OpenDocument file is not a presentation, text or spreadsheet.",
    ),
    "gif": (b"GIF89a", "anim.pdf", UNKNOWN),
}


@pytest.mark.parametrize(("content", "name", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_by_content_with_a_clear_message_and_nothing_stored(
    app, organiser, world, content, name, message
):
    response = upload(organiser, "gm", "report", [(content, name)])

    assert response.status_code == 422
    assert field_error(response.text, "files-report").endswith(message)
    assert rows() == (0, 0)
    assert stored_files(app) == []


def test_plain_zip_is_refused(app, organiser, world):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")

    response = upload(organiser, "gm", "report", [(buffer.getvalue(), "bundle.zip")])

    assert field_error(response.text, "files-report") == (
        "bundle.zip: A ZIP archive is not accepted: send each document on its own."
    )


def test_empty_file_is_refused(app, organiser, world):
    response = upload(organiser, "gm", "report", [(b"", "empty.pdf")])

    assert field_error(response.text, "files-report") == "empty.pdf: The file is empty."
    assert stored_files(app) == []


def test_empty_part_without_its_blank_line_is_400_and_nothing_stored(app, organiser, world):
    # RFC 2046 lets an empty part end at its headers; Werkzeug's test client writes one so,
    # no browser does (nor curl, requests or httpx). The upload parser refuses such a body
    # whole: the form reads as empty, and the missing CSRF token answers for it.
    token = uploads.csrf_token(organiser.get("/gm/materials/upload").text)
    body = multipart(token, "empty.pdf", b"")
    assert body.endswith(b"application/pdf\r\n\r\n\r\n--BOUNDARYxyz--\r\n")
    body = body.replace(b"\r\n\r\n\r\n--BOUNDARYxyz--", b"\r\n\r\n--BOUNDARYxyz--")

    response = post_body(organiser, "/gm/materials/upload/report", body)

    assert response.status_code == 400
    assert stored_files(app) == []
    assert versions_of(world.meeting, "report") == []


def test_text_field_over_the_form_memory_limit_is_413_and_nothing_stored(app, organiser, world):
    # Only file parts stream to disk; a text field is held in memory, up to the limit.
    token = uploads.csrf_token(organiser.get("/gm/materials/upload").text)
    limit = app.config["MAX_FORM_MEMORY_SIZE"]
    body = multipart(token, "a.pdf", PDF).replace(
        b'name="language"\r\n\r\nen', b'name="language"\r\n\r\n' + b"e" * (limit + 1)
    )

    response = post_body(organiser, "/gm/materials/upload/report", body)

    assert response.status_code == 413
    assert stored_files(app) == []
    assert versions_of(world.meeting, "report") == []


FORM_TOO_LARGE = (
    "The form sent has more fields, or longer ones, than the upload form has. Nothing was stored."
)


def many_fields(count, each):
    return b"".join(
        b'--BOUNDARYxyz\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n' % n
        + b"x" * each
        + b"\r\n"
        for n in range(count)
    )


@pytest.mark.parametrize("signed_in", [True, False], ids=["organiser", "stranger"])
def test_text_fields_over_the_form_memory_limit_together_are_413(
    app, client, auth, world, people, signed_in
):
    # Each under the limit, all together over it: held in memory, they count as one.
    if signed_in:
        auth.login("org@example.org")
    token = uploads.csrf_token(client.get("/gm/materials/upload").text) if signed_in else "x"
    limit = app.config["MAX_FORM_MEMORY_SIZE"]
    body = many_fields(3, limit // 2) + multipart(token, "a.pdf", PDF)

    response = post_body(client, "/gm/materials/upload/report", body)

    assert response.status_code == 413
    assert FORM_TOO_LARGE in response.text
    assert stored_files(app) == []
    assert versions_of(world.meeting, "report") == []


def test_part_header_longer_than_the_parser_takes_is_413_with_a_message(app, organiser, world):
    token = uploads.csrf_token(organiser.get("/gm/materials/upload").text)
    body = multipart(token, "a" * 17_000 + ".pdf", PDF)

    response = post_body(organiser, "/gm/materials/upload/report", body)

    assert response.status_code == 413
    assert FORM_TOO_LARGE in response.text
    assert stored_files(app) == []


def test_file_named_only_in_the_rfc_5987_form_is_stored_under_that_name(app, organiser, world):
    token = uploads.csrf_token(organiser.get("/gm/materials/upload").text)
    body = multipart(token, "x", PDF).replace(
        b'filename="x"', b"filename*=UTF-8''caf%C3%A9%20talk.pdf"
    )

    response = post_body(organiser, "/gm/materials/upload/report", body)

    assert response.status_code == 303
    [version] = versions_of(world.meeting, "report")
    assert version.original_name == "café talk.pdf"


@pytest.mark.parametrize(
    ("content", "name", "mimetype", "shown"),
    [
        (PDF, "Report.PDF", "application/pdf", "Report.PDF"),
        (PNG, "photo.png", "image/png", "photo.png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "photo.jpeg", "image/jpeg", "photo.jpeg"),
        (ooxml("pptx"), "talk.pptx", filetypes.PPTX.mimetype, "talk.pptx"),
        (ooxml("docx"), "note.docx", filetypes.DOCX.mimetype, "note.docx"),
        (ooxml("xlsx"), "figures.xlsx", filetypes.XLSX.mimetype, "figures.xlsx"),
        (opendocument(), "talk.odp", filetypes.ODP.mimetype, "talk.odp"),
        (opendocument(filetypes.ODT.mimetype), "note.odt", filetypes.ODT.mimetype, "note.odt"),
        (opendocument(filetypes.ODS.mimetype), "data.ods", filetypes.ODS.mimetype, "data.ods"),
        (ooxml("pptx"), "talk.pdf", filetypes.PPTX.mimetype, "talk.pdf.pptx"),
        (PDF, "no extension", "application/pdf", "no extension.pdf"),
    ],
)
def test_allowed_kinds_are_stored_with_their_type_and_extension(
    app, organiser, world, content, name, mimetype, shown
):
    response = upload(organiser, "gm", "report", [(content, name)])

    assert response.status_code == 303
    [version] = versions_of(world.meeting, "report")
    assert (version.mimetype, version.original_name) == (mimetype, shown)
    extension = {"image/jpeg": "jpg"}.get(mimetype, shown.rpartition(".")[2].lower())
    assert version.stored_name.endswith(f".{extension}")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../instance/x.db", "x.db.pdf"),
        # A backslash separates Windows folders (old browsers sent the whole path): the
        # file's own name is what follows the last one.
        ("..\\..\\instance\\x.pdf", "x.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1.report.pdf", "_lpt1.report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
        ("a\x00b<c>:d|e?.pdf", "ab_c__d_e_.pdf"),
        ("...", "file.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_dangerous_names_are_stored_under_a_generated_name_and_shown_sanitised(
    app, organiser, world, tmp_path, name, shown
):
    instance = Path(app.instance_path)
    before = sorted(p.relative_to(instance) for p in instance.rglob("*"))

    response = upload(organiser, "gm", "report", [(PDF, name)])

    assert response.status_code == 303
    [version] = versions_of(world.meeting, "report")
    assert version.original_name == shown
    assert len(version.stored_name) == 36 and version.stored_name.endswith(".pdf")
    assert stored_files(app) == [version.stored_name]
    after = sorted(p.relative_to(instance) for p in instance.rglob("*"))
    new = [str(p) for p in after if p not in before]
    assert new == [f"uploads/materials/{version.stored_name}"] or new == [
        "uploads",
        "uploads/materials",
        f"uploads/materials/{version.stored_name}",
    ]


def test_download_name_is_sent_as_rfc_6266(app, organiser, world):
    upload(organiser, "gm", "report", [(PDF, "Informe de la reunión.pdf")])
    document = slot(world.meeting, "report")

    response = organiser.get(f"/gm/materials/{document.id}")

    assert response.headers["Content-Disposition"] == (
        'inline; filename="Informe de la reunion.pdf"; '
        "filename*=UTF-8''Informe%20de%20la%20reuni%C3%B3n.pdf"
    )
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")


def test_office_files_download_rather_than_open(app, organiser, world):
    upload(organiser, "gm", "report", [(ooxml("docx"), "Report.docx")])
    document = slot(world.meeting, "report")

    response = organiser.get(f"/gm/materials/{document.id}")

    assert response.headers["Content-Disposition"] == "attachment; filename=Report.docx"
    assert response.headers["Content-Type"] == filetypes.DOCX.mimetype


# -- Sizes -------------------------------------------------------------------------------


@pytest.fixture
def small_limit(app):
    app.config["UPLOAD_MAX_BYTES"] = 1000


def test_file_over_the_limit_is_413_and_nothing_stored(app, organiser, world, small_limit):
    response = upload(organiser, "gm", "report", [(PDF + b"x" * 1000, "big.pdf")])

    assert response.status_code == 413
    assert rows() == (0, 0)
    assert stored_files(app) == []


class Unread(io.BytesIO):
    """A body that must not be read: it counts what is taken from it."""

    def __init__(self):
        super().__init__(b"x" * 1000)
        self.taken = 0

    def read(self, size=-1):
        data = super().read(size)
        self.taken += len(data)
        return data


def test_one_gigabyte_body_is_413_before_it_is_read(app, organiser, world):
    body = Unread()

    response = organiser.post(
        "/gm/materials/upload/report",
        input_stream=body,
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(2**30)},
    )

    assert response.status_code == 413
    assert body.taken == 0
    assert stored_files(app) == []


def test_other_pages_keep_the_low_body_limit(app, client, world):
    response = client.post(
        "/login",
        input_stream=Unread(),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(13 * 1024 * 1024)},
    )
    assert response.status_code == 413


def post_body(client, path, body, boundary="BOUNDARYxyz", **environ):
    """POST a multipart body built here: the test client would spool a large one into a
    temporary file it never closes."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        environ_overrides={"CONTENT_LENGTH": str(len(body)), **environ},
    )


def test_five_thousand_parts_are_refused(app, organiser, world):
    token = uploads.csrf_token(organiser.get("/gm/materials/upload").text)
    body = multipart(token, "a.pdf", PDF).replace(
        b"--BOUNDARYxyz--",
        b"".join(
            b'--BOUNDARYxyz\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % n
            for n in range(5000)
        )
        + b"--BOUNDARYxyz--",
    )

    response = post_body(organiser, "/gm/materials/upload/report", body)

    assert response.status_code == 413
    assert rows() == (0, 0)


def test_more_files_than_allowed_at_once_is_413(app, organiser, world):
    files = [(PDF + bytes([n]), f"f{n}.pdf") for n in range(6)]

    response = upload(organiser, "gm", "report", files)

    assert response.status_code == 413
    assert rows() == (0, 0)
    assert stored_files(app) == []


# -- Faults ------------------------------------------------------------------------------


def multipart(token, name, content, boundary="BOUNDARYxyz"):
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\nen\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_connection_dropped_half_way_leaves_no_file_no_row_and_the_old_version(
    app, organiser, world
):
    upload(organiser, "gm", "report", [(PDF, "v1.pdf")])
    document = slot(world.meeting, "report")
    token = uploads.csrf_token(organiser.get("/gm/materials/upload").text)
    body = multipart(token, "v2.pdf", PDF2 + b"x" * 200_000)

    response = organiser.post(
        "/gm/materials/upload/report",
        input_stream=io.BytesIO(body[: len(body) // 2]),
        content_type="multipart/form-data; boundary=BOUNDARYxyz",
        environ_overrides={"CONTENT_LENGTH": str(len(body))},
    )

    assert response.status_code == 400
    assert [v.number for v in versions_of(world.meeting, "report")] == [1]
    assert temporary_files(app) == []
    assert organiser.get(f"/gm/materials/{document.id}").data == PDF


def test_disk_full_while_writing_gives_a_clear_error_and_keeps_the_old_version(
    app, organiser, world, small_disk
):
    app.config["UPLOAD_DIR"] = str(small_disk)
    upload(organiser, "gm", "report", [(PDF, "v1.pdf")])
    document = slot(world.meeting, "report")

    token = uploads.csrf_token(organiser.get("/gm/materials/upload").text)
    body = multipart(token, "v2.pdf", PDF2 + b"x" * (3 * 1024 * 1024))

    response = post_body(organiser, "/gm/materials/upload/report", body)

    assert response.status_code == 507
    assert "There is no room left to store this file just now. Nothing was changed" in response.text
    assert [v.number for v in versions_of(world.meeting, "report")] == [1]
    assert temporary_files(app) == []
    assert organiser.get(f"/gm/materials/{document.id}").data == PDF
