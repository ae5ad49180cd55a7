"""The files of a materials page as ZIP archives, streamed as they are built: nothing is
assembled in memory or on disk.

``zipfile`` writes to an unseekable stream with data descriptors after each entry; the
writer below hands each written piece straight to the response. Entries are stored, not
compressed: PDFs, images and Office files are compressed already.
"""

import re
import zipfile

from flask import Response
from flask_babel import gettext as _

from wenevents.uploads import access
from wenevents.uploads.targets import SHEET, SLIDES, file_path

CHUNK = 256 * 1024


class _Pipe:
    """A write-only, unseekable file whose written bytes are taken out as they come."""

    def __init__(self):
        self.pieces = []

    def write(self, data):
        self.pieces.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        pieces, self.pieces = self.pieces, []
        return b"".join(pieces)


def stream(files):
    """Yield the bytes of a ZIP of ``files``: ``(name, path, size, when)`` each."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, path, size, when in files:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = size
            info.external_attr = 0o644 << 16
            try:
                source = open(path, "rb")  # noqa: SIM115 (closed below, across yields)
            except OSError:
                continue  # removed since the list was made: leave it out
            with source, archive.open(info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()


def response(files, filename):
    """A streamed ZIP download named ``filename``."""
    body = Response(stream(files), mimetype="application/zip")
    body.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    body.headers["X-Content-Type-Options"] = "nosniff"
    body.cache_control.private = True
    body.cache_control.no_store = True
    return body


# -- What goes in an archive ------------------------------------------------------------


def safe_part(text):
    """A safe ZIP path segment."""
    text = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", str(text)).strip(" .")
    return text[:120] or "_"


def zip_files(page, session_ref=None, network=None):
    """``[(path in the archive, path on disk, size, when)]`` of a page's visible files,
    narrowed to one session (by its ref) or one network; folders by part of the meeting."""
    # Slides are named by their presentation as released, never by the draft's row.
    titles = {uid: item.title for uid, item in access.released_items(page.meeting).items()}
    files = []
    if session_ref is None and network is None:
        for entry in page.documents:
            files += _zip_entry(titles, _("Meeting documents"), entry)
    if session_ref is None:
        for entry in page.sheets:
            if network is None or entry.target.network.id == network.id:
                files += _zip_entry(titles, _("Information sheets"), entry)
    for session in page.sessions:
        if session_ref is not None and (not session.number or session.ref != session_ref):
            continue
        folder = _("Session %(n)d", n=session.number) if session.number else session.title
        for entry in session.entries:
            if network is None or (entry.target.network and entry.target.network.id == network.id):
                files += _zip_entry(titles, folder, entry)
    seen, unique = set(), []
    for name, path, size, when in files:
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
        seen.add(candidate)
        unique.append((candidate, path, size, when))
    return unique


def _zip_entry(titles, folder, entry):
    result = []
    for document in entry.documents:
        version = document.current
        path = file_path(version) if version else None
        if path is None:
            continue
        label = entry.target.title
        if entry.target.kind == SLIDES and entry.target.network:
            title = titles.get(entry.target.item.uid, entry.target.item.title)
            label = f"{entry.target.network.acronym} – {title}"
        elif entry.target.kind == SHEET:
            label = entry.target.network.acronym
        extension = version.original_name.rpartition(".")[2]
        name = f"{safe_part(folder)}/{safe_part(label)} ({document.language}).{extension}"
        result.append((name, path, version.size, version.uploaded_at))
    return result
