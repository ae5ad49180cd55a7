"""The static ceiling: a bare WSGI app answering every request with the same bytes from
memory (``BENCH_CEILING_FILE``), gzip-compressed as our stored pages are. Served by the
same server as the app in the same run, it says how fast that server can be at all; the
bench prints our figures as a percentage of it."""

import os
from pathlib import Path

_BODY = Path(os.environ["BENCH_CEILING_FILE"]).read_bytes()
_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(_BODY))),
    ("Content-Encoding", "gzip"),
]


def app(_environ, start_response):
    start_response("200 OK", _HEADERS)
    return [_BODY]
