"""ZIP archives streamed as they are built: nothing is assembled in memory or on disk.

``zipfile`` writes to an unseekable stream with data descriptors after each entry; the
writer below hands each written piece straight to the response. Entries are stored, not
compressed: PDFs, images and Office files are compressed already.
"""

import zipfile

from flask import Response

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
