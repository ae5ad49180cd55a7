"""Receiving uploads: the body goes straight into the upload folder, hashed as it arrives.

Werkzeug would spool each file part into a temporary file of its own (in /tmp), to be
copied again afterwards. For views marked ``@receives_files(guard)``, ``Request`` writes
each file part into an ``Incoming`` temporary file in the materials folder instead, with
its SHA-256 computed and the per-file limit enforced while the bytes arrive (413 at the
first byte too many). The request's own size limit is raised for those views only,
before anything is read; every other view keeps the low ``MAX_CONTENT_LENGTH``.

``guard(**view_args)`` runs before the first byte of a file is written: it aborts
(403, 404) when the person may not upload there, so a refused upload never touches disk.
Whatever is not kept when the request ends is removed.
"""

import errno
from functools import wraps
from pathlib import Path

from flask import Request as FlaskRequest
from flask import current_app
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser

from wenevents import storage
from wenevents.uploads.filetypes import megabytes


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


class _Sink(storage.Incoming):
    """An Incoming that answers as HTTP: 413 past the limit, 507 when the disk is full."""

    def write(self, data):
        try:
            return super().write(data)
        except storage.TooLarge:
            raise FileTooLarge(self.max_bytes) from None
        except OSError as error:
            self.discard()
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull() from None
            raise


# What the multipart parser reads at a time in upload views. gunicorn's reader takes up to
# a megabyte from the socket at once and keeps what a read leaves of it, copying that
# again at each read: with Werkzeug's 64 KB reads a large upload spent a third of its time
# there.
READ_BYTES = 448 * 1024
WERKZEUG_READ_BYTES = 64 * 1024


def read_bytes(max_form_memory_size):
    """What to read at a time: READ_BYTES, but a read must fit in the parser's buffer,
    which MAX_FORM_MEMORY_SIZE bounds (with room for what a read leaves of a boundary)."""
    if max_form_memory_size is None:
        return READ_BYTES
    room = max_form_memory_size - WERKZEUG_READ_BYTES
    return max(WERKZEUG_READ_BYTES, min(READ_BYTES, room))


class _FileParts(FormDataParser):
    """Werkzeug's form parser, reading a body of files ``read_bytes()`` at a time."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        parser = MultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
            buffer_size=read_bytes(self.max_form_memory_size),
        )
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


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
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull() from None
            raise
        self._incoming.append(sink)
        return sink

    def close(self):
        """Remove every temporary file not kept, even of a body that broke off."""
        try:
            super().close()
        finally:
            for sink in self._incoming or ():
                sink.discard()
