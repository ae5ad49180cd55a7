"""Receiving uploads: the body goes straight into the upload folder, hashed as it arrives.

Werkzeug would spool each file part into a temporary file of its own (in /tmp), to be
copied again afterwards. For views marked ``@receives_files(guard)``, ``Request`` writes
each file part into an ``Incoming`` temporary file in the materials folder instead, with
its SHA-256 computed (on a thread of its own) and the per-file limit enforced while the
bytes arrive (413 at the first byte too many). The request's own size limit is raised for
those views only, before anything is read; every other view keeps the low
``MAX_CONTENT_LENGTH``.

Those bodies are parsed by ``multipart``'s push parser, not Werkzeug's: on a 200 MB file
Werkzeug's parser alone ran at about 300 MB/s here against gunicorn's 950 for reading the
body, and ``multipart`` (which looks for the boundary with ``bytes.find`` and hands the
file's bytes on without copying them) at 700. The form and files the view sees are
Werkzeug's, as is the answer to a malformed body (an empty form, which the CSRF check then
refuses). The form's text fields are held in memory, so together (not each, as Werkzeug
counts) they may take ``MAX_FORM_MEMORY_SIZE``: a body of a thousand fields just under it
grew a worker by 500 MB before anyone had signed in. Past that, or past the parser's limits
(parts, header lines), 413 with a message.

Behind nginx on the same host, nginx may take the whole body into a file of its own and
name it in ``X-Wenevents-Body-File`` instead of passing it on (``UPLOAD_BODY_DIR`` is its
``client_body_temp_path``; deploy/nginx.conf): the app then parses that file, and Python
no longer reads the body from a socket (gunicorn's reading alone took about as long as
the hashing). The header is believed only for a POST to these views, only when
``UPLOAD_BODY_DIR`` is set, only with ``UPLOAD_BODY_KEY`` in ``X-Wenevents-Body-Key``, and
only for a file as nginx makes them inside that folder; a request that also carries a body
of its own is refused (400), and a file larger than the request may be gets 413.

``guard(**view_args)`` runs before the first byte of a file is written: it aborts
(403, 404) when the person may not upload there, so a refused upload never touches disk.
Whatever is not kept when the request ends is removed.
"""

import errno
import hmac
import os
import re
import stat
from functools import wraps
from math import inf
from pathlib import Path

import multipart
from flask import Request as FlaskRequest
from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, Headers
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from wenevents import storage
from wenevents.web import megabytes


def materials_folder():
    return Path(current_app.config["UPLOAD_DIR"]) / "materials"


class StorageFull(HTTPException):
    """The disk (or the quota) ran out while a file was written."""

    code = 507

    def __init__(self):
        super().__init__(
            _(
                "There is no room left to store this file just now. Nothing was changed; "
                "please try again later, or tell the organisers."
            )
        )
        self.for_person = True


class FileTooLarge(RequestEntityTooLarge):
    def __init__(self, limit):
        super().__init__(
            _(
                "A file is larger than the %(size)s allowed. Nothing was stored.",
                size=megabytes(limit),
            )
        )
        self.for_person = True


class FormTooLarge(RequestEntityTooLarge):
    """More text, parts or header lines than an upload form has."""

    def __init__(self):
        super().__init__(
            _(
                "The form sent has more fields, or longer ones, than the upload form has. "
                "Nothing was stored."
            )
        )
        self.for_person = True


class BodyFileRefused(BadRequest):
    """A body file named by the header that is not nginx's (see module doc)."""

    def __init__(self):
        super().__init__(_("The upload could not be read. Nothing was stored."))
        self.for_person = True


class _Sink(storage.Incoming):
    """An Incoming written on its own thread that answers as HTTP: 413 past the limit, 507
    when the disk is full (seen at the next write or at the end of the part)."""

    def __init__(self, folder, max_bytes, original_name=""):
        super().__init__(folder, max_bytes, original_name, background=True)

    def write(self, data):
        try:
            return super().write(data)
        except storage.TooLarge:
            raise FileTooLarge(self.max_bytes) from None
        except OSError as error:
            self.discard()
            raise _as_http(error) from None

    def seek(self, offset, whence=0):
        try:
            return super().seek(offset, whence)
        except OSError as error:
            self.discard()
            raise _as_http(error) from None


