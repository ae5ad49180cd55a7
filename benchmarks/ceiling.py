"""The static ceiling: a bare WSGI app answering with the same bytes from memory
(``BENCH_CEILING_FILE``), gzip-compressed as our stored pages are. Served by the same
server as the app in the same run, it says how fast that server can be at all; the bench
prints our figures as a percentage of it.

Paths under ``/static/`` get the project's own files, from memory too (text gzipped), so a
cold browser loading the ceiling's copy of the schedule fetches the same styles and
scripts as it does from us, and their first paints compare like with like.
"""

import gzip
import mimetypes
import os
from pathlib import Path

_BODY = Path(os.environ["BENCH_CEILING_FILE"]).read_bytes()
_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(_BODY))),
    ("Content-Encoding", "gzip"),
]
_STATIC = (Path(__file__).resolve().parents[1] / "static").resolve()
_TEXT = ("text/", "application/javascript", "image/svg+xml")
_files = {}


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path.startswith("/static/"):
        found = _static(path.removeprefix("/static/"))
        if found is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        headers, body = found
        start_response("200 OK", headers)
        return [body]
    start_response("200 OK", _HEADERS)
    return [_BODY]


def _static(name):
    """``(headers, body)`` of a file under static/, read once; None when there is none."""
    if name not in _files:
        file = (_STATIC / name).resolve()
        if not file.is_relative_to(_STATIC) or not file.is_file():
            return None
        body = file.read_bytes()
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        headers = [("Content-Type", kind), ("Cache-Control", "public, max-age=31536000")]
        if kind.startswith(_TEXT):
            body = gzip.compress(body, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        _files[name] = (headers, body)
    return _files[name]
