"""Storing uploaded files so that nothing is half-written or lost.

A file is streamed into a temporary file in the upload folder while its SHA-256 is
computed (``Incoming``; for large uploads on a thread of its own), synced, then renamed into
place under a generated name; only then does the caller record it in the database. A crash
leaves at most a temporary file (``.incoming-*``, never served, removed by
``wenevents cleanup-uploads``), never a half file under a real name, and never a row naming
a file that is not there.
"""

import hashlib
import os
import queue
import re
import secrets
import tempfile
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from wenevents.text import clean_line

CHUNK = 256 * 1024
TEMP_PREFIX = ".incoming-"
# What a file really is, by its first bytes, whatever it is called.
SIGNATURES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
EXTENSIONS = ("pdf", "png", "jpg", "pptx", "docx", "xlsx", "odp", "odt", "ods")
_NAME = re.compile(r"^[0-9a-f]{32}\.(" + "|".join(EXTENSIONS) + r")$")


class UploadError(ValueError):
    """A file refused: its kind or its size."""


class TooLarge(UploadError):
    """More bytes arrived than the limit allows."""

    def __init__(self, limit):
        super().__init__("size")
        self.limit = limit


@dataclass(frozen=True)
class StoredFile:
    name: str  # the generated name in the upload folder
    original_name: str
    mimetype: str
    size: int
    sha256: str

    def as_answer(self):
        return {
            "file": self.name,
            "name": self.original_name,
            "type": self.mimetype,
            "size": self.size,
            "sha256": self.sha256,
        }


def sniff(head):
    """The MIME type the first bytes say, if it is one we take; else None."""
    for mimetype, (magic, _ext) in SIGNATURES.items():
        if head.startswith(magic):
            return mimetype
    return None


class Incoming:
    """A file being received: a temporary file in ``folder``, hashed and counted as it is
    written, refused (``TooLarge``) past ``max_bytes``.

    A form parser writes a file part into it, seeks to 0 and hands it to the view (it is
    readable too). ``keep()`` syncs it and renames it into place; anything else
    (``discard()``, ``close()``, an error) removes it.

    With ``background=True`` the hashing and the writing each happen on a thread of their
    own: both let go of the GIL on large pieces, so the request's thread reads and parses
    the next piece meanwhile (a 200 MB upload took about half the time; a second thread
    for the writing, a further third). At most ``QUEUED`` pieces wait; the size limit is
    still checked as each piece is given, and an error of either thread (a full disk) is
    raised at the next write, seek or ``keep()``. A piece of ``bytes`` waits as it is; any
    other (a buffer its parser reuses) is copied first. Every ``WRITEBACK_BYTES`` the
    writer has the kernel start putting what it wrote on disk, so that ``keep()``'s sync
    finds little left to wait for.
    """

    QUEUED = 4
    WRITEBACK_BYTES = 16 * 1024 * 1024

    def __init__(self, folder, max_bytes, original_name="", background=False):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.original_name = original_name or ""
        self.size = 0
        self.head = b""
        self._digest = hashlib.sha256()
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=TEMP_PREFIX)
        self.path = Path(temporary)
        self._file = os.fdopen(fd, "w+b")
        self.kept = None
        self._workers = ()
        self._failure = None
        if background:
            # The threads hold the hash and the file, not this object: an Incoming nobody
            # holds any more is still collected, and __del__ removes its file.
            self._workers = (
                _Worker(self._digest.update, "wenevents-upload-hasher", self.QUEUED),
                _Worker(
                    _WriteThrough(self._file, self.WRITEBACK_BYTES),
                    "wenevents-upload-writer",
                    self.QUEUED,
                ),
            )

    # The file-like interface the form parsers and FileStorage use.
    def write(self, data):
        self._raise_failure()
        self.size += len(data)
        if self.size > self.max_bytes:
            self.discard()
            raise TooLarge(self.max_bytes)
        if len(self.head) < 4096:
            self.head += data[: 4096 - len(self.head)]
        if self._workers:
            piece = bytes(data)
            for worker in self._workers:
                worker.put(piece)
            return len(data)
        self._digest.update(data)
        return self._file.write(data)

    def seek(self, offset, whence=0):
        self._settle()
        return self._file.seek(offset, whence)

    def tell(self):
        self._settle()
        return self._file.tell()

    def read(self, size=-1):
        self._settle()
        return self._file.read(size)

    def readline(self, size=-1):
        self._settle()
        return self._file.readline(size)

    def flush(self):
        self._settle()
        self._file.flush()

    def _stop_writer(self):
        """Let both threads finish what they were given, and end them; later writes are
        direct."""
        for worker in self._workers:
            worker.stop()
        self._failure = self._first_failure()
        self._workers = ()

    def _settle(self):
        self._stop_writer()
        self._raise_failure()

    def _first_failure(self):
        errors = [w.error for w in self._workers if w.error is not None]
        return self._failure or (errors[0] if errors else None)

    def _raise_failure(self):
        if (failure := self._first_failure()) is not None:
            raise failure

    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return True

    @property
    def closed(self):
        return self._file.closed

    @property
    def sha256(self):
        self._settle()
        return self._digest.hexdigest()

    def keep(self, extension):
        """Sync the file and rename it to a new generated name; return that name."""
        if self.kept:
            return self.kept
        self._settle()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        name = f"{secrets.token_hex(16)}.{extension}"
        os.replace(self.path, self.folder / name)
        _sync_folder(self.folder)
        self.kept = name
        return name

    def discard(self):
        """Remove the temporary file (nothing happens once it was kept)."""
        self._stop_writer()
        if not self._file.closed:
            # Closing flushes, which fails again on a full disk: the file goes anyway.
            with suppress(OSError):
                self._file.close()
        if not self.kept:
            self.path.unlink(missing_ok=True)

    def close(self):
        self.discard()

    def __del__(self):
        # The last resort for a request that ended in an error before anyone closed it
        # (at interpreter shutdown there is nothing left to report a failure to).
        with suppress(Exception):
            self.discard()