def _as_http(error):
    """A full disk or quota as 507 with its message; any other OSError as it is."""
    return StorageFull() if error.errno in (errno.ENOSPC, errno.EDQUOT) else error


# What the parser reads at a time: gunicorn hands over up to a megabyte from the socket at
# once and keeps (and copies again) what a smaller read leaves of it.
READ_BYTES = 1024 * 1024
# Werkzeug's choice of charsets for a field that names one; UTF-8 otherwise.
FIELD_CHARSETS = {"ascii", "us-ascii", "utf-8", "iso-8859-1"}
# A part's header line, and how many a part may have: a browser sends two, of which the
# longer names the file (the upload's own 4 KB would refuse a long name with a 413).
MAX_HEADER_LINE = 16 * 1024
MAX_HEADERS = 16


class _FileParts(FormDataParser):
    """A form parser for bodies of files: ``multipart``'s, giving what Werkzeug's gives."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        parser = multipart.PushMultipartParser(
            options.get("boundary", ""),
            -1 if content_length is None else content_length,
            max_header_size=MAX_HEADER_LINE,
            max_header_count=MAX_HEADERS,
            max_segment_count=self.max_form_parts or inf,
        )
        parts = _Parts(self.stream_factory, self.max_form_memory_size, content_length)
        try:
            with parser:
                while not parser.closed:
                    for event in parser.parse(stream.read(READ_BYTES)):
                        parts.take(event)
        except multipart.ParserLimitReached:
            raise FormTooLarge() from None
        return stream, self.cls(parts.fields), self.cls(parts.files)


class _Parts:
    """The fields and files of one body, from the parser's events: a part begins (its
    segment), goes on (bytes) and ends (None). A file part goes into what
    ``stream_factory`` gives; the fields are held in memory, up to ``max_memory`` bytes in
    all."""

    def __init__(self, stream_factory, max_memory, content_length):
        self.stream_factory = stream_factory
        self.max_memory = max_memory
        self.content_length = content_length
        self.fields, self.files = [], []
        self.part = self.filename = self.target = None
        self.size = 0

    def take(self, event):
        if isinstance(event, multipart.MultipartSegment):
            self.begin(event)
        elif event is None:
            self.end()
        elif isinstance(self.target, list):
            self.size += len(event)
            if self.max_memory is not None and self.size > self.max_memory:
                raise FormTooLarge()
            self.target.append(event)
        else:
            self.target.write(event)

    def begin(self, part):
        self.part, self.filename = part, part.filename
        if self.filename is None:
            # Only ``filename*=UTF-8''…`` (RFC 5987): no browser sends it, Werkzeug read it.
            options = parse_options_header(part.header("Content-Disposition", ""))[1]
            self.filename = options.get("filename")
        if self.filename is None:
            self.target = []
        else:
            self.target = self.stream_factory(
                total_content_length=self.content_length,
                content_type=part.header("Content-Type", None),
                filename=self.filename,
                content_length=0,
            )

    def end(self):
        part, target = self.part, self.target
        if isinstance(target, list):
            charset = (part.charset or "").lower()
            text = b"".join(target).decode(
                charset if charset in FIELD_CHARSETS else "utf-8", "replace"
            )
            self.fields.append((part.name, text))
        else:
            target.seek(0)
            headers = Headers(part.headerlist)
            self.files.append(
                (part.name, FileStorage(target, self.filename, part.name, headers=headers))
            )


# The headers nginx sends with a body it stored (deploy/nginx.conf): the file's name, and
# the key shared with the app (UPLOAD_BODY_KEY), which whoever reaches an instance other
# than through nginx does not have.
BODY_FILE_HEADER = "X-Wenevents-Body-File"
BODY_KEY_HEADER = "X-Wenevents-Body-Key"
# nginx names its files with ten digits, in folders of digits (client_body_temp_path's
# levels).
_NGINX_NAME = re.compile(r"(?:\d+/)*\d{10}")


def open_body_file(named, folder):
    """The body nginx stored at ``named``, opened for reading: a file named as nginx names
    them, inside ``folder``, of this process's user, with no other link; else 400."""
    refused = BodyFileRefused()
    try:
        folder = os.path.realpath(folder)
        path = os.path.realpath(named) if os.path.isabs(named) else ""
        relative = path[len(folder) + 1 :] if path.startswith(folder + os.sep) else ""
        if not _NGINX_NAME.fullmatch(relative):
            raise refused
        # Without O_NONBLOCK a FIFO put there would hold the worker until someone wrote.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        raise refused from None
    found = os.fstat(fd)
    if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1 or found.st_uid != os.geteuid():
        os.close(fd)
        raise refused
    return open(fd, "rb", buffering=0)


def receives_files(guard):
    """Mark a view whose file parts stream into the upload folder (see module doc)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.upload_guard = guard
        return wrapped

    return decorate


class Request(FlaskRequest):
    """Flask's request, streaming file parts of ``@receives_files`` views to disk."""

    _incoming = None
    _guarded = False
    _body_file = _body_size = None

    def _upload_view(self):
        if self.url_rule is None or not current_app:
            return None
        view = current_app.view_functions.get(self.url_rule.endpoint)
        return view if getattr(view, "upload_guard", None) else None

    @property
    def max_content_length(self):
        if self._max_content_length is None and self._upload_view() is not None:
            config = current_app.config
            # Several files in one form, and the form's own fields.
            return config["UPLOAD_MAX_BYTES"] * config["UPLOAD_MAX_FILES"] + 1_000_000
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value

    def _stored_body(self):
        """The body file nginx stored for this upload, opened; None when the body comes
        with the request (see module doc)."""
        if self._body_file is None:
            named = self.headers.get(BODY_FILE_HEADER)
            config = current_app.config if current_app else {}
            folder, key = config.get("UPLOAD_BODY_DIR"), config.get("UPLOAD_BODY_KEY")
            if not named or not folder or self.method != "POST" or not self._upload_view():
                return None
            sent_key = self.headers.get(BODY_KEY_HEADER, "").encode()
            if not key or not hmac.compare_digest(sent_key, key.encode()):
                raise BodyFileRefused()
            if super().content_length or "chunked" in self.headers.get("Transfer-Encoding", ""):
                # nginx sends one or the other: both means nginx was not the sender.
                raise BodyFileRefused()
            body = open_body_file(named, folder)
            size = os.fstat(body.fileno()).st_size
            if self.max_content_length is not None and size > self.max_content_length:
                body.close()
                raise RequestEntityTooLarge()
            self._body_file, self._body_size = body, size
        return self._body_file

    @property
    def content_length(self):
        # The size read when the file was opened: it is closed when the request ends.
        return self._body_size if self._stored_body() is not None else super().content_length

    def _get_stream_for_parsing(self):
        body = self._stored_body()
        return body if body is not None else super()._get_stream_for_parsing()

    def make_form_data_parser(self):
        if self._upload_view() is None:
            return super().make_form_data_parser()
        return _FileParts(
            stream_factory=self._get_file_stream,
            max_form_memory_size=self.max_form_memory_size,
            max_content_length=self.max_content_length,
            max_form_parts=self.max_form_parts,
            cls=self.parameter_storage_class,
        )

    def _get_file_stream(self, total_content_length, content_type, filename=None, **kwargs):
        view = self._upload_view()
        if view is None:
            return super()._get_file_stream(total_content_length, content_type, filename, **kwargs)
        if not self._guarded:
            view.upload_guard(**(self.view_args or {}))
            self._guarded = True
        if self._incoming is None:
            self._incoming = []
        if len(self._incoming) >= current_app.config["UPLOAD_MAX_FILES"]:
            raise RequestEntityTooLarge(
                _("At most %(n)d files at once.", n=current_app.config["UPLOAD_MAX_FILES"])
            )
        try:
            sink = _Sink(materials_folder(), current_app.config["UPLOAD_MAX_BYTES"], filename)
        except OSError as error:
            raise _as_http(error) from None
        self._incoming.append(sink)
        return sink

    def close(self):
        """Remove every temporary file not kept, even of a body that broke off."""
        try:
            super().close()
        finally:
            for sink in self._incoming or ():
                sink.discard()
            # nginx removes the body file itself once the request is answered.
            if self._body_file is not None:
                self._body_file.close()