class _WriteThrough:
    """The writer thread's work: write each piece to ``file``, and start the writeback of
    every ``every`` bytes written."""

    def __init__(self, file, every):
        self.file, self.every = file, every
        self.written = self.written_back = 0

    def __call__(self, data):
        self.file.write(data)
        self.written += len(data)
        if self.written - self.written_back >= self.every:
            self.file.flush()
            _start_writeback(self.file, self.written_back, self.written)
            self.written_back = self.written


class _Worker:
    """A thread that calls ``handle`` on each piece it is given, in order, until told to
    stop. After an error it still takes the pieces, so that nobody waits on a full queue,
    and keeps the error for the request's thread to raise."""

    def __init__(self, handle, name, queued):
        self.handle = handle
        self.error = None
        self.queue = queue.Queue(maxsize=queued)
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def put(self, piece):
        self.queue.put(piece)

    def _run(self):
        while (piece := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.handle(piece)
                except BaseException as error:  # raised again on the request's thread
                    self.error = error

    def stop(self):
        # At interpreter shutdown (__del__) the thread may be gone: nobody would take it.
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()


def _start_writeback(file, start, end):
    """Have the kernel start writing ``file``'s bytes ``start:end`` to disk, without
    waiting: Linux does so for POSIX_FADV_DONTNEED (and drops them from its cache once
    written). On 200 MB the final fsync then took about 10 ms instead of 100. Only a
    hint: where it is missing or refused, the fsync does it all."""
    if hasattr(os, "posix_fadvise"):
        with suppress(OSError):
            os.posix_fadvise(file.fileno(), start, end - start, os.POSIX_FADV_DONTNEED)


def store(stream, original_name, folder, max_bytes):
    """Stream ``stream`` into ``folder``; return a StoredFile or raise UploadError.

    PDF, PNG and JPEG only (registration answers); materials use ``Incoming`` directly.
    """
    incoming = Incoming(folder, max_bytes, original_name)
    try:
        while chunk := stream.read(CHUNK):
            if incoming.size == 0 and sniff(chunk) is None:
                raise UploadError("kind")
            incoming.write(chunk)
        if incoming.size == 0:
            raise UploadError("empty")
        mimetype = sniff(incoming.head)
        name = incoming.keep(SIGNATURES[mimetype][1].lstrip("."))
    except BaseException:
        incoming.discard()
        raise
    clean = clean_line(Path(original_name or "").name)[:200] or name
    return StoredFile(name, clean, mimetype, incoming.size, incoming.sha256)


def path_of(name, folder):
    """The stored file's path; None for a name we never generate (no path tricks)."""
    if not isinstance(name, str) or not _NAME.match(name):
        return None
    path = Path(folder) / name
    return path if path.is_file() else None


def _sync_folder(folder):
    """Make the rename itself durable (POSIX); harmless where not supported."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
